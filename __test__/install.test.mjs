// Install from tarballs, as a user would: `npm pack` the package and its
// linux-x64-gnu binary package, install both into fresh projects outside the
// repository, and run there the README example on file://, a stream pipeline,
// a strict TypeScript compile against the installed typings, the drop-in alias
// (`s3db.js` → s3db-native), and the missing-binary message.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'))
const binary = `s3db-native.linux-x64-gnu.node`
// The packed binary package is linux-x64-gnu: the host must be that platform (not musl, not arm64).
const { platformName } = createRequire(import.meta.url)('../lib/native.js')
const supported = platformName() === 'linux-x64-gnu' && existsSync(join(repo, binary))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function run (cmd, args, cwd, extra = {}) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000, ...extra })
}

function npmInstall (cwd, specs, flags = []) {
  run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...flags, ...specs], cwd)
}

function project (root, name) {
  const dir = join(root, name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }, null, 2))
  return dir
}

describe('install from the packed tarballs (linux-x64-gnu)', { skip: supported ? false : 'needs the linux-x64-gnu build' }, () => {
  let root
  let mainTgz
  let binTgz

  before(() => {
    root = mkdtempSync(join(tmpdir(), 's3db-native-install-'))
    // The documented way (README "Install from a local build").
    const [main, bin] = run('bash', [join(repo, 'scripts', 'pack.sh'), root], repo).trim().split('\n')
    mainTgz = main
    binTgz = bin
  })

  after(() => { if (root) rmSync(root, { recursive: true, force: true }) })

  it('the main tarball holds the JS and typings, no binary; the platform tarball holds the binary', () => {
    const list = (tgz) => run('tar', ['-tzf', tgz], root).split('\n').filter(Boolean)
    const main = list(mainTgz)
    for (const f of ['index.js', 'index.mjs', 'index.d.ts', 'binding.js', 'stream.js', 'stream.mjs', 'stream.d.ts', 'package.json', 'README.md']) {
      assert.ok(main.includes(`package/${f}`), `${f} in ${main.join(', ')}`)
    }
    const lib = readdirSync(join(repo, 'lib'), { recursive: true }).filter(f => f.endsWith('.js'))
    assert.ok(lib.length > 0)
    for (const f of lib) assert.ok(main.includes(`package/lib/${f}`), `lib/${f} in ${main.join(', ')}`)
    assert.ok(!main.some(f => f.endsWith('.node')), 'no binary in the main package')
    assert.deepEqual(list(binTgz).filter(f => f.endsWith('.node')), [`package/${binary}`])
    assert.equal(pkg.optionalDependencies['s3db-native-linux-x64-gnu'], pkg.version)
  })

  it('a fresh project runs the README example on file://, a stream pipeline, and compiles TypeScript with --strict', () => {
    const app = project(root, 'app')
    npmInstall(app, [mainTgz, binTgz, 'typescript@5.9.3', '@types/node@20.19.43'])
    const resolved = run(process.execPath, ['-e', "console.log(require.resolve('s3db-native-linux-x64-gnu'))"], app).trim()
    assert.ok(resolved.startsWith(app), `binary resolved inside the project: ${resolved}`)
    assert.ok(!existsSync(join(app, 'node_modules', 's3db-native', binary)))

    writeFileSync(join(app, 'example.mjs'), readFileSync(join(repo, 'examples', 'users.mjs'), 'utf8'))
    const out = run(process.execPath, ['example.mjs'], app)
    assert.match(out, /connected to/)
    assert.match(out, /event insert: /)

    writeFileSync(join(app, 'pipe.mjs'), `
      import { S3db } from 's3db-native'
      import { ResourceIdsReader } from 's3db-native/stream'
      import { pipeline } from 'node:stream/promises'
      import { Readable, Transform, Writable } from 'node:stream'
      const db = new S3db({ connectionString: 'file://' + process.cwd() + '/pipe-data' })
      await db.connect()
      const items = await db.createResource({ name: 'items', attributes: { n: 'number', label: 'string' } })
      const writer = items.writable({ concurrency: 4 })
      await pipeline(Readable.from(Array.from({ length: 200 }, (_, i) => ({ id: 'i' + String(i).padStart(3, '0'), n: i, label: 'item ' + i }))), writer)
      let sum = 0
      await pipeline(items.readable({ batchSize: 25 }), new Transform({ objectMode: true, transform (r, _e, cb) { cb(null, r.n) } }), new Writable({ objectMode: true, write (n, _e, cb) { sum += n; cb() } }))
      let ids = 0
      for await (const _ of new ResourceIdsReader({ resource: items })) ids++
      console.log(JSON.stringify({ written: writer.stats.written, sum, ids }))
      await db.disconnect()
    `)
    assert.deepEqual(JSON.parse(run(process.execPath, ['pipe.mjs'], app).trim()), { written: 200, sum: 19900, ids: 200 })

    writeFileSync(join(app, 'main.ts'), `
      import { S3db, Resource, ResourceReader, InvalidResourceItem, PartitionRecord } from 's3db-native'
      import { pipeline } from 'node:stream/promises'
      import { Writable } from 'node:stream'
      interface User { name: string; email: string; region?: string }
      export async function main (): Promise<void> {
        const db = new S3db({ connectionString: 'file:///tmp/typed', passphrase: 'pp', parallelism: 8 })
        await db.connect()
        const users: Resource<User> = await db.createResource<User>({ name: 'users', attributes: { name: 'string', email: 'email', region: 'string|optional' }, options: { partitions: { byRegion: { fields: { region: 'string' } } } } })
        const u = await users.insert({ name: 'Ann', email: 'ann@example.com' })
        const id: string = u.id
        const got = await users.get(id)
        const when: Date = got._lastModified
        const page = await users.page({ offset: 0, size: 10 })
        const inRegion: PartitionRecord<User>[] = await users.listByPartition({ partition: 'byRegion', partitionValues: { region: 'south' } })
        const reader: ResourceReader<User> = users.readable({ batchSize: 10 })
        await pipeline(reader, new Writable({ objectMode: true, write (_r, _e, cb) { cb() } }))
        try { await users.insert({ name: 'x' }) } catch (e) { if (e instanceof InvalidResourceItem) console.log(e.validation.length) }
        console.log(when.getTime(), page.totalItems, inRegion.length)
      }
    `)
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'] }, files: ['main.ts'] }))
    run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], app)
  })

  it("the drop-in alias: `import { S3db } from 's3db.js'` runs unchanged with s3db-native installed under that name", () => {
    const app = project(root, 'alias')
    npmInstall(app, [`s3db.js@file:${mainTgz}`, binTgz])
    const installed = JSON.parse(readFileSync(join(app, 'node_modules', 's3db.js', 'package.json'), 'utf8'))
    assert.equal(installed.name, 's3db-native')
    writeFileSync(join(app, 'app.mjs'), `
      import { S3db } from 's3db.js'
      import { ResourceReader } from 's3db.js/stream'
      import { createRequire } from 'node:module'
      const cjs = createRequire(import.meta.url)('s3db.js')
      const s3db = new S3db({ uri: 'memory://alias/app' })
      await s3db.connect()
      const users = await s3db.createResource({ name: 'users', attributes: { name: 'string', password: 'secret' } })
      const u = await users.insert({ name: 'Ann', password: 'pw' })
      const back = await users.get(u.id)
      console.log(JSON.stringify({ same: cjs.S3db === S3db, reader: typeof ResourceReader, name: back.name, password: back.password }))
    `)
    assert.deepEqual(JSON.parse(run(process.execPath, ['app.mjs'], app).trim()), { same: true, reader: 'function', name: 'Ann', password: 'pw' })
  })

  it('installs offline: the optional dependencies not published yet (the other platforms) do not fail the install', () => {
    // package.json lists all six platform packages at this version; npm resolves each, and with
    // --offline (no registry at all) the five it cannot fetch must be skipped as optional.
    const app = project(root, 'offline')
    npmInstall(app, [mainTgz, binTgz], ['--offline'])
    const installed = readdirSync(join(app, 'node_modules')).filter((d) => d.startsWith('s3db-native')).sort()
    assert.deepEqual(installed, ['s3db-native', 's3db-native-linux-x64-gnu'])
    const out = run(process.execPath, ['-e', "const { S3db } = require('s3db-native'); console.log(typeof S3db, require.resolve('s3db-native-linux-x64-gnu'))"], app).trim()
    assert.equal(out, `function ${join(app, 'node_modules', 's3db-native-linux-x64-gnu', binary)}`)
  })

  it('without the binary package, require fails with a message naming the platform', () => {
    const app = project(root, 'nobin')
    npmInstall(app, [mainTgz], ['--omit=optional'])
    const out = JSON.parse(run(process.execPath, ['-e', "try { require('s3db-native') } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }"], app).trim())
    assert.equal(out.code, 'S3DB_NATIVE_BINDING_NOT_FOUND')
    assert.match(out.message, /linux-x64-gnu/)
    assert.match(out.message, /s3db-native-linux-x64-gnu/)
  })
})
