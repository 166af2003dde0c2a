"""Times commands in alternating rounds and writes every run's wall time as JSON.

    python3 benches/alternate.py OUT.json ROUNDS WARMUP NAME=COMMAND...

Each round runs every command once, in an order that rotates from round to
round, so a busy spell on the machine lands on all of them alike instead of
on one command's block of runs (hyperfine times one command's runs back to
back). Commands are split like a shell would split them (no quotes needed
here) and run without a shell, output thrown away. A command that exits
non-zero is an error: the figures would not mean what they say. Beside each
wall time it writes the core-seconds the whole machine was busy meanwhile
(`cpu`), which tells a command that waits from one the cores limit.
"""

import json
import os
import shlex
import subprocess
import sys
import time


def busy():
    """Core-seconds the whole machine has spent busy (engines included)."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def run(argv):
    cpu = busy()
    start = time.perf_counter()
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"`{shlex.join(argv)}` exited {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}")
    return elapsed, busy() - cpu


def main():
    out, rounds, warmup, *specs = sys.argv[1:]
    commands = []
    for spec in specs:
        name, _, command = spec.partition("=")
        commands.append((name, shlex.split(command)))
    cpu = {name: [] for name, _ in commands}
    for _ in range(int(warmup)):
        for _, argv in commands:
            run(argv)
    times = {name: [] for name, _ in commands}
    load = [os.getloadavg()[0]]
    for r in range(int(rounds)):
        shift = r % len(commands)
        for name, argv in commands[shift:] + commands[:shift]:
            wall, used = run(argv)
            times[name].append(wall)
            cpu[name].append(used)
    load.append(os.getloadavg()[0])
    with open(out, "w") as f:
        json.dump({"rounds": int(rounds), "load": load, "times": times, "cpu": cpu}, f)


main()
