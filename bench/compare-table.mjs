// The text table of bench/compare.mjs: one row per (target, N, scenario), one column group per
// measure (rec/s, client CPU µs/record, peak RSS, Garage CPU), one column per library in it.
export const LIB_NAMES = { native: 's3db-native', s3dbjs417: 's3db.js 4.1.7', s3dbjs: 's3db.js 21.6.2', ceiling: 'ceiling' }
const SHORT = { native: 'native', s3dbjs417: '4.1.7', s3dbjs: '21.6.2', ceiling: 'ceiling' }

/** The scenarios of the chart (bench/chart.mjs), by label. */
export const CHARTED = ['insert', 'get', 'readable', 'writable', 'insertMany', 'secret insert', 'secret get']

/** A scenario's label, without N and note: `insert`, `readable`, `secret get`, `count`. */
export const label = (scenario) => scenario.replace(/ x?\d+.*$| of \d+$/, '').replace(/ \(.*\)$/, '')

/** Scenario name without its parenthesised note: `insert x5000`, `readable of 5000`, `count`. */
export const scenarioKey = (scenario) => scenario.replace(/ \(.*\)$/, '')

const fmt = (x, d = 0) => (x === undefined || x === null ? '-' : Number(x).toFixed(d))
const ratio = (a, b) => (a && b ? (a / b).toFixed(2) + 'x' : '-')

export function compareTable (results, libs) {
  const rows = new Map()
  for (const r of results) {
    if (r.scenario === 'FAILED') continue
    const k = `${r.target}|${r.n}|${scenarioKey(r.scenario)}`
    if (!rows.has(k)) rows.set(k, { target: r.target, n: r.n, scenario: scenarioKey(r.scenario), by: {} })
    rows.get(k).by[r.lib] = r
  }
  const vs = ['s3dbjs417', 's3dbjs'].filter(l => libs.includes(l) && libs.includes('native'))
  const header = ['target', 'N', 'scenario',
    ...libs.map(l => `${SHORT[l]} rec/s`),
    ...vs.map(l => `native/${SHORT[l]} speed`),
    ...libs.map(l => `${SHORT[l]} µs/rec`),
    ...libs.map(l => `${SHORT[l]} RSS MB`),
    `server ms ${libs.map(l => SHORT[l]).join('/')}`]
  const table = []
  for (const row of rows.values()) {
    const at = (l) => row.by[l]
    table.push([
      row.target, String(row.n), row.scenario,
      ...libs.map(l => fmt(at(l)?.recordsPerSec)),
      ...vs.map(l => ratio(at('native')?.recordsPerSec, at(l)?.recordsPerSec)),
      ...libs.map(l => fmt(at(l)?.cpuUsPerRecord, 1)),
      ...libs.map(l => fmt(at(l)?.peakRssMB)),
      libs.map(l => fmt(at(l)?.serverCpuMs)).join('/')
    ])
  }
  const widths = header.map((_, i) => Math.max(header[i].length, ...table.map(r => r[i].length)))
  const line = r => '| ' + r.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |'
  return [line(header), '| ' + widths.map(w => '-'.repeat(w)).join(' | ') + ' |', ...table.map(line)].join('\n')
}
