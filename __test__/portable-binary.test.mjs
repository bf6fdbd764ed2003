// The linux-x64-gnu binary the tests load is the one that ships (scripts/build-portable.sh):
// it must load on glibc 2.17 and up, so on every Linux that Node 20 supports, not only on
// hosts as new as the build machine. Read from its ELF headers (scripts/elf-check.mjs).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { inspectElf, compareVersions } from '../scripts/elf-check.mjs'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const binary = fileURLToPath(new URL('../s3db-native.linux-x64-gnu.node', import.meta.url))
const linuxX64 = process.platform === 'linux' && process.arch === 'x64'
const skip = !linuxX64 && `the shipped binary checked here is linux-x64-gnu (this is ${process.platform}-${process.arch})`
// What a portable addon may ask of the system: glibc's own libraries and the loader.
const ALLOWED = ['libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2', 'librt.so.1', 'libgcc_s.so.1', 'ld-linux-x86-64.so.2']

describe('the shipped linux-x64-gnu binary', { skip }, () => {
  it('needs glibc 2.17 at most, is x86-64 ELF64, needs only glibc libraries and exports napi_register_module_v1', () => {
    const elf = inspectElf(binary)
    assert.equal(elf.class, 'ELF64')
    assert.equal(elf.machine, 'x86-64')
    assert.ok(elf.maxGlibc, 'it names glibc versions')
    assert.ok(compareVersions(elf.maxGlibc, '2.17') <= 0, `needs glibc ${elf.maxGlibc} (${elf.glibc.join(', ')}): build it with scripts/build-portable.sh`)
    assert.deepEqual(elf.needed.filter((l) => !ALLOWED.includes(l)), [], 'needs no library beyond glibc')
    assert.ok(elf.exportsNapi, 'exports napi_register_module_v1')
  })

  it("the ELF reader agrees with binutils' objdump on the highest glibc version", (t) => {
    const out = spawnSync('objdump', ['-T', binary], { encoding: 'utf8' })
    if (out.error) return t.skip('objdump is not installed here')
    const versions = [...out.stdout.matchAll(/GLIBC_(\d+(?:\.\d+)+)/g)].map((m) => m[1]).sort(compareVersions)
    assert.equal(inspectElf(binary).maxGlibc, versions.at(-1))
  })

  it('is the binary this process loaded', () => {
    createRequire(import.meta.url)('../index.js')
    const maps = readFileSync('/proc/self/maps', 'utf8')
    assert.ok(maps.includes(binary), `${binary} is mapped into this process`)
  })
})
