"""Writes BENCHMARKS.md (on stdout) from the results benches/bench.sh left in $WORK."""

import json
import os
import statistics

env = os.environ
work = env["WORK"]
quick = env["QUICK"] == "1"
tutorial = env["TUTORIAL"] == "1"


def medians(name):
    with open(f"{work}/{name}") as f:
        return {r["command"]: r["median"] for r in json.load(f)["results"]}


def read(name):
    with open(f"{work}/{name}") as f:
        return f.read().strip()


out = []
p = out.append
p("# Benchmarks")
p("")
p(f"Written by `benches/bench.sh`{' --quick' if quick else ''}. The comparisons in each part were measured")
p("side by side in the same run of the script: on a busy machine the ratios are more trustworthy than")
p("the absolute times.")
p("")
p("## Machine")
p("")
p(f"- CPU: {env['CPU']}, {env['CORES']} cores (`nproc`)")
p(f"- Memory: {env['MEM']}")
p(f"- Kernel: {env['KERNEL']}")
tools = f"knowing-scratch {env['KS_VERSION']} (release build), hyperfine {env['HYPERFINE_VERSION']}"
if env.get("CRAM_VERSION"):
    tools += f", cram {env['CRAM_VERSION']}"
p(f"- Tools: {tools}")
p("")

p("## 1. Per-step overhead")
p("")
p("Generated lessons of N steps, each `echo line N` with the matching documented output, checked with")
p("`knowing-scratch check` (one shell session per lesson; `benches/docker-stub` answers the docker")
p("client's version questions, so this measures the runner, not the engine), against `bash script.sh`")
p("running the same `echo` commands" + (", and cram running a `.t` file with the same commands and outputs." if env.get("CRAM_VERSION") else "."))
p("")
small, big = medians("p300.json"), medians("p3000.json")
ks300, sh300 = small["knowing-scratch check (300 steps)"], small["bash script (300 steps)"]
ks3k, sh3k = big["knowing-scratch check (3000 steps)"], big["bash script (3000 steps)"]
cram = small.get("cram (300 steps)")
p("| command | median | × bash |" + (" × cram |" if cram else ""))
p("|---|---:|---:|" + ("---:|" if cram else ""))


def row(name, t, base, vs_cram):
    extra = ""
    if cram:
        extra = f" {t / cram:.2f} |" if vs_cram else " |"
    p(f"| {name} | {t * 1000:.1f} ms | {t / base:.1f} |" + extra)


row("knowing-scratch check, 300 steps", ks300, sh300, True)
row("bash script, 300 steps", sh300, sh300, True)
if cram:
    row("cram, 300 steps", cram, sh300, True)
row("knowing-scratch check, 3000 steps", ks3k, sh3k, False)
row("bash script, 3000 steps", sh3k, sh3k, False)
p("")
ks1 = small["knowing-scratch check (1 step)"]
per_step = (ks3k - ks300) / 2700
p(f"Fixed cost (start, engine questions, one shell, cleanup), from a one-step lesson: **{ks1 * 1000:.1f} ms**.")
p(f"Cost of each further step, from the 300- and 3000-step medians: **{per_step * 1000:.2f} ms**")
p(f"(cram: {cram / 300 * 1000:.2f} ms a step including its start)." if cram else "")
p(f"The 300-step check ends with `{read('p300.summary')}`.")
p("")

p("## 2. Matching at scale")
p("")
p("`cargo bench --bench matching`: `Pattern::parse` and `Pattern::compare` in release mode, on outputs")
p("shaped like Docker's (container listings with IDs and relative times, build-log durations, digests,")
p("sizes, plain lines); the real output has new volatile values on every line. Medians of 7 to 51 runs.")
p("Target: linear, 100k lines under 100 ms.")
p("")
p(read("matching.md"))
p("")

if tutorial:
    p("## 3. The tutorial against the live engine")
    p("")
    times = {"check": [], "shell": []}
    for line in read("tutorial.times").splitlines():
        k, v = line.split()
        times[k].append(float(v))
    mc, ms = statistics.median(times["check"]), statistics.median(times["shell"])
    summary = read("check.out").splitlines()[-1]
    p("`KNOWING_SCRATCH_REGISTRY=0 knowing-scratch check` on every lesson (the steps that need Docker Hub are")
    p("skipped: there is no internet here) against the same commands as a plain bash script, generated from")
    p("the lessons by `benches/tutorial_script.rs`: each lesson in a subshell, interactive steps typed through")
    p("`script`, steps with `stop` ended after their lines and their containers removed, the containers the")
    p(f"script started removed at the end. Engine {env['ENGINE']}, client {env['CLIENT']}. One warm-up run of")
    p(f"each, then {len(times['check'])} pair(s) in alternating order.")
    p("")
    p("| command | runs | median |")
    p("|---|---|---:|")
    p(f"| knowing-scratch check | {', '.join(f'{t:.2f} s' for t in times['check'])} | {mc:.2f} s |")
    p(f"| plain bash script | {', '.join(f'{t:.2f} s' for t in times['shell'])} | {ms:.2f} s |")
    p("")
    p(f"Ratio check / script: **{mc / ms:.3f}** (target < 1.1). The check exited {read('check.code')}:")
    p(f"`{summary}`.")
    p("")

p("## Commands")
p("")
p("```")
p("benches/bench.sh                 # all parts; writes this file")
p("benches/bench.sh --no-tutorial   # without an engine")
p("cargo bench --bench tutorial_script -- lessons > tutorial.sh   # part 3's baseline")
p("cargo bench --bench matching     # part 2 alone")
p("hyperfine -N --warmup 2 \\")
p("  'knowing-scratch --docker benches/docker-stub check --lessons DIR' \\")
p("  'bash steps.sh' 'cram -q steps.t'")
p("```")
print("\n".join(out))
