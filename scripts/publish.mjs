// The release's last steps, shared by .github/workflows/release.yml (for real) and
// scripts/release-dry-run.sh (--dry-run), so that the dry run is the same code:
//   1. `napi artifacts`: every s3db-native.<platform>.node under ARTIFACTS goes into npm/<platform>/
//      (of a staging copy: the repository is not changed)
//   2. each platform package is checked: its binary is there, a Linux one fits its platform
//      (scripts/elf-check.mjs: machine, libc, glibc <= 2.17), name and version match the main package
//   3. `npm publish` each platform package, then the main package (prerelease versions under the
//      `next` dist-tag); each tarball must be the expected name@version and hold the right binary
//
//   node scripts/publish.mjs --artifacts DIR [--platforms linux-x64-gnu,...] [--dry-run] [--provenance]
//     --platforms  only these packages (napi artifacts then runs with napi.targets narrowed to
//                  theirs); default: every target in package.json napi.targets
//     --dry-run    npm publish --dry-run --offline: no registry is contacted, nothing is published,
//                  no login is needed
//     --provenance npm publish --provenance (in GitHub Actions, with id-token: write)
// Prints one line per package: `packed <name>@<version> (<n> bytes): <file>, ...` and exits 1 on
// any problem.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { parseTriple } from '@napi-rs/cli'
import { inspectElf, platformProblems, LINUX_PLATFORMS } from './elf-check.mjs'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const { values: opts } = parseArgs({
  options: {
    artifacts: { type: 'string' },
    platforms: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    provenance: { type: 'boolean', default: false }
  }
})
if (!opts.artifacts) {
  console.error('publish: --artifacts DIR is required')
  process.exit(2)
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'))
const main = readJson(join(repo, 'package.json'))
const targets = main.napi.targets.map(parseTriple)
const wanted = opts.platforms ? opts.platforms.split(',') : targets.map((t) => t.platformArchABI)
const unknown = wanted.filter((p) => !targets.some((t) => t.platformArchABI === p))
if (unknown.length) {
  console.error(`publish: ${unknown.join(', ')}: not in package.json napi.targets`)
  process.exit(2)
}
const chosen = targets.filter((t) => wanted.includes(t.platformArchABI))
const problems = []

// 1. Artifacts into npm/<platform>/ of a staging copy of package.json and npm/ (napi artifacts also
//    writes each binary beside package.json, and removes there the binaries of targets it is not
//    given): the repository is left as it was, and no .node lands in a tracked folder.
const stage = mkdtempSync(join(tmpdir(), 's3db-native-publish-'))
process.on('exit', () => rmSync(stage, { recursive: true, force: true }))
writeFileSync(join(stage, 'package.json'), JSON.stringify({ ...main, napi: { ...main.napi, targets: chosen.map((t) => t.triple) } }, null, 2))
cpSync(join(repo, 'npm'), join(stage, 'npm'), { recursive: true, filter: (src) => !src.endsWith('.node') })
try {
  const cli = join(repo, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js')
  execFileSync(process.execPath, [cli, 'artifacts', '--output-dir', resolve(opts.artifacts)], { cwd: stage, stdio: ['ignore', 'inherit', 'pipe'] })
} catch (e) {
  console.error(`publish: napi artifacts failed: ${e.stderr}`)
  process.exit(1)
}

// 2. Each platform package before anything is published.
for (const { platformArchABI: platform } of chosen) {
  const dir = join(stage, 'npm', platform)
  const pkg = readJson(join(dir, 'package.json'))
  const binary = join(dir, `${main.napi.binaryName}.${platform}.node`)
  if (pkg.name !== `${main.name}-${platform}`) problems.push(`npm/${platform}: name is ${pkg.name}`)
  if (pkg.version !== main.version) problems.push(`npm/${platform}: version ${pkg.version}, the main package is ${main.version}`)
  if (main.optionalDependencies?.[pkg.name] !== main.version) problems.push(`package.json optionalDependencies does not list ${pkg.name}@${main.version}`)
  if (!existsSync(binary)) {
    problems.push(`npm/${platform}: ${binary} is missing after napi artifacts`)
  } else if (LINUX_PLATFORMS[platform]) {
    for (const p of platformProblems(inspectElf(binary), platform)) problems.push(`npm/${platform}: ${p}`)
  }
}
if (problems.length) {
  for (const p of problems) console.error(`publish: ${p}`)
  process.exit(1)
}

// 3. npm publish: the platform packages first, so that the main package's optional dependencies exist.
const publishArgs = ['publish', '--json', '--access', 'public']
if (opts['dry-run']) publishArgs.push('--dry-run', '--offline')
if (opts.provenance) publishArgs.push('--provenance')
if (main.version.includes('-')) publishArgs.push('--tag', 'next')

function publish (dir, name, mustHold) {
  let out
  try {
    // (npm is a .cmd on Windows, which Node spawns only through a shell)
    out = execFileSync('npm', publishArgs, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, shell: process.platform === 'win32' })
  } catch (e) {
    problems.push(`${name}: npm publish failed: ${e.stderr || e.message}`)
    return
  }
  // npm 10 prints the pack result itself, npm 11 keyed by package name.
  const parsed = JSON.parse(out.slice(out.indexOf('{')))
  const packed = parsed[name] ?? parsed
  const files = packed.files.map((f) => f.path).sort()
  if (packed.name !== name || packed.version !== main.version) problems.push(`${name}: packed ${packed.name}@${packed.version}, expected ${name}@${main.version}`)
  const binaries = files.filter((f) => f.endsWith('.node'))
  if (JSON.stringify(binaries) !== JSON.stringify(mustHold)) problems.push(`${name}: its binaries are [${binaries.join(', ')}], expected [${mustHold.join(', ')}]`)
  console.log(`packed ${packed.name}@${packed.version} (${packed.size} bytes${opts['dry-run'] ? ', dry run' : ''}): ${files.join(', ')}`)
}

for (const { platformArchABI: platform } of chosen) {
  publish(join(stage, 'npm', platform), `${main.name}-${platform}`, [`${main.napi.binaryName}.${platform}.node`])
}
if (!problems.length) publish(repo, main.name, [])
for (const p of problems) console.error(`publish: ${p}`)
process.exit(problems.length ? 1 : 0)
