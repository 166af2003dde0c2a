#!/usr/bin/env bash
# The tutorial's commands as a plain shell script: the baseline that
# `knowing-scratch check` is compared with in benches/bench.sh (part 3).
#
# It runs what `check` runs when Docker Hub is out of reach
# (KNOWING_SCRATCH_REGISTRY=0): the steps that need the registry are left out
# in both. It types into the interactive steps through `script` (a
# pseudo-terminal), stops the app after three lines and removes its
# container, and at the end removes the containers it started, as `check`
# does. Outputs go to a log file instead of being compared.
#
# Run it from the repository root (where `Dockerfile` and `app/` are).
# Keep it in step with lessons/*.yaml: one block per lesson, in order.
set -u
log=${TUTORIAL_LOG:-/dev/null}
started=()

tty_run() { # run "$1" in a pseudo-terminal, typing the lines that follow
  local cmd=$1
  shift
  if [ $# -gt 0 ]; then
    printf '%s\n' "$@" | script -qefc "$cmd" /dev/null
  else
    script -qefc "$cmd" /dev/null </dev/null
  fi
}

{
  # 01-finding-the-image: both steps need the registry.

  # 02-interesting-outputs (the regctl step needs the registry).
  docker image pull scratch
  docker image ls scratch
  docker container run scratch
  docker scan scratch

  # 03-create-from-scratch
  docker image build \
    --file Dockerfile-simple \
    --progress plain \
    --tag knowing-scratch-image \
    .
  docker image ls knowing-scratch-image
  # Stop after three lines, then remove the container the command started.
  before=$(docker container ls --quiet --no-trunc | sort)
  out=$(mktemp)
  docker container run --rm knowing-scratch-image >"$out" 2>&1 &
  pid=$!
  timeout 30 bash -c "until [ \$(wc -l <'$out') -ge 3 ]; do sleep 0.05; done"
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  cat "$out"
  rm -f "$out"
  comm -13 <(echo "$before") <(docker container ls --quiet --no-trunc | sort) |
    xargs -r docker container rm -f

  # 04-image-layers
  docker image history knowing-scratch-image \
    --format 'table {{.CreatedBy}}\t{{.Size}}'

  # 05-debug-without-shell
  started+=("$(docker container run --detach knowing-scratch-image)")
  CONTAINER_ID=$(docker container ls --latest --quiet)
  tty_run "docker container exec -it $CONTAINER_ID bash"
  tty_run "docker container run --rm -it --pid container:$CONTAINER_ID busybox" "ps aux" "exit"

  # 06-non-root-user
  docker image build --no-cache \
    --progress plain \
    --tag knowing-scratch-image \
    .
  started+=("$(docker container run --detach knowing-scratch-image)")
  CONTAINER_ID=$(docker container ls --latest --quiet)
  tty_run "docker container run --rm -it --pid container:$CONTAINER_ID busybox" "ps aux" "exit"

  docker container rm -f "${started[@]}"
} >>"$log" 2>&1
