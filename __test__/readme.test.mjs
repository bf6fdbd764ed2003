// Every code block of README.md preceded by `<!-- runnable -->` is run as its own ES
// module (top-level await), from a scratch directory inside the package so that
// `import … from 's3db-native'` resolves to this package. A block that throws or
// exits non-zero fails the test, so the README cannot drift from the API.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const readme = readFileSync(join(repo, 'README.md'), 'utf8')

/** `[{ line, heading, code }]` of the runnable blocks. */
function runnableBlocks (text) {
  const lines = text.split('\n')
  const blocks = []
  let heading = ''
  for (let i = 0; i < lines.length; i++) {
    if (/^#{1,4} /.test(lines[i])) heading = lines[i].replace(/^#+ /, '')
    if (lines[i].trim() !== '<!-- runnable -->') continue
    const open = lines[i + 1] || ''
    assert.match(open, /^```(js|javascript|mjs)$/, `README line ${i + 2}: a runnable marker must precede a js block`)
    const end = lines.indexOf('```', i + 2)
    assert.ok(end > i, `README line ${i + 2}: unterminated block`)
    blocks.push({ line: i + 2, heading, code: lines.slice(i + 2, end).join('\n') })
  }
  return blocks
}

const blocks = runnableBlocks(readme)
const scratch = join(repo, '.cache', 'readme-blocks')

describe('README runnable blocks', () => {
  after(() => rmSync(scratch, { recursive: true, force: true }))

  it('there are runnable blocks for the main sections', () => {
    const headings = new Set(blocks.map(b => b.heading))
    for (const h of ['Quick start', 'Database', 'Resource', 'Partitions', 'Streams', 'Plugins and caches']) assert.ok(headings.has(h), `no runnable block under "${h}"`)
  })

  for (const [i, block] of blocks.entries()) {
    it(`block ${i + 1} (${block.heading}, README line ${block.line}) runs`, () => {
      const dir = join(scratch, `block-${i + 1}`)
      rmSync(dir, { recursive: true, force: true })
      mkdirSync(dir, { recursive: true })
      const file = join(dir, 'block.mjs')
      writeFileSync(file, block.code + '\n')
      try {
        execFileSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 })
      } catch (err) {
        assert.fail(`README block at line ${block.line} failed (exit ${err.status}):\n${err.stderr || err.message}`)
      }
    })
  }
})
