#!/usr/bin/env bash
# `npm start`: install and build when needed, then serve the panel. PostgreSQL is not started here:
# with DATABASE_URL unset the panel starts its own embedded PostgreSQL.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

port="${PORT:-3000}"
host="${HOSTNAME_BIND:-0.0.0.0}"

# npm keeps its own copy of the lock in node_modules/.package-lock.json: older than ours means stale.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[start] installing dependencies (npm ci)"
  # The build needs the dev dependencies (TypeScript, Tailwind) even when NODE_ENV=production.
  npm ci --include=dev --no-audit --no-fund
fi

needs_build() {
  [[ -f .next/BUILD_ID ]] || return 0
  local inputs=() path
  for path in app components lib prisma public next.config.ts postcss.config.mjs tsconfig.json \
    package.json package-lock.json instrumentation.ts proxy.ts middleware.ts; do
    [[ -e "$path" ]] && inputs+=("$path")
  done
  ((${#inputs[@]} > 0)) || return 1
  # lib/generated is prisma generate's output, rewritten by every install: not a reason to rebuild.
  [[ -n "$(find "${inputs[@]}" -path lib/generated -prune -o -newer .next/BUILD_ID -print -quit)" ]]
}

if needs_build; then
  echo "[start] building the panel (npm run build)"
  npm run build
fi

echo "[start] Slipway panel will be at http://localhost:${port} (listening on ${host}:${port})"
# A 1 MB young generation and two malloc arenas keep the idle panel inside its memory budget (bench/idle-rss.ts).
export NODE_OPTIONS="${NODE_OPTIONS:---max-semi-space-size=1}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# scripts/server.mjs rather than `next start`: it owns the socket, so the client IP cannot be spoofed.
export PORT="$port" HOSTNAME_BIND="$host"
exec node scripts/server.mjs
