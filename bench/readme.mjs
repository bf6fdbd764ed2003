// The README's benchmark numbers, generated from bench/results/*.json: every figure between the
// `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` markers of README.md comes from here, with the
// date and the commit of the run it quotes, so the text cannot drift from the measurements.
//   node bench/readme.mjs            rewrite the marked parts of README.md
//   node bench/readme.mjs --check    exit 1 (and show what differs) when README.md is not up to date
// __test__/bench-readme.test.mjs runs the check.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { label } from './compare-table.mjs'

const here = dirname(fileURLToPath(import.meta.url))
export const README = join(here, '..', 'README.md')

const int = (x) => Math.round(x).toLocaleString('en-US')
const one = (x) => x.toFixed(1)
const ratio = (a, b) => `${one(a / b)}x`
/** `~2,800x`: a large ratio to two significant digits. */
const roughly = (x) => {
  const digits = Math.max(0, Math.floor(Math.log10(x)) - 1)
  return `~${int(Math.round(x / 10 ** digits) * 10 ** digits)}x`
}
const day = (iso) => iso.slice(0, 10)
const run = (entry) => `run of ${day(entry.date || entry.at)}, commit ${entry.commit}`

/** The result files the README quotes. */
export function loadResults (dir = join(here, 'results')) {
  const read = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'))
  return {
    compare: read('compare.json'),
    memory: read('memory.json'),
    secrets: read('secrets-memory.json'),
    partitions: { memory: read('partitions-memory.json'), garage: read('partitions-garage.json') },
    content: read('content.json')
  }
}

const SCENARIOS = [['insert', 'insert one by one'], ['get', 'get'], ['readable', 'readable'], ['writable', 'writable'], ['insertMany', 'insertMany'], ['secret insert', 'secret insert'], ['secret get', 'secret get'], ['count', 'count'], ['listIds', 'listIds']]
const TARGETS = [['garage', 'Garage'], ['memory', 'memory']]
/** The libraries of the table, in its column order; native first. */
const LIBS = ['native', 's3dbjs417', 's3dbjs', 'ceiling']

/** The result of each library for a scenario on a target at the largest N (undefined where none). */
function found (compare, target, scenario) {
  const n = Math.max(...compare.results.filter(r => r.scenario !== 'FAILED').map(r => r.n))
  return Object.fromEntries(LIBS.map(lib => [lib, compare.results.find(r => r.n === n && r.target === target && r.lib === lib && label(r.scenario) === scenario)]))
}

/** One comparison: native and s3db.js 21.6.2 results of a scenario on a target at the largest N. */
function compared (compare, target, scenario) {
  const by = found(compare, target, scenario)
  return by.native && by.s3dbjs ? { ours: by.native, theirs: by.s3dbjs } : null
}

/** The results of `scenario` (its text up to the first ` x`/` by`) for each library of a partitions/secrets file. */
function pair (file, prefix) {
  const of = (lib) => file.results.find(r => r.lib === lib).results.find(r => r.scenario.startsWith(prefix))
  return { ours: of('native'), theirs: of('s3dbjs') }
}

/** Every generated part of the README, by marker name. */
export function render (r) {
  const { compare } = r
  const n = Math.max(...compare.results.map(x => x.n))
  const get = (target, scenario) => compared(compare, target, scenario)
  const speed = (c) => c.ours.recordsPerSec / c.theirs.recordsPerSec
  const lastMemory = (target) => r.memory.filter(e => e.target === target).at(-1)
  const big = lastMemory('memory')
  const garageMem = lastMemory('garage')
  const secretGet = pair(r.secrets, 'get')
  const secretInsert = pair(r.secrets, 'insert')
  const moves = (t) => pair(r.partitions[t], 'update')
  const moveRatios = ['garage', 'memory'].map(t => speed(moves(t))).sort((a, b) => a - b)
  const readMem = get('memory', 'readable')
  const content = r.content.filter(e => e.sizeMb >= 1024)
  const contentPeak = Math.max(...content.map(e => e.rssGrowthPeakMb))

  const summary = `on a real S3 server (Garage) inserts ${ratio(get('garage', 'insert').ours.recordsPerSec, get('garage', 'insert').theirs.recordsPerSec)}, ` +
    `gets ${ratio(get('garage', 'get').ours.recordsPerSec, get('garage', 'get').theirs.recordsPerSec)} and streaming reads ` +
    `${ratio(get('garage', 'readable').ours.recordsPerSec, get('garage', 'readable').theirs.recordsPerSec)} faster ` +
    `(${ratio(readMem.ours.recordsPerSec, readMem.theirs.recordsPerSec)} on \`memory://\`, at ${Math.round(100 * readMem.ours.cpuUsPerRecord / readMem.theirs.cpuUsPerRecord)}% of the CPU per record), ` +
    `secret fields ${roughly(speed(secretGet))} (the key is derived once, not per field), partition updates that move a record ` +
    `~${Math.round(moveRatios[0])}–${Math.round(moveRatios[1])}x, with constant memory on streams of any size ` +
    `(+${Math.round(big.rssGrowthMB)} MB RSS over ${int(big.records)} records)`

  const rows = []
  const dash = (x, f) => (x === undefined || x === null ? '-' : f(x))
  for (const [target, targetName] of TARGETS) {
    for (const [scenario, name] of SCENARIOS) {
      const by = found(compare, target, scenario)
      if (!by.native) continue
      const speed = (lib) => dash(by[lib], x => ratio(by.native.recordsPerSec, x.recordsPerSec))
      rows.push(`| ${name} | ${targetName} | ${LIBS.map(l => dash(by[l], x => int(x.recordsPerSec))).join(' | ')} | ${speed('s3dbjs417')} / ${speed('s3dbjs')} | ${LIBS.map(l => dash(by[l], x => one(x.cpuUsPerRecord))).join(' / ')} |`)
    }
  }
  const pm = r.partitions.memory
  const pg = r.partitions.garage
  const p = (file, prefix) => pair(file, prefix)
  const tables = [
    `Measured on the 2-core development machine (Garage and the client share the two cores), Node ${compare.node.replace(/^v(\d+).*/, '$1')}, concurrency ${compare.concurrency},`,
    `N = ${int(n)} records${compare.secretN ? ` (secret insert/get: ${int(compare.secretN)}, one \`secret\` field)` : ''}, ${run(compare)} (\`bench/results/compare.json\`, table in \`compare.txt\`;`,
    'records/s per library, speed = s3db-native / s3db.js; CPU is the client process, all threads; the ceiling is the hand-written SigV4 client',
    '`bench/ceiling-client.mjs`, S3 only; `-` = not measured; absolute numbers and ratios move by up to ±50% between runs on this shared machine):',
    '',
    '| scenario | backend | s3db-native | s3db.js 4.1.7 | s3db.js 21.6.2 | ceiling | speed vs 4.1.7 / 21.6.2 | client CPU µs/rec (native / 4.1.7 / 21.6.2 / ceiling) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Constant memory (\`bench/memory.mjs\`, \`bench/results/memory.json\`, consumer keeps nothing): a readable over **${int(big.records)} records** on \`memory://\``,
    `grew RSS by ${one(big.rssGrowthMB)} MB (the store itself holds the records), ${int(big.recordsPerSec)} records/s at ${one(big.cpuUsPerRecord)} µs CPU per record, first record`,
    `after ${one(big.firstRecordMs)} ms (${run(big)}); over ${int(garageMem.records)} records on Garage: +${one(garageMem.rssGrowthMB)} MB, ${int(garageMem.recordsPerSec)} records/s, first record after`,
    `${one(garageMem.firstRecordMs)} ms (${run(garageMem)}). The full table (N = ${[...new Set(compare.results.map(x => x.n))].sort((a, b) => a - b).map(int).join(' and ')}, peak`,
    'RSS, server CPU) is in `bench/results/compare.txt`.',
    '',
    `Secret fields (\`bench/secrets.mjs\`, ${int(r.secrets.n)} records with two \`secret\` attributes, \`${r.secrets.target}://\`, ${run(r.secrets)}): insert ${int(secretInsert.ours.recordsPerSec)} vs ${int(secretInsert.theirs.recordsPerSec)}`,
    `records/s, get ${int(secretGet.ours.recordsPerSec)} vs ${int(secretGet.theirs.recordsPerSec)} records/s (${roughly(speed(secretGet))}): s3db.js runs PBKDF2 (100,000 iterations) per field per record, we`,
    'derive a key once per passphrase and salt (same stored format, fresh IV per value).',
    '',
    `Partitions (\`bench/partitions.mjs\`, ${int(pm.n)} records, two partitions, \`memory://\`, ${run(pm)}): insert (main`,
    `object + 2 copies) ${int(p(pm, 'insert').ours.recordsPerSec)} vs ${int(p(pm, 'insert').theirs.recordsPerSec)} records/s (${ratio(p(pm, 'insert').ours.recordsPerSec, p(pm, 'insert').theirs.recordsPerSec)}), \`listIds\` by partition ${ratio(p(pm, 'listIds').ours.recordsPerSec, p(pm, 'listIds').theirs.recordsPerSec)}, \`count\` ${ratio(p(pm, 'count').ours.recordsPerSec, p(pm, 'count').theirs.recordsPerSec)}, \`list\` by a`,
    `two-field partition ${int(p(pm, 'list by').ours.recordsPerSec)} vs ${int(p(pm, 'list by').theirs.recordsPerSec)} records/s (${ratio(p(pm, 'list by').ours.recordsPerSec, p(pm, 'list by').theirs.recordsPerSec)}), updates that move a record to another partition ${int(moves('memory').ours.recordsPerSec)} vs ${int(moves('memory').theirs.recordsPerSec)}`,
    `records/s (${roughly(speed(moves('memory')))}). On Garage (${int(pg.n)} records, ${run(pg)}): insert ${int(p(pg, 'insert').ours.recordsPerSec)} vs ${int(p(pg, 'insert').theirs.recordsPerSec)} records/s (${ratio(p(pg, 'insert').ours.recordsPerSec, p(pg, 'insert').theirs.recordsPerSec)}), \`list\` by partition`,
    `${ratio(p(pg, 'list by').ours.recordsPerSec, p(pg, 'list by').theirs.recordsPerSec)}, \`listIds\` ${ratio(p(pg, 'listIds').ours.recordsPerSec, p(pg, 'listIds').theirs.recordsPerSec)}, moving updates ${int(moves('garage').ours.recordsPerSec)} vs ${int(moves('garage').theirs.recordsPerSec)} records/s.`
  ].join('\n')

  const contentText = `A ${content[0].sizeMb / 1024} GB body moves with at most ${one(contentPeak)} MB of RSS growth (${content.length} runs on ` +
    `${[...new Set(content.map(e => e.target === 's3' ? 'S3 (moto)' : `${e.target}://`))].join(' and ')}, ${day(content[0].at)}, commit ${content[0].commit}, \`bench/results/content.json\`)`
  return { summary, tables, content: contentText }
}

/** `text` with each marked part replaced by `parts[name]`; throws when a marker is missing. */
export function fill (text, parts) {
  let out = text
  for (const [name, body] of Object.entries(parts)) {
    const re = new RegExp(`(<!-- bench:${name} -->)([\\s\\S]*?)(<!-- /bench:${name} -->)`)
    if (!re.test(out)) throw new Error(`README.md has no <!-- bench:${name} --> ... <!-- /bench:${name} --> markers`)
    const block = body.includes('\n') ? `\n${body}\n` : body
    out = out.replace(re, (_m, open, _old, close) => `${open}${block}${close}`)
  }
  return out
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = readFileSync(README, 'utf8')
  const next = fill(text, render(loadResults()))
  if (process.argv.includes('--check')) {
    if (next !== text) {
      const a = text.split('\n')
      const b = next.split('\n')
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (a[i] !== b[i]) console.error(`README.md:${i + 1}\n- ${a[i]}\n+ ${b[i]}`)
      }
      console.error('README.md benchmark numbers differ from bench/results: run `node bench/readme.mjs`')
      process.exit(1)
    }
    console.log('README.md benchmark numbers match bench/results')
  } else {
    writeFileSync(README, next)
    console.log(next === text ? 'README.md already up to date' : 'README.md updated from bench/results')
  }
}
