// The release pipeline, locally: scripts/release-dry-run.sh --prebuilt takes the three Linux
// binaries at the repository root through what .github/workflows/release.yml does (napi artifacts
// into npm/<platform>/, the ELF check of each, npm publish --dry-run of each platform package and
// of the main package). npm is pointed at a registry address where nothing listens and a user
// config without a login: the run must neither need the network nor an npm account.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import { createHash } from 'node:crypto'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const main = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'))
const { platformName } = createRequire(import.meta.url)('../lib/native.js')
const LINUX = ['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl']
const skip = platformName() !== 'linux-x64-gnu' && `the Linux packages are built and packed on linux-x64-gnu (this is ${platformName()})`

/** `{ name@version: { size, files } }` from the script's `packed <name>@<version> (<n> bytes, dry run): a, b` lines. */
function packedLines (stdout) {
  const packed = {}
  for (const m of stdout.matchAll(/^packed (\S+) \((\d+) bytes, dry run\): (.*)$/gm)) packed[m[1]] = { size: Number(m[2]), files: m[3].split(', ') }
  return packed
}

/** The git view of what the run could touch: tracked changes and ignored files under npm/, and the root binaries' bytes. */
function snapshot () {
  const status = execFileSync('git', ['status', '--porcelain', '--ignored', '--', 'npm'], { cwd: repo, encoding: 'utf8' })
  const binaries = LINUX.map((p) => createHash('sha256').update(readFileSync(join(repo, `s3db-native.${p}.node`))).digest('hex'))
  return { status, binaries }
}

describe('scripts/release-dry-run.sh --prebuilt', { skip }, () => {
  let tmp
  let env
  let run
  let initial
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 's3db-native-release-'))
    const userconfig = join(tmp, 'npmrc')
    writeFileSync(userconfig, '')
    env = { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_userconfig: userconfig, npm_config_fetch_retries: '0', npm_config_fetch_timeout: '5000' }
    initial = snapshot()
    run = spawnSync('bash', [join(repo, 'scripts', 'release-dry-run.sh'), '--prebuilt'], { cwd: repo, env, encoding: 'utf8', timeout: 600_000 })
  })
  after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }) })

  it('exits 0, offline and without a login, and says nothing was published', () => {
    assert.equal(run.status, 0, run.stdout + run.stderr)
    assert.match(run.stdout, /release-dry-run: ok \(linux-x64-gnu,linux-arm64-gnu,linux-x64-musl and the main package packed; nothing published\)/)
  })

  for (const platform of LINUX) {
    it(`packs s3db-native-${platform}@${main.version}: README.md, package.json and its binary`, () => {
      const packed = packedLines(run.stdout)[`s3db-native-${platform}@${main.version}`]
      assert.ok(packed, run.stdout)
      assert.deepEqual(packed.files, ['README.md', 'package.json', `s3db-native.${platform}.node`])
      assert.ok(packed.size > 1_000_000, `a packed binary: ${packed.size} bytes`)
    })
  }

  it(`packs s3db-native@${main.version} with the JS and no binary, and only the four packages`, () => {
    const packed = packedLines(run.stdout)
    assert.deepEqual(Object.keys(packed).sort(), [...LINUX.map((p) => `s3db-native-${p}@${main.version}`), `s3db-native@${main.version}`].sort())
    const files = packed[`s3db-native@${main.version}`].files
    for (const f of ['index.js', 'index.mjs', 'index.d.ts', 'binding.js', 'lib/native.js', 'package.json', 'README.md']) assert.ok(files.includes(f), f)
    assert.deepEqual(files.filter((f) => f.endsWith('.node')), [])
  })

  it('leaves the repository as it was: nothing new under npm/, the root binaries untouched', () => {
    assert.deepEqual(snapshot(), initial)
    assert.equal(execFileSync('git', ['ls-files', '--', 'npm/*.node', 'npm/**/*.node'], { cwd: repo, encoding: 'utf8' }), '')
  })

  it('fails, naming the problem, when a binary does not fit its package (the gnu binary as musl)', () => {
    const artifacts = join(tmp, 'artifacts', 'bindings-x86_64-unknown-linux-musl')
    cpSync(join(repo, 's3db-native.linux-x64-gnu.node'), join(artifacts, 's3db-native.linux-x64-musl.node'))
    const r = spawnSync(process.execPath, [join(repo, 'scripts', 'publish.mjs'), '--dry-run', '--artifacts', join(tmp, 'artifacts'), '--platforms', 'linux-x64-musl'], { cwd: repo, env, encoding: 'utf8', timeout: 120_000 })
    assert.equal(r.status, 1, r.stdout + r.stderr)
    assert.match(r.stderr, /npm\/linux-x64-musl: needs glibc symbols/)
    assert.doesNotMatch(r.stdout, /^packed /m, 'nothing is packed once a check fails')
  })

  it('refuses a platform that is not a napi target', () => {
    const r = spawnSync(process.execPath, [join(repo, 'scripts', 'publish.mjs'), '--dry-run', '--artifacts', tmp, '--platforms', 'linux-riscv64-gnu'], { cwd: repo, env, encoding: 'utf8' })
    assert.equal(r.status, 2)
    assert.match(r.stderr, /linux-riscv64-gnu: not in package.json napi.targets/)
  })
})
