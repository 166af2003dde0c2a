# Sourced by setup.sh (after the default engine answers and the base images exist): the rest
# of the engine matrix. Docker Engine 28.5 from Debian unstable's packages, run twice beside
# the default engine — once with the classic overlay2 store, once with the containerd image
# store (Docker 29's default) — plus client 28.5 with buildx 0.29, a Docker context per engine,
# and an sshd on loopback that reaches the default engine over `ssh://`.
#
# Everything made here lives under $KS_PREFIX, $KS_STATE and $KS_RUN, except the contexts
# (in the docker client's config), the bridges, and one ssh client config file; each step
# checks first whether its work is already done. Set KNOWING_SCRATCH_ENGINES=default to skip
# the 28.5 engines and KNOWING_SCRATCH_SSHD=0 to skip the sshd.
# Expects from setup.sh: say, have, wait_answering, DOCKER, MIRROR, WORK.

KS_PREFIX=${KNOWING_SCRATCH_PREFIX:-/opt/knowing-scratch}
KS_STATE=/var/lib/knowing-scratch   # the engines' data roots (images survive a restart)
KS_RUN=/run/knowing-scratch         # sockets, pid files, exec roots (gone at reboot)
KS_LOG=/var/log/knowing-scratch
# Debian unstable's Docker 28.5: the engine, its containerd, the client and buildx.
ENGINE_PACKAGES=(docker.io containerd docker-cli docker-buildx)
ENGINE_VERSION=28.5
ENGINE_ROOT=$KS_PREFIX/engine-$ENGINE_VERSION   # the unpacked packages, and bin/ for dockerd's PATH
CLIENT_DIR=$KS_PREFIX/docker-$ENGINE_VERSION     # bin/docker (client 28.5) and its config folder
SSHD_DIR=$KS_PREFIX/sshd
SSHD_PORT=${KNOWING_SCRATCH_SSHD_PORT:-2222}
SSH_CLIENT_CONF=/etc/ssh/ssh_config.d/knowing-scratch.conf

# name  context  bridge  address  store
ENGINES=(
  "28.5 ks-28.5 ksbr285 10.209.0.1/16 overlay2"
  "28.5-containerd ks-28.5-containerd ksbr285c 10.210.0.1/16 containerd"
)

# The packages, fetched with a throw-away apt state (the system's sources and lists stay
# untouched) and unpacked, not installed: they would replace the machine's 20.10 engine.
fetch_engine() {
  if [ -x "$ENGINE_ROOT/usr/sbin/dockerd" ] && [ -x "$ENGINE_ROOT/usr/bin/docker" ]; then
    say "engine $ENGINE_VERSION: unpacked in $ENGINE_ROOT"
    return
  fi
  say "engine $ENGINE_VERSION: fetching ${ENGINE_PACKAGES[*]} from unstable at $MIRROR"
  local apt=$WORK/apt-unstable
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/deb"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR unstable main" \
    > "$apt/unstable.list"
  # The archive's Release file can look expired against this machine's clock.
  local opts=(-oDir::Etc::SourceList="$apt/unstable.list" -oDir::Etc::SourceParts=/dev/null
              -oDir::State::Lists="$apt/lists" -oDir::Cache="$apt/cache"
              -oAcquire::Check-Valid-Until=false -oAPT::Sandbox::User=root -qq)
  apt-get "${opts[@]}" update
  (cd "$apt/deb" && apt-get "${opts[@]}" download "${ENGINE_PACKAGES[@]}")
  rm -rf "$ENGINE_ROOT.new" && mkdir -p "$ENGINE_ROOT.new"
  local deb
  for deb in "$apt"/deb/*.deb; do dpkg -x "$deb" "$ENGINE_ROOT.new"; done
  rm -rf "$ENGINE_ROOT" && mv "$ENGINE_ROOT.new" "$ENGINE_ROOT"
  say "engine $ENGINE_VERSION: unpacked $(cd "$apt/deb" && echo *.deb) in $ENGINE_ROOT"
}

# dockerd finds containerd, the shim, docker-proxy and docker-init on its PATH, and the shim
# finds runc there too. This bin folder goes first, so everything is 28.5's except runc:
# unstable's runc needs glibc 2.38, and the machine's runc 1.1.5 (later on PATH) serves.
link_engine_bin() {
  local bin=$ENGINE_ROOT/bin
  mkdir -p "$bin"
  ln -sfn "$ENGINE_ROOT/usr/sbin/dockerd" "$bin/dockerd"
  ln -sfn "$ENGINE_ROOT/usr/bin/containerd" "$bin/containerd"
  ln -sfn "$ENGINE_ROOT/usr/bin/containerd-shim-runc-v2" "$bin/containerd-shim-runc-v2"
  ln -sfn "$(engine_file docker-proxy)" "$bin/docker-proxy"
  ln -sfn "$(command -v tini-static || command -v tini)" "$bin/docker-init"
}

engine_file() {
  local path
  for path in "$ENGINE_ROOT/usr/sbin/$1" "$ENGINE_ROOT/usr/bin/$1" "$ENGINE_ROOT/usr/libexec/docker/$1"; do
    [ -x "$path" ] && { echo "$path"; return; }
  done
  say "engine $ENGINE_VERSION: no $1 in the unpacked packages" >&2
  return 1
}

# Client 28.5 reads plugins from $DOCKER_CONFIG/cli-plugins before the system folder (where
# buildx 0.13 serves client 28.2), and contexts from $DOCKER_CONFIG/contexts. So it gets a
# config folder of its own holding buildx 0.29, whose contexts and config.json are links to
# the user's: one set of contexts for every client. bin/docker sets DOCKER_CONFIG to it
# (unless the caller set one) and runs the real client.
install_client() {
  local config=$CLIENT_DIR/config home_config=${HOME:-/root}/.docker
  mkdir -p "$CLIENT_DIR/bin" "$config/cli-plugins" "$home_config/contexts"
  ln -sfn "$ENGINE_ROOT/usr/bin/docker" "$CLIENT_DIR/bin/docker-real"
  ln -sfn "$ENGINE_ROOT/usr/libexec/docker/cli-plugins/docker-buildx" "$config/cli-plugins/docker-buildx"
  ln -sfn "$home_config/contexts" "$config/contexts"
  ln -sfn "$home_config/config.json" "$config/config.json"
  cat > "$CLIENT_DIR/bin/docker.new" <<EOF
#!/bin/sh
# Docker client $ENGINE_VERSION with buildx from $config/cli-plugins; written by setup.sh.
export DOCKER_CONFIG="\${DOCKER_CONFIG:-$config}"
exec "$CLIENT_DIR/bin/docker-real" "\$@"
EOF
  chmod 0755 "$CLIENT_DIR/bin/docker.new"
  mv "$CLIENT_DIR/bin/docker.new" "$CLIENT_DIR/bin/docker"
  say "client $ENGINE_VERSION: $CLIENT_DIR/bin/docker ($("$CLIENT_DIR/bin/docker" --version | cut -d, -f1)," \
    "$("$CLIENT_DIR/bin/docker" buildx version | cut -d' ' -f1-2))"
}

ensure_bridge() {
  local bridge=$1 address=$2
  if ip link show "$bridge" >/dev/null 2>&1; then
    say "bridge $bridge: present"
  else
    ip link add "$bridge" type bridge
    ip addr add "$address" dev "$bridge"
    say "bridge $bridge: created with $address"
  fi
  ip link set "$bridge" up
}

# A pid file whose process is gone (or is no longer ours) is left by an engine killed
# without warning; the next start would wait on it.
drop_stale_pidfile() {
  local pidfile=$1 want=$2 pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 0
  case "$(ps -o stat=,comm= -p "$pid" 2>/dev/null)" in
    Z*|"") rm -f "$pidfile"; say "engine: removed stale $pidfile" ;;
    *"$want") return 1 ;;   # alive: starting or running
    *) rm -f "$pidfile"; say "engine: removed stale $pidfile (pid reused)" ;;
  esac
}

start_engine() {
  local name=$1 bridge=$2 store=$3
  local run=$KS_RUN/$name sock=$KS_RUN/$name/docker.sock log=$KS_LOG/dockerd-$name.log
  local docker=("$DOCKER" --host "unix://$sock")
  if "${docker[@]}" info >/dev/null 2>&1; then
    say "engine $name: answering on $sock"
    return
  fi
  mkdir -p "$run" "$KS_STATE/$name" "$KS_LOG"
  local starting=""
  drop_stale_pidfile "$run/dockerd.pid" dockerd || starting=1
  drop_stale_pidfile "$run/exec/containerd/containerd.pid" containerd || true
  if [ -n "$starting" ]; then
    say "engine $name: dockerd running but not answering yet, waiting"
  else
    local config=$KS_STATE/$name.json
    if [ "$store" = containerd ]; then
      echo '{"features":{"containerd-snapshotter":true}}' > "$config"
    else
      echo '{}' > "$config"
    fi
    say "engine $name: starting dockerd $ENGINE_VERSION ($store store, log: $log)"
    # The subshell becomes dockerd (exec), so nothing of this script's stays holding its output.
    (cd / && PATH="$ENGINE_ROOT/bin:$PATH" exec setsid nohup dockerd \
      --config-file "$config" --data-root "$KS_STATE/$name" --exec-root "$run/exec" \
      --pidfile "$run/dockerd.pid" -H "unix://$sock" \
      --bridge "$bridge" --iptables=false --ip-masq=false) >>"$log" 2>&1 </dev/null &
  fi
  wait_answering "engine $name" "$log" "${docker[@]}"
  say "engine $name: answering on $sock ($("${docker[@]}" version --format '{{.Server.Version}}')," \
    "$("${docker[@]}" info --format '{{.Driver}}') driver)"
}

# The base images come from the default engine, as they are there; only the missing ones.
load_images() {
  local name=$1 sock=$KS_RUN/$1/docker.sock missing=() ref
  for ref in golang:1.24 busybox:latest; do
    "$DOCKER" --host "unix://$sock" image inspect "$ref" >/dev/null 2>&1 || missing+=("$ref")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "engine $name: golang:1.24 and busybox:latest present"
    return
  fi
  "$DOCKER" save "${missing[@]}" | "$DOCKER" --host "unix://$sock" load --quiet >/dev/null
  say "engine $name: loaded ${missing[*]} from the default engine"
}

# A context per engine, so `DOCKER_CONTEXT=NAME` or `--context NAME` picks one with any client.
ensure_context() {
  local context=$1 host=$2 description=$3 current
  current=$("$DOCKER" context inspect --format '{{.Endpoints.docker.Host}}' "$context" 2>/dev/null || true)
  if [ "$current" = "$host" ]; then
    say "context $context: $host"
  elif [ -n "$current" ]; then
    "$DOCKER" context update --docker "host=$host" "$context" >/dev/null
    say "context $context: updated to $host (was $current)"
  else
    "$DOCKER" context create --description "$description" --docker "host=$host" "$context" >/dev/null
    say "context $context: created for $host"
  fi
}

# sshd on loopback with its own config, host key and authorized key, so
# `DOCKER_HOST=ssh://root@127.0.0.1:$SSHD_PORT` reaches the default engine. The ssh client
# finds the key and the host key through one config file of ours, for this host and port only.
start_sshd() {
  have sshd || { say "sshd: openssh-server is not installed" >&2; exit 1; }
  mkdir -p "$SSHD_DIR" /run/sshd "$(dirname "$SSH_CLIENT_CONF")"
  [ -f "$SSHD_DIR/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C knowing-scratch-host -f "$SSHD_DIR/host_ed25519"
  [ -f "$SSHD_DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C knowing-scratch -f "$SSHD_DIR/id_ed25519"
  cp "$SSHD_DIR/id_ed25519.pub" "$SSHD_DIR/authorized_keys"
  echo "[127.0.0.1]:$SSHD_PORT $(cut -d' ' -f1-2 "$SSHD_DIR/host_ed25519.pub")" > "$SSHD_DIR/known_hosts"
  cat > "$SSHD_DIR/sshd_config" <<EOF
# Written by tests/engine/setup.sh: root by key only, on loopback.
ListenAddress 127.0.0.1:$SSHD_PORT
HostKey $SSHD_DIR/host_ed25519
PidFile $SSHD_DIR/sshd.pid
AuthorizedKeysFile $SSHD_DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
EOF
  cat > "$SSH_CLIENT_CONF" <<EOF
# Written by knowing-scratch's tests/engine/setup.sh: its loopback sshd ($SSHD_DIR).
Match host 127.0.0.1 exec "test %p = $SSHD_PORT"
  IdentityFile $SSHD_DIR/id_ed25519
  UserKnownHostsFile $SSHD_DIR/known_hosts
EOF
  local pid
  pid=$(cat "$SSHD_DIR/sshd.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = sshd ]; then
    say "sshd: running on 127.0.0.1:$SSHD_PORT (pid $pid)"
  else
    "$(command -v sshd)" -f "$SSHD_DIR/sshd_config" -E "$KS_LOG/sshd.log"
    say "sshd: started on 127.0.0.1:$SSHD_PORT (log: $KS_LOG/sshd.log)"
  fi
  local answer
  if answer=$(DOCKER_HOST="ssh://root@127.0.0.1:$SSHD_PORT" timeout 30 "$DOCKER" version --format '{{.Server.Version}}' 2>&1); then
    say "sshd: DOCKER_HOST=ssh://root@127.0.0.1:$SSHD_PORT reaches engine $answer"
  else
    say "sshd: DOCKER_HOST=ssh://root@127.0.0.1:$SSHD_PORT does not answer: $answer" >&2
    exit 1
  fi
}

engine_matrix() {
  mkdir -p "$KS_LOG"
  ensure_context ks-20.10 unix:///var/run/docker.sock "Engine 20.10 (the default socket)"
  if [ "${KNOWING_SCRATCH_ENGINES:-all}" = default ]; then
    say "engines 28.5: skipped (KNOWING_SCRATCH_ENGINES=default)"
  else
    fetch_engine
    link_engine_bin
    local entry name context bridge address store
    for entry in "${ENGINES[@]}"; do
      read -r name context bridge address store <<<"$entry"
      ensure_bridge "$bridge" "$address"
      start_engine "$name" "$bridge" "$store"
      load_images "$name"
      ensure_context "$context" "unix://$KS_RUN/$name/docker.sock" "Engine $ENGINE_VERSION, $store store"
    done
    install_client
  fi
  if [ "${KNOWING_SCRATCH_SSHD:-1}" = 0 ]; then
    say "sshd: skipped (KNOWING_SCRATCH_SSHD=0)"
  else
    start_sshd
  fi
}
