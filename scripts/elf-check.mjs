// What a Linux addon binary asks of the system that loads it, read from its ELF headers:
// class, machine, the shared libraries it needs, the glibc symbol versions it needs, and
// whether it exports napi_register_module_v1.
//   node scripts/elf-check.mjs <file.node> [--max-glibc 2.17]   prints JSON; exit 1 if over
import { readFileSync } from 'node:fs'

const SHT_DYNSYM = 11
const SHT_DYNAMIC = 6
const SHT_GNU_VERNEED = 0x6ffffffe
const DT_NEEDED = 1
const MACHINES = { 62: 'x86-64', 183: 'aarch64' }

/** `{ class, machine, needed, glibc, maxGlibc, exportsNapi }` of the ELF64 little-endian file at `path`. */
export function inspectElf (path) {
  const b = readFileSync(path)
  if (b.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${path}: not an ELF file`)
  if (b[4] !== 2 || b[5] !== 1) throw new Error(`${path}: only 64-bit little-endian ELF is read here`)
  const machine = MACHINES[b.readUInt16LE(18)] || `machine ${b.readUInt16LE(18)}`
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
  return { class: 'ELF64', machine, needed, glibc: versions, maxGlibc: versions.at(-1) ?? null, exportsNapi }
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
  const [file, flag, max] = process.argv.slice(2)
  const info = inspectElf(file)
  console.log(JSON.stringify(info, null, 2))
  if (flag === '--max-glibc' && info.maxGlibc && compareVersions(info.maxGlibc, max) > 0) {
    console.error(`${file} needs glibc ${info.maxGlibc}, over ${max}`)
    process.exit(1)
  }
}
