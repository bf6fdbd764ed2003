#!/usr/bin/env bash
# Installs the JS library s3db.js (the reference implementation s3db-native is compared
# against) into a bench-only folder, bench/.s3dbjs/, WITHOUT making it a dependency of this
# repo's package.json.
#
#   bash bench/setup-s3dbjs.sh            install (no-op if bench/.s3dbjs/.ok matches)
#   S3DBJS_FORCE=1 bash bench/setup-s3dbjs.sh   wipe bench/.s3dbjs/ and reinstall
#
# Then, from a benchmark (ESM only; s3db.js ships no CommonJS build):
#   import { S3db } from '<repo>/bench/.s3dbjs/node_modules/s3db.js/dist/index.js'
#   (or .../dist/lite.js: same Database/S3db class, without the plugin re-exports)
#
# Why not a plain `npm install s3db.js@21.6.2`: the registry reachable here lacks some of its
# pinned dependencies. The script therefore:
#   1. `npm pack`s s3db.js@21.6.2, rewrites its package.json and re-packs it locally;
#   2. for each (optional) dependency the registry cannot satisfy at the pinned range it uses the
#      newest version the registry has; packages the registry lacks entirely are left out only if
#      they are optional or known to be CLI-only (cli-args-parser);
#   3. if s3db.js statically imports names from `recker` that the installed recker lacks, a
#      local shim package `recker` re-exports the real recker (installed as `recker-real`, an
#      `npm:` alias) and exports, for each missing name, a stub that throws when called;
#   4. adds packages the substituted versions import without declaring (found by importing);
#   5. smoke-tests the result (memory:// create/insert/get/count/streams) before writing .ok.
# Every substitution is printed and written to bench/.s3dbjs/substitutions.json.
set -euo pipefail

S3DBJS_VERSION="${S3DBJS_VERSION:-21.6.2}"
SCRIPT_REV=1
# Dependencies that may be left out when the registry does not have them at all, with the reason.
CLI_ONLY_DEPS='{"cli-args-parser":"only imported by the s3db.js CLI (dist/cli/index.js)"}'

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEST="$HERE/.s3dbjs"
MARKER="$DEST/.ok"
SUMMARY_JSON="$DEST/substitutions.json"
SELF_SHA="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"
CONFIG="s3db.js@${S3DBJS_VERSION} rev=${SCRIPT_REV} script=${SELF_SHA} node=$(node -p 'process.versions.node.split(".")[0]')"

print_summary() {
  node --input-type=module - "$SUMMARY_JSON" <<'EOF'
import { readFileSync } from 'node:fs'
const s = JSON.parse(readFileSync(process.argv[2], 'utf8'))
console.log(`s3db.js ${s.s3dbjs} installed in ${s.dir}`)
console.log(`  import from: ${s.entry}`)
console.log(`  substitutions (${s.substitutions.length}):`)
for (const x of s.substitutions) console.log(`    - ${x.summary}`)
if (s.notes?.length) { console.log('  notes:'); for (const n of s.notes) console.log(`    - ${n}`) }
EOF
}

if [[ "${S3DBJS_FORCE:-}" != 1 && -f "$MARKER" && -f "$SUMMARY_JSON" && "$(cat "$MARKER")" == "$CONFIG" ]]; then
  echo "bench/.s3dbjs is up to date ($CONFIG); nothing to do."
  print_summary
  exit 0
fi

command -v node >/dev/null || { echo "node not found" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm not found" >&2; exit 1; }

echo "==> installing s3db.js@${S3DBJS_VERSION} into ${DEST}"
rm -rf "$DEST"
mkdir -p "$DEST/vendor"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/s3dbjs-setup.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# --- 1. fetch and unpack the published tarball -------------------------------------------
( cd "$WORK" && npm pack "s3db.js@${S3DBJS_VERSION}" --silent >/dev/null )
TARBALL="$(ls "$WORK"/s3db.js-*.tgz)"
mkdir -p "$WORK/s3db"
tar -xzf "$TARBALL" -C "$WORK/s3db"
PKG="$WORK/s3db/package"

# --- 2. resolve every dependency against the registry; write the plan ------------------------
# Plan (JSON): rewritten dependencies for s3db.js, top-level dependencies for bench/.s3dbjs,
# the recker shim (if needed) and the substitution log.
node --input-type=module - "$PKG" "$WORK/plan.json" "$CLI_ONLY_DEPS" <<'EOF'
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
const [pkgDir, planPath, cliOnlyJson] = process.argv.slice(2)
const cliOnly = JSON.parse(cliOnlyJson)
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))

function npmView (args) {
  try {
    const out = execFileSync('npm', ['view', ...args, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
    return out ? JSON.parse(out) : null
  } catch (e) {
    const txt = String(e.stdout || '') + String(e.stderr || '')
    if (/E404|ETARGET|No match found|is not in this registry/.test(txt)) return null
    throw new Error(`npm view ${args.join(' ')} failed:\n${txt}`)
  }
}
const cmp = (a, b) => {
  const pa = a.split(/[.+-]/).map(Number), pb = b.split(/[.+-]/).map(Number)
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i]
  return 0
}
const newestStable = (versions) => [].concat(versions || []).filter(v => /^\d+\.\d+\.\d+$/.test(v)).sort(cmp).pop()

const plan = { s3dbDeps: {}, s3dbOptional: {}, topDeps: {}, substitutions: [], notes: [], shim: null, resolved: {} }
const deps = [
  ...Object.entries(pkg.dependencies || {}).map(([n, r]) => [n, r, false]),
  ...Object.entries(pkg.optionalDependencies || {}).map(([n, r]) => [n, r, true])
]
for (const [name, range, optional] of deps) {
  const into = optional ? plan.s3dbOptional : plan.s3dbDeps
  const kind = optional ? 'optional dependency' : 'dependency'
  const ok = npmView([`${name}@${range}`, 'version'])
  if (ok !== null && !(Array.isArray(ok) && ok.length === 0)) {
    into[name] = range
    plan.resolved[name] = { range, version: [].concat(ok).sort(cmp).pop(), optional }
    continue
  }
  const versions = npmView([name, 'versions'])
  if (versions === null) {
    if (!optional && !cliOnly[name]) throw new Error(`${name}@${range} (a runtime dependency of s3db.js) is not in the registry at all; refusing to leave it out`)
    const why = optional ? 'optional dependency, not imported by the main entry (checked by the smoke test)' : cliOnly[name]
    plan.substitutions.push({ package: name, pinned: range, optional, action: 'left-out', used: null,
      summary: `${name}: ${pkg.version} pins ${range} (${kind}), package not in registry, left out (${why})` })
    continue
  }
  const newest = newestStable(versions)
  if (!newest) throw new Error(`${name}: no stable version in registry (${versions})`)
  into[name] = newest
  plan.resolved[name] = { range, version: newest, optional }
  plan.substitutions.push({ package: name, pinned: range, optional, action: 'substituted', used: newest,
    summary: `${name}: ${pkg.version} pins ${range}${optional ? ' (optional dependency)' : ''}, not in registry, using ${newest}` })
}
// Scan the dist for what s3db.js imports from recker (static named imports must exist, or
// the ES module graph fails to link; dynamic ones are feature-detected / try-caught).
function walk (dir, out = []) {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f)
    if (statSync(p).isDirectory()) walk(p, out)
    else if (/\.(m?js|cjs)$/.test(f)) out.push(p)
  }
  return out
}
const staticNames = new Set(), dynamicNames = new Set(), subpaths = new Set(), files = new Set()
for (const f of ['dist', 'bin', 'mcp'].flatMap(d => { try { return walk(join(pkgDir, d)) } catch { return [] } })) {
  const src = readFileSync(f, 'utf8')
  if (!/['"]recker(\/[^'"]*)?['"]/.test(src)) continue
  for (const m of src.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]recker['"]/g)) {
    files.add(f.slice(pkgDir.length + 1))
    for (const part of m[1].split(',').map(s => s.trim()).filter(Boolean)) staticNames.add(part.split(/\s+as\s+/)[0].trim())
  }
  for (const m of src.matchAll(/require\(\s*['"]recker['"]\s*\)/g)) staticNames.add('(require)')
  for (const m of src.matchAll(/\{([^}]*)\}\s*=\s*await\s+import\(\s*['"]recker['"]\s*\)/g))
    for (const part of m[1].split(',').map(s => s.trim()).filter(Boolean)) dynamicNames.add(part.split(':')[0].trim())
  for (const m of src.matchAll(/(?:const|let)\s+(\w+)\s*=\s*await\s+import\(\s*['"]recker['"]\s*\)/g))
    for (const u of src.matchAll(new RegExp(`\\b${m[1]}\\.(\\w+)`, 'g'))) dynamicNames.add(u[1])
  for (const m of src.matchAll(/(?:from\s*|import\(\s*)['"]recker\/([^'"]+)['"]/g)) subpaths.add(m[1])
}
plan.reckerImports = { static: [...staticNames].sort(), dynamic: [...dynamicNames].sort(), subpaths: [...subpaths].sort(), staticFiles: [...files].sort() }
writeFileSync(planPath, JSON.stringify(plan, null, 2))
EOF

# --- 3. probe the substituted recker: which imported names / subpaths does it lack? ---------
RECKER_VERSION="$(node -p "require('$WORK/plan.json').resolved.recker?.version || ''")"
if [[ -n "$RECKER_VERSION" ]]; then
  echo "==> probing recker@${RECKER_VERSION}"
  mkdir -p "$WORK/probe"
  (
    cd "$WORK/probe"
    echo '{"name":"probe","private":true,"type":"module"}' > package.json
    npm install --silent --ignore-scripts --no-package-lock "recker@${RECKER_VERSION}" >/dev/null
    # recker's index may import packages it does not declare: add them until it loads.
    extras=()
    for _ in 1 2 3 4 5 6; do
      err="$(node --input-type=module -e "await import('recker')" 2>&1 >/dev/null || true)"
      missing="$(printf '%s' "$err" | sed -n "s/.*Cannot find package '\([^']*\)'.*/\1/p" | head -1)"
      [[ -z "$err" ]] && break
      [[ -z "$missing" ]] && { echo "recker@${RECKER_VERSION} fails to import:" >&2; echo "$err" >&2; exit 1; }
      echo "    recker@${RECKER_VERSION} imports undeclared package '$missing'; adding it"
      extras+=("$missing")
      npm install --silent --ignore-scripts --no-package-lock "recker@${RECKER_VERSION}" "${extras[@]}" >/dev/null
    done
    node --input-type=module - "$WORK/plan.json" "$WORK/probe.json" <<'EOF'
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
const [planPath, outPath] = process.argv.slice(2)
const plan = JSON.parse(readFileSync(planPath, 'utf8'))
const require = createRequire(process.cwd() + '/')
const real = await import('recker')
const names = new Set(Object.keys(real))
const extras = {}
const lock = JSON.parse(readFileSync('package.json', 'utf8')).dependencies || {}
for (const n of Object.keys(lock)) if (n !== 'recker') extras[n] = JSON.parse(readFileSync(`node_modules/${n}/package.json`, 'utf8')).version
const subpaths = {}
for (const s of plan.reckerImports.subpaths) {
  try { const m = await import(`recker/${s}`); subpaths[s] = { ok: true, hasDefault: 'default' in m } }
  catch (e) { subpaths[s] = { ok: false, error: e.code || e.message.split('\n')[0] } }
}
writeFileSync(outPath, JSON.stringify({
  exportCount: names.size,
  hasDefault: names.has('default'),
  missingStatic: plan.reckerImports.static.filter(n => !names.has(n)),
  missingDynamic: plan.reckerImports.dynamic.filter(n => !names.has(n)),
  subpaths, extras
}, null, 2))
EOF
  )
fi

# --- 4. build the rewritten s3db.js tarball, the recker shim and bench/.s3dbjs/package.json --
node --input-type=module - "$PKG" "$WORK/plan.json" "${RECKER_VERSION:+$WORK/probe.json}" "$DEST" "$RECKER_VERSION" <<'EOF'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
const [pkgDir, planPath, probePath, dest, reckerVersion] = process.argv.slice(2)
const plan = JSON.parse(readFileSync(planPath, 'utf8'))
const probe = probePath ? JSON.parse(readFileSync(probePath, 'utf8')) : null
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))
const top = {}

pkg.dependencies = { ...plan.s3dbDeps }
pkg.optionalDependencies = { ...plan.s3dbOptional }
delete pkg.devDependencies
delete pkg.scripts
pkg.s3dbNativeBench = { rewrittenBy: 'bench/setup-s3dbjs.sh', originalVersion: pkg.version }

if (probe) {
  for (const [name, version] of Object.entries(probe.extras)) {
    top[name] = version
    plan.substitutions.push({ package: name, pinned: null, action: 'added', used: version,
      summary: `${name}: added ${version} (recker@${reckerVersion} imports it without declaring it)` })
  }
  const brokenSub = Object.entries(probe.subpaths).filter(([, v]) => !v.ok).map(([k]) => k)
  if (brokenSub.length) plan.notes.push(`recker@${reckerVersion} lacks subpaths s3db.js imports dynamically (try/catch'ed): ${brokenSub.join(', ')}`)
  if (probe.missingDynamic.length) plan.notes.push(`recker@${reckerVersion} lacks names s3db.js feature-detects on dynamic imports (not shimmed, so detection still works): ${probe.missingDynamic.join(', ')}`)
  if (probe.missingStatic.length) {
    // Shim: `recker` (local) re-exports `recker-real` (= npm:recker@X) plus throwing stubs.
    const shimDir = join(dest, 'vendor', 'recker-shim')
    mkdirSync(shimDir, { recursive: true })
    const exportsMap = { '.': './index.js', './package.json': './package.json' }
    const stub = (n) => /^[A-Z]/.test(n)
      ? `export class ${n} { constructor () { throw new Error('recker shim: ${n} is not available in recker@${reckerVersion}') } }`
      : `export function ${n} () { throw new Error('recker shim: ${n} is not available in recker@${reckerVersion}') }`
    writeFileSync(join(shimDir, 'index.js'),
      `// Generated by bench/setup-s3dbjs.sh: s3db.js@${pkg.version} statically imports names recker@${reckerVersion} lacks.\n` +
      `export * from 'recker-real'\n` + (probe.hasDefault ? `export { default } from 'recker-real'\n` : '') +
      probe.missingStatic.map(stub).join('\n') + '\n' +
      `export const __reckerShim = ${JSON.stringify({ realVersion: reckerVersion, stubbed: probe.missingStatic })}\n`)
    for (const [sub, info] of Object.entries(probe.subpaths)) {
      if (!info.ok) continue
      const file = `./sub/${sub.replace(/[^\w.-]/g, '_')}.js`
      mkdirSync(join(shimDir, 'sub'), { recursive: true })
      writeFileSync(join(shimDir, file), `export * from 'recker-real/${sub}'\n` + (info.hasDefault ? `export { default } from 'recker-real/${sub}'\n` : ''))
      exportsMap[`./${sub}`] = file
    }
    writeFileSync(join(shimDir, 'package.json'), JSON.stringify({
      name: 'recker', version: reckerVersion, type: 'module', private: true,
      description: `bench-only shim: recker@${reckerVersion} (as recker-real) + throwing stubs for ${probe.missingStatic.join(', ')}`,
      exports: exportsMap, dependencies: { 'recker-real': `npm:recker@${reckerVersion}` }
    }, null, 2))
    delete pkg.dependencies.recker          // provided by the top-level shim
    top.recker = 'file:./vendor/recker-shim'
    top['recker-real'] = `npm:recker@${reckerVersion}`
    plan.shim = { package: 'recker', real: `recker-real (npm:recker@${reckerVersion})`, stubbed: probe.missingStatic, importedBy: plan.reckerImports.staticFiles }
    plan.substitutions.push({ package: 'recker', pinned: null, action: 'shim', used: reckerVersion, stubbed: probe.missingStatic,
      summary: `recker shim: names ${probe.missingStatic.join(', ')} throw (missing in recker@${reckerVersion}; statically imported by s3db.js, so the ES module graph would not link otherwise)` })
  }
}
writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(pkg, null, 2))
writeFileSync(join(dest, 'package.json'), JSON.stringify({
  name: 's3dbjs-bench-env', private: true, type: 'module',
  description: 'bench-only install of s3db.js, generated by bench/setup-s3dbjs.sh; not part of s3db-native',
  dependencies: { 's3db.js': `file:./vendor/s3db.js-${pkg.version}-bench.tgz`, ...top }
}, null, 2))
writeFileSync(planPath, JSON.stringify(plan, null, 2))
EOF

( cd "$WORK/s3db/package" && tar -czf "$DEST/vendor/s3db.js-${S3DBJS_VERSION}-bench.tgz" -C "$WORK/s3db" package )
cp "$TARBALL" "$DEST/vendor/" # the untouched original, for reference
if [[ -d "$DEST/vendor/recker-shim" ]]; then
  # install the shim as a copied tarball, not a symlink into vendor/
  ( cd "$DEST/vendor" && tar -czf recker-shim.tgz --transform 's,^recker-shim,package,' recker-shim )
  node -e "const f='$DEST/package.json',p=require(f);p.dependencies.recker='file:./vendor/recker-shim.tgz';require('fs').writeFileSync(f,JSON.stringify(p,null,2))"
fi

# --- 5. install ----------------------------------------------------------------------------
echo "==> npm install in bench/.s3dbjs"
# --ignore-scripts: nothing in the resolved tree needs an install script (checked below), and
# it keeps npm from compiling anything on this (shared, 2-core) machine.
( cd "$DEST" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error )
SCRIPTED="$(node -e "
const l=require('$DEST/package-lock.json');
console.log(Object.entries(l.packages).filter(([k,v])=>k&&v.hasInstallScript).map(([k])=>k.replace(/^node_modules\//,'')).join(', '))")"

# --- 6. summary JSON ----------------------------------------------------------------------
ENTRY="$DEST/node_modules/s3db.js/dist/index.js"
node --input-type=module - "$WORK/plan.json" "$SUMMARY_JSON" "$DEST" "$ENTRY" "$S3DBJS_VERSION" "$SCRIPTED" <<'EOF'
import { readFileSync, writeFileSync } from 'node:fs'
const [planPath, out, dest, entry, version, scripted] = process.argv.slice(2)
const plan = JSON.parse(readFileSync(planPath, 'utf8'))
const ver = (n) => { try { return JSON.parse(readFileSync(`${dest}/node_modules/${n}/package.json`, 'utf8')).version } catch { return null } }
const notes = [...plan.notes]
notes.push(`s3db.js ${version} declares engines.node >=24; running on Node ${process.versions.node}`)
if (scripted) notes.push(`installed with --ignore-scripts; packages that declare install scripts: ${scripted}`)
writeFileSync(out, JSON.stringify({
  s3dbjs: version, dir: dest, entry, entryLite: entry.replace(/index\.js$/, 'lite.js'),
  installed: Object.fromEntries(['s3db.js', 'recker', 'recker-real', 'tuiuiu.js', 'ws', '@aws-sdk/client-s3'].map(n => [n, ver(n)]).filter(([, v]) => v)),
  substitutions: plan.substitutions, shim: plan.shim, reckerImports: plan.reckerImports, notes
}, null, 2) + '\n')
EOF

# --- 7. smoke test --------------------------------------------------------------------------
echo "==> smoke test"
node --input-type=module - "$ENTRY" <<'EOF'
import { pathToFileURL } from 'node:url'
import { Readable, Writable } from 'node:stream'
const entry = process.argv[2]
const { S3db, MemoryClient, ResourceReader, ResourceWriter } = await import(pathToFileURL(entry).href)
const assert = (c, m) => { if (!c) throw new Error('smoke: ' + m) }
assert(typeof S3db === 'function' && typeof MemoryClient === 'function', 'S3db / MemoryClient exports')
const db = new S3db({ connectionString: 'memory://bench/smoke', logLevel: 'silent' })
await db.connect()
const users = await db.createResource({ name: 'users', attributes: { name: 'string', email: 'email' } })
const a = await users.insert({ id: 'u1', name: 'Ada', email: 'ada@example.com' })
assert(a.id === 'u1', 'insert returns the record')
const g = await users.get('u1')
assert(g.name === 'Ada' && g.email === 'ada@example.com', 'get')
await users.insertMany([{ id: 'u2', name: 'Bob', email: 'bob@example.com' }, { id: 'u3', name: 'Cy', email: 'cy@example.com' }])
assert(await users.count() === 3, 'count')
assert((await users.listIds()).length === 3, 'listIds')
assert((await users.getMany(['u1', 'u2'])).length === 2, 'getMany')
assert(typeof users.readable === 'function' && typeof users.writable === 'function', 'readable/writable exist')
const r = await users.readable()
assert(r instanceof Readable, 'readable() is a node:stream Readable')
const seen = []
for await (const rec of r) seen.push(rec.id)
assert(seen.length === 3, `readable yields 3 records (got ${seen.length})`)
const w = await users.writable()
assert(w instanceof Writable, 'writable() is a node:stream Writable')
await new Promise((resolve, reject) => { w.on('error', reject); w.on('finish', resolve); w.write({ id: 'u4', name: 'Di', email: 'di@example.com' }); w.end() })
assert(await users.count() === 4, 'writable inserted')
let invalid = false
try { await users.insert({ id: 'bad', name: 'X', email: 'not-an-email' }) } catch { invalid = true }
assert(invalid, 'validation rejects a bad email')
await db.disconnect()
console.log(`    ok: memory:// connect/createResource/insert/insertMany/get/getMany/listIds/count/readable/writable (${r.constructor.name}, ${w.constructor.name})`)
EOF

echo "$CONFIG" > "$MARKER"
echo "==> done"
print_summary
