#!/usr/bin/env bash
# Installs the JS library s3db.js (the implementation s3db-native is benchmarked against) into a
# bench-only folder, bench/.s3dbjs/ (git-ignored). It never becomes a dependency of this repo's
# package.json.
#
#   bash bench/setup-s3dbjs.sh                  install; no-op if bench/.s3dbjs/.ok matches
#   S3DBJS_FORCE=1 bash bench/setup-s3dbjs.sh   wipe bench/.s3dbjs/ and reinstall
#   S3DBJS_SMOKE_S3_URL=http://KEY:SECRET@127.0.0.1:PORT/bucket/prefix bash bench/setup-s3dbjs.sh
#                                               also smoke-test against that S3 endpoint (the
#                                               bucket must exist; runs even when up to date)
#
# Use from a benchmark (s3db.js is ESM-only, there is no CommonJS build):
#   import { S3db } from '<repo>/bench/.s3dbjs/node_modules/s3db.js/dist/index.js'
#   (dist/lite.js exports the same Database/S3db class without the plugin re-exports; faster import)
#
# Why not a plain `npm install s3db.js@21.6.2`: the registry reachable here lacks some of its
# pinned dependencies. The script therefore
#   1. `npm pack`s s3db.js@21.6.2 and rewrites its package.json (re-packed as a local tarball);
#   2. for each (optional) dependency the registry cannot satisfy at the pinned range, uses the
#      newest stable version the registry has; a package the registry lacks entirely is left out
#      only if it is optional or known to be CLI-only (cli-args-parser);
#   3. if s3db.js statically imports names from `recker` that the substituted recker lacks, puts
#      a local shim package `recker` in front of it: it re-exports the real recker (installed as
#      `recker-real`, an `npm:` alias) and exports, per missing name, a stub that throws
#      `recker shim: <name> is not available in recker@<version>` when called / constructed;
#   4. adds packages the substituted versions import without declaring them (found by importing);
#   5. smoke-tests the install (memory://: connect, createResource, insert, insertMany, get,
#      getMany, listIds, count, streams) before writing the .ok marker.
# Every substitution is printed and written to bench/.s3dbjs/substitutions.json.
set -euo pipefail

S3DBJS_VERSION="${S3DBJS_VERSION:-21.6.2}"
SCRIPT_REV=2
# Runtime dependencies that may be left out if the registry does not have them at all.
CLI_ONLY_DEPS='{"cli-args-parser":"only imported by the s3db.js CLI, dist/cli/index.js"}'

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
DEST="$HERE/.s3dbjs"
MARKER="$DEST/.ok"
SUMMARY_JSON="$DEST/substitutions.json"
ENTRY="$DEST/node_modules/s3db.js/dist/index.js"

command -v node >/dev/null || { echo "setup-s3dbjs: node not found" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup-s3dbjs: npm not found" >&2; exit 1; }
CONFIG="s3db.js@${S3DBJS_VERSION} rev=${SCRIPT_REV} script=$(sha256sum "$SELF" | cut -c1-16) node=$(node -p 'process.versions.node.split(".")[0]')"

# Quiet s3db.js / AWS SDK during the smoke tests (see the notes in substitutions.json).
export S3DB_LOG_FORMAT=json S3DB_LOG_LEVEL=silent AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

print_summary() {
  node --input-type=module - "$SUMMARY_JSON" <<'EOF'
import { readFileSync } from 'node:fs'
const s = JSON.parse(readFileSync(process.argv[2], 'utf8'))
console.log(`s3db.js ${s.s3dbjs} is installed in ${s.dir}`)
console.log(`  import { S3db } from '${s.entry}'   (or '${s.entryLite}')`)
console.log(`  substitutions (${s.substitutions.length}):`)
for (const x of s.substitutions) console.log(`    - ${x.summary}`)
if (s.notes?.length) { console.log('  notes:'); for (const n of s.notes) console.log(`    - ${n}`) }
EOF
}

# Optional S3 smoke test (also on an up-to-date install).
s3_smoke() {
  [[ -n "${S3DBJS_SMOKE_S3_URL:-}" ]] || return 0
  echo "==> S3 smoke test against ${S3DBJS_SMOKE_S3_URL%%://*}://…@${S3DBJS_SMOKE_S3_URL#*@}"
  node --input-type=module - "$ENTRY" "$S3DBJS_SMOKE_S3_URL" <<'EOF'
import { pathToFileURL } from 'node:url'
const [entry, base] = process.argv.slice(2)
const { S3db } = await import(pathToFileURL(entry).href)
const assert = (c, m) => { if (!c) throw new Error('S3 smoke: ' + m) }
const db = new S3db({ connectionString: `${base.replace(/\/+$/, '')}/s3dbjs-smoke-${Date.now()}`, logLevel: 'silent', parallelism: 8 })
// s3db.js hooks process 'uncaughtException'/'unhandledRejection' and would swallow a failure here
db.processManager.removeSignalHandlers(); db.cronManager.removeSignalHandlers()
await db.connect()
assert(db.client.constructor.name === 'S3Client', `client is ${db.client.constructor.name}`)
const handler = db.client.httpHandler?.constructor?.name ?? 'AWS SDK default handler'   // nulled by disconnect()
const users = await db.createResource({ name: 'users', attributes: { name: 'string', email: 'email' }, paranoid: false })
await users.insert({ id: 'u1', name: 'Ada', email: 'ada@example.com' })
await users.insertMany([{ id: 'u2', name: 'Bob', email: 'bob@example.com' }, { id: 'u3', name: 'Cy', email: 'cy@example.com' }])
assert((await users.get('u2')).name === 'Bob', 'get')
assert((await users.getMany(['u1', 'u3'])).length === 2, 'getMany')
assert((await users.listIds()).length === 3, 'listIds')
assert(await users.count() === 3, 'count')
assert((await users.deleteAll()).deletedCount === 3, 'deleteAll (paranoid: false)')
await db.disconnect()
console.log(`    ok: S3Client (HTTP via ${handler}) connect/createResource/insert/insertMany/get/getMany/listIds/count/deleteAll`)
EOF
}

if [[ "${S3DBJS_FORCE:-}" != 1 && -f "$MARKER" && -f "$SUMMARY_JSON" && "$(cat "$MARKER")" == "$CONFIG" ]]; then
  echo "bench/.s3dbjs is up to date ($CONFIG); nothing to do."
  print_summary
  s3_smoke
  exit 0
fi

echo "==> installing s3db.js@${S3DBJS_VERSION} into ${DEST}"
rm -rf "$DEST"
mkdir -p "$DEST/vendor"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/s3dbjs-setup.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# --- helper: scan s3db.js's JS files for what it imports from a package ---------------------
cat > "$WORK/scan.mjs" <<'EOF'
// scanImports(pkgDir, name) -> { '<specifier>': { static: [names], dynamic: [names], files: [..] } }
// static  = `import { a, b as c } from 'spec'` (must exist, or the module graph fails to link)
// dynamic = `const { a } = await import('spec')` / `const m = await import('spec'); m.a`
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
function walk (dir, out = []) {
  let entries = []
  try { entries = readdirSync(dir) } catch { return out }
  for (const f of entries) {
    const p = join(dir, f)
    if (statSync(p).isDirectory()) { if (f !== 'node_modules') walk(p, out) } else if (/\.(m?js|cjs)$/.test(f)) out.push(p)
  }
  return out
}
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const names = (list, sep) => list.split(',').map(s => s.trim()).filter(Boolean).map(s => s.split(sep)[0].trim())
export function scanImports (pkgDir, name) {
  const spec = `['"](${esc(name)}(?:/[^'"]*)?)['"]`
  const out = {}
  const entry = (s) => (out[s] ??= { static: new Set(), dynamic: new Set(), files: new Set(), byName: {} })
  const add = (e, kind, n, rel) => { e[kind].add(n); (e.byName[n] ??= new Set()).add(rel) }
  for (const f of ['dist', 'bin', 'mcp'].flatMap(d => walk(join(pkgDir, d)))) {
    const src = readFileSync(f, 'utf8')
    if (!new RegExp(spec).test(src)) continue
    const rel = relative(pkgDir, f)
    for (const m of src.matchAll(new RegExp(`import\\s*\\{([^{}]*)\\}\\s*from\\s*${spec}`, 'g'))) { const e = entry(m[2]); e.files.add(rel); for (const n of names(m[1], /\s+as\s+/)) add(e, 'static', n, rel) }
    for (const m of src.matchAll(new RegExp(`import\\s+([\\w$]+)\\s*(?:,\\s*\\{[^{}]*\\})?\\s*from\\s*${spec}`, 'g'))) { const e = entry(m[2]); e.files.add(rel); add(e, 'static', 'default', rel) }
    for (const m of src.matchAll(new RegExp(`(?:import\\s*\\*\\s*as\\s+\\w+\\s+from\\s*|export\\s*\\*\\s*from\\s*|require\\(\\s*)${spec}`, 'g'))) entry(m[1]).files.add(rel)
    for (const m of src.matchAll(new RegExp(`\\{([^{}]*)\\}\\s*=\\s*await\\s+import\\(\\s*${spec}\\s*\\)`, 'g'))) { const e = entry(m[2]); e.files.add(rel); for (const n of names(m[1], ':')) add(e, 'dynamic', n, rel) }
    for (const m of src.matchAll(new RegExp(`(?:const|let|var)\\s+([\\w$]+)\\s*=\\s*await\\s+import\\(\\s*${spec}\\s*\\)`, 'g'))) {
      const e = entry(m[2]); e.files.add(rel)
      // `mod.name` uses, skipping string contents such as 'tuiuiu.js/utils'
      for (const u of src.matchAll(new RegExp(`(?<![\\w$.'"\\/-])${esc(m[1])}\\.([A-Za-z_$][\\w$]*)(?![\\w$\\/'"-])`, 'g'))) add(e, 'dynamic', u[1], rel)
      for (const u of src.matchAll(new RegExp(`\\{([^{}]*)\\}\\s*=\\s*${esc(m[1])}\\s*[;\\n]`, 'g'))) for (const n of names(u[1], ':')) add(e, 'dynamic', n, rel)
    }
    for (const m of src.matchAll(new RegExp(`import\\(\\s*${spec}\\s*\\)`, 'g'))) entry(m[1]).files.add(rel)
  }
  return Object.fromEntries(Object.entries(out).sort().map(([k, v]) => [k, {
    static: [...v.static].sort(), dynamic: [...v.dynamic].filter(n => !v.static.has(n)).sort(), files: [...v.files].sort(),
    byName: Object.fromEntries(Object.entries(v.byName).map(([n, f]) => [n, [...f].sort()]))
  }]))
}
// probeImports(scan, imp) -> per specifier { ok, error?, missingStatic, missingDynamic, hasDefault }
// imp: (specifier) => import(specifier), written in the caller so that bare specifiers resolve
// from the caller's location (stdin / -e modules resolve from the cwd), not from this file's.
export async function probeImports (scan, imp) {
  const res = {}
  for (const [s, want] of Object.entries(scan)) {
    try {
      const m = await imp(s)
      const has = new Set(Object.keys(m))
      res[s] = { ok: true, hasDefault: has.has('default'), missingStatic: want.static.filter(n => !has.has(n)), missingDynamic: want.dynamic.filter(n => !has.has(n)) }
    } catch (e) {
      res[s] = { ok: false, error: `${e.code || e.name}: ${String(e.message).split('\n')[0].replace(/ imported from .*$/, '')}`, missingStatic: want.static, missingDynamic: want.dynamic }
    }
  }
  return res
}
EOF

# --- 1. fetch and unpack the published tarball ---------------------------------------------
( cd "$WORK" && npm pack "s3db.js@${S3DBJS_VERSION}" --silent >/dev/null )
TARBALL="$(ls "$WORK"/s3db.js-*.tgz)"
mkdir -p "$WORK/s3db"
tar -xzf "$TARBALL" -C "$WORK/s3db"
PKG="$WORK/s3db/package"
cp "$TARBALL" "$DEST/vendor/"   # the untouched original, for reference

# --- 2. resolve every dependency against the registry ---------------------------------------
echo "==> resolving s3db.js@${S3DBJS_VERSION}'s dependencies against $(npm config get registry)"
node --input-type=module - "$PKG" "$WORK/plan.json" "$CLI_ONLY_DEPS" <<'EOF'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
const [pkgDir, planPath, cliOnlyJson] = process.argv.slice(2)
const cliOnly = JSON.parse(cliOnlyJson)
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))
function npmView (args) {
  try {
    const out = execFileSync('npm', ['view', ...args, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
    const v = out ? JSON.parse(out) : null
    return Array.isArray(v) && v.length === 0 ? null : v
  } catch (e) {
    const txt = String(e.stdout || '') + String(e.stderr || '')
    if (/E404|ETARGET|No match found|is not in this registry/.test(txt)) return null
    throw new Error(`npm view ${args.join(' ')} failed:\n${txt}`)
  }
}
const cmp = (a, b) => { const pa = a.split('.').map(Number), pb = b.split('.').map(Number); return pa[0] - pb[0] || pa[1] - pb[1] || pa[2] - pb[2] }
const stable = (vs) => [].concat(vs || []).filter(v => /^\d+\.\d+\.\d+$/.test(v)).sort(cmp)
const plan = { deps: {}, optional: {}, resolved: {}, substitutions: [], notes: [] }
const all = [...Object.entries(pkg.dependencies || {}).map(([n, r]) => [n, r, false]),
  ...Object.entries(pkg.optionalDependencies || {}).map(([n, r]) => [n, r, true])]
for (const [name, range, optional] of all) {
  const into = optional ? plan.optional : plan.deps
  const kind = optional ? ' (optional dependency)' : ''
  const ok = npmView([`${name}@${range}`, 'version'])
  if (ok !== null) {
    into[name] = range
    plan.resolved[name] = { range, version: stable(ok).pop() ?? String(ok), optional }
    continue
  }
  const versions = npmView([name, 'versions'])
  if (versions === null) {
    if (!optional && !cliOnly[name]) throw new Error(`${name}@${range} (a runtime dependency of s3db.js) is not in the registry at all; refusing to leave it out`)
    const why = optional ? 'optional; not imported by the main entry, checked by the smoke test' : cliOnly[name]
    plan.substitutions.push({ package: name, pinned: range, optional, action: 'left-out', used: null,
      summary: `${name}: ${pkg.version} pins ${range}${kind}, package not in registry, left out (${why})` })
    continue
  }
  const newest = stable(versions).pop()
  if (!newest) throw new Error(`${name}: no stable version in the registry (${versions})`)
  into[name] = newest
  plan.resolved[name] = { range, version: newest, optional, substituted: true }
  plan.substitutions.push({ package: name, pinned: range, optional, action: 'substituted', used: newest,
    summary: `${name}: ${pkg.version} pins ${range}${kind}, not in registry, using ${newest}` })
}
writeFileSync(planPath, JSON.stringify(plan, null, 2))
for (const s of plan.substitutions) console.log(`    ${s.summary}`)
EOF

# --- 3. probe the substituted recker: undeclared imports, missing names ---------------------
RECKER_VERSION="$(node -p "const r=require('$WORK/plan.json').resolved.recker; r&&r.substituted?r.version:''")"
if [[ -n "$RECKER_VERSION" ]]; then
  echo "==> probing recker@${RECKER_VERSION} against what s3db.js imports from it"
  mkdir -p "$WORK/probe"
  (
    cd "$WORK/probe"
    echo '{"name":"probe","private":true,"type":"module"}' > package.json
    npm install --silent --ignore-scripts --no-package-lock "recker@${RECKER_VERSION}" >/dev/null
    extras=()
    for _ in 1 2 3 4 5 6 7 8; do
      err="$(node --input-type=module -e "await import('recker')" 2>&1 >/dev/null || true)"
      [[ -z "$err" ]] && break
      missing="$(printf '%s' "$err" | sed -n "s/.*Cannot find package '\([^']*\)'.*/\1/p" | head -1)"
      [[ -z "$missing" ]] && { echo "recker@${RECKER_VERSION} fails to import:" >&2; echo "$err" >&2; exit 1; }
      echo "    recker@${RECKER_VERSION} imports '$missing' without declaring it; adding it"
      extras+=("$missing")
      npm install --silent --ignore-scripts --no-package-lock "recker@${RECKER_VERSION}" "${extras[@]}" >/dev/null
    done
    node --input-type=module - "$PKG" "$WORK/recker-probe.json" "$WORK/scan.mjs" <<'EOF'
import { readFileSync, writeFileSync } from 'node:fs'
const [pkgDir, out, scanPath] = process.argv.slice(2)
const { scanImports, probeImports } = await import(scanPath)
const scan = scanImports(pkgDir, 'recker')
const probe = await probeImports(scan, (s) => import(s))
const deps = JSON.parse(readFileSync('package.json', 'utf8')).dependencies || {}
const extras = Object.fromEntries(Object.keys(deps).filter(n => n !== 'recker').map(n => [n, JSON.parse(readFileSync(`node_modules/${n}/package.json`, 'utf8')).version]))
writeFileSync(out, JSON.stringify({ scan, probe, extras }, null, 2))
EOF
  )
fi

# --- 4. rewrite s3db.js's package.json, build the recker shim and bench/.s3dbjs/package.json --
node --input-type=module - "$PKG" "$WORK/plan.json" "$WORK/recker-probe.json" "$DEST" "$RECKER_VERSION" <<'EOF'
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'
const [pkgDir, planPath, probePath, dest, reckerVersion] = process.argv.slice(2)
const plan = JSON.parse(readFileSync(planPath, 'utf8'))
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))
const top = {}
pkg.dependencies = { ...plan.deps }
pkg.optionalDependencies = { ...plan.optional }
delete pkg.devDependencies
delete pkg.scripts
pkg.s3dbNativeBench = 'package.json rewritten by bench/setup-s3dbjs.sh, see ../../substitutions.json'
plan.shim = null
if (reckerVersion && existsSync(probePath)) {
  const { scan, probe, extras } = JSON.parse(readFileSync(probePath, 'utf8'))
  for (const [name, version] of Object.entries(extras)) {
    top[name] = version
    plan.substitutions.push({ package: name, pinned: null, action: 'added', used: version,
      summary: `${name}: added ${version} (recker@${reckerVersion} imports it without declaring it)` })
  }
  const missingStatic = [...new Set(Object.values(probe).flatMap(p => p.ok ? p.missingStatic : []))].sort()
  const brokenStaticSub = Object.entries(probe).filter(([s, p]) => !p.ok && scan[s].static.length).map(([s]) => s)
  if (brokenStaticSub.length) throw new Error(`recker@${reckerVersion} lacks subpaths s3db.js imports statically: ${brokenStaticSub.join(', ')}`)
  if (missingStatic.length) {
    const shimDir = join(dest, 'vendor', 'recker-shim')
    mkdirSync(join(shimDir, 'sub'), { recursive: true })
    const stub = (n) => /^[A-Z]/.test(n)
      ? `export class ${n} { constructor () { throw new Error('recker shim: ${n} is not available in recker@${reckerVersion}') } }`
      : `export function ${n} () { throw new Error('recker shim: ${n} is not available in recker@${reckerVersion}') }`
    const exportsMap = { './package.json': './package.json' }
    for (const [s, p] of Object.entries(probe)) {
      if (!p.ok) continue   // dynamic import of a subpath recker lacks: stays a (caught) failure
      const sub = s.slice('recker'.length)            // '' or '/x/y'
      const file = sub ? `./sub/${sub.slice(1).replace(/[^\w.-]/g, '_')}.js` : './index.js'
      const real = `recker-real${sub}`
      const own = p.missingStatic
      writeFileSync(join(shimDir, file),
        `// Generated by bench/setup-s3dbjs.sh: re-exports ${real} (= recker@${reckerVersion})` + (own.length ? `, plus throwing stubs for names s3db.js@${pkg.version} imports from ${s} but recker@${reckerVersion} lacks` : '') + '\n' +
        `export * from '${real}'\n` + (p.hasDefault ? `export { default } from '${real}'\n` : '') +
        own.map(stub).join('\n') + (own.length ? '\n' : ''))
      exportsMap[sub ? `.${sub}` : '.'] = file
    }
    if (!exportsMap['.']) throw new Error('recker shim: recker main entry did not load')
    writeFileSync(join(shimDir, 'package.json'), JSON.stringify({
      name: 'recker', version: reckerVersion, type: 'module', private: true,
      description: `bench-only shim: recker@${reckerVersion} (as recker-real) + throwing stubs for ${missingStatic.join(', ')}`,
      exports: exportsMap, dependencies: { 'recker-real': `npm:recker@${reckerVersion}` }
    }, null, 2) + '\n')
    delete pkg.dependencies.recker   // provided by the top-level shim
    top.recker = 'file:./vendor/recker-shim.tgz'
    top['recker-real'] = `npm:recker@${reckerVersion}`
    const importers = Object.values(scan).flatMap(e => missingStatic.flatMap(n => e.byName[n] ?? []))
    plan.shim = { package: 'recker', real: `recker-real = npm:recker@${reckerVersion}`, stubbed: missingStatic, importedBy: [...new Set(importers)].sort() }
    plan.substitutions.push({ package: 'recker', pinned: null, action: 'shim', used: reckerVersion, stubbed: missingStatic,
      summary: `recker shim: names ${missingStatic.join(', ')} throw (not exported by recker@${reckerVersion}; statically imported by ${plan.shim.importedBy.join(', ')})` })
  }
  const missingDynamic = Object.entries(probe).flatMap(([s, p]) => p.missingDynamic.map(n => `${s}:${n}`))
  const brokenDynSub = Object.entries(probe).filter(([, p]) => !p.ok).map(([s, p]) => `${s} (${p.error})`)
  if (missingDynamic.length) plan.notes.push(`recker@${reckerVersion} lacks names s3db.js only uses via dynamic import (not stubbed, so its feature detection still works): ${missingDynamic.join(', ')}`)
  if (brokenDynSub.length) plan.notes.push(`recker@${reckerVersion} lacks subpaths s3db.js imports dynamically: ${brokenDynSub.join('; ')}`)
}
writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')
writeFileSync(join(dest, 'package.json'), JSON.stringify({
  name: 's3dbjs-bench-env', private: true, type: 'module',
  description: 'bench-only install of s3db.js, generated by bench/setup-s3dbjs.sh; not a dependency of s3db-native',
  dependencies: { 's3db.js': `file:./vendor/s3db.js-${pkg.version}-bench.tgz`, ...top }
}, null, 2) + '\n')
writeFileSync(planPath, JSON.stringify(plan, null, 2))
EOF

tar -czf "$DEST/vendor/s3db.js-${S3DBJS_VERSION}-bench.tgz" -C "$WORK/s3db" package
if [[ -d "$DEST/vendor/recker-shim" ]]; then
  # a tarball, so npm copies the shim into node_modules instead of symlinking vendor/
  tar -czf "$DEST/vendor/recker-shim.tgz" -C "$DEST/vendor" --transform 's,^recker-shim,package,' recker-shim
fi

# --- 5. install ----------------------------------------------------------------------------
echo "==> npm install in bench/.s3dbjs"
# --ignore-scripts: keeps npm from running node-gyp on this shared 2-core machine; argon2 and
# bcrypt (optional, password fields only) ship prebuilt binaries that load without it.
( cd "$DEST" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error )

# --- 6. check every substituted package against what s3db.js imports; write the summary --------
# (cwd = bench/.s3dbjs, so bare specifiers imported by this stdin module resolve from its node_modules)
( cd "$DEST" && node --input-type=module - "$PKG" "$WORK/plan.json" "$SUMMARY_JSON" "$DEST" "$ENTRY" "$S3DBJS_VERSION" "$WORK/scan.mjs" ) <<'EOF'
import { readFileSync, writeFileSync } from 'node:fs'
const [pkgDir, planPath, out, dest, entry, version, scanPath] = process.argv.slice(2)
const { scanImports, probeImports } = await import(scanPath)
const plan = JSON.parse(readFileSync(planPath, 'utf8'))
const ver = (n) => { try { return JSON.parse(readFileSync(`${dest}/node_modules/${n}/package.json`, 'utf8')).version } catch { return null } }
const notes = [...plan.notes]
const gaps = {}
// what a gap means, by importing file
const impact = (files) => [...new Set(files.map(f =>
  f.startsWith('dist/cli/') ? 'CLI only' :
  f === 'dist/concurrency/thread-pool.js' ? 'only with the Database option `threading` (off by default; used for password hashing), which then falls back to disabled' :
  /^dist\/(plugins|mcp)\//.test(f) || f.startsWith('mcp/') ? 'plugin/MCP only' : 'core'))].join('; ')
for (const [name, r] of Object.entries(plan.resolved)) {
  if (!r.substituted || name === 'recker') continue
  const scan = scanImports(pkgDir, name)
  const probe = await probeImports(scan, (s) => import(s))
  for (const [s, p] of Object.entries(probe)) {
    const where = `${scan[s].files.join(', ')} (${impact(scan[s].files)})`
    if (!p.ok) notes.push(`${name}@${r.version} lacks ${s} (${p.error}); imported by ${where}`)
    else if (p.missingStatic.length || p.missingDynamic.length) notes.push(`${name}@${r.version}: ${s} lacks ${[...p.missingStatic, ...p.missingDynamic].join(', ')}; imported by ${where}`)
    if (!p.ok || p.missingStatic.length || p.missingDynamic.length) (gaps[name] ??= {})[s] = { ...p, files: scan[s].files }
  }
}
const lock = JSON.parse(readFileSync(`${dest}/package-lock.json`, 'utf8'))
const scripted = Object.entries(lock.packages).filter(([k, v]) => k && v.hasInstallScript).map(([k]) => k.replace(/^node_modules\//, ''))
if (scripted.length) notes.push(`installed with --ignore-scripts; packages with install scripts (not run): ${scripted.join(', ')}`)
notes.push(`s3db.js ${version} declares engines.node >=24; this install runs on Node ${process.versions.node}`)
writeFileSync(out, JSON.stringify({
  s3dbjs: version, dir: dest, entry, entryLite: entry.replace(/index\.js$/, 'lite.js'),
  installed: Object.fromEntries(['s3db.js', 'recker', 'recker-real', 'tuiuiu.js', 'ws', '@aws-sdk/client-s3', 'pino', 'fastest-validator'].map(n => [n, ver(n)]).filter(([, v]) => v)),
  substitutions: plan.substitutions, shim: plan.shim, gaps, notes
}, null, 2) + '\n')
EOF

# --- 7. smoke test (memory://) -------------------------------------------------------------
echo "==> smoke test (memory://)"
cd "$DEST"   # so that the smoke test's bare import('recker') resolves from bench/.s3dbjs
node --input-type=module - "$ENTRY" "$SUMMARY_JSON" <<'EOF'
import { pathToFileURL } from 'node:url'
import { readFileSync, writeFileSync } from 'node:fs'
import { Readable, Writable } from 'node:stream'
import { EventEmitter } from 'node:events'
const [entry, summaryPath] = process.argv.slice(2)
const assert = (c, m) => { if (!c) throw new Error('smoke: ' + m) }
const lite = await import(pathToFileURL(entry.replace(/index\.js$/, 'lite.js')).href)
const m = await import(pathToFileURL(entry).href)
const { S3db, Database, MemoryClient, ResourceReader, ResourceWriter, ResourceIdsReader, ResourceIdsPageReader } = m
assert(S3db === Database && lite.S3db === S3db, 'S3db is Database in both entries')
assert([MemoryClient, ResourceReader, ResourceWriter, ResourceIdsReader, ResourceIdsPageReader].every(f => typeof f === 'function'), 'exports')
const reckerShim = await import('recker').catch(() => null)

const db = new S3db({ connectionString: `memory://s3dbjs-smoke-${process.pid}/smoke`, logLevel: 'silent', parallelism: 8 })
// s3db.js hooks process 'uncaughtException'/'unhandledRejection' (logs at logLevel, then exits 1 -
// or, with exitOnSignal: false, exits 0): unhook so that a failing assertion fails loudly
db.processManager.removeSignalHandlers(); db.cronManager.removeSignalHandlers()
await db.connect()
assert(db.client.constructor.name === 'MemoryClient', `memory:// gives ${db.client.constructor.name}`)
const users = await db.createResource({ name: 'users', attributes: { name: 'string', email: 'email' } })
const a = await users.insert({ name: 'Ada', email: 'ada@example.com' })
assert(typeof a.id === 'string' && a.id.length > 0 && a.name === 'Ada', 'insert returns the record with a generated id')
assert((await users.get(a.id)).email === 'ada@example.com', 'get')
const many = await users.insertMany([{ id: 'u2', name: 'Bob', email: 'bob@example.com' }, { id: 'u3', name: 'Cy', email: 'cy@example.com' }])
assert(Array.isArray(many) && many.length === 2, 'insertMany returns the inserted records')
assert(await users.count() === 3, 'count')
const ids = await users.listIds()
assert(ids.length === 3 && ids.includes('u2'), 'listIds')
assert((await users.getMany(['u2', 'u3'])).length === 2, 'getMany')
let rejected = null
try { await users.insert({ id: 'bad', name: 'X', email: 'not-an-email' }) } catch (e) { rejected = e.name }
assert(rejected, 'validation rejects a bad email')
let missing = null
try { await users.get('nope') } catch (e) { missing = e.name }
assert(missing, 'get of a missing id throws')

// streams: readable()/writable() exist; record what they really do
assert(typeof users.readable === 'function' && typeof users.writable === 'function', 'readable/writable exist')
const streams = {}
try {
  const r = users.readable()
  streams.readable = await new Promise((resolve) => {
    const seen = []
    r.on('data', d => seen.push(d)); r.on('end', () => resolve(`emits end after ${seen.length} records`))
    r.on('error', e => resolve(`error: ${e.message}`)); setTimeout(() => resolve(`no 'end' within 2 s (${seen.length} records)`), 2000)
  })
} catch (e) { streams.readable = `throws ${e.name}: ${e.message}` }
// ResourceIdsReader sizes its web ReadableStream by client.parallelism, which no client defines
const hadParallelism = 'parallelism' in db.client
if (!hadParallelism) db.client.parallelism = 10
try {
  const r = users.readable()
  streams.readableWithClientParallelism = await new Promise((resolve) => {
    const seen = []
    r.on('data', d => seen.push(d)); r.on('end', () => resolve(`emits end after ${seen.length} records`))
    r.on('error', e => resolve(`error: ${e.message}`)); setTimeout(() => resolve(`with client.parallelism set: no 'data'/'end' within 2 s (${seen.length} records)`), 2000)
  })
} catch (e) { streams.readableWithClientParallelism = `throws ${e.name}: ${e.message}` }
const idr = new ResourceIdsReader({ resource: users }).build()
const rawIds = []
for (;;) { const { value, done } = await idr.read(); if (done) break; rawIds.push(value) }
assert(rawIds.length === 3, `ResourceIdsReader yields 3 entries (got ${rawIds.length})`)
streams.idsReader = `new ResourceIdsReader({ resource }).build() -> web ReadableStreamDefaultReader (needs client.parallelism); ` +
  `yields ${rawIds.length} entries like '${rawIds[0]}'` + (ids.includes(rawIds[0]) ? '' : ` (raw keys, not ids: strip up to '/id=')`)
if (!hadParallelism) delete db.client.parallelism
const w = users.writable()
assert(w instanceof EventEmitter && !(w instanceof Writable) && !(w instanceof Readable), 'writable() returns a plain EventEmitter')
await new Promise((resolve, reject) => { w.on('error', reject); w.on('finish', resolve); w.write({ id: 'u4', name: 'Di', email: 'di@example.com' }); w.end() })
assert(await users.count() === 4, 'writable inserted the record')
streams.writable = `${w.constructor.name} (EventEmitter, not a node:stream Writable): write()/end(), 'finish' and 'error' events, batchSize ${w.batchSize}, concurrency ${w.concurrency}`
await db.disconnect()

const summary = JSON.parse(readFileSync(summaryPath, 'utf8'))
summary.smoke = {
  ok: true, backend: 'memory://', date: new Date().toISOString(),
  checked: ['connect', 'createResource', 'insert', 'insertMany', 'get', 'getMany', 'listIds', 'count', 'validation', 'writable'],
  streams, reckerShimLoaded: reckerShim ? Object.keys(reckerShim).length + ' exports' : 'not importable from bench/.s3dbjs'
}
if (!/^emits end/.test(streams.readable)) summary.notes.push(`resource.readable() is broken in s3db.js ${summary.s3dbjs} (upstream bug, not caused by a substitution): ${streams.readable}; ${streams.readableWithClientParallelism}`)
writeFileSync(summaryPath, JSON.stringify(summary, null, 2) + '\n')
console.log('    ok: connect/createResource/insert/insertMany/get/getMany/listIds/count/validation/writable')
for (const [k, v] of Object.entries(streams)) console.log(`    ${k}: ${v}`)
EOF

echo "$CONFIG" > "$MARKER"
echo "==> done"
print_summary
s3_smoke
