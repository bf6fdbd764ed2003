// The README's benchmark chart is generated from the bench JSON by bench/chart.mjs.
import { it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CHARTED, label } from '../bench/compare-table.mjs'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const LIBS = ['native', 's3dbjs417', 's3dbjs', 'ceiling']

function draw (input) {
  const out = join(mkdtempSync(join(tmpdir(), 's3db-native-chart-')), 'bench.svg')
  execFileSync(process.execPath, [join(repo, 'bench', 'chart.mjs'), input, out])
  return { svg: readFileSync(out, 'utf8'), out }
}

/** What the chart must show: per target and charted scenario present at the largest N, one bar or one '-' per library. */
function expected (data) {
  const rows = data.results.filter(r => r.scenario !== 'FAILED')
  const n = Math.max(...rows.map(r => r.n))
  const at = rows.filter(r => r.n === n)
  const targets = new Set(at.map(r => r.target))
  const scenarios = CHARTED.filter(s => at.some(r => label(r.scenario) === s))
  const bars = at.filter(r => LIBS.includes(r.lib) && CHARTED.includes(label(r.scenario))).length
  return { bars, dashes: targets.size * scenarios.length * LIBS.length - bars }
}

it('bench/chart.mjs draws one bar per library, scenario and backend from bench/results/compare.json, and docs/bench.svg is up to date', () => {
  const input = join(repo, 'bench', 'results', 'compare.json')
  const { svg, out } = draw(input)
  const want = expected(JSON.parse(readFileSync(input, 'utf8')))
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
  assert.equal((svg.match(/<rect [^>]*><title>/g) || []).length, want.bars)
  assert.equal((svg.match(/fill="#888">-<\/text>/g) || []).length, want.dashes)
  for (const name of ['s3db-native', 's3db.js 4.1.7', 's3db.js 21.6.2', 'ceiling']) assert.ok(svg.includes(`>${name}`), `legend names ${name}`)
  assert.equal(readFileSync(join(repo, 'docs', 'bench.svg'), 'utf8'), svg.replace(out.split('/').slice(-2).join('/'), 'results/compare.json'), 'docs/bench.svg is up to date: run node bench/chart.mjs')
})

it('a run with all four libraries gives a bar to each; the ceiling has none on memory://', () => {
  const results = []
  for (const target of ['memory', 'garage']) {
    for (const lib of LIBS) {
      for (const scenario of ['insert x10 (one by one, concurrency 32)', 'get x10 (concurrency 32)', 'insertMany 10', 'secret insert x5 (one secret field, concurrency 32)']) {
        if (lib === 'ceiling' && (target === 'memory' || /insertMany|secret/.test(scenario))) continue
        results.push({ lib, target, n: 10, scenario, recordsPerSec: 100 + results.length, cpuUsPerRecord: 12.5 })
      }
    }
  }
  const data = { date: '2026-01-01T00:00:00Z', commit: 'abcdef0', node: 'v20.0.0', concurrency: 32, results }
  const input = join(mkdtempSync(join(tmpdir(), 's3db-native-chart-')), 'compare.json')
  writeFileSync(input, JSON.stringify(data))
  const { svg } = draw(input)
  assert.equal((svg.match(/<rect [^>]*><title>/g) || []).length, results.length)
  assert.equal((svg.match(/fill="#888">-<\/text>/g) || []).length, expected(data).dashes)
  assert.equal(expected(data).dashes, 4 + 2, 'memory: 4 scenarios; garage: insertMany and secret insert')
  assert.match(svg, /<title>insert on garage, ceiling \(hand-written SigV4 client\): [\d,]+ records\/s/)
})
