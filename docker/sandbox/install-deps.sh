#!/usr/bin/env bash
# Installs the system packages that the sandbox hosts, the test suite, the
# benchmarks and the newcomer demo need, plus Docker Compose v2.
#
# Idempotent: when everything is already present it only runs a few
# `dpkg-query`/`command -v` checks and exits (no apt-get update).
# Output is one line per step; apt's chatter goes to $WHARF_DEPS_LOG.
set -euo pipefail
# dockerd, sshd and ip live in the sbin directories, which a non-login or non-root PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

LOG="${WHARF_DEPS_LOG:-/tmp/wharf-install-deps.log}"
COMPOSE_PLUGIN=/usr/local/lib/docker/cli-plugins/docker-compose
# Packages the project uses directly (docker-compose is compose v1: hosts that
# only have it must work too, and the agent's tests exercise that path). --no-install-recommends keeps the
# footprint small (chromium's recommends alone are hundreds of MB).
PACKAGES=(
  docker.io
  docker-compose
  openssh-server
  iproute2
  busybox-static
  chromium
  docker-registry
  apache2-utils
  fonts-dejavu-core
  debootstrap
)

# shellcheck source=docker/sandbox/debian-archive.sh
source "$(dirname "${BASH_SOURCE[0]}")/debian-archive.sh"

step() { printf '==> %s\n' "$*"; }

die() {
  printf 'install-deps: error: %s\n' "$*" >&2
  if [[ -s "$LOG" ]]; then
    printf 'install-deps: last lines of %s:\n' "$LOG" >&2
    tail -n 20 "$LOG" | sed 's/^/  | /' >&2
  fi
  exit 1
}

# Runs a command with its output appended to the log; dies with a message
# naming the step if it fails.
run_logged() {
  local what="$1"
  shift
  printf '\n### %s: %s\n' "$what" "$*" >>"$LOG"
  if ! "$@" >>"$LOG" 2>&1; then
    die "$what failed (command: $*)"
  fi
}

is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

# apt waits for a lock held by another apt run instead of failing at once.
APT_COMMON=(-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)

# Package postinst scripts would otherwise start a system dockerd/sshd; the
# sandbox starts its own, with its own paths. Only add a policy when the
# machine has none, and remove only what we added.
ADDED_POLICY=""
cleanup() {
  if [[ -n "$ADDED_POLICY" ]]; then
    rm -f "$ADDED_POLICY"
  fi
  if [[ -n "${TRIXIE_DIR:-}" ]]; then
    rm -rf "$TRIXIE_DIR"
  fi
}
trap cleanup EXIT

forbid_service_starts() {
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    ADDED_POLICY=/usr/sbin/policy-rc.d
  fi
}

install_packages() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    if ! is_installed "$pkg"; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    step "system packages: all present"
    return
  fi
  step "system packages: installing ${missing[*]} (log: $LOG)"
  forbid_service_starts
  export DEBIAN_FRONTEND=noninteractive
  run_logged "apt-get update" apt-get "${APT_COMMON[@]}" update -q
  run_logged "apt-get install" apt-get "${APT_COMMON[@]}" install -y -q \
    --no-install-recommends "${missing[@]}"
  for pkg in "${missing[@]}"; do
    is_installed "$pkg" || die "package $pkg is still not installed after apt-get install"
  done
}

check_commands() {
  local cmd
  for cmd in dockerd containerd runc docker-init ssh ssh-keygen /usr/sbin/sshd ip nsenter busybox chromium docker-registry htpasswd; do
    command -v "$cmd" >/dev/null 2>&1 || die "command '$cmd' not found although its package is installed"
  done
  [[ -x /bin/busybox ]] || die "/bin/busybox (busybox-static) is missing"
  step "commands: dockerd, sshd, ip, nsenter, busybox, chromium, docker-registry, htpasswd found"
}

compose_works() {
  docker compose version >/dev/null 2>&1
}

install_compose() {
  if compose_works; then
    step "docker compose: $(docker compose version --short 2>/dev/null || echo present)"
    return
  fi
  local uri keyring
  uri="$(machine_archive_uri)" || die "cannot locate the Debian archive for trixie"
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [[ -f "$keyring" ]] || die "$keyring is missing (package debian-archive-keyring)"
  step "docker compose: extracting v2 from Debian trixie's docker-compose package ($uri)"

  # A private apt tree: its own source list, lists and caches, so the
  # system's package state is never touched (no upgrade to trixie).
  TRIXIE_DIR="$(mktemp -d /tmp/wharf-trixie.XXXXXX)"
  mkdir -p "$TRIXIE_DIR/lists/partial" "$TRIXIE_DIR/cache/archives/partial" \
    "$TRIXIE_DIR/download" "$TRIXIE_DIR/extract"
  printf 'deb [signed-by=%s] %s trixie main\n' "$keyring" "$uri" >"$TRIXIE_DIR/sources.list"
  local apt_trixie=(
    "${APT_COMMON[@]}"
    -o "Dir::Etc::sourcelist=$TRIXIE_DIR/sources.list"
    -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$TRIXIE_DIR/lists"
    -o "Dir::Cache=$TRIXIE_DIR/cache"
    -o "APT::Sandbox::User=root"
  )
  run_logged "apt-get update (trixie list)" apt-get "${apt_trixie[@]}" update -q
  (cd "$TRIXIE_DIR/download" && run_logged "apt-get download docker-compose" \
    apt-get "${apt_trixie[@]}" download docker-compose)
  local deb
  deb="$(find "$TRIXIE_DIR/download" -maxdepth 1 -name 'docker-compose_*.deb' -print -quit)"
  [[ -n "$deb" ]] || die "apt-get download docker-compose produced no .deb"
  run_logged "dpkg -x docker-compose" dpkg -x "$deb" "$TRIXIE_DIR/extract"
  local bin="$TRIXIE_DIR/extract/usr/libexec/docker/cli-plugins/docker-compose"
  [[ -x "$bin" ]] || die "the trixie docker-compose package has no usr/libexec/docker/cli-plugins/docker-compose"
  install -D -m 0755 "$bin" "$COMPOSE_PLUGIN"
  compose_works || die "installed $COMPOSE_PLUGIN but 'docker compose version' still fails"
  step "docker compose: $(docker compose version --short) installed at $COMPOSE_PLUGIN"
}

main() {
  [[ "$(id -u)" == 0 ]] || die "must run as root (it installs packages and starts daemons)"
  : >"$LOG" || die "cannot write log file $LOG"
  install_packages
  check_commands
  command -v docker >/dev/null 2>&1 || die "no docker client found (expected /usr/local/bin/docker or Debian's /usr/bin/docker)"
  install_compose
  step "dependencies ready"
}

main "$@"
