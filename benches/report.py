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
tools = f"knowing-scratch {env['KS_VERSION']} (release build)"
p(f"- Tools: {tools}")
p("")

p("## 1. Per-step overhead")
p("")
p("Generated lessons of N steps, each `echo line N` with the matching documented output, checked with")
p("`knowing-scratch check` (one shell session per lesson), against `bash script.sh` running the same")
p("`echo` commands, and cram running a `.t` file with the same commands and outputs. The commands of")
p("each table ran in alternating rounds (`benches/alternate.py`: every command once per round, the order")
p("rotating), so a busy spell lands on all of them alike; hyperfine times one command's runs back to")
p("back, which let a busy spell land on one command alone.")
p("")
cram_info = {}
if os.path.exists(f"{work}/cram.txt"):
    for line in read("cram.txt").splitlines():
        k, _, v = line.partition("\t")
        cram_info[k] = v


def rounds(name):
    with open(f"{work}/{name}") as f:
        return json.load(f)


def med(xs):
    return statistics.median(xs)


def ms(t):
    return f"{t * 1000:.1f} ms"


NAMES = {
    "check-1": "knowing-scratch check, 1 step",
    "check-300": "knowing-scratch check, 300 steps",
    "check-3000": "knowing-scratch check, 3000 steps",
    "bash-300": "bash script, 300 steps",
    "bash-3000": "bash script, 3000 steps",
    "cram": "cram, 300 steps (`cram` on PATH)",
    "cram-direct": "cram, 300 steps (the script the shim runs)",
    "docker-version": "`docker version --format '{{json .}}'`",
    "docker-buildx-version": "`docker buildx version`",
    "docker-info": "`docker info --format '{{json .DriverStatus}}'`",
    "docker-ps": "`docker ps -aq --no-trunc --filter label=...`",
}


def table(data, base=None):
    times = data["times"]
    header = "| command | median | min | max |"
    rule = "|---|---:|---:|---:|"
    if base:
        header += f" × {base[1]} |"
        rule += "---:|"
    p(header)
    p(rule)
    for name, ts in times.items():
        row = f"| {NAMES.get(name, name)} | {ms(med(ts))} | {ms(min(ts))} | {ms(max(ts))} |"
        if base:
            row += f" {med(ts) / med(times[base[0]]):.2f} |" if base[0] in times else " |"
        p(row)
    p("")
    p(f"{data['rounds']} rounds; load average {data['load'][0]:.1f} before, {data['load'][1]:.1f} after.")
    p("")


def paired(data, a, b):
    """Median of the per-round ratios a/b: each ratio compares runs made seconds apart."""
    ta, tb = data["times"][a], data["times"][b]
    return med([x / y for x, y in zip(ta, tb)])


if cram_info:
    p(f"cram: `{cram_info['bin']}` ({cram_info['version']}), first line `{cram_info['first line']}`.")
    if "direct" in cram_info:
        p(f"That is a pyenv shim; the script it runs is `{cram_info['direct']}` (first line")
        p(f"`{cram_info['direct first line']}`), timed too as `cram-direct`.")
    p("")
    shim = rounds("p300.json")["times"]
    if "cram-direct" in shim:
        a, b = med(shim["cram"]), med(shim["cram-direct"])
        p("Why this file once said cram took 266 ms on 300 steps, when a user measured 50–61 ms: `cram` on")
        p("this machine's PATH is a pyenv shim, a bash script that runs `pyenv exec`, which starts further")
        p("bash processes to choose a Python before Python starts cram. In this run the shim costs")
        p(f"{ms(a - b)} a call (`cram` {ms(a)}, the script it runs {ms(b)}). A user who installed cram with pip")
        p("into a plain Python runs the script directly. And hyperfine timed each command's runs in one")
        p("block, so a busy spell on this shared 2-core machine could land on cram's block alone; the rounds")
        p("here alternate, and the ratios are medians of per-round ratios.")
        p("")

p("### With the docker stub")
p("")
p("`--docker benches/docker-stub`: a shell script answers the client's questions (version, buildx,")
p("info), so this measures the runner, not the engine.")
p("")
small, big = rounds("p300.json"), rounds("p3000.json")
has_cram = "cram" in small["times"]
# The cram a user who ran `pip install cram` runs: the script itself.
cram_base = ("cram-direct", "cram script") if "cram-direct" in small["times"] else ("cram", "cram")
table(small, cram_base if has_cram else ("bash-300", "bash"))
table(big, ("bash-3000", "bash"))
ks1 = med(small["times"]["check-1"])
per_step = (med(big["times"]["check-3000"]) - med(small["times"]["check-300"])) / 2700
p(f"Fixed cost (start, engine questions, one shell, cleanup), from the one-step lesson: **{ms(ks1)}**.")
p(f"Cost of each further step, from the 300- and 3000-step medians: **{per_step * 1000:.2f} ms**.")
if has_cram:
    p(f"Check / cram on 300 steps, median of the per-round ratios: **{paired(small, 'check-300', 'cram'):.2f}**"
      + (f" (against the script the shim runs: **{paired(small, 'check-300', 'cram-direct'):.2f}**)." if "cram-direct" in small["times"] else "."))
p(f"The 300-step check ends with `{read('p300.summary')}`.")
p("")

if env.get("LIVE") == "1":
    live = rounds("live.json")
    p("### With the live engine")
    p("")
    p(f"The same lessons with the `docker` on PATH (`{env['DOCKER_BIN']}`) against the engine on its default")
    p(f"socket, holding the live-engine lock. The report's header line: `{read('live.header')}`. The")
    p("docker commands below are the bookkeeping questions as separate processes, for comparison.")
    p("")
    table(live, cram_base if has_cram else None)
    p(f"Fixed cost from the one-step lesson: **{ms(med(live['times']['check-1']))}**.")
    if has_cram:
        p(f"Check / cram on 300 steps, median of the per-round ratios: **{paired(live, 'check-300', 'cram'):.2f}**"
          + (f" (against the script the shim runs: **{paired(live, 'check-300', 'cram-direct'):.2f}**)." if "cram-direct" in live["times"] else "."))
    p(f"The 300-step check ends with `{read('live.summary')}`.")
    p("")

p("## 2. Matching at scale")
p("")
p("`cargo bench --bench matching`: `Pattern::parse` and `Pattern::compare` in release mode, on outputs")
p("shaped like Docker's (container listings with IDs and relative times, build-log durations, digests,")
p("sizes, plain lines); the real output has new volatile values on every line, and the drifted ones")
p("change one line, five lines spread through the output, 20 lines inserted in the middle, or 1% of")
p("lines. Medians of 11 to 51 runs. Target: linear, comparing 100k lines under 100 ms. A documented")
p("output is parsed once per lesson load, matched or not: a step pays parse + compare.")
p("")
p(read("matching.md"))
p("")

def alternated(name):
    data = json.loads(read(name))
    return data, {k: statistics.median(v) for k, v in data["times"].items()}


def runs(ts):
    return ", ".join(f"{t:.2f} s" for t in ts)


if tutorial:
    p("## 3. The tutorial against the live engine")
    p("")
    data, med = alternated("tutorial.json")
    rounds = data["rounds"]
    p("`KNOWING_SCRATCH_REGISTRY=0 knowing-scratch check` on every lesson (the steps that need Docker Hub are")
    p("skipped: there is no internet here), the same with `--jobs 2`, and the same commands as a plain bash")
    p("script, generated from the lessons by `benches/tutorial_script.rs`: each lesson in a subshell, one after")
    p("the other, interactive steps typed through `script`, steps with `stop` ended after their lines and their")
    p(f"containers removed, the containers the script started removed at the end. Engine {env['ENGINE']}, client")
    p(f"{env['CLIENT']}, {env['CORES']} cores. One warm-up round, then {rounds} round(s), the order rotating.")
    p("")
    p("| command | runs | median | × script |")
    p("|---|---|---:|---:|")
    names = {"check": "knowing-scratch check", "check-jobs-2": "knowing-scratch check --jobs 2", "script": "plain bash script"}
    for k, label in names.items():
        p(f"| {label} | {runs(data['times'][k])} | {med[k]:.2f} s | {med[k] / med['script']:.2f} |")
    p("")
    p(f"Load average {data['load'][0]:.1f} before, {data['load'][1]:.1f} after.")
    p(f"Serial check / script: **{med['check'] / med['script']:.3f}** (target < 1.1).")
    p(f"`--jobs 2` / script: **{med['check-jobs-2'] / med['script']:.3f}** (target ≤ 0.7).")
    p(f"Both reports end with the same line: `{read('check.out').splitlines()[-1]}` and")
    p(f"`{read('check-jobs.out').splitlines()[-1]}`.")
    p("")
    report = json.loads(read("check.json"))
    took = {l["id"]: sum(s["duration_ms"] for s in l["steps"]) / 1000 for l in report["lessons"]}
    chain = ["create-from-scratch", "image-layers", "debug-without-shell", "non-root-user"]
    length = sum(took.get(c, 0) for c in chain)
    cpu = statistics.median(data["cpu"]["check-jobs-2"])
    p("What bounds `--jobs 2`: four lessons must run one after the other whatever the number of jobs,")
    p("`create-from-scratch` → `image-layers` → `debug-without-shell` → `non-root-user` (the last rebuilds")
    p("the image the three others build and read; the middle two `need` the first). In the serial run")
    p(f"their steps took **{length:.1f} s**, {length / med['script']:.2f}× the script, before any other")
    p(f"lesson or the run's own start and cleanup. The machine was busy {cpu:.1f} core-seconds per")
    p(f"`--jobs 2` run ({cpu / med['check-jobs-2']:.2f} of its {env['CORES']} cores on average).")
    p("")

if env.get("ENGINES") == "1":
    p("## 4. Three engines in one check")
    p("")
    data, med = alternated("engines.json")
    p("`knowing-scratch check --engine ks-20.10 --engine ks-28.5 --engine ks-28.5-containerd` (the set-up")
    p("script's engines: 20.10, 28.5 with the classic store, 28.5 with the containerd store, all on this")
    p(f"machine) against `knowing-scratch check --engine ks-28.5`. One warm-up round, then {data['rounds']}")
    p("round(s), the order rotating.")
    p("")
    p("| command | runs | median | busy core-seconds (median) |")
    p("|---|---|---:|---:|")
    labels = {"one": "one engine", "three": "three engines", "three-jobs-2": "three engines, `--jobs 2`"}
    for k, label in labels.items():
        cpu = statistics.median(data["cpu"][k])
        p(f"| {label} | {runs(data['times'][k])} | {med[k]:.2f} s | {cpu:.1f} |")
    p("")
    cores = int(env["CORES"])
    busy = {k: statistics.median(data["cpu"][k]) for k in ("three", "three-jobs-2")}
    bound = {k: v / cores for k, v in busy.items()}
    p(f"Load average {data['load'][0]:.1f} before, {data['load'][1]:.1f} after.")
    p(f"Three / one: **{med['three'] / med['one']:.3f}** (target ≤ 1.5); with `--jobs 2`:")
    p(f"**{med['three-jobs-2'] / med['one']:.3f}**. The three engines run on this machine's {cores} cores. The")
    p(f"three-engine check kept them busy {busy['three']:.1f} core-seconds (Go builds, mostly), so that run")
    p(f"could not end in less than {bound['three']:.1f} s, **{bound['three'] / med['one']:.2f}×** one engine's check;")
    p(f"with `--jobs 2` the machine was busy {busy['three-jobs-2']:.1f} core-seconds, a floor of")
    p(f"{bound['three-jobs-2']:.1f} s, **{bound['three-jobs-2'] / med['one']:.2f}×**.")
    p("Engines on machines of their own (`--engine ssh://…`) do not share these floors.")
    p(f"The three-engine report ends with `{read('engines.out').splitlines()[-1]}`.")
    p("")

p("## Commands")
p("")
p("```")
p("benches/bench.sh                 # all parts; writes this file")
p("benches/bench.sh --no-tutorial   # without parts 3 and 4 (the tutorial on engines)")
p("benches/bench.sh --no-engine     # nothing against the live engine")
p("cargo bench --bench tutorial_script -- lessons > tutorial.sh   # part 3's baseline")
p("cargo bench --bench matching     # part 2 alone")
p("python3 benches/alternate.py OUT.json ROUNDS WARMUP \\")
p("  'check=knowing-scratch --docker benches/docker-stub check --lessons DIR' \\")
p("  'bash=bash steps.sh' 'cram=cram -q steps.t'")
p("```")
print("\n".join(out))
