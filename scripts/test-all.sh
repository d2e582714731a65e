#!/usr/bin/env bash
# The whole test suite from a fresh clone: services, dependencies, then lint → format → cycles → typecheck → Vitest
# (unit + integration) → build → Playwright, stopping at the first failure. Each stage has a time limit, and all of
# them together stop at SLIPWAY_CI_LIMIT_S (45 minutes): a slow Docker fails the run instead of hanging it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

started=$SECONDS
stage=setup
stage_started=$SECONDS
results="$(mktemp -d)"
run_limit="${SLIPWAY_CI_LIMIT_S:-2700}"
durations=()

banner() {
  if [[ "$stage" != setup ]]; then durations+=("$((SECONDS - stage_started)) ${stage}"); fi
  stage="$1"
  stage_started=$SECONDS
  printf '\n==> [%s] %s (at %ds)\n' "$stage" "$2" $((SECONDS - started))
}

# run_stage <seconds> command...: the command under the smaller of its own limit and what is left of the run's.
run_stage() {
  local limit="$1" left=$((run_limit - (SECONDS - started)))
  shift
  ((left < limit)) && limit=$left
  if ((limit <= 0)); then
    printf '==> the run has used its %ds; stage "%s" was not started\n' "$run_limit" "$stage"
    return 124
  fi
  local rc=0
  # In the background so a TERM to this script can be passed on (timeout runs the stage in its own process group).
  timeout --kill-after=30 "$limit" "$@" &
  stage_pid=$!
  wait "$stage_pid" || rc=$?
  stage_pid=
  if ((rc == 124 || rc == 137)); then
    printf '==> stage "%s" stopped: it ran past its limit of %ds\n' "$stage" "$limit"
  fi
  return "$rc"
}

# Counts over both runners, printed last, for readers that look for "N passed, N failed"; then the slowest files.
summary() {
  node - "${results}/vitest.json" "${results}/playwright.json" 2>/dev/null <<'JS' || true
const fs = require('node:fs');
const path = require('node:path');
const read = (file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null);
const v = read(process.argv[2]);
const pw = read(process.argv[3]);
if (v && pw) {
  const p = pw.stats;
  const vSkipped = v.numPendingTests + v.numTodoTests;
  console.log(`Vitest: ${v.numPassedTests} passed, ${v.numFailedTests} failed, ${vSkipped} skipped`);
  // Retries are 0: a test that passed only on a retry is a failure, not a pass.
  console.log(`Playwright: ${p.expected} passed, ${p.unexpected + p.flaky} failed (${p.flaky} flaky), ${p.skipped} skipped`);
  const passed = v.numPassedTests + p.expected;
  const failed = v.numFailedTests + p.unexpected + p.flaky;
  console.log(`Tests: ${passed} passed, ${failed} failed, ${vSkipped + p.skipped} skipped`);
}
if (v) {
  const files = v.testResults
    .map((file) => ({ name: path.relative(process.cwd(), file.name), ms: (file.endTime ?? 0) - (file.startTime ?? 0) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 10);
  console.log('\nSlowest Vitest files:');
  for (const file of files) console.log(`  ${(file.ms / 1000).toFixed(1).padStart(7)}s  ${file.name}`);
}
if (pw) {
  const byFile = new Map();
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        for (const result of test.results ?? []) byFile.set(spec.file, (byFile.get(spec.file) ?? 0) + result.duration);
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of pw.suites ?? []) walk(suite);
  console.log('\nSlowest Playwright files (test time summed over workers):');
  for (const [file, ms] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
    console.log(`  ${(ms / 1000).toFixed(1).padStart(7)}s  ${file}`);
  }
}
JS
}

stage_report() {
  echo
  echo "Stages, slowest first:"
  printf '%s\n' "${durations[@]}" | sort -rn | while read -r seconds name; do
    printf '  %4dm%02ds  %s\n' $((seconds / 60)) $((seconds % 60)) "$name"
  done
}

finish() {
  local rc=$?
  local elapsed=$((SECONDS - started))
  [[ "$stage" == finished ]] || durations+=("$((SECONDS - stage_started)) ${stage}")
  echo
  if ((rc == 0)); then
    printf '==> test:all passed in %dm%02ds\n' $((elapsed / 60)) $((elapsed % 60))
  else
    printf '==> test:all FAILED at stage "%s" (exit %d) after %dm%02ds\n' \
      "$stage" "$rc" $((elapsed / 60)) $((elapsed % 60))
  fi
  summary
  stage_report
  rm -rf -- "$results"
}
trap finish EXIT
# Stopped from outside (.ci/run's time limit): stop the running stage, say where, and print what was measured.
stage_pid=
stop_stage() {
  if [[ -n "$stage_pid" ]]; then
    kill -TERM "$stage_pid" 2>/dev/null || true
    wait "$stage_pid" 2>/dev/null || true
  fi
  exit 143
}
trap stop_stage TERM INT

banner services "apt packages, PostgreSQL, dockerd + swarm, base image"
# shellcheck source=scripts/services.sh
source scripts/services.sh

banner versions "tools this run uses"
slipway_tool_versions

banner deps "node modules"
# npm keeps its own copy of the lock in node_modules/.package-lock.json: older than ours means stale.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  # A failed download is retried (npm ci starts from an empty node_modules each time); 5 minutes per attempt.
  slipway_retry 3 300 npm ci --include=dev --no-audit --no-fund --fetch-timeout=60000 --fetch-retries=4
else
  echo "node_modules up to date"
fi

export PLAYWRIGHT_CHROMIUM=/usr/bin/chromium
export CI="${CI:-}"

banner lint "npm run lint"
run_stage 600 npm run lint

banner format "npm run format:check (Prettier)"
run_stage 300 npm run format:check

banner cycles "npm run cycles (no import cycles, type-only included)"
run_stage 300 npm run cycles

banner typecheck "npm run typecheck"
run_stage 600 npm run typecheck

banner test "npm test (Vitest: unit + integration)"
run_stage 1500 npm test -- --reporter=default --reporter=json --outputFile.json="${results}/vitest.json"

banner build "npm run build"
run_stage 900 npm run build

banner e2e "npm run test:e2e (Playwright)"
run_stage 1500 env PLAYWRIGHT_JSON_OUTPUT_FILE="${results}/playwright.json" npm run test:e2e -- --reporter=list,json
# Retries stay 0; should a retry ever pass a test, the run still fails.
node -e 'const s = require(process.argv[1]).stats; if (s.flaky) { console.error(`==> ${s.flaky} Playwright test(s) passed only on a retry`); process.exit(1); }' \
  "${results}/playwright.json"

durations+=("$((SECONDS - stage_started)) ${stage}")
stage=finished
