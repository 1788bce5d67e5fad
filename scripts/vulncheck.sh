#!/usr/bin/env bash
# Offline govulncheck for Tafel (run by `make test`).
# The public vulnerability database cannot be reached from these machines, but the Go module proxy
# serves golang.org/x/vulndb, whose data/osv folder holds every Go advisory: build a local database
# from it, run govulncheck in symbol mode, and fail on any vulnerability reachable from Tafel's code
# except the documented exceptions below.
#
# Exceptions (see README "Security"):
#   GO-2026-6872, GO-2026-6875 — every Echo v4 release, through Echo's default client-IP handling
#   (and its proxy / rate-limiter middleware). No v4 fix exists. Tafel sets its own IPExtractor
#   that trusts X-Forwarded-For only from configured proxies and never uses those middlewares;
#   server's X-Forwarded-For test proves the mitigation.
set -euo pipefail
# The machine's own Go (1.26.8) has standard-library advisories: use the patched toolchain.
if [ "${GOTOOLCHAIN:-local}" = local ]; then export GOTOOLCHAIN=go1.26.10; fi
EXCEPT=${VULN_EXCEPTIONS:-GO-2026-6872 GO-2026-6875}
VULNDB=${VULNDB_VERSION:-latest}
VULN=${GOVULNCHECK_VERSION:-v1.9.0}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/tafel-vulndb
mkdir -p "$cache"
if [ ! -x "$cache/indexdb" ] || [ ! -s "$cache/src" ] || [ ! -d "$(cat "$cache/src" 2>/dev/null)" ] || [ -n "${VULNDB_REFRESH:-}" ]; then
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  ( cd "$work" && go mod init vulndbtool >/dev/null 2>&1 &&
    go get "golang.org/x/vulndb/cmd/indexdb@$VULNDB" >/dev/null 2>&1 &&
    go build -o "$cache/indexdb" golang.org/x/vulndb/cmd/indexdb &&
    go list -m -f '{{.Dir}}' golang.org/x/vulndb > "$cache/src" )
fi
rm -rf "$cache/db" && "$cache/indexdb" -vulns "$(cat "$cache/src")/data/osv" -out "$cache/db"
[ -x "$cache/govulncheck" ] || GOBIN=$cache go install "golang.org/x/vuln/cmd/govulncheck@$VULN"
out=$(mktemp)
"$cache/govulncheck" -db "file://$cache/db" -format json ./... > "$out"
EXCEPT="$EXCEPT" node - "$out" <<'JS'
const fs = require('fs');
const text = fs.readFileSync(process.argv[2], 'utf8');
// govulncheck -format json writes a stream of JSON objects.
const objs = [];
let depth = 0, start = -1, inStr = false, esc = false;
for (let i = 0; i < text.length; i++) {
  const c = text[i];
  if (inStr) { if (esc) esc = false; else if (c === '\\') esc = true; else if (c === '"') inStr = false; continue; }
  if (c === '"') inStr = true;
  else if (c === '{') { if (depth++ === 0) start = i; }
  else if (c === '}') { if (--depth === 0) objs.push(JSON.parse(text.slice(start, i + 1))); }
}
const except = new Set(process.env.EXCEPT.split(/\s+/).filter(Boolean));
const reachable = new Map();
for (const o of objs) {
  const f = o.finding;
  if (!f || !f.trace || !f.trace.length || !f.trace[0].function) continue;
  const t = f.trace.map(x => `${x.package || x.module}.${x.receiver ? x.receiver + '.' : ''}${x.function || ''}`).join(' <- ');
  if (!reachable.has(f.osv)) reachable.set(f.osv, t);
}
let bad = 0;
for (const [id, t] of reachable) {
  if (except.has(id)) { console.log(`vulncheck: ${id} reachable — documented exception (${t})`); continue; }
  console.log(`vulncheck: ${id} REACHABLE: ${t}`); bad++;
}
console.log(`vulncheck: ${reachable.size} reachable, ${bad} not excepted`);
process.exit(bad ? 1 : 0);
JS
