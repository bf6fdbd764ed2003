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
  const row = results.compare.results.find(r => r.lib === 'native' && r.target === 'garage' && r.n === 50000 && r.scenario.startsWith('readable'))
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
