#!/usr/bin/env bash
# `npm start`: install and build when needed, then serve the panel. PostgreSQL is not started here:
# with DATABASE_URL unset the panel starts its own embedded PostgreSQL.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

port="${PORT:-3000}"
host="${HOSTNAME_BIND:-0.0.0.0}"

# Build only when the sources differ from the last build's (content, not modification times: a rebuild changes every
# server action's id, and open tabs then fail), when there is none, or when asked: `npm start -- --rebuild` or
# SLIPWAY_REBUILD=1. `--check` says what it would do and why, and stops there.
rebuild=() check=false
for arg in "$@"; do
  case "$arg" in
    --rebuild) rebuild=(--rebuild) ;;
    --check) check=true ;;
    *) echo "[start] unknown option: $arg (known: --rebuild, --check)" >&2; exit 2 ;;
  esac
done
[[ "${SLIPWAY_REBUILD:-}" == 1 ]] && rebuild=(--rebuild)

# npm keeps its own copy of the lock in node_modules/.package-lock.json: older than ours means stale.
if ! $check && [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[start] installing dependencies (npm ci)"
  # The build needs the dev dependencies (TypeScript, Tailwind) even when NODE_ENV=production.
  npm ci --include=dev --no-audit --no-fund
fi

status=0
reason="$(node scripts/build-check.mjs decide "${rebuild[@]}")" || status=$?
case "$status" in
  0) echo "[start] building the panel (npm run build): $reason" ;;
  1) echo "[start] not building: $reason" ;;
  *) echo "[start] cannot tell whether the panel needs a build: $reason" >&2; exit 1 ;;
esac
$check && exit 0
if ((status == 0)); then
  npm run build
fi

echo "[start] Slipway panel will be at http://localhost:${port} (listening on ${host}:${port})"
# A 1 MB young generation and two malloc arenas keep the idle panel inside its memory budget (bench/idle-rss.ts).
export NODE_OPTIONS="${NODE_OPTIONS:---max-semi-space-size=1}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# scripts/server.mjs rather than `next start`: it owns the socket, so the client IP cannot be spoofed.
export PORT="$port" HOSTNAME_BIND="$host"
exec node scripts/server.mjs
