// The Linux binaries as they ship (scripts/build-portable.sh): linux-x64-gnu and linux-arm64-gnu
// must load on glibc 2.17 and up, so on every Linux that Node 20 supports, not only on hosts as
// new as the build machine; linux-x64-musl must need no glibc at all. Read from their ELF headers
// (scripts/elf-check.mjs), which any Linux host can do for every architecture.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { inspectElf, compareVersions, platformProblems, LINUX_PLATFORMS } from '../scripts/elf-check.mjs'
import { createRequire } from 'node:module'
import { existsSync, readFileSync } from 'node:fs'

const require = createRequire(import.meta.url)
const binaryOf = (platform) => fileURLToPath(new URL(`../s3db-native.${platform}.node`, import.meta.url))
const TARGETS = { 'linux-x64-gnu': 'x86_64-unknown-linux-gnu', 'linux-arm64-gnu': 'aarch64-unknown-linux-gnu', 'linux-x64-musl': 'x86_64-unknown-linux-musl' }
const skip = process.platform !== 'linux' && `the Linux binaries are checked on a Linux host (this is ${process.platform})`
const read = (platform) => {
  const file = binaryOf(platform)
  assert.ok(existsSync(file), `${file} is missing: bash scripts/build-portable.sh release ${TARGETS[platform]}`)
  return inspectElf(file)
}

/** The highest GLIBC_ version binutils' readelf lists in the file's version needs (any architecture). */
function readelfMaxGlibc (file) {
  const out = spawnSync('readelf', ['--version-info', '--wide', file], { encoding: 'utf8' })
  if (out.error) return undefined
  const versions = [...out.stdout.matchAll(/Name: GLIBC_(\d+(?:\.\d+)+)/g)].map((m) => m[1]).sort(compareVersions)
  return versions.at(-1) ?? null
}

describe('the shipped Linux binaries', { skip }, () => {
  const GNU = [['linux-x64-gnu', 'x86-64', 'ld-linux-x86-64.so.2'], ['linux-arm64-gnu', 'aarch64', 'ld-linux-aarch64.so.1']]
  for (const [platform, machine, loader] of GNU) {
    it(`${platform}: ${machine} ELF64, glibc 2.17 at most, only glibc's libraries and ${loader}, exports napi_register_module_v1`, () => {
      const elf = read(platform)
      assert.equal(elf.class, 'ELF64')
      assert.equal(elf.machine, machine)
      assert.equal(elf.interp, null, 'a shared library names no program interpreter')
      assert.ok(elf.maxGlibc && compareVersions(elf.maxGlibc, '2.17') <= 0, `needs glibc ${elf.maxGlibc} (${elf.glibc.join(', ')})`)
      const allowed = ['libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2', 'librt.so.1', 'libgcc_s.so.1', loader]
      assert.deepEqual(elf.needed.filter((l) => !allowed.includes(l)), [], `needs ${elf.needed.join(', ')}`)
      assert.ok(elf.exportsNapi)
      assert.deepEqual(platformProblems(elf, platform), [])
    })
  }

  it('linux-x64-musl: x86-64 ELF64, no glibc symbol and no glibc library, musl libc, exports napi_register_module_v1', () => {
    const elf = read('linux-x64-musl')
    assert.equal(elf.class, 'ELF64')
    assert.equal(elf.machine, 'x86-64')
    assert.equal(elf.interp, null)
    assert.deepEqual(elf.glibc, [], 'a musl binary names no GLIBC_ version')
    assert.deepEqual(elf.needed.filter((l) => /^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|ld-linux)/.test(l)), [], `needs glibc's libraries: ${elf.needed.join(', ')}`)
    assert.ok(elf.needed.some((l) => /^(libc\.so|libc\.musl-x86_64\.so\.1|ld-musl-x86_64\.so\.1)$/.test(l)), `links musl's libc: ${elf.needed.join(', ')}`)
    assert.ok(elf.exportsNapi)
    assert.deepEqual(platformProblems(elf, 'linux-x64-musl'), [])
  })

  it('the ELF reader agrees with binutils (readelf) on the highest glibc version of each', (t) => {
    for (const platform of Object.keys(LINUX_PLATFORMS)) {
      const fromReadelf = readelfMaxGlibc(binaryOf(platform))
      if (fromReadelf === undefined) return t.skip('readelf is not installed here')
      assert.equal(read(platform).maxGlibc, fromReadelf, platform)
    }
  })

  it("the platform check names each way a binary misses its package's platform", () => {
    const gnu = read('linux-x64-gnu')
    const musl = read('linux-x64-musl')
    const arm = read('linux-arm64-gnu')
    assert.match(platformProblems(gnu, 'linux-x64-musl').join('\n'), /needs glibc symbols/)
    assert.match(platformProblems(musl, 'linux-x64-gnu').join('\n'), /names no glibc symbol version/)
    assert.match(platformProblems(arm, 'linux-x64-gnu').join('\n'), /machine is aarch64, not x86-64/)
    assert.match(platformProblems(gnu, 'linux-arm64-gnu').join('\n'), /needs ld-linux-x86-64\.so\.2/)
    assert.match(platformProblems({ ...gnu, maxGlibc: '2.34', glibc: [...gnu.glibc, '2.34'] }, 'linux-x64-gnu').join('\n'), /needs glibc 2\.34, over 2\.17/)
    assert.match(platformProblems({ ...gnu, exportsNapi: false }, 'linux-x64-gnu').join('\n'), /napi_register_module_v1/)
    assert.match(platformProblems({ ...gnu, interp: '/lib64/ld-linux-x86-64.so.2' }, 'linux-x64-gnu').join('\n'), /program interpreter/)
  })

  it("is the binary this process loaded, when this host is one of the Linux platforms", (t) => {
    const { platformName } = require('../lib/native.js')
    const platform = platformName()
    if (!LINUX_PLATFORMS[platform]) return t.skip(`this host is ${platform}`)
    const maps = readFileSync('/proc/self/maps', 'utf8')
    assert.ok(maps.includes(binaryOf(platform)), `${binaryOf(platform)} is mapped into this process`)
  })
})
