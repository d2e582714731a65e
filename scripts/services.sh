#!/usr/bin/env bash
# Installs and starts what the test suite needs on a bare Debian 12 machine (no systemd):
# apt packages, PostgreSQL on 127.0.0.1:5432 with a test superuser, dockerd in Swarm mode and the
# local base image. Idempotent: whatever is already installed or running is left alone.
#
#   bash scripts/services.sh      start everything, then print the variable to export
#   source scripts/services.sh    start everything and export TEST_DATABASE_ADMIN_URL into this shell

# openssh-client: git's recommendation, dropped by --no-install-recommends; lib/git tests run ssh and ssh-keygen.
# caddy: the proxy tests run its binary on the host and, imported by make-caddy-image.sh, as a Swarm service.
SLIPWAY_APT_PACKAGES=(postgresql docker.io busybox-static caddy chromium git openssh-client iproute2 iptables ca-certificates)
SLIPWAY_CI_ROLE_URL='postgresql://slipway_ci:slipway_ci@127.0.0.1:5432/postgres'
SLIPWAY_DOCKERD_LOG=/var/log/slipway-dockerd.log

slipway_log() {
  printf '[services] %s\n' "$*"
}

# Runs a network step with a time limit, again after a pause when it fails (a download may be retried; a test never
# is): slipway_retry <attempts> <seconds per attempt> command...
slipway_retry() {
  local attempts="$1" limit="$2" attempt
  shift 2
  for ((attempt = 1; ; attempt++)); do
    timeout --kill-after=30 "$limit" "$@" && return 0
    local rc=$?
    if ((attempt >= attempts)); then
      slipway_log "giving up after ${attempts} attempts (exit ${rc}): $*"
      return "$rc"
    fi
    slipway_log "attempt ${attempt} failed (exit ${rc}), retrying in $((attempt * 10)) s: $*"
    sleep $((attempt * 10))
  done
}

# The versions this run used, for comparing a failing run with a passing one.
slipway_tool_versions() {
  local server
  printf '  node      %s\n' "$(node --version 2>&1)"
  printf '  npm       %s\n' "$(npm --version 2>&1)"
  printf '  psql      %s\n' "$(psql --version 2>&1)"
  server="$(psql -X -At -d "${TEST_DATABASE_ADMIN_URL:-$SLIPWAY_CI_ROLE_URL}" -c 'SHOW server_version' 2>&1)"
  printf '  postgres  %s\n' "$server"
  printf '  docker    %s\n' "$(docker version --format 'client {{.Client.Version}}, engine {{.Server.Version}} (API {{.Server.APIVersion}})' 2>&1)"
  # Debian's wrapper script prints a shell warning on stderr before the version.
  printf '  chromium  %s\n' "$(timeout 20 chromium --version 2>/dev/null || echo 'not found')"
  printf '  git       %s\n' "$(git --version 2>&1)"
  printf '  ssh       %s\n' "$(ssh -V 2>&1)"
  printf '  busybox   %s\n' "$(busybox 2>&1 | head -n 1)"
  printf '  kernel    %s\n' "$(uname -r)"
}

slipway_ensure_apt_packages() {
  local missing=() pkg
  for pkg in "${SLIPWAY_APT_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    slipway_log "apt packages present"
    return 0
  fi
  slipway_log "installing apt packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local apt_net=(-o Acquire::Retries=3 -o Acquire::http::Timeout=30 -o Acquire::https::Timeout=30)
  slipway_retry 3 120 apt-get "${apt_net[@]}" update
  slipway_retry 2 900 apt-get "${apt_net[@]}" install -y --no-install-recommends "${missing[@]}"
}

slipway_pg_ready() {
  pg_isready -q -h 127.0.0.1 -p 5432
}

slipway_ensure_postgres() {
  if slipway_pg_ready; then
    slipway_log "PostgreSQL answers on 127.0.0.1:5432"
  else
    local version
    # Debian 12 ships 15; take whatever major the postgresql package brought.
    version="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)"
    version="${version:-15}"
    if [[ ! -d "/etc/postgresql/${version}/main" ]]; then
      slipway_log "creating PostgreSQL ${version} cluster 'main'"
      pg_createcluster "$version" main
    fi
    slipway_log "starting PostgreSQL ${version} cluster 'main'"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    local i
    for ((i = 0; i < 30; i++)); do
      slipway_pg_ready && break
      sleep 1
    done
    if ! slipway_pg_ready; then
      slipway_log "PostgreSQL did not come up on 127.0.0.1:5432; see /var/log/postgresql/"
      return 1
    fi
  fi

  # Idempotent: creates the role, or restores its attributes and password if someone changed them.
  local sql="DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'slipway_ci') THEN
      CREATE ROLE slipway_ci LOGIN SUPERUSER PASSWORD 'slipway_ci';
    ELSE
      ALTER ROLE slipway_ci LOGIN SUPERUSER PASSWORD 'slipway_ci';
    END IF;
  END \$\$;"
  local psql_args=(-X -q -v ON_ERROR_STOP=1 -d postgres -c "$sql")
  # cd / so psql, running as postgres, does not complain about an unreadable working directory.
  if (cd / && runuser -u postgres -- psql -p 5432 "${psql_args[@]}") 2>/dev/null; then
    slipway_log "role slipway_ci ready (via the postgres OS user)"
  elif psql -w -h 127.0.0.1 -p 5432 -U postgres "${psql_args[@]}"; then
    slipway_log "role slipway_ci ready (via TCP as postgres)"
  elif [[ -n "${TEST_DATABASE_ADMIN_URL:-}" ]]; then
    slipway_log "could not create role slipway_ci; using the preset TEST_DATABASE_ADMIN_URL"
  else
    slipway_log "could not create role slipway_ci: neither the postgres OS user nor TCP as postgres worked"
    return 1
  fi
}

slipway_ensure_dockerd() {
  if docker info >/dev/null 2>&1; then
    slipway_log "dockerd answers"
  else
    # A pidfile left by a dockerd that died makes the next one refuse to start.
    local pidfile=/var/run/docker.pid pid
    if [[ -f "$pidfile" ]]; then
      pid="$(cat "$pidfile")"
      if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$pidfile"
      fi
    fi
    slipway_log "starting dockerd (log: ${SLIPWAY_DOCKERD_LOG})"
    setsid nohup dockerd >>"$SLIPWAY_DOCKERD_LOG" 2>&1 </dev/null &
    local dockerd_pid=$! i
    for ((i = 0; i < 60; i++)); do
      docker info >/dev/null 2>&1 && break
      if ! kill -0 "$dockerd_pid" 2>/dev/null; then
        slipway_log "dockerd exited; last lines of ${SLIPWAY_DOCKERD_LOG}:"
        tail -n 30 "$SLIPWAY_DOCKERD_LOG" >&2 || true
        return 1
      fi
      sleep 1
    done
    if ! docker info >/dev/null 2>&1; then
      slipway_log "dockerd did not answer within 60 s; see ${SLIPWAY_DOCKERD_LOG}"
      return 1
    fi
    slipway_log "dockerd started (pid ${dockerd_pid})"
  fi

  local state
  state="$(docker info --format '{{.Swarm.LocalNodeState}}')"
  if [[ "$state" == active ]]; then
    slipway_log "swarm active"
  else
    slipway_log "initialising swarm (state was '${state}')"
    docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  fi
}

slipway_services_main() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  slipway_ensure_apt_packages
  slipway_ensure_postgres
  slipway_ensure_dockerd
  bash "${dir}/make-base-image.sh"
  bash "${dir}/make-caddy-image.sh"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  slipway_services_main
  printf 'export TEST_DATABASE_ADMIN_URL=%q\n' "${TEST_DATABASE_ADMIN_URL:-$SLIPWAY_CI_ROLE_URL}"
else
  # Sourced: do the work in a strict subshell so the caller's shell options stay as they were.
  # Not `( ... ) || return`: bash ignores set -e inside a subshell whose status is being tested.
  (
    set -euo pipefail
    slipway_services_main
  )
  slipway_services_rc=$?
  if ((slipway_services_rc != 0)); then
    return "$slipway_services_rc"
  fi
  unset slipway_services_rc
  export TEST_DATABASE_ADMIN_URL="${TEST_DATABASE_ADMIN_URL:-$SLIPWAY_CI_ROLE_URL}"
fi
