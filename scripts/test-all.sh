#!/usr/bin/env bash
# The whole test suite from a fresh clone: services, dependencies, then lint → typecheck → Vitest
# (unit + integration) → build → Playwright, stopping at the first failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

started=$SECONDS
stage=setup
results="$(mktemp -d)"

banner() {
  stage="$1"
  printf '\n==> [%s] %s (at %ds)\n' "$stage" "$2" $((SECONDS - started))
}

# Counts over both runners, printed last, for readers that look for "N passed, N failed".
summary() {
  node - "${results}/vitest.json" "${results}/playwright.json" 2>/dev/null <<'JS' || true
const fs = require('node:fs');
const read = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const v = read(process.argv[2]);
const p = read(process.argv[3]).stats;
const vSkipped = v.numPendingTests + v.numTodoTests;
console.log(`Vitest: ${v.numPassedTests} passed, ${v.numFailedTests} failed, ${vSkipped} skipped`);
console.log(`Playwright: ${p.expected + p.flaky} passed, ${p.unexpected} failed, ${p.skipped} skipped`);
const passed = v.numPassedTests + p.expected + p.flaky;
const failed = v.numFailedTests + p.unexpected;
console.log(`Tests: ${passed} passed, ${failed} failed, ${vSkipped + p.skipped} skipped`);
JS
}

finish() {
  local rc=$?
  local elapsed=$((SECONDS - started))
  echo
  if ((rc == 0)); then
    printf '==> test:all passed in %dm%02ds\n' $((elapsed / 60)) $((elapsed % 60))
    summary
  else
    printf '==> test:all FAILED at stage "%s" (exit %d) after %dm%02ds\n' \
      "$stage" "$rc" $((elapsed / 60)) $((elapsed % 60))
  fi
  rm -rf -- "$results"
}
trap finish EXIT

banner services "apt packages, PostgreSQL, dockerd + swarm, base image"
# shellcheck source=scripts/services.sh
source scripts/services.sh

banner deps "node modules"
# npm keeps its own copy of the lock in node_modules/.package-lock.json: older than ours means stale.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --include=dev --no-audit --no-fund
else
  echo "node_modules up to date"
fi

export PLAYWRIGHT_CHROMIUM=/usr/bin/chromium
export CI="${CI:-}"

banner lint "npm run lint"
npm run lint

banner typecheck "npm run typecheck"
npm run typecheck

banner test "npm test (Vitest: unit + integration)"
npm test -- --reporter=default --reporter=json --outputFile.json="${results}/vitest.json"

banner build "npm run build"
npm run build

banner e2e "npm run test:e2e (Playwright)"
PLAYWRIGHT_JSON_OUTPUT_FILE="${results}/playwright.json" npm run test:e2e -- --reporter=list,json

stage=finished
