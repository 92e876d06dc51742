#!/usr/bin/python3
"""Start-up: wall time of one ping on loopback, `icmpkit ping -c 1 127.0.0.1` (Native AOT build, and the JIT
framework-dependent build for comparison) against iputils `ping -c 1 127.0.0.1`, as root.

Interleaved: each round runs every tool once (the order rotates), --runs rounds; medians of wall time (fork to
reap), user and sys CPU. Target (docs/benchmarks.md): the AOT icmpkit <= 3x iputils.

Usage: bench/ping/startup.py [--runs 20] [--target 127.0.0.1]
Binaries: $ICMPKIT_AOT, $ICMPKIT (see build.sh), $IPUTILS_PING.
"""

import argparse
import statistics

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
import benchlib as b  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--target", default="127.0.0.1")
    a = ap.parse_args()
    if not a.target.startswith("127.") and a.target != "::1":
        raise SystemExit("loopback only")
    b.require_root()
    aot, jit = b.icmpkit_aot_binary(), b.icmpkit_binary()
    b.require_exe(aot, "run bench/ping/build.sh aot, or set ICMPKIT_AOT")
    b.require_exe(jit, "run bench/ping/build.sh cli, or set ICMPKIT")
    tools = {
        "icmpkit (Native AOT)": [aot, "ping", "-c", "1", a.target],
        "icmpkit (JIT)": [jit, "ping", "-c", "1", a.target],
        "iputils": [b.iputils_ping(), "-c", "1", a.target],
    }
    b.header("start-up: ping -c 1 127.0.0.1")
    for name, cmd in tools.items():
        print(f"{name}: {' '.join(cmd)}")
    for cmd in tools.values():  # warm-up (page cache), not counted
        b.run(cmd, timeout=30)
    names = list(tools)
    load = b.LoadSampler()
    results = {k: [] for k in names}
    for r in range(a.runs):
        load.sample()
        for name in names[r % len(names):] + names[:r % len(names)]:
            results[name].append(b.run(tools[name], timeout=30))
    load.sample()

    print()
    print(f"## {a.runs} runs each")
    rows = []
    med = {}
    for name in names:
        runs = results[name]
        bad = [r for r in runs if r.rc != 0 or b.parse_summary(r.out).received != 1]
        walls = sorted(r.wall_s * 1000 for r in runs)
        med[name] = statistics.median(walls)
        rows.append([name, f"{med[name]:.1f}", f"{walls[0]:.1f}", f"{walls[-1]:.1f}",
                     f"{statistics.median(r.user_s for r in runs) * 1000:.0f}",
                     f"{statistics.median(r.sys_s for r in runs) * 1000:.0f}",
                     "ok" if not bad else f"{len(bad)} bad (rc {bad[0].rc})"])
    b.table(["tool", "median wall ms", "min ms", "max ms", "user ms", "sys ms", "check"], rows)
    print()
    base = med["iputils"]
    for name in names[:2]:
        print(f"ratio {name} / iputils: {med[name] / base:.2f}x")
    r = med["icmpkit (Native AOT)"] / base
    print(f"target AOT <= 3x iputils: {'MET' if r <= 3 else 'NOT MET'} ({r:.2f}x)")
    print(load.describe())


if __name__ == "__main__":
    main()
