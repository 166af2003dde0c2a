#!/usr/bin/env bash
# Benchmarks for knowing-scratch. Writes BENCHMARKS.md at the repository root.
#
#   benches/bench.sh                 all four parts
#   benches/bench.sh --quick         fewer runs
#   benches/bench.sh --no-tutorial   skip parts 3 and 4 (the tutorial on engines)
#   benches/bench.sh --no-engine     nothing against the live engine
#
# 1. Per-step overhead: generated lessons of 1, 300 and 3000 `echo` steps,
#    against a plain bash script running the same commands, and cram on the
#    300 steps; with the docker stub, then with the live engine. The commands
#    compared run in alternating rounds (benches/alternate.py).
# 2. Matching at scale: `cargo bench --bench matching` (release build).
# 3. The tutorial: `check` and `check --jobs 2` on every lesson against the
#    live engine, against the same commands as a plain bash script (generated
#    from the lessons by benches/tutorial_script.rs), in alternating rounds.
# 4. Engines: `check` on three engines at once (20.10, 28.5, 28.5 with the
#    containerd store) against `check` on one (28.5), when the set-up
#    script's contexts exist.
#
# Needs: cargo, python3 (benches/alternate.py times, benches/report.py writes),
# cram (installed with `pip install cram` when missing; optional), and for the
# live parts a running Docker engine (the runs hold the live tests' lock).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quick=0
tutorial=1
engine=1
for arg in "$@"; do
  case $arg in
    --quick) quick=1 ;;
    --no-tutorial) tutorial=0 ;;
    --no-engine) engine=0 tutorial=0 ;;
    *) echo "usage: $0 [--quick] [--no-tutorial] [--no-engine]" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

say() { printf '\n== %s\n' "$*" >&2; }

if ! command -v cram >/dev/null; then
  say "installing cram (optional)"
  python3 -m pip install cram >&2 || true
  hash -r
fi
have_cram=0
command -v cram >/dev/null && have_cram=1

say "building (release)"
cargo build --release --quiet
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target/release/knowing-scratch

# ---------------------------------------------------------------- part 1
say "part 1: per-step overhead"
for n in 1 300 3000; do
  mkdir -p "$work/steps-$n/lessons"
  {
    echo "id: steps-$n"
    echo "title: $n echo steps"
    echo "steps:"
    for i in $(seq 1 "$n"); do
      printf '  - title: Step %d\n    run: echo line %d\n    output: |\n      line %d\n' "$i" "$i" "$i"
    done
  } >"$work/steps-$n/lessons/steps.yaml"
  for i in $(seq 1 "$n"); do echo "echo line $i"; done >"$work/steps-$n.sh"
  for i in $(seq 1 "$n"); do printf '  $ echo line %d\n  line %d\n' "$i" "$i"; done >"$work/steps-$n.t"
done
rounds_small=15
rounds_big=7
[ "$quick" = 1 ] && rounds_small=5 && rounds_big=3
# The commands of one part run in alternating rounds (benches/alternate.py),
# so a busy spell cannot land on one of them alone.
alternate() { python3 "$root/benches/alternate.py" "$@"; }
stub_check() { echo "$bin --color never --docker $root/benches/docker-stub check --lessons $work/steps-$1/lessons"; }
live_check() { echo "$bin --color never check --lessons $work/steps-$1/lessons"; }
# cram as the user would run it (the first on PATH) and, when that is a
# pyenv shim (a bash script that starts `pyenv exec`), the script it stands for.
cram_args=()
: >"$work/cram.txt"
if [ "$have_cram" = 1 ]; then
  cram_bin=$(command -v cram)
  cram_args=("cram=$cram_bin -q $work/steps-300.t")
  printf 'bin\t%s\nversion\t%s\n' "$cram_bin" "$("$cram_bin" --version 2>&1 | head -1)" >>"$work/cram.txt"
  printf 'first line\t%s\n' "$(head -1 "$cram_bin")" >>"$work/cram.txt"
  if command -v pyenv >/dev/null && real=$(pyenv which cram 2>/dev/null) && [ "$real" != "$cram_bin" ]; then
    cram_args+=("cram-direct=$real -q $work/steps-300.t")
    printf 'direct\t%s\ndirect first line\t%s\n' "$real" "$(head -1 "$real")" >>"$work/cram.txt"
  fi
fi
alternate "$work/p300.json" "$rounds_small" 2 \
  "check-1=$(stub_check 1)" \
  "check-300=$(stub_check 300)" \
  "bash-300=bash $work/steps-300.sh" \
  "${cram_args[@]}"
alternate "$work/p3000.json" "$rounds_big" 1 \
  "check-3000=$(stub_check 3000)" \
  "bash-3000=bash $work/steps-3000.sh"
# Show that the check did compare every step.
"$bin" --color never --docker "$root/benches/docker-stub" check --lessons "$work/steps-300/lessons" | tail -1 >"$work/p300.summary"

# The same lessons against the live engine, which is what users run: the
# engine questions and the cleanup are real. The engine is shared, so the
# runs hold the lock the live tests take.
lock=${TMPDIR:-/tmp}/knowing-scratch-live-engine.lock
live=0
if [ "$engine" = 1 ] && docker version >/dev/null 2>&1; then
  live=1
  say "part 1, live engine (waiting for $lock)"
  exec 9>"$lock"
  flock 9
  "$bin" --color never check --lessons "$work/steps-300/lessons" | head -1 >"$work/live.header"
  "$bin" --color never check --lessons "$work/steps-300/lessons" | tail -1 >"$work/live.summary"
  alternate "$work/live.json" "$rounds_small" 2 \
    "check-1=$(live_check 1)" \
    "check-300=$(live_check 300)" \
    "${cram_args[@]}" \
    "docker-version=docker version --format '{{json .}}'" \
    "docker-buildx-version=docker buildx version" \
    "docker-info=docker info --format '{{json .DriverStatus}}'" \
    "docker-ps=docker ps -aq --no-trunc --filter label=io.knowing-scratch.run=none"
  flock -u 9
fi

# ---------------------------------------------------------------- part 2
say "part 2: matching at scale"
cargo bench --quiet --bench matching >"$work/matching.md"

# ---------------------------------------------------------------- part 3
if [ "$tutorial" = 1 ]; then
  say "part 3: the tutorial against the live engine (waiting for $lock)"
  exec 9>"$lock"
  flock 9
  rounds=3
  [ "$quick" = 1 ] && rounds=1
  export KNOWING_SCRATCH_REGISTRY=0
  cargo bench --quiet --bench tutorial_script -- "$root/lessons" >"$work/tutorial.sh"
  # The reports, to show what was compared (they must pass: alternate.py
  # stops at a command that exits non-zero).
  "$bin" --color never check --format json --report "$work/check.json" >"$work/check.out" 2>&1
  "$bin" --color never check --jobs 2 >"$work/check-jobs.out" 2>&1
  # One warm-up round, then rounds in rotating order.
  alternate "$work/tutorial.json" "$rounds" 1 \
    "check=$bin --color never check" \
    "check-jobs-2=$bin --color never check --jobs 2" \
    "script=env TUTORIAL_LOG=$work/tutorial.log bash $work/tutorial.sh"
  flock -u 9
fi

# ---------------------------------------------------------------- part 4
engines=0
if [ "$tutorial" = 1 ] && docker context inspect ks-28.5 ks-28.5-containerd >/dev/null 2>&1; then
  engines=1
  say "part 4: three engines in one check (waiting for their locks)"
  locks=("$lock")
  for name in ks-28.5 ks-28.5-containerd; do
    locks+=("${TMPDIR:-/tmp}/knowing-scratch-live-engine-$name.lock")
  done
  exec 7>"${locks[0]}" 6>"${locks[1]}" 5>"${locks[2]}"
  flock 7 && flock 6 && flock 5
  rounds=3
  [ "$quick" = 1 ] && rounds=1
  export KNOWING_SCRATCH_REGISTRY=0
  three="$bin --color never check --engine ks-20.10 --engine ks-28.5 --engine ks-28.5-containerd"
  $three >"$work/engines.out" 2>&1
  alternate "$work/engines.json" "$rounds" 1 \
    "one=$bin --color never check --engine ks-28.5" \
    "three=$three" \
    "three-jobs-2=$three --jobs 2"
  flock -u 5 && flock -u 6 && flock -u 7
fi

# ---------------------------------------------------------------- report
say "writing BENCHMARKS.md"
export WORK=$work QUICK=$quick TUTORIAL=$tutorial ENGINES=$engines
export CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
export CORES=$(nproc)
export MEM=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
export KERNEL=$(uname -sr)
export KS_VERSION=$("$bin" --version | cut -d' ' -f2)
export LIVE=$live DOCKER_BIN=$(command -v docker || true)
export ENGINE=$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo unknown)
export CLIENT=$(docker version --format '{{.Client.Version}}' 2>/dev/null || echo unknown)
if ! python3 "$root/benches/report.py" >"$work/BENCHMARKS.md"; then
  # The measurements took minutes: keep them for a fixed report.py.
  trap - EXIT
  echo "report.py failed; the measurements are in $work (WORK=$work python3 benches/report.py)" >&2
  exit 1
fi
cp "$work/BENCHMARKS.md" BENCHMARKS.md
say "done: BENCHMARKS.md"
