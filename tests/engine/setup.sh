#!/usr/bin/env bash
# Brings up a Docker engine that can replay the tutorial on a machine with no Docker Hub:
# Debian's engine, the buildx plugin, a running dockerd, and local stand-ins for the base
# images the tutorial names (golang:1.24, busybox:latest); then the rest of the engine matrix
# (engines.sh: two Engine 28.5 engines, client 28.5, a context per engine, a loopback sshd).
# Safe to re-run: each step first checks whether its work is already done, and says what it
# did or found. KNOWING_SCRATCH_ENGINES=default skips the 28.5 engines, KNOWING_SCRATCH_SSHD=0
# the sshd.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

say() { printf '%s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
# The label that marks the images this script made, so it never mistakes someone else's.
STANDIN_LABEL=io.knowing-scratch.standin
# Bumped when a stand-in's recipe changes (2: CA certificates and time zones, as the real golang image has).
STANDIN_VERSION=2
DAEMON_LOG=${KNOWING_SCRATCH_DOCKERD_LOG:-/var/log/knowing-scratch-dockerd.log}
PLUGIN_DIR=/usr/libexec/docker/cli-plugins   # searched by both the 20.10 and the 28 client
WORK=$(mktemp -d "${TMPDIR:-/tmp}/knowing-scratch-setup.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# The Debian mirror this machine already reaches, read from its apt sources (one-line
# *.list entries or deb822 *.sources stanzas) for its own release; deb.debian.org otherwise.
debian_mirror() {
  local codename files
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  files=$(ls /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
  local url=""
  if [ -n "$files" ]; then
    # shellcheck disable=SC2086
    url=$(awk -v c="$codename" '$1 == "deb" { sub(/\[[^]]*\][ \t]*/, ""); if ($3 == c) { print $2; exit } }' $files)
  fi
  if [ -z "$url" ] && ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
    url=$(awk -v c="$codename" 'BEGIN { RS = ""; FS = "\n" }
      { u = ""; s = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { u = $i; sub(/^URIs:[ \t]*/, "", u); sub(/[ \t].*/, "", u) }
          if ($i ~ /^Suites:/) { s = " " $i " " }
        }
        if (u != "" && s ~ (" " c " ")) { print u; exit } }' /etc/apt/sources.list.d/*.sources)
  fi
  echo "${url:-http://deb.debian.org/debian}"
}
MIRROR=$(debian_mirror)

# 1. Debian packages: the engine (dockerd, containerd, runc, client 20.10) and the tools
#    the replay and the stand-ins need. apt-get update runs once, and only if something is missing.
declare -A PKG_FOR=([dockerd]=docker.io [tmux]=tmux [mmdebstrap]=mmdebstrap [script]=bsdutils)
missing=()
cmds=(dockerd tmux mmdebstrap script)
if [ "${KNOWING_SCRATCH_SSHD:-1}" != 0 ]; then PKG_FOR[sshd]=openssh-server; cmds+=(sshd); fi
for cmd in "${cmds[@]}"; do
  have "$cmd" || missing+=("${PKG_FOR[$cmd]}")
done
[ -x /bin/busybox ] || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
  say "apt: installing ${missing[*]}"
  apt-get update -qq
  # apt-utils is absent on slim machines; debconf then says so on stderr, harmlessly.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2> >(grep -v '^debconf: delaying' >&2)
else
  say "apt: ${PKG_FOR[*]} and busybox-static already installed"
fi
DOCKER=$(command -v docker)   # /usr/local/bin/docker (28.x) when present, else Debian's 20.10

# 2. buildx: not packaged for Debian 12, but trixie's docker-buildx is a static-enough Go
#    binary (needs only libc). Fetch it with a throw-away apt state so the system's sources
#    and lists stay untouched.
if "$DOCKER" buildx version >/dev/null 2>&1; then
  say "buildx: present ($("$DOCKER" buildx version | cut -d' ' -f1-2))"
else
  say "buildx: fetching docker-buildx from trixie at $MIRROR"
  mkdir -p "$WORK/apt/lists/partial" "$WORK/apt/cache/archives/partial" "$WORK/deb"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR trixie main" \
    > "$WORK/apt/trixie.list"
  APT_OPTS=(-oDir::Etc::SourceList="$WORK/apt/trixie.list" -oDir::Etc::SourceParts=/dev/null
            -oDir::State::Lists="$WORK/apt/lists" -oDir::Cache="$WORK/apt/cache"
            -oAPT::Sandbox::User=root -qq)
  apt-get "${APT_OPTS[@]}" update
  (cd "$WORK/deb" && apt-get "${APT_OPTS[@]}" download docker-buildx)
  dpkg -x "$WORK"/deb/docker-buildx_*.deb "$WORK/deb/root"
  install -D -m 0755 "$WORK/deb/root/usr/libexec/docker/cli-plugins/docker-buildx" \
    "$PLUGIN_DIR/docker-buildx"
  say "buildx: installed $("$DOCKER" buildx version | cut -d' ' -f1-2) in $PLUGIN_DIR"
fi

# Wait up to 60 s for an engine to answer `info`: wait_answering LABEL LOG DOCKER-COMMAND...
# On time-out, say so with the end of its log and stop the script.
wait_answering() {
  local label=$1 log=$2
  shift 2
  for _ in $(seq 60); do
    "$@" info >/dev/null 2>&1 && return 0
    sleep 1
  done
  say "$label: dockerd did not answer within 60 s; end of its log:" >&2
  tail -n 30 "$log" >&2 || true
  exit 1
}

# 3. The daemon. Nothing started by hand survives into CI, so start it when none answers;
#    setsid + nohup detach it from this script so it outlives it; cd / so it holds no work dir;
#    the subshell becomes dockerd, so nothing holds this script's output open.
if "$DOCKER" info >/dev/null 2>&1; then
  say "engine: dockerd already answering"
else
  # A dockerd killed without warning leaves pid files behind; the next one then waits for a
  # containerd that is gone (or a zombie) and gives up. Drop pid files of dead processes.
  # A dockerd that is alive but not answering yet is still starting: wait for it instead.
  starting=""
  for pidfile in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
    pid=$(cat "$pidfile" 2>/dev/null) || continue
    case "$(ps -o stat=,comm= -p "$pid" 2>/dev/null)" in
      Z*|"") rm -f "$pidfile"; say "engine: removed stale $pidfile" ;;
      *dockerd) starting=1 ;;
      *containerd) ;;
      *) rm -f "$pidfile"; say "engine: removed stale $pidfile (pid reused)" ;;
    esac
  done
  mkdir -p "$(dirname "$DAEMON_LOG")"
  if [ -n "$starting" ]; then
    say "engine: dockerd running but not answering yet, waiting"
  else
    say "engine: starting dockerd (log: $DAEMON_LOG)"
    (cd / && exec setsid nohup dockerd) >>"$DAEMON_LOG" 2>&1 </dev/null &
  fi
  wait_answering engine "$DAEMON_LOG" "$DOCKER"
  say "engine: dockerd answering ($("$DOCKER" version --format '{{.Server.Version}}'))"
fi

# 4. Base images. Use the real ones when present or pullable; Docker Hub is usually out of
#    reach here, so build labelled stand-ins. Never touch an image this script did not make.
image_present() {
  local ref=$1 standin
  "$DOCKER" image inspect "$ref" >/dev/null 2>&1 || return 1
  standin=$("$DOCKER" image inspect --format "{{ with .Config.Labels }}{{ index . \"$STANDIN_LABEL\" }}{{ end }}" "$ref")
  # A stand-in of ours from an older recipe is rebuilt; anyone else's image is kept as it is.
  if [ -n "$standin" ] && [ "$standin" != "$STANDIN_VERSION" ]; then
    say "image $ref: stand-in from an older recipe ($standin), rebuilding"
    return 1
  fi
  say "image $ref: present$([ -n "$standin" ] && echo ' (local stand-in)')"
}
try_pull() {
  if timeout 120 "$DOCKER" image pull --quiet "$1" >/dev/null 2>&1; then
    say "image $1: pulled from the registry"
  else
    say "image $1: registry unreachable, building a local stand-in"; return 1
  fi
}
IMPORT_OPTS=(-c "LABEL $STANDIN_LABEL=$STANDIN_VERSION" -m "knowing-scratch stand-in")

# golang:1.24 — real Go 1.24 on Debian trixie; passwd brings useradd for ./Dockerfile, and
# ca-certificates and tzdata are there as in the official image (lessons copy them).
if ! image_present golang:1.24 && ! try_pull golang:1.24; then
  mmdebstrap --quiet --variant=apt --include=golang-1.24-go,passwd,ca-certificates,tzdata trixie "$WORK/golang.tar" "$MIRROR"
  "$DOCKER" image import "${IMPORT_OPTS[@]}" \
    -c 'ENV PATH=/go/bin:/usr/lib/go-1.24/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV GOPATH=/go' -c 'ENV GOTOOLCHAIN=local' -c 'WORKDIR /go' \
    "$WORK/golang.tar" golang:1.24 >/dev/null
  rm -f "$WORK/golang.tar"
  say "image golang:1.24: built stand-in ($("$DOCKER" run --rm golang:1.24 go version))"
fi

# busybox:latest — the debug image: Debian's static busybox with its applet links, so
# `docker run -it busybox` opens a shell and `ps aux` works.
if ! image_present busybox:latest && ! try_pull busybox:latest; then
  root="$WORK/busybox"
  mkdir -p "$root"/{bin,etc,root,tmp,home,proc,sys,dev,var,usr/bin,usr/sbin}
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  tar -C "$root" --numeric-owner --owner=0 --group=0 -cf "$WORK/busybox.tar" .
  "$DOCKER" image import "${IMPORT_OPTS[@]}" \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD ["sh"]' \
    "$WORK/busybox.tar" busybox:latest >/dev/null
  say "image busybox:latest: built stand-in ($("$DOCKER" run --rm busybox:latest sh -c 'busybox | head -n1'))"
fi

# 5. The other engines of the matrix, client 28.5, the contexts and the sshd.
# shellcheck source=tests/engine/engines.sh
. "$(dirname "$0")/engines.sh"
engine_matrix
