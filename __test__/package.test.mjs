// Package hygiene: the six platform packages (npm/<platform>/) match the main package and their
// napi target, the main package depends on each at its own version, and the main tarball ships
// only what users need (no tests, benches, fixtures, Rust sources, scripts, binaries).
import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseTriple } from '@napi-rs/cli'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const readJson = (...p) => JSON.parse(readFileSync(join(repo, ...p), 'utf8'))
const main = readJson('package.json')
const targets = main.napi.targets.map(parseTriple)
// npm is a .cmd on Windows, which Node spawns only through a shell.
const npmPack = () => execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' })

describe('platform packages', () => {
  it('npm/ holds exactly one package per napi target', () => {
    const dirs = readdirSync(join(repo, 'npm'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    assert.deepEqual(dirs, targets.map((t) => t.platformArchABI).sort())
  })

  for (const t of targets) {
    const platform = t.platformArchABI
    it(`npm/${platform}: name, version, os, cpu, libc, main, files, engines, license, repository`, () => {
      const pkg = readJson('npm', platform, 'package.json')
      const binary = `${main.napi.binaryName}.${platform}.node`
      assert.equal(pkg.name, `s3db-native-${platform}`)
      assert.equal(pkg.version, main.version)
      assert.deepEqual(pkg.os, [t.platform])
      assert.deepEqual(pkg.cpu, [t.arch])
      if (t.platform === 'linux') assert.deepEqual(pkg.libc, [t.abi === 'musl' ? 'musl' : 'glibc'])
      else assert.equal(pkg.libc, undefined, 'libc is for Linux packages only')
      assert.equal(pkg.main, binary)
      assert.deepEqual(pkg.files, [binary])
      assert.deepEqual(pkg.engines, main.engines)
      assert.equal(pkg.license, main.license)
      assert.deepEqual(pkg.repository, main.repository)
      assert.equal(pkg.description, main.description)
    })
  }
})

describe('the main package', () => {
  let files
  before(() => {
    const [packed] = JSON.parse(npmPack())
    files = packed.files.map((f) => f.path).sort()
  })

  it('has a git repository URL and engines for Node 20 and up', () => {
    assert.deepEqual(main.repository, { type: 'git', url: 'git+https://github.com/s3db-native/s3db-native.git' })
    assert.deepEqual(main.engines, { node: '>= 20' })
  })

  it('lists every platform package as an optional dependency at its own version, and nothing else', () => {
    const expected = Object.fromEntries(targets.map((t) => [`s3db-native-${t.platformArchABI}`, main.version]).sort())
    assert.deepEqual(main.optionalDependencies, expected)
    assert.equal(main.dependencies, undefined, 'no runtime dependency besides the binary')
  })

  it('package-lock.json records the same optional dependencies (npm ci stays in sync)', () => {
    const lock = readJson('package-lock.json')
    assert.equal(lock.packages[''].version, main.version)
    assert.deepEqual(lock.packages[''].optionalDependencies, main.optionalDependencies)
  })

  it('npm pack ships the JS, the typings, the loader, README and package.json, and nothing else', () => {
    const lib = readdirSync(join(repo, 'lib'), { recursive: true }).filter((f) => f.endsWith('.js')).map((f) => `lib/${f.split('\\').join('/')}`)
    const expected = ['README.md', 'package.json', 'index.js', 'index.mjs', 'index.d.ts', 'binding.js', 'binding.d.ts', 'stream.js', 'stream.mjs', 'stream.d.ts', ...lib].sort()
    assert.deepEqual(files, expected)
    for (const f of files) assert.doesNotMatch(f, /^(__test__|bench|examples|docs|scripts|src|npm|fixtures|proptest-regressions)\/|^Cargo\.|\.node$|\.rs$|^build\.rs$/, f)
  })

  it('every entry point in main, types and exports is in the tarball', () => {
    const packed = new Set(files)
    const targetsOf = (v) => typeof v === 'string' ? [v] : Object.values(v).flatMap(targetsOf)
    for (const entry of [main.main, main.types, ...targetsOf(main.exports)]) {
      assert.ok(packed.has(entry.replace(/^\.\//, '')), `${entry} is packed`)
    }
  })
})
