// The README's benchmark numbers are generated from bench/results/*.json by bench/readme.mjs:
// README.md must equal what the generator makes of the results, with each run's date and commit.
import { it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { README, loadResults, render, fill } from '../bench/readme.mjs'

const readme = readFileSync(README, 'utf8')
const generator = fileURLToPath(new URL('../bench/readme.mjs', import.meta.url))

it('README.md quotes bench/results exactly (node bench/readme.mjs --check)', () => {
  assert.equal(fill(readme, render(loadResults())), readme, 'run `node bench/readme.mjs` after a bench run')
  const out = execFileSync(process.execPath, [generator, '--check'], { encoding: 'utf8' })
  assert.match(out, /match bench\/results/)
})

it('every generated part is marked in README.md and names the commit of its run', () => {
  const parts = render(loadResults())
  assert.deepEqual(Object.keys(parts), ['summary', 'tables', 'content'])
  for (const name of Object.keys(parts)) {
    const m = new RegExp(`<!-- bench:${name} -->([\\s\\S]*?)<!-- /bench:${name} -->`).exec(readme)
    assert.ok(m, name)
    assert.ok(m[1].trim().length > 0, name)
  }
  assert.match(parts.tables, /run of \d{4}-\d\d-\d\d, commit [0-9a-f]{7}/)
  assert.match(parts.content, /commit [0-9a-f]{7}/)
})

it('a figure edited by hand in README.md, or a changed result, is caught', () => {
  const edited = readme.replace(/(\| readable \| Garage \| )([\d,]+)/, '$19,999')
  assert.notEqual(edited, readme, 'the readable/Garage row is in the README')
  assert.notEqual(fill(edited, render(loadResults())), edited)
  const results = loadResults()
  const n = Math.max(...results.compare.results.map(r => r.n))
  const row = results.compare.results.find(r => r.lib === 'native' && r.target === 'garage' && r.n === n && r.scenario.startsWith('readable'))
  row.recordsPerSec *= 2
  assert.notEqual(fill(readme, render(results)), readme)
})

it('every result the README quotes records the commit it was run on', () => {
  const r = loadResults()
  const entries = [r.compare, ...r.memory, r.secrets, r.partitions.memory, r.partitions.garage, ...r.content]
  for (const e of entries) assert.match(String(e.commit), /^[0-9a-f]{7}(\+dirty)?$/, JSON.stringify(e).slice(0, 120))
  for (const script of ['compare', 'memory', 'secrets', 'partitions', 'content']) {
    assert.match(readFileSync(new URL(`../bench/${script}.mjs`, import.meta.url), 'utf8'), /commit: runCommit\(\)/, `bench/${script}.mjs records its commit`)
  }
})

it('the table has a column per library: s3db.js 4.1.7 and the ceiling are quoted where the results have them, \'-\' where not', () => {
  const results = loadResults()
  const n = Math.max(...results.compare.results.map(r => r.n))
  assert.ok(render(results).tables.includes('| scenario | backend | s3db-native | s3db.js 4.1.7 | s3db.js 21.6.2 | ceiling |'))
  const at = (lib, scenario) => results.compare.results.find(r => r.lib === lib && r.target === 'garage' && r.n === n && r.scenario.startsWith(scenario))
  const cells = (scenario) => render(results).tables.split('\n').find(l => l.startsWith(`| ${scenario} | Garage |`)).split('|').map(c => c.trim())
  // insert: replace whatever 4.1.7 and ceiling results there are by known ones
  results.compare.results = results.compare.results.filter(r => !(r.n === n && r.target === 'garage' && ['s3dbjs417', 'ceiling'].includes(r.lib)))
  const native = at('native', 'insert')
  const js21 = at('s3dbjs', 'insert')
  results.compare.results.push({ ...native, lib: 's3dbjs417', recordsPerSec: 1234, cpuUsPerRecord: 987.6 })
  results.compare.results.push({ ...native, lib: 'ceiling', recordsPerSec: 4321, cpuUsPerRecord: 88.8 })
  const insert = cells('insert one by one')
  assert.deepEqual([insert[4], insert[6]], ['1,234', '4,321'])
  assert.equal(insert[8], `${native.cpuUsPerRecord.toFixed(1)} / 987.6 / ${js21.cpuUsPerRecord.toFixed(1)} / 88.8`)
  assert.match(insert[7], /^\d+\.\dx \/ \d+\.\dx$/)
  const get = cells('get')
  assert.deepEqual([get[4], get[6]], ['-', '-'])
  assert.match(get[7], /^- \/ \d+\.\dx$/)
})
