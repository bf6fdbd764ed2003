// What a user sees when s3db-native cannot run here: a Node.js older than `engines`, or no binary
// for this platform. Each case runs in a child process: an old Node is a preload (--require) that
// reports another process.versions; a missing binary is a copy of the package's JavaScript without
// any .node file, outside the repository (so no node_modules up the tree holds a platform package).
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'))
const { platformName, PLATFORMS, MIN_NODE_MAJOR } = createRequire(import.meta.url)('../lib/native.js')

/**
 * Require `entry` in a fresh node (after `preload`, if any): its error's `{ code, message, modules }`
 * (`modules`: the files of `entry` that were required, in order, relative), or `{ loaded: true }`.
 */
function tryRequire (entry, preload) {
  const args = [...(preload ? ['--require', preload] : []), '-e', `
    const Module = require('module')
    const resolve = Module._resolveFilename
    const seen = []
    Module._resolveFilename = function (...a) { const f = resolve.apply(this, a); if (!seen.includes(f)) seen.push(f); return f }
    try { require(${JSON.stringify(entry)}); console.log(JSON.stringify({ loaded: true })) }
    catch (e) {
      const modules = seen.filter((f) => f.startsWith(${JSON.stringify(entry)})).map((f) => f.slice(${JSON.stringify(entry)}.length + 1))
      console.log(JSON.stringify({ code: e.code, message: e.message, modules }))
    }`]
  const env = { ...process.env }
  delete env.NAPI_RS_NATIVE_LIBRARY_PATH
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env, timeout: 60_000 })
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout.trim().split('\n').at(-1))
}

describe('the loader names the fix', () => {
  let tmp
  let bare
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 's3db-native-loader-'))
    bare = join(tmp, 's3db-native')
    for (const f of pkg.files) cpSync(join(repo, f), join(bare, f), { recursive: true, filter: (src) => !src.endsWith('.node') })
    cpSync(join(repo, 'package.json'), join(bare, 'package.json'))
  })
  after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }) })

  it(`engines.node is ">= ${MIN_NODE_MAJOR}", the floor the loader enforces`, () => {
    assert.equal(pkg.engines.node, `>= ${MIN_NODE_MAJOR}`)
  })

  for (const version of ['18.20.4', '16.20.2', '19.9.0']) {
    it(`on Node.js ${version}, require fails first thing (only index.js and lib/native.js loaded), saying to upgrade to 20, 22 or 24`, () => {
      const preload = join(tmp, `node-${version}.cjs`)
      writeFileSync(preload, `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: ${JSON.stringify(version)} } })\n`)
      const out = tryRequire(repo, preload)
      assert.equal(out.code, 'S3DB_NATIVE_UNSUPPORTED_NODE')
      assert.match(out.message, new RegExp(`this is Node\\.js ${version.replace(/\./g, '\\.')}`))
      assert.match(out.message, /Upgrade Node\.js to 20, 22 or 24/)
      assert.match(out.message, /needs Node\.js 20 or newer/)
      assert.deepEqual(out.modules, ['index.js', join('lib', 'native.js')])
    })
  }

  it('on this Node.js the same preload mechanism lets the package load (the version check is what failed above)', () => {
    const preload = join(tmp, 'node-same.cjs')
    writeFileSync(preload, 'Object.defineProperty(process, \'versions\', { value: { ...process.versions } })\n')
    assert.deepEqual(tryRequire(repo, preload), { loaded: true })
  })

  it('without a binary: names the platform, arch and libc, the package to install and `npm run build`', () => {
    const name = platformName()
    assert.ok(PLATFORMS.includes(name), `this host (${name}) is a prebuilt platform`)
    const out = tryRequire(bare)
    assert.equal(out.code, 'S3DB_NATIVE_BINDING_NOT_FOUND')
    assert.ok(out.message.includes(`the native binary for ${name} (platform ${process.platform}, arch ${process.arch}`), out.message)
    if (process.platform === 'linux') assert.match(out.message, /libc (glibc|musl)\)/)
    assert.ok(out.message.includes(`\`npm i s3db-native-${name}\``), out.message)
    assert.ok(out.message.includes('`npm run build`'), out.message)
    assert.ok(out.message.includes(`Neither s3db-native.${name}.node (beside binding.js) nor the package s3db-native-${name} is installed.`), out.message)
  })

  it('with a binary that does not load: says so and gives the reason', () => {
    const name = platformName()
    const broken = join(tmp, 'broken')
    cpSync(bare, broken, { recursive: true })
    writeFileSync(join(broken, `s3db-native.${name}.node`), 'not a shared library')
    const out = tryRequire(broken)
    assert.equal(out.code, 'S3DB_NATIVE_BINDING_NOT_FOUND')
    // The reason is the system loader's (dlopen's, LoadLibrary's), which names the file.
    assert.match(out.message, new RegExp(`A binary was found but did not load: .*s3db-native\\.${name}\\.node`), out.message)
  })

  it('on a platform with no prebuilt package: lists the prebuilt ones and says to build from source', () => {
    const preload = join(tmp, 'arch-riscv64.cjs')
    writeFileSync(preload, "Object.defineProperty(process, 'arch', { value: 'riscv64' })\n")
    const out = tryRequire(bare, preload)
    assert.equal(out.code, 'S3DB_NATIVE_BINDING_NOT_FOUND')
    const expectName = process.platform === 'linux' ? /linux-riscv64-(gnu|musl)/ : new RegExp(`${process.platform}-riscv64`)
    assert.match(out.message, /there is no prebuilt binary for /)
    assert.match(out.message, expectName)
    assert.match(out.message, /arch riscv64/)
    assert.ok(out.message.includes(`Prebuilt: ${PLATFORMS.join(', ')}`), out.message)
    assert.ok(out.message.includes('`npm run build`'), out.message)
  })
})
