#!/usr/bin/env bash
# Local "sandbox" Docker hosts for the test suite, the benchmarks and the
# newcomer demo (`npm run sandbox -- up`).
#
# Each host hN is a network namespace wharf-hN (10.231.N.2, reachable from
# the root namespace through a veth whose root end is 10.231.N.1) running its
# own dockerd (engine from Debian's docker.io) and its own sshd, with three
# Linux users: wharf-hN (Docker access), wharf-hN-nodocker (no access to the
# socket) and wharf-hN-nodaemon (DOCKER_HOST points at a missing socket).
#
# Usage:
#   sandbox.sh up [--hosts N] [--state DIR]
#   sandbox.sh down [--state DIR]
#   sandbox.sh status [--state DIR]
#   sandbox.sh rotate-host-key NAME [--state DIR]
#   sandbox.sh loopback-sshd --count N --base-port P [--state DIR]
#   sandbox.sh service NAME sshd|dockerd stop|start [--state DIR]
#     (fault injection: stop kills every sshd of the host, sessions
#     included, or stops its engine; start brings it back as `up` made it)
#
# The state directory defaults to $WHARF_SANDBOX_STATE or /tmp/wharf-sandbox.
# Dependencies come from docker/sandbox/install-deps.sh, which `up` runs first
# (idempotent: a few checks when everything is present).
set -euo pipefail
# dockerd, sshd and ip live in the sbin directories, which a non-login or non-root PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

STATE="${WHARF_SANDBOX_STATE:-/tmp/wharf-sandbox}"
SUBNET_PREFIX=10.231 # host N: 10.231.N.0/24, root end .1, namespace end .2
BRIDGE_PREFIX=10.232 # docker0 of host N: 10.232.N.1/24 (inside its namespace)
IMAGE=wharf-test/busybox:latest
SAMPLE_CONTAINER=wharf-sample
MAX_HOSTS=50
# The real-time CPU budget is machine-wide (sched_rt_runtime_us, 950000 here)
# and every engine reserves its share for its --cgroup-parent when the first
# real-time container starts; two hosts at 400000 leave headroom.
RT_PER_HOST_MAX=400000
RT_TOTAL=900000
LOCK_FILE=/run/lock/wharf-sandbox.lock
IMAGE_CACHE_DIR="${WHARF_SANDBOX_CACHE:-/var/cache/wharf-sandbox}"
MARKER=.wharf-sandbox
DOCKERD_READY_TIMEOUT=60

log() { printf '==> %s\n' "$*"; }
warn() { printf 'sandbox: warning: %s\n' "$*" >&2; }
die() {
  printf 'sandbox: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '/^# Usage:/,/^# Dependencies/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

require_root() {
  [[ "$(id -u)" == 0 ]] || die "must run as root (it creates network namespaces, users and daemons)"
}

# The docker client: the preinstalled one (28.x) or Debian's. Both negotiate
# the API version down to the 20.10 engine (API 1.41) on their own.
DOCKER_BIN="$(command -v docker || true)"

dk() {
  local i="$1"
  shift
  DOCKER_HOST="unix://$(host_dir "$i")/docker.sock" "$DOCKER_BIN" "$@"
}

host_dir() { printf '%s/h%s' "$STATE" "$1"; }
ns_name() { printf 'wharf-h%s' "$1"; }
exec_root() { printf '/run/wharf-h%s' "$1"; } # short: unix socket paths live below it
host_addr() { printf '%s.%s.2' "$SUBNET_PREFIX" "$1"; }
root_addr() { printf '%s.%s.1' "$SUBNET_PREFIX" "$1"; }
docker_group() { printf 'wharf-docker-h%s' "$1"; }

# Host indices present in the state dir, ascending.
state_hosts() {
  local d
  for d in "$STATE"/h[0-9]*; do
    [[ -d "$d" ]] || continue
    d="${d##*/h}"
    if [[ "$d" =~ ^[0-9]+$ ]]; then printf '%s\n' "$d"; fi
  done | sort -n
}

json_str() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\r'/\\r}"
  s="${s//$'\t'/\\t}"
  printf '"%s"' "$s"
}

fingerprint() { ssh-keygen -lf "$1" | awk '{print $2}'; }

now() { date +%s.%N; }

int_between() {
  [[ "$1" =~ ^[0-9]{1,6}$ ]] || return 1
  (($1 >= $2 && $1 <= $3))
}
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

tail_log() {
  local file="$1"
  if [[ -s "$file" ]]; then
    printf 'sandbox: last lines of %s:\n' "$file" >&2
    tail -n 25 "$file" | sed 's/^/  | /' >&2
  fi
}

# Refuses to operate on (and so to wipe) a directory that is not ours.
check_state_dir() {
  [[ "$STATE" == /* ]] || die "state dir must be an absolute path: $STATE"
  STATE="${STATE%/}"
  local depth="${STATE//[!\/]/}"
  ((${#depth} >= 2)) || die "refusing to use a top-level directory as state dir: $STATE"
  if [[ -d "$STATE" && ! -e "$STATE/$MARKER" ]] && [[ -n "$(ls -A "$STATE")" ]]; then
    die "$STATE exists, is not empty and is not a sandbox state dir (no $MARKER); choose another --state"
  fi
}

# Daemons are started with fd 9 closed so they never inherit (and hold) it.
take_lock() {
  exec 9>"$LOCK_FILE"
  flock -w 300 9 || die "another sandbox.sh command holds $LOCK_FILE"
}

# ---------------------------------------------------------------- processes

proc_alive() {
  local pid="$1" state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# True when PID is alive and runs the expected program (guards against a
# recycled pid in a stale pidfile).
proc_is() {
  local pid="$1" want="$2"
  proc_alive "$pid" || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$want" ]]
}

pid_from() {
  local file="$1" pid=""
  if [[ -r "$file" ]]; then read -r pid <"$file" 2>/dev/null || true; fi
  printf '%s' "$pid"
}

wait_gone() {
  local timeout="$1" deadline pid
  shift
  deadline=$((SECONDS + timeout))
  for pid in "$@"; do
    while proc_alive "$pid"; do
      ((SECONDS < deadline)) || return 1
      sleep 0.1
    done
  done
}

# SIGTERM, then SIGKILL after TIMEOUT seconds.
stop_pids() {
  local timeout="$1" pid
  shift
  (($# > 0)) || return 0
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  if ! wait_gone "$timeout" "$@"; then
    for pid in "$@"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait_gone 5 "$@" || warn "processes $* survived SIGKILL"
  fi
}

stop_pidfile() {
  local file="$1" comm="$2" timeout="$3" pid
  pid="$(pid_from "$file")"
  if proc_is "$pid" "$comm"; then
    stop_pids "$timeout" "$pid"
  fi
  rm -f "$file"
}

# ----------------------------------------------------------------- teardown

# Unmounts whatever is still mounted below PREFIX (deepest first); dockerd
# killed uncleanly leaves overlay, shm and netns mounts behind.
unmount_below() {
  local prefix="$1" mp
  awk -v p="$prefix/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo |
    sort -r | while IFS= read -r mp; do
    mp="$(printf '%b' "$mp")" # mountinfo escapes spaces as \040
    umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || warn "cannot unmount $mp"
  done
}

# Everything of an earlier run: state-dir pidfiles first (graceful), then any
# wharf-hN namespace, cgroup, mount and link, whichever state dir made it.
teardown() {
  local i d ids pids=() ns cg

  if [[ -d "$STATE/loopback" ]]; then
    for d in "$STATE"/loopback/*.pid; do
      if [[ -e "$d" ]]; then stop_pidfile "$d" sshd 5; fi
    done
  fi

  local daemons=() pid
  for i in $(state_hosts); do
    d="$(host_dir "$i")"
    stop_pidfile "$d/sshd.pid" sshd 5
    pid="$(pid_from "$d/dockerd.pid")"
    if proc_is "$pid" dockerd; then
      daemons+=("$pid")
      # Removing containers first keeps dockerd's shutdown fast (a busybox
      # PID 1 without --init ignores SIGTERM, so a stop waits its timeout).
      mapfile -t ids < <(timeout 10 env DOCKER_HOST="unix://$d/docker.sock" "$DOCKER_BIN" ps -aq 2>/dev/null || true)
      if ((${#ids[@]} > 0)); then
        timeout 30 env DOCKER_HOST="unix://$d/docker.sock" "$DOCKER_BIN" rm -f "${ids[@]}" >/dev/null 2>&1 || true
      fi
    fi
  done
  # All engines shut down at once.
  if ((${#daemons[@]} > 0)); then
    stop_pids 20 "${daemons[@]}"
  fi
  rm -f "$STATE"/h[0-9]*/dockerd.pid

  # Leftovers whose state dir is gone or different: every process still in
  # one of our namespaces is one we started (dockerd, containerd, shims, sshd).
  # Their engines' data roots are noted so their mounts can go too.
  local data_roots=() p
  for ns in /var/run/netns/wharf-h*; do
    [[ -e "$ns" ]] || continue
    ns="${ns##*/}"
    [[ "$ns" =~ ^wharf-h[0-9]+$ ]] || continue
    mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null || true)
    for p in "${pids[@]}"; do
      if proc_is "$p" dockerd; then
        d="$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | sed -n '/^--data-root$/{n;p;q}')"
        if [[ "$d" == /*/* ]]; then data_roots+=("$d"); fi
      fi
    done
    if ((${#pids[@]} > 0)); then
      stop_pids 20 "${pids[@]}"
    fi
  done

  # Container processes orphaned by a killed engine live in our cgroups.
  for cg in /sys/fs/cgroup/*/wharf-h[0-9]*; do
    [[ -d "$cg" ]] || continue
    mapfile -t pids < <(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)
    if ((${#pids[@]} > 0)); then
      stop_pids 5 "${pids[@]}"
    fi
  done

  for d in /run/wharf-h[0-9]*; do
    [[ -e "$d" ]] || continue
    unmount_below "$d"
    rm -rf "$d"
  done
  if [[ -d "$STATE" ]]; then unmount_below "$STATE"; fi
  for d in "${data_roots[@]}"; do
    unmount_below "$d"
  done

  # Removing a cgroup hands its real-time budget back to the machine.
  for cg in /sys/fs/cgroup/*/wharf-h[0-9]*; do
    [[ -d "$cg" ]] || continue
    find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || warn "cannot remove cgroup $cg (still in use?)"
  done

  for ns in /var/run/netns/wharf-h*; do
    [[ -e "$ns" ]] || continue
    ns="${ns##*/}"
    [[ "$ns" =~ ^wharf-h[0-9]+$ ]] || continue
    ip netns del "$ns" 2>/dev/null || warn "cannot delete network namespace $ns"
  done
  # The root ends of the veths vanish with their namespaces; this covers a
  # namespace deleted by hand.
  while read -r d; do
    if [[ "$d" =~ ^wharf-h[0-9]+$ ]]; then ip link del "$d" 2>/dev/null || true; fi
  done < <(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }')

  for i in $(state_hosts); do
    rm -rf "$(host_dir "$i")"
  done
  rm -rf "$STATE/loopback" "$STATE/hosts.json" "$STATE/loopback.json" \
    "$STATE/authorized_keys" "$STATE/client_ed25519" "$STATE/client_ed25519.pub" \
    "$STATE/image"
}

# ---------------------------------------------------------------------- up

ensure_group() {
  getent group "$1" >/dev/null || groupadd --system "$1"
}

# Creates USER if missing (home under /home, bash), makes it reachable by
# key (a "!" password means locked, which sshd refuses without PAM), puts
# it in exactly the wanted docker group, and wipes Wharf's files in its home.
ensure_user() {
  local user="$1" group="$2" home shadow
  if ! id -u "$user" >/dev/null 2>&1; then
    local same_group=()
    # A group left over from an earlier, half-removed user would make
    # useradd refuse; reuse it as the primary group.
    if getent group "$user" >/dev/null; then same_group=(-g "$user"); fi
    useradd --create-home --home-dir "/home/$user" --shell /bin/bash "${same_group[@]}" "$user"
  fi
  shadow="$(getent shadow "$user" | cut -d: -f2)"
  if [[ "$shadow" == '!'* || -z "$shadow" ]]; then
    usermod -p '*' "$user"
  fi
  local g
  for g in $(id -nG "$user"); do
    if [[ "$g" == wharf-docker-h* && "$g" != "$group" ]]; then
      gpasswd -d "$user" "$g" >/dev/null
    fi
  done
  if [[ -n "$group" ]] && ! id -nG "$user" | tr ' ' '\n' | grep -qx "$group"; then
    usermod -aG "$group" "$user"
  fi
  home="$(getent passwd "$user" | cut -d: -f6)"
  if [[ -d "$home" ]]; then
    find "$home" -mindepth 1 -maxdepth 1 -name '.wharf*' -exec rm -rf {} +
  fi
}

setup_users() {
  local i="$1" base
  base="$(ns_name "$i")"
  ensure_group "$(docker_group "$i")"
  ensure_user "$base" "$(docker_group "$i")"
  ensure_user "$base-nodocker" ""
  ensure_user "$base-nodaemon" ""
}

setup_netns() {
  local i="$1" ns
  ns="$(ns_name "$i")"
  # Never shadow a route the machine already has.
  if ip -o route show to "$SUBNET_PREFIX.$i.0/24" | grep -q .; then
    die "route $SUBNET_PREFIX.$i.0/24 already exists outside the sandbox: $(ip -o route show to "$SUBNET_PREFIX.$i.0/24")"
  fi
  ip netns add "$ns"
  ip link add "$ns" type veth peer name eth0 netns "$ns"
  ip addr add "$(root_addr "$i")/24" dev "$ns"
  ip link set "$ns" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$(host_addr "$i")/24" dev eth0
  ip -n "$ns" link set eth0 up
  # No default route inside: nothing in the namespace can reach beyond it.
}

start_dockerd() {
  local i="$1" rt="$2" d extra=()
  d="$(host_dir "$i")"
  mkdir -p "$d/data"
  if ((rt > 0)); then extra+=("--cpu-rt-runtime=$rt"); fi
  # nsenter --net (not `ip netns exec`, which remounts /sys and hides the
  # cgroup mounts). setsid: the daemon outlives the caller's process group.
  setsid nsenter --net="/var/run/netns/$(ns_name "$i")" \
    dockerd \
    --data-root "$d/data" \
    --exec-root "$(exec_root "$i")" \
    --pidfile "$d/dockerd.pid" \
    --host "unix://$d/docker.sock" \
    --group "$(docker_group "$i")" \
    --storage-driver overlay2 \
    --bip "$BRIDGE_PREFIX.$i.1/24" \
    --cgroup-parent "/$(ns_name "$i")" \
    --shutdown-timeout 5 \
    --insecure-registry 127.0.0.1:5000 \
    --insecure-registry "$SUBNET_PREFIX.0.0/16" \
    "${extra[@]}" \
    </dev/null >>"$STATE/logs/dockerd-h$i.log" 2>&1 9>&- &
  printf '%s\n' "$!" >"$d/dockerd.launch-pid"
}

wait_dockerd() {
  local i="$1" d pid deadline
  d="$(host_dir "$i")"
  pid="$(pid_from "$d/dockerd.launch-pid")"
  deadline=$((SECONDS + DOCKERD_READY_TIMEOUT))
  until dk "$i" info --format '{{.ServerVersion}}' >/dev/null 2>&1; do
    if ! proc_alive "$pid"; then
      tail_log "$STATE/logs/dockerd-h$i.log"
      die "dockerd for h$i exited during startup (see above)"
    fi
    if ((SECONDS >= deadline)); then
      tail_log "$STATE/logs/dockerd-h$i.log"
      die "dockerd for h$i did not answer on $d/docker.sock within ${DOCKERD_READY_TIMEOUT}s"
    fi
    sleep 0.2
  done
  rm -f "$d/dockerd.launch-pid"
}

DOCKERFILE='FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["sh"]
'

# The image tarball is cached across runs (keyed by the busybox binary and
# the Dockerfile): loading it takes well under a second, building it takes
# a few because the RUN step starts a container.
image_cache_file() {
  local key
  key="$( { sha256sum /bin/busybox; printf '%s' "$DOCKERFILE"; } | sha256sum | cut -c1-16)"
  printf '%s/busybox-%s.tar' "$IMAGE_CACHE_DIR" "$key"
}

build_image() {
  local ctx="$STATE/image" tar="$1"
  mkdir -p "$ctx" "$IMAGE_CACHE_DIR"
  cp /bin/busybox "$ctx/busybox"
  printf '%s' "$DOCKERFILE" >"$ctx/Dockerfile"
  # No registry is reachable, so the image is built locally from scratch;
  # the legacy builder needs no builder image.
  if ! DOCKER_BUILDKIT=0 dk 1 build -q --label wharf.test=image -t "$IMAGE" "$ctx" \
    >>"$STATE/logs/image.log" 2>&1; then
    tail_log "$STATE/logs/image.log"
    die "building $IMAGE on h1 failed"
  fi
  # Drop tarballs of older busybox builds, then publish the new one atomically.
  find "$IMAGE_CACHE_DIR" -maxdepth 1 -name 'busybox-*.tar*' -delete
  dk 1 save -o "$tar.tmp" "$IMAGE"
  mv -f "$tar.tmp" "$tar"
}

# Loads the image tarball into engines FIRST..N, in parallel.
load_image() {
  local tar="$1" first="$2" n="$3" i jobs=() j ok=0
  for ((i = first; i <= n; i++)); do
    dk "$i" load -q -i "$tar" >>"$STATE/logs/image.log" 2>&1 &
    jobs+=("$!")
  done
  for j in "${jobs[@]}"; do
    wait "$j" || ok=1
  done
  return "$ok"
}

prepare_image() {
  local n="$1" tar
  tar="$(image_cache_file)"
  if [[ -s "$tar" ]] && load_image "$tar" 1 "$n"; then
    return
  fi
  # No cache yet, or a damaged one: build afresh.
  build_image "$tar"
  if ! load_image "$tar" 2 "$n"; then
    tail_log "$STATE/logs/image.log"
    die "loading $IMAGE into the hosts failed"
  fi
}

write_sshd_config() {
  local i="$1" d base
  d="$(host_dir "$i")"
  base="$(ns_name "$i")"
  cat >"$d/sshd_config" <<EOF
# Generated by docker/sandbox/sandbox.sh for sandbox host h$i.
ListenAddress $(host_addr "$i"):22
HostKey $d/ssh_host_ed25519_key
PidFile $d/sshd.pid
AuthorizedKeysFile $STATE/authorized_keys
AllowUsers $base $base-nodocker $base-nodaemon
UsePAM no
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowStreamLocalForwarding yes
AllowTcpForwarding yes
# The state dir lives in /tmp and is root-owned; strict checks would refuse it.
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
Subsystem sftp internal-sftp
# Tests and benchmarks open many sessions and channels at once.
MaxStartups 100:30:200
MaxSessions 64
# SetEnv keeps the first value it sees, so the specific user comes first.
Match User $base-nodaemon
  SetEnv DOCKER_HOST=unix://$d/missing.sock
Match User *,!$base-nodaemon
  SetEnv DOCKER_HOST=unix://$d/docker.sock
EOF
}

start_sshd() {
  local i="$1" d pid deadline
  d="$(host_dir "$i")"
  write_sshd_config "$i"
  if ! /usr/sbin/sshd -t -f "$d/sshd_config" >>"$STATE/logs/sshd-h$i.log" 2>&1; then
    tail_log "$STATE/logs/sshd-h$i.log"
    die "sshd config for h$i is invalid"
  fi
  # sshd binds, then daemonizes and writes its pidfile.
  if ! nsenter --net="/var/run/netns/$(ns_name "$i")" \
    /usr/sbin/sshd -f "$d/sshd_config" -E "$STATE/logs/sshd-h$i.log" </dev/null 9>&-; then
    tail_log "$STATE/logs/sshd-h$i.log"
    die "sshd for h$i failed to start"
  fi
  deadline=$((SECONDS + 10))
  until proc_is "$(pid_from "$d/sshd.pid")" sshd; do
    ((SECONDS < deadline)) || die "sshd for h$i wrote no pidfile"
    sleep 0.05
  done
}

start_sample() {
  # --init: tini forwards SIGTERM, so stopping it from the UI is instant.
  if ! dk 1 run -d --init --name "$SAMPLE_CONTAINER" --label wharf.test=sample \
    "$IMAGE" sleep 1000000 >>"$STATE/logs/image.log" 2>&1; then
    tail_log "$STATE/logs/image.log"
    die "starting the sample container on h1 failed"
  fi
}

write_hosts_json() {
  local i d first=1 tmp="$STATE/hosts.json.tmp" base
  {
    printf '{\n  "clientKey": %s,\n' "$(json_str "$STATE/client_ed25519")"
    printf '  "clientPublicKey": %s,\n' "$(json_str "$(cat "$STATE/client_ed25519.pub")")"
    printf '  "hosts": ['
    for i in $(state_hosts); do
      d="$(host_dir "$i")"
      base="$(ns_name "$i")"
      ((first)) || printf ','
      first=0
      printf '\n    {\n'
      printf '      "name": %s,\n' "$(json_str "h$i")"
      printf '      "address": %s,\n' "$(json_str "$(host_addr "$i")")"
      printf '      "port": 22,\n'
      printf '      "users": { "docker": %s, "nodocker": %s, "nodaemon": %s },\n' \
        "$(json_str "$base")" "$(json_str "$base-nodocker")" "$(json_str "$base-nodaemon")"
      printf '      "dockerSocket": %s,\n' "$(json_str "$d/docker.sock")"
      printf '      "hostKeyFingerprint": %s,\n' "$(json_str "$(fingerprint "$d/ssh_host_ed25519_key.pub")")"
      printf '      "netns": %s\n' "$(json_str "$base")"
      printf '    }'
    done
    printf '\n  ]\n}\n'
  } >"$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$STATE/hosts.json"
}

check_deps() {
  local cmd missing=()
  for cmd in dockerd containerd /usr/sbin/sshd ssh-keygen ssh-keyscan ip nsenter setsid flock; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  [[ -x /bin/busybox ]] || missing+=(/bin/busybox)
  [[ -n "$DOCKER_BIN" ]] || missing+=(docker)
  if ((${#missing[@]} > 0)); then
    die "missing ${missing[*]}; run: bash docker/sandbox/install-deps.sh"
  fi
}

rt_share() {
  local n="$1" share
  share=$((RT_TOTAL / n / 10000 * 10000))
  if ((share > RT_PER_HOST_MAX)); then share="$RT_PER_HOST_MAX"; fi
  printf '%s' "$share"
}

# Warns when real-time budget held by other cgroups would make our engines
# fail every real-time container.
check_rt_budget() {
  local need="$1" root used=0 f v
  root="$(cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us 2>/dev/null || true)"
  [[ -n "$root" ]] || return 0
  for f in /sys/fs/cgroup/cpu/*/cpu.rt_runtime_us; do
    [[ -r "$f" ]] || continue
    v="$(cat "$f")"
    if ((v > 0)); then used=$((used + v)); fi
  done
  if ((used + need > root)); then
    warn "real-time CPU budget: other cgroups hold ${used}us of ${root}us; the sandbox needs ${need}us, so real-time containers may fail"
  fi
}

print_summary() {
  local n="$1" took="$2" i d base
  printf '\nWharf sandbox is up: %s host(s) in %ss (state: %s)\n\n' "$n" "$took" "$STATE"
  for i in $(state_hosts); do
    d="$(host_dir "$i")"
    base="$(ns_name "$i")"
    printf '  h%s  address %s  port 22\n' "$i" "$(host_addr "$i")"
    printf '      user %s (Docker access); %s-nodocker (no access); %s-nodaemon (no daemon)\n' "$base" "$base" "$base"
    printf '      host key %s\n' "$(fingerprint "$d/ssh_host_ed25519_key.pub")"
    printf '      docker socket %s\n' "$d/docker.sock"
  done
  printf '\n  private key  %s\n' "$STATE/client_ed25519"
  printf '  public key   %s\n' "$STATE/client_ed25519.pub"
  printf '  description  %s\n\n' "$STATE/hosts.json"
  printf 'Try it:   ssh -i %s -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=/dev/null wharf-h1@%s docker ps\n' \
    "$STATE/client_ed25519" "$(host_addr 1)"
  printf 'In Wharf: add host %s, port 22, user wharf-h1, with the private key above.\n' "$(host_addr 1)"
  printf 'Stop:     npm run sandbox -- down\n'
}

cmd_up() {
  local n=2
  while (($# > 0)); do
    case "$1" in
    --hosts)
      [[ $# -ge 2 ]] || die "--hosts needs a number"
      n="$2"
      shift 2
      ;;
    --state)
      [[ $# -ge 2 ]] || die "--state needs a directory"
      STATE="$2"
      shift 2
      ;;
    *) die "unknown option for up: $1" ;;
    esac
  done
  int_between "$n" 1 "$MAX_HOSTS" || die "--hosts must be between 1 and $MAX_HOSTS"
  require_root
  bash "$(dirname "${BASH_SOURCE[0]}")/install-deps.sh" || die "installing the sandbox's dependencies failed (see above)"
  DOCKER_BIN="$(command -v docker || true)"
  check_deps
  check_state_dir
  take_lock

  local t0 i rt
  t0="$(now)"
  log "removing leftovers of earlier runs"
  teardown
  rm -rf "$STATE/logs"
  mkdir -p "$STATE/logs"
  chmod 0755 "$STATE"
  : >"$STATE/$MARKER"
  mkdir -p /run/sshd
  chmod 0755 /run/sshd

  if [[ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]]; then
    rt="$(rt_share "$n")"
    check_rt_budget $((rt * n))
  else
    # cgroup v2, or a kernel without RT group scheduling: dockerd would
    # reject the flag.
    rt=0
    warn "no cgroup v1 cpu.rt_runtime_us here: engines start without --cpu-rt-runtime"
  fi

  log "creating $n host(s): namespaces, users, engines"
  for ((i = 1; i <= n; i++)); do
    mkdir -p "$(host_dir "$i")"
    chmod 0755 "$(host_dir "$i")"
    setup_users "$i"
    setup_netns "$i"
    start_dockerd "$i" "$rt"
  done

  log "generating keys"
  ssh-keygen -q -t ed25519 -N '' -C wharf-sandbox-client -f "$STATE/client_ed25519"
  chmod 0600 "$STATE/client_ed25519"
  install -m 0644 "$STATE/client_ed25519.pub" "$STATE/authorized_keys"
  for ((i = 1; i <= n; i++)); do
    ssh-keygen -q -t ed25519 -N '' -C "wharf-sandbox-h$i" -f "$(host_dir "$i")/ssh_host_ed25519_key"
  done

  log "waiting for the Docker engines"
  for ((i = 1; i <= n; i++)); do
    wait_dockerd "$i"
  done

  log "starting sshd in each namespace"
  for ((i = 1; i <= n; i++)); do
    start_sshd "$i"
  done

  log "building $IMAGE and loading it into every engine"
  prepare_image "$n"
  start_sample

  write_hosts_json
  print_summary "$n" "$(elapsed "$t0")"
}

cmd_down() {
  while (($# > 0)); do
    case "$1" in
    --state)
      [[ $# -ge 2 ]] || die "--state needs a directory"
      STATE="$2"
      shift 2
      ;;
    *) die "unknown option for down: $1" ;;
    esac
  done
  require_root
  check_state_dir
  take_lock
  local t0
  t0="$(now)"
  teardown
  # Logs stay for post-mortems; the next `up` clears them.
  log "sandbox stopped in $(elapsed "$t0")s (logs kept in $STATE/logs)"
}

cmd_status() {
  while (($# > 0)); do
    case "$1" in
    --state)
      [[ $# -ge 2 ]] || die "--state needs a directory"
      STATE="$2"
      shift 2
      ;;
    *) die "unknown option for status: $1" ;;
    esac
  done
  local i d pid any=0 healthy=1 state version containers f alive=0 total=0
  printf 'state dir: %s\n' "$STATE"
  for i in $(state_hosts); do
    any=1
    d="$(host_dir "$i")"
    printf 'h%s  %s\n' "$i" "$(host_addr "$i")"
    if [[ -e "/var/run/netns/$(ns_name "$i")" ]]; then state="present"; else state="MISSING" healthy=0; fi
    printf '    netns %-12s %s\n' "$(ns_name "$i")" "$state"
    pid="$(pid_from "$d/dockerd.pid")"
    if proc_is "$pid" dockerd; then
      version="$(timeout 5 env DOCKER_HOST="unix://$d/docker.sock" "$DOCKER_BIN" version --format '{{.Server.Version}}' 2>/dev/null || echo '?')"
      containers="$(timeout 5 env DOCKER_HOST="unix://$d/docker.sock" "$DOCKER_BIN" ps -q 2>/dev/null | wc -l || echo '?')"
      printf '    dockerd pid %s, engine %s, %s running container(s)\n' "$pid" "$version" "$containers"
    else
      printf '    dockerd not running\n'
      healthy=0
    fi
    pid="$(pid_from "$d/sshd.pid")"
    if proc_is "$pid" sshd; then
      printf '    sshd pid %s on %s:22, host key %s\n' "$pid" "$(host_addr "$i")" \
        "$(fingerprint "$d/ssh_host_ed25519_key.pub" 2>/dev/null || echo '?')"
    else
      printf '    sshd not running\n'
      healthy=0
    fi
  done
  ((any)) || printf 'no sandbox hosts (run: sandbox.sh up)\n'
  if [[ -d "$STATE/loopback" ]]; then
    for f in "$STATE"/loopback/*.pid; do
      [[ -e "$f" ]] || continue
      total=$((total + 1))
      if proc_is "$(pid_from "$f")" sshd; then alive=$((alive + 1)); fi
    done
    printf 'loopback sshd: %s of %s running\n' "$alive" "$total"
  fi
  local ns
  for ns in /var/run/netns/wharf-h*; do
    [[ -e "$ns" ]] || continue
    [[ -d "$STATE/h${ns##*/wharf-h}" ]] || printf 'stray namespace %s (from another state dir; up or down removes it)\n' "${ns##*/}"
  done
  # Exit status for scripts: 0 only when hosts exist and all of them run.
  [[ -f "$STATE/hosts.json" ]] && ((any && healthy))
}

cmd_rotate_host_key() {
  local name=""
  while (($# > 0)); do
    case "$1" in
    --state)
      [[ $# -ge 2 ]] || die "--state needs a directory"
      STATE="$2"
      shift 2
      ;;
    -*) die "unknown option for rotate-host-key: $1" ;;
    *)
      [[ -z "$name" ]] || die "rotate-host-key takes one host name"
      name="$1"
      shift
      ;;
    esac
  done
  [[ "$name" =~ ^h([0-9]+)$ ]] || die "usage: sandbox.sh rotate-host-key hN"
  local i="${BASH_REMATCH[1]}" d pid fp deadline served
  require_root
  check_state_dir
  take_lock
  d="$(host_dir "$i")"
  pid="$(pid_from "$d/sshd.pid")"
  proc_is "$pid" sshd || die "sshd for $name is not running (run: sandbox.sh up)"

  # Write the new key beside the old one and swap, so sshd never sees a
  # half-written key.
  rm -f "$d/ssh_host_ed25519_key.new" "$d/ssh_host_ed25519_key.new.pub"
  ssh-keygen -q -t ed25519 -N '' -C "wharf-sandbox-$name" -f "$d/ssh_host_ed25519_key.new"
  mv -f "$d/ssh_host_ed25519_key.new.pub" "$d/ssh_host_ed25519_key.pub"
  mv -f "$d/ssh_host_ed25519_key.new" "$d/ssh_host_ed25519_key"
  fp="$(fingerprint "$d/ssh_host_ed25519_key.pub")"
  # SIGHUP makes sshd re-exec itself and reload its host keys (same pid).
  kill -HUP "$pid"
  deadline=$((SECONDS + 15))
  while :; do
    served="$(ssh-keyscan -T 2 -t ed25519 "$(host_addr "$i")" 2>/dev/null |
      ssh-keygen -lf - 2>/dev/null | awk '{print $2}' || true)"
    if [[ "$served" == "$fp" ]]; then break; fi
    ((SECONDS < deadline)) || die "sshd for $name does not serve the new key (serves '${served:-nothing}')"
    sleep 0.1
  done
  write_hosts_json
  printf '%s\n' "$fp"
}

cmd_loopback_sshd() {
  local count="" base=""
  while (($# > 0)); do
    case "$1" in
    --count)
      [[ $# -ge 2 ]] || die "--count needs a number"
      count="$2"
      shift 2
      ;;
    --base-port)
      [[ $# -ge 2 ]] || die "--base-port needs a number"
      base="$2"
      shift 2
      ;;
    --state)
      [[ $# -ge 2 ]] || die "--state needs a directory"
      STATE="$2"
      shift 2
      ;;
    *) die "unknown option for loopback-sshd: $1" ;;
    esac
  done
  int_between "$count" 1 1000 || die "--count must be between 1 and 1000"
  int_between "$base" 1024 $((65536 - count)) ||
    die "--base-port must leave ports P..P+count-1 within 1024..65535"
  require_root
  check_state_dir
  take_lock
  [[ -f "$STATE/hosts.json" && -S "$(host_dir 1)/docker.sock" ]] || die "no sandbox in $STATE; run: sandbox.sh up"

  local dir="$STATE/loopback" f port k fp first=1 tmp
  if [[ -d "$dir" ]]; then
    for f in "$dir"/*.pid; do
      if [[ -e "$f" ]]; then stop_pidfile "$f" sshd 5; fi
    done
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  chmod 0755 "$dir"
  mkdir -p /run/sshd
  # One host key for all: the benchmark measures refresh cost, not trust.
  ssh-keygen -q -t ed25519 -N '' -C wharf-sandbox-loopback -f "$dir/ssh_host_ed25519_key"
  fp="$(fingerprint "$dir/ssh_host_ed25519_key.pub")"
  cat >"$dir/sshd_config" <<EOF
# Generated by docker/sandbox/sandbox.sh: loopback sshd for benchmarks.
# ListenAddress and PidFile come from the command line, one per process.
HostKey $dir/ssh_host_ed25519_key
AuthorizedKeysFile $STATE/authorized_keys
AllowUsers wharf-h1
UsePAM no
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowStreamLocalForwarding yes
AllowTcpForwarding yes
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
Subsystem sftp internal-sftp
MaxStartups 100:30:200
MaxSessions 64
SetEnv DOCKER_HOST=unix://$(host_dir 1)/docker.sock
EOF
  /usr/sbin/sshd -t -f "$dir/sshd_config" -o ListenAddress=127.0.0.1:"$base" ||
    die "loopback sshd config is invalid"
  for ((k = 0; k < count; k++)); do
    port=$((base + k))
    if ! /usr/sbin/sshd -f "$dir/sshd_config" \
      -o "ListenAddress=127.0.0.1:$port" -o "PidFile=$dir/sshd-$port.pid" \
      -E "$STATE/logs/loopback-sshd.log" </dev/null 9>&-; then
      tail_log "$STATE/logs/loopback-sshd.log"
      die "sshd on 127.0.0.1:$port failed to start (port in use?); stop the others with: sandbox.sh down"
    fi
  done
  for ((k = 0; k < count; k++)); do
    port=$((base + k))
    local deadline=$((SECONDS + 10))
    until proc_is "$(pid_from "$dir/sshd-$port.pid")" sshd; do
      ((SECONDS < deadline)) || die "sshd on 127.0.0.1:$port wrote no pidfile"
      sleep 0.05
    done
  done

  tmp="$STATE/loopback.json.tmp"
  {
    printf '{\n  "sshd": ['
    for ((k = 0; k < count; k++)); do
      ((first)) || printf ','
      first=0
      printf '\n    { "port": %s, "user": "wharf-h1", "hostKeyFingerprint": %s }' \
        "$((base + k))" "$(json_str "$fp")"
    done
    printf '\n  ]\n}\n'
  } >"$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$STATE/loopback.json"
  log "$count loopback sshd(s) on 127.0.0.1:$base-$((base + count - 1)) (user wharf-h1, host key $fp)"
}

cmd_service() {
  local args=()
  while (($# > 0)); do
    case "$1" in
    --state)
      [[ $# -ge 2 ]] || die "--state needs a directory"
      STATE="$2"
      shift 2
      ;;
    *)
      args+=("$1")
      shift
      ;;
    esac
  done
  ((${#args[@]} == 3)) || die "usage: sandbox.sh service hN sshd|dockerd stop|start"
  [[ "${args[0]}" =~ ^h([0-9]+)$ ]] || die "usage: sandbox.sh service hN sshd|dockerd stop|start"
  local i="${BASH_REMATCH[1]}" d pids=() pid fd
  require_root
  # The daemons started here outlive this command: they must not inherit the
  # caller's descriptors (a test run under `flock` would hand its lock to
  # dockerd, and every later run would wait forever). 255 is bash's script.
  for fd in /proc/$$/fd/*; do
    fd="${fd##*/}"
    if ((fd > 2 && fd != 255)); then eval "exec ${fd}>&-"; fi
  done
  check_state_dir
  take_lock
  d="$(host_dir "$i")"
  [[ -d "$d" ]] || die "no sandbox host ${args[0]} (run: sandbox.sh up)"
  case "${args[1]} ${args[2]}" in
  "sshd stop")
    # The listener and every session process: connections drop at once.
    for pid in $(ip netns pids "$(ns_name "$i")" 2>/dev/null); do
      [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == sshd ]] && pids+=("$pid")
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait_gone 10 "${pids[@]}" || die "sshd of ${args[0]} survived SIGKILL"
    rm -f "$d/sshd.pid"
    ;;
  "sshd start") start_sshd "$i" ;;
  "dockerd stop") stop_pidfile "$d/dockerd.pid" dockerd 20 ;;
  "dockerd start")
    local rt=0
    if [[ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]]; then rt="$(rt_share "$(state_hosts | wc -w)")"; fi
    start_dockerd "$i" "$rt"
    wait_dockerd "$i"
    ;;
  *) die "usage: sandbox.sh service hN sshd|dockerd stop|start" ;;
  esac
}

main() {
  (($# > 0)) || usage
  local cmd="$1"
  shift
  case "$cmd" in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  status) cmd_status "$@" ;;
  rotate-host-key) cmd_rotate_host_key "$@" ;;
  loopback-sshd) cmd_loopback_sshd "$@" ;;
  service) cmd_service "$@" ;;
  -h | --help | help) usage ;;
  *)
    printf 'sandbox: unknown command: %s\n' "$cmd" >&2
    usage
    ;;
  esac
}

main "$@"
