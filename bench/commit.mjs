// The commit a benchmark runs on, recorded in its bench/results/*.json (`commit`), so the
// README's numbers (bench/readme.mjs) say which code they measured. `+dirty` when files other
// than bench/results/ differ from it.
import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')

export function runCommit () {
  const git = (...args) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim()
  try {
    const head = git('rev-parse', '--short=7', 'HEAD')
    const dirty = git('status', '--porcelain', '--untracked-files=no').split('\n').some(l => l && !l.slice(3).startsWith('bench/results/'))
    return dirty ? `${head}+dirty` : head
  } catch {
    return 'unknown'
  }
}
