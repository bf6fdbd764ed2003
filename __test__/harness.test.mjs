// The test harness itself: under S3DB_REQUIRE_S3 (what `npm test` sets) the suite fails loudly
// without an S3 server instead of quietly running on memory:// and file:// only, and the
// commands that run the suite name their test files explicitly (Node 22+ reads a directory
// argument as a glob that matches no test).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const fixture = fileURLToPath(new URL('./fixtures/harness/backends.mjs', import.meta.url))
const repo = fileURLToPath(new URL('..', import.meta.url))

/** Run node with `args` and the harness variables set to `env` only (the rest of the environment kept). */
function node (args, env) {
  const clean = { ...process.env }
  for (const k of ['S3DB_TEST_S3_URL', 'S3DB_TEST_BACKEND', 'S3DB_REQUIRE_S3', 'CI', 'NODE_TEST_CONTEXT']) delete clean[k]
  const r = spawnSync(process.execPath, args, { env: { ...clean, ...env }, encoding: 'utf8', timeout: 60000 })
  return { code: r.status, out: `${r.stdout}${r.stderr}` }
}

const FAKE_URL = 'http://AK:SK@127.0.0.1:9/s3db'

describe('S3DB_REQUIRE_S3', () => {
  it('without S3DB_TEST_S3_URL a test file using the helpers fails under node --test (not a skip)', () => {
    const r = node(['--test', '--test-reporter=tap', fixture], { S3DB_REQUIRE_S3: '1' })
    assert.equal(r.code, 1, r.out)
    assert.match(r.out, /S3DB_REQUIRE_S3 \(or CI=true\) is set but S3DB_TEST_S3_URL is not/)
    assert.match(r.out, /# fail 1/)
  })

  it('CI=true implies it', () => {
    const r = node([fixture], { CI: 'true' })
    assert.notEqual(r.code, 0, r.out)
    assert.match(r.out, /S3DB_TEST_S3_URL is not/)
  })

  it('refuses S3DB_TEST_BACKEND, which would narrow the run', () => {
    const r = node([fixture], { S3DB_REQUIRE_S3: '1', S3DB_TEST_S3_URL: FAKE_URL, S3DB_TEST_BACKEND: 'memory' })
    assert.notEqual(r.code, 0, r.out)
    assert.match(r.out, /S3DB_TEST_BACKEND=memory would narrow the run/)
  })

  it('with the URL set, every backend runs', () => {
    const r = node([fixture], { S3DB_REQUIRE_S3: '1', S3DB_TEST_S3_URL: FAKE_URL })
    assert.equal(r.code, 0, r.out)
    assert.equal(r.out.trim(), 'memory,file,s3')
  })

  it('without the flag, S3 is optional and S3DB_TEST_BACKEND narrows; 0 or empty means off', () => {
    assert.equal(node([fixture], {}).out.trim(), 'memory,file')
    assert.equal(node([fixture], { S3DB_REQUIRE_S3: '0' }).out.trim(), 'memory,file')
    assert.equal(node([fixture], { S3DB_REQUIRE_S3: '' }).out.trim(), 'memory,file')
    assert.equal(node([fixture], { S3DB_TEST_S3_URL: FAKE_URL, S3DB_TEST_BACKEND: 'file,s3' }).out.trim(), 'file,s3')
  })

  it('scripts/test.sh (npm test) sets it before running the tests', () => {
    const script = readFileSync(new URL('../scripts/test.sh', import.meta.url), 'utf8')
    const flag = script.search(/^export S3DB_REQUIRE_S3=1$/m)
    assert.ok(flag > 0, 'scripts/test.sh exports S3DB_REQUIRE_S3=1')
    assert.ok(flag < script.search(/^cargo test /m), 'before cargo test')
    assert.ok(flag < script.search(/^node --test /m), 'before node --test')
  })
})

describe('test commands', () => {
  const script = readFileSync(new URL('../scripts/test.sh', import.meta.url), 'utf8')
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

  it('name the test files, never a bare directory (Node 22+ treats positional arguments as globs)', () => {
    const commands = [pkg.scripts['test:js'], ...script.split('\n').filter(l => /^node --test /.test(l))]
    assert.equal(commands.length, 2)
    for (const c of commands) {
      assert.match(c, / __test__\/\*\.test\.mjs$/, c)
      assert.doesNotMatch(c, / __test__\/?(\s|$)/, c)
    }
  })

  it('the glob, as a shell expands it, finds every file Node 20 found under the directory argument', () => {
    // Node 20's `node --test __test__/` ran every file under it matching its default patterns.
    const nodeDefault = /(^|\/)(test|test-[^/]*|[^/]*[.\-_]test)\.[cm]?js$|(^|\/)test\/.*\.[cm]?js$/
    const walk = (dir) => readdirSync(join(repo, dir), { withFileTypes: true })
      .flatMap(e => e.isDirectory() ? (e.name === 'node_modules' ? [] : walk(`${dir}/${e.name}`)) : [`${dir}/${e.name}`])
    const found = walk('__test__').filter(f => nodeDefault.test(f.slice('__test__/'.length))).sort()
    const r = spawnSync('sh', ['-c', 'printf "%s\\n" __test__/*.test.mjs'], { cwd: repo, encoding: 'utf8' })
    assert.deepEqual(r.stdout.trim().split('\n').sort(), found)
    assert.ok(found.includes('__test__/harness.test.mjs'))
  })
})
