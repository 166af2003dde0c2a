#!/usr/bin/env bash
# Benchmarks for knowing-scratch. Writes BENCHMARKS.md at the repository root.
#
#   benches/bench.sh                 all three parts
#   benches/bench.sh --quick         fewer runs
#   benches/bench.sh --no-tutorial   skip part 3 (it needs a Docker engine)
#
# 1. Per-step overhead: generated lessons of 300 and 3000 `echo` steps, against
#    a plain bash script running the same commands, and cram on the 300 steps.
# 2. Matching at scale: `cargo bench --bench matching` (release build).
# 3. The tutorial: `check` on every lesson against the live engine, against
#    the same commands as a plain bash script (generated from the lessons by
#    benches/tutorial_script.rs).
#
# Needs: cargo, python3 (benches/report.py reads the results), hyperfine (installed with
# apt-get when missing), cram (installed with pip when missing; optional),
# and for part 3 a running Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quick=0
tutorial=1
for arg in "$@"; do
  case $arg in
    --quick) quick=1 ;;
    --no-tutorial) tutorial=0 ;;
    *) echo "usage: $0 [--quick] [--no-tutorial]" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

say() { printf '\n== %s\n' "$*" >&2; }

if ! command -v hyperfine >/dev/null; then
  say "installing hyperfine"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get install -y hyperfine >&2
fi
if ! command -v cram >/dev/null; then
  say "installing cram (optional)"
  python3 -m pip install --user cram >&2 || true
  export PATH="$HOME/.local/bin:$PATH"
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
runs_small=15
runs_big=7
[ "$quick" = 1 ] && runs_small=5 && runs_big=3
check_cmd() { echo "$bin --color never --docker $root/benches/docker-stub check --lessons $work/steps-$1/lessons"; }
cram_args=()
[ "$have_cram" = 1 ] && cram_args=(-n "cram (300 steps)" "cram -q $work/steps-300.t")
hyperfine -N --style basic --warmup 2 --runs "$runs_small" --export-json "$work/p300.json" \
  -n "knowing-scratch check (1 step)" "$(check_cmd 1)" \
  -n "knowing-scratch check (300 steps)" "$(check_cmd 300)" \
  -n "bash script (300 steps)" "bash $work/steps-300.sh" \
  "${cram_args[@]}" >&2
hyperfine -N --style basic --warmup 1 --runs "$runs_big" --export-json "$work/p3000.json" \
  -n "knowing-scratch check (3000 steps)" "$(check_cmd 3000)" \
  -n "bash script (3000 steps)" "bash $work/steps-3000.sh" >&2
# Show that the check did compare every step.
"$bin" --color never --docker "$root/benches/docker-stub" check --lessons "$work/steps-300/lessons" | tail -1 >"$work/p300.summary"

# ---------------------------------------------------------------- part 2
say "part 2: matching at scale"
cargo bench --quiet --bench matching >"$work/matching.md"

# ---------------------------------------------------------------- part 3
if [ "$tutorial" = 1 ]; then
  say "part 3: the tutorial against the live engine"
  pairs=3
  [ "$quick" = 1 ] && pairs=1
  export KNOWING_SCRATCH_REGISTRY=0
  # Both may exit non-zero (drift, steps that fail by design): that is data.
  set +e
  tool() { "$bin" --color never check >"$work/check.out" 2>&1; echo $? >"$work/check.code"; }
  cargo bench --quiet --bench tutorial_script -- "$root/lessons" >"$work/tutorial.sh"
  shell() { TUTORIAL_LOG="$work/tutorial.log" bash "$work/tutorial.sh"; }
  timed() { # run "$1", print its wall time in seconds
    local t0 t1
    t0=$(date +%s.%N)
    "$1"
    t1=$(date +%s.%N)
    python3 -c "print($t1 - $t0)"
  }
  # One of each to warm the build cache, then pairs in alternating order.
  tool
  shell
  : >"$work/tutorial.times"
  for i in $(seq 1 "$pairs"); do
    if [ $((i % 2)) = 1 ]; then
      printf 'check\t%s\n' "$(timed tool)" >>"$work/tutorial.times"
      printf 'shell\t%s\n' "$(timed shell)" >>"$work/tutorial.times"
    else
      printf 'shell\t%s\n' "$(timed shell)" >>"$work/tutorial.times"
      printf 'check\t%s\n' "$(timed tool)" >>"$work/tutorial.times"
    fi
    say "pair $i: $(tail -2 "$work/tutorial.times" | tr '\n\t' '  ')"
  done
  set -e
fi

# ---------------------------------------------------------------- report
say "writing BENCHMARKS.md"
export WORK=$work QUICK=$quick TUTORIAL=$tutorial HAVE_CRAM=$have_cram
export CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
export CORES=$(nproc)
export MEM=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
export KERNEL=$(uname -sr)
export KS_VERSION=$("$bin" --version | cut -d' ' -f2)
export HYPERFINE_VERSION=$(hyperfine --version | cut -d' ' -f2)
export CRAM_VERSION=$([ "$have_cram" = 1 ] && python3 -c 'import importlib.metadata as m; print(m.version("cram"))' 2>/dev/null || true)
export ENGINE=$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo unknown)
export CLIENT=$(docker version --format '{{.Client.Version}}' 2>/dev/null || echo unknown)
python3 "$root/benches/report.py" >BENCHMARKS.md
say "done: BENCHMARKS.md"
