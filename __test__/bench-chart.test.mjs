// The README's benchmark chart is generated from the bench JSON by bench/chart.mjs.
import { it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')

it('bench/chart.mjs draws one bar per scenario and backend from bench/results/compare.json', () => {
  const out = join(mkdtempSync(join(tmpdir(), 's3db-native-chart-')), 'bench.svg')
  execFileSync(process.execPath, [join(repo, 'bench', 'chart.mjs'), join(repo, 'bench', 'results', 'compare.json'), out])
  const svg = readFileSync(out, 'utf8')
  const data = JSON.parse(readFileSync(join(repo, 'bench', 'results', 'compare.json'), 'utf8'))
  const n = Math.max(...data.results.map(r => r.n))
  const pairs = new Set(data.results.filter(r => r.n === n && r.lib === 'native').map(r => `${r.target}:${r.scenario}`))
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
  assert.equal((svg.match(/<rect [^>]*><title>/g) || []).length, pairs.size)
  assert.equal(readFileSync(join(repo, 'docs', 'bench.svg'), 'utf8'), svg.replace(out.split('/').slice(-2).join('/'), 'results/compare.json'), 'docs/bench.svg is up to date')
})
