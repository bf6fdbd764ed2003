// What a Linux addon binary asks of the system that loads it, read from its ELF headers:
// class, machine, the program interpreter (none for a shared library), the shared libraries it
// needs, the glibc symbol versions it needs, and whether it exports napi_register_module_v1.
//   node scripts/elf-check.mjs <file.node> [--max-glibc 2.17]   prints JSON; exit 1 if over
//   node scripts/elf-check.mjs <file.node> --platform linux-arm64-gnu
//        prints JSON; exit 1, naming each problem, unless the file is what that platform
//        package must ship (LINUX_PLATFORMS below)
import { readFileSync } from 'node:fs'

const SHT_DYNSYM = 11
const SHT_DYNAMIC = 6
const SHT_GNU_VERNEED = 0x6ffffffe
const DT_NEEDED = 1
const PT_INTERP = 3
const MACHINES = { 62: 'x86-64', 183: 'aarch64' }
const GLIBC_FLOOR = '2.17'
// glibc's own libraries; each gnu binary may also name its architecture's dynamic loader.
const GLIBC_LIBS = ['libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2', 'librt.so.1', 'libgcc_s.so.1']
// musl is one library, under any of these names (it is also the dynamic loader, and answers for
// libc, libm, libpthread, libdl and librt itself). zig links the unwinder in: no libgcc_s.
const MUSL_LIBS = ['libc.so', 'libc.musl-x86_64.so.1', 'ld-musl-x86_64.so.1']

/** What each Linux platform package must ship: its machine, its C library, the libraries it may need. */
export const LINUX_PLATFORMS = {
  'linux-x64-gnu': { machine: 'x86-64', libc: 'glibc', libs: [...GLIBC_LIBS, 'ld-linux-x86-64.so.2'] },
  'linux-arm64-gnu': { machine: 'aarch64', libc: 'glibc', libs: [...GLIBC_LIBS, 'ld-linux-aarch64.so.1'] },
  'linux-x64-musl': { machine: 'x86-64', libc: 'musl', libs: MUSL_LIBS }
}

/** `{ class, machine, interp, needed, glibc, maxGlibc, exportsNapi }` of the ELF64 little-endian file at `path`. */
export function inspectElf (path) {
  const b = readFileSync(path)
  if (b.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${path}: not an ELF file`)
  if (b[4] !== 2 || b[5] !== 1) throw new Error(`${path}: only 64-bit little-endian ELF is read here`)
  const machine = MACHINES[b.readUInt16LE(18)] || `machine ${b.readUInt16LE(18)}`
  const phoff = Number(b.readBigUInt64LE(32))
  const phentsize = b.readUInt16LE(54)
  let interp = null
  for (let i = 0; i < b.readUInt16LE(56); i++) {
    // Elf64_Phdr { word type, word flags, off offset, addr vaddr, addr paddr, xword filesz, ... }
    const o = phoff + i * phentsize
    if (b.readUInt32LE(o) !== PT_INTERP) continue
    const at = Number(b.readBigUInt64LE(o + 8))
    interp = b.toString('latin1', at, b.indexOf(0, at))
  }
  const shoff = Number(b.readBigUInt64LE(40))
  const shentsize = b.readUInt16LE(58)
  const shnum = b.readUInt16LE(60)
  const sections = Array.from({ length: shnum }, (_, i) => {
    const o = shoff + i * shentsize
    return {
      type: b.readUInt32LE(o + 4),
      offset: Number(b.readBigUInt64LE(o + 24)),
      size: Number(b.readBigUInt64LE(o + 32)),
      link: b.readUInt32LE(o + 40),
      info: b.readUInt32LE(o + 44),
      entsize: Number(b.readBigUInt64LE(o + 56))
    }
  })
  const str = (section, at) => {
    const start = section.offset + at
    return b.toString('latin1', start, b.indexOf(0, start))
  }
  const needed = []
  const glibc = new Set()
  let exportsNapi = false
  for (const s of sections) {
    const strtab = sections[s.link]
    if (s.type === SHT_DYNAMIC) {
      for (let o = s.offset; o < s.offset + s.size; o += 16) {
        if (Number(b.readBigInt64LE(o)) === DT_NEEDED) needed.push(str(strtab, Number(b.readBigUInt64LE(o + 8))))
      }
    } else if (s.type === SHT_GNU_VERNEED) {
      // Elf64_Verneed { half version, half cnt, word file, word aux, word next } with cnt Vernaux
      // { word hash, half flags, half other, word name, word next }.
      let o = s.offset
      for (let n = 0; n < s.info; n++) {
        const cnt = b.readUInt16LE(o + 2)
        let a = o + b.readUInt32LE(o + 8)
        for (let k = 0; k < cnt; k++) {
          const name = str(strtab, b.readUInt32LE(a + 8))
          if (name.startsWith('GLIBC_') && /^GLIBC_\d+(\.\d+)*$/.test(name)) glibc.add(name.slice(6))
          a += b.readUInt32LE(a + 12)
        }
        o += b.readUInt32LE(o + 12)
      }
    } else if (s.type === SHT_DYNSYM) {
      for (let o = s.offset; o < s.offset + s.size; o += s.entsize) {
        const shndx = b.readUInt16LE(o + 6)
        if (shndx !== 0 && str(strtab, b.readUInt32LE(o)) === 'napi_register_module_v1') exportsNapi = true
      }
    }
  }
  const versions = [...glibc].sort(compareVersions)
  return { class: 'ELF64', machine, interp, needed, glibc: versions, maxGlibc: versions.at(-1) ?? null, exportsNapi }
}

/**
 * What keeps `info` (from inspectElf) from being the binary of `platform` (a LINUX_PLATFORMS
 * key): one sentence per problem, none when it fits.
 */
export function platformProblems (info, platform) {
  const want = LINUX_PLATFORMS[platform]
  if (!want) return [`${platform} is not a Linux platform package (${Object.keys(LINUX_PLATFORMS).join(', ')})`]
  const problems = []
  if (info.machine !== want.machine) problems.push(`machine is ${info.machine}, not ${want.machine}`)
  if (info.interp !== null) problems.push(`names a program interpreter (${info.interp}): an executable, not a shared library`)
  const extra = info.needed.filter((l) => !want.libs.includes(l))
  if (extra.length) problems.push(`needs ${extra.join(', ')}, beyond ${want.libc} (${want.libs.join(', ')})`)
  if (want.libc === 'glibc' && !info.maxGlibc) problems.push('names no glibc symbol version: not linked against glibc')
  if (want.libc === 'glibc' && info.maxGlibc && compareVersions(info.maxGlibc, GLIBC_FLOOR) > 0) {
    problems.push(`needs glibc ${info.maxGlibc}, over ${GLIBC_FLOOR}: build it with scripts/build-portable.sh`)
  }
  if (want.libc === 'musl' && info.glibc.length) problems.push(`needs glibc symbols (${info.glibc.join(', ')}) though it is a musl binary`)
  if (!info.exportsNapi) problems.push('does not export napi_register_module_v1')
  return problems
}

export function compareVersions (a, b) {
  const x = a.split('.').map(Number)
  const y = b.split('.').map(Number)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, flag, arg] = process.argv.slice(2)
  const info = inspectElf(file)
  console.log(JSON.stringify(info, null, 2))
  if (flag === '--max-glibc' && info.maxGlibc && compareVersions(info.maxGlibc, arg) > 0) {
    console.error(`${file} needs glibc ${info.maxGlibc}, over ${arg}`)
    process.exit(1)
  }
  if (flag === '--platform') {
    const problems = platformProblems(info, arg)
    for (const p of problems) console.error(`${file} (${arg}): ${p}`)
    if (problems.length) process.exit(1)
  }
}
