#!/usr/bin/env bash
# The package as an app developer gets it: packs chronicle-es, installs the tarball into the
# README's quickstart app (examples/quickstart, copied to a temp dir) once with mongodb driver 6
# and once with driver 7, typechecks and builds it under `strict`, runs its tests (vitest with
# chronicle-es/testing) and its end-to-end script against a server, and runs the installed CLI.
# Server: MONGODB_URI if set, else `chronicle dev` from the installed package (stopped at the end).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/chronicle-pack-smoke.XXXXXX")
dev_pid=""
cleanup() {
  if [ -n "$dev_pid" ]; then
    kill -TERM "$dev_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$dev_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$dev_pid" 2>/dev/null && echo "[pack-smoke] chronicle dev did not stop on SIGTERM" >&2 && kill -KILL "$dev_pid"
    wait "$dev_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
say() { echo "[pack-smoke] $*"; }
fail() { echo "[pack-smoke] FAILED: $*" >&2; exit 1; }

cd "$root"
say "npm pack (prepack builds dist/)"
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -1)"
tar -tzf "$tarball" >"$work/contents"
for f in dist/src/index.js dist/src/index.d.ts dist/src/cli/main.js dist/src/domain/index.js dist/src/aggregates/testing/index.js \
  dist/src/testing/vitest.js dist/src/testing/globalSetup.js dist/migrations/index.js dist/config/defaults.js \
  tools/ferretdb-launcher/main.go tools/ferretdb-launcher/go.mod tools/ferretdb-launcher/go.sum README.md; do
  grep -qx "package/$f" "$work/contents" || fail "missing from the tarball: $f"
done
if grep -q '\.map$' "$work/contents"; then fail "the tarball ships source maps without their sources"; fi
say "tarball $(basename "$tarball"): $(wc -l <"$work/contents") files"

install_app() { # $1: driver major
  local app="$work/app-$1"
  mkdir -p "$app"
  cp -R "$root/examples/quickstart/." "$app/"
  say "driver $1: npm install the tarball, mongodb@^$1, zod, typescript, vitest"
  (cd "$app" && npm install --no-audit --no-fund --prefer-offline --loglevel=error \
    "$tarball" "mongodb@^$1" "zod@^4" "typescript@~6.0" "@types/node@^20" "vitest@^4" >/dev/null)
  local got
  got=$(cd "$app" && node -p 'require("mongodb/package.json").version')
  [ "${got%%.*}" = "$1" ] || fail "driver $1: installed mongodb $got"
  # A peer dependency: the app's driver is the only copy, so Db types and error classes are one.
  [ ! -e "$app/node_modules/chronicle-es/node_modules/mongodb" ] || fail "driver $1: chronicle-es brought its own mongodb"
}

# Both installs at once: they mostly wait on the registry.
install_app 6 & pid6=$!
install_app 7 & pid7=$!
wait "$pid6" || fail "driver 6: install"
wait "$pid7" || fail "driver 7: install"

uri=${MONGODB_URI:-}
if [ -z "$uri" ]; then
  say "starting \`chronicle dev\` from the installed package"
  # The installed bin itself (not through npx, which does not pass SIGTERM on), so $! is the server's process.
  (cd "$work/app-6" && exec ./node_modules/.bin/chronicle dev >"$work/dev.out" 2>"$work/dev.err") &
  dev_pid=$!
  for _ in $(seq 1 600); do
    uri=$(sed -n 's/^MONGODB_URI=//p' "$work/dev.out" | head -1)
    [ -n "$uri" ] && break
    kill -0 "$dev_pid" 2>/dev/null || fail "chronicle dev exited: $(tail -5 "$work/dev.err")"
    sleep 0.2
  done
  [ -n "$uri" ] || fail "chronicle dev printed no URI: $(tail -5 "$work/dev.err")"
  say "server at $uri"
fi

for major in 6 7; do
  app="$work/app-$major"
  db="quickstart_d${major}_$$"
  cd "$app"
  say "driver $major: tsc --noEmit (strict, skipLibCheck false)"
  npx --no-install tsc --noEmit -p . || fail "driver $major: the quickstart does not typecheck"
  npx --no-install tsc -p . || fail "driver $major: build"
  say "driver $major: end-to-end script"
  MONGODB_URI=$uri CHRONICLE_DB=$db node dist/src/main.js >"$work/main-$major.out" || { cat "$work/main-$major.out"; fail "driver $major: end-to-end script"; }
  grep -q '^quickstart: ok$' "$work/main-$major.out" || fail "driver $major: the script did not finish"
  say "driver $major: chronicle events / stats / --help"
  events=$(npx --no-install chronicle --uri "$uri" --db "$db" events account-alice --json) || fail "driver $major: chronicle events"
  [ "$(printf '%s\n' "$events" | head -1 | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).type')" = Opened ] || fail "driver $major: events: $events"
  printf '%s\n' "$events" | grep -q '"type":"Withdrawn"' || fail "driver $major: no Withdrawn event in: $events"
  npx --no-install chronicle --uri "$uri" --db "$db" stats >/dev/null || fail "driver $major: chronicle stats"
  npx --no-install chronicle --help | grep -q '^  dev ' || fail "driver $major: chronicle --help lists no dev command"
  say "driver $major: the app's own tests (vitest + chronicle-es/testing)"
  if [ "$major" = 6 ] && [ -z "${MONGODB_URI:-}" ]; then
    # No MONGODB_URI: the global setup starts its own server from the installed package.
    env -u MONGODB_URI npx --no-install vitest run || fail "driver $major: app tests"
  else
    MONGODB_URI=$uri npx --no-install vitest run || fail "driver $major: app tests"
  fi
done
say "ok: packed package works with driver 6 and driver 7"
