#!/usr/bin/python3
"""Flood ping on loopback: `icmpkit ping -f -c N -q 127.0.0.1` against iputils `ping -f -c N -q 127.0.0.1`, as root.

Both run in the same script run, interleaved (the order rotates each round), for several rounds. For each run: wall time (fork
to reap), pings/s = N / wall, pings/s from the summary's "time Nms", user and sys CPU of the child (wait4 rusage).
Prints medians and the ratio icmpkit / iputils. Target (DESIGN.md §7, docs/benchmarks.md): icmpkit >= 1.25x iputils.

Usage: bench/ping/flood.py [--rounds 7] [--count 100000] [--target 127.0.0.1] [--aot]
Binaries: $ICMPKIT (default $BENCH_OUT/cli/IcmpKit.Cli, see build.sh), $IPUTILS_PING (default /usr/bin/ping).
Every load is bounded: -c N, and a 120 s kill timer per run.
"""

import argparse

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
import benchlib as b  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--target", default="127.0.0.1")
    ap.add_argument("--aot", action="store_true", help="also run the Native AOT build ($ICMPKIT_AOT)")
    a = ap.parse_args()
    if not a.target.startswith("127.") and a.target != "::1":
        raise SystemExit("flood only to loopback")
    b.require_root()
    icmpkit = b.icmpkit_binary()
    b.require_exe(icmpkit, "run bench/ping/build.sh cli, or set ICMPKIT")
    tools = {
        "icmpkit": [icmpkit, "ping", "-f", "-c", str(a.count), "-q", a.target],
        "iputils": [b.iputils_ping(), "-f", "-c", str(a.count), "-q", a.target],
    }
    if a.aot:
        b.require_exe(b.icmpkit_aot_binary(), "run bench/ping/build.sh aot, or set ICMPKIT_AOT")
        tools["icmpkit AOT"] = [b.icmpkit_aot_binary(), "ping", "-f", "-c", str(a.count), "-q", a.target]
    b.header("flood: icmpkit ping -f vs iputils ping -f")
    for name, cmd in tools.items():
        print(f"{name}: {' '.join(cmd)}")
    # One short warm-up each (page cache), not counted.
    for cmd in tools.values():
        b.run([("1000" if x == str(a.count) else x) for x in cmd])
    load = b.LoadSampler()
    results = {n: [] for n in tools}
    names = list(tools)
    for r in range(a.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            load.sample()
            results[name].append(b.run(tools[name]))
    load.sample()

    print()
    print("## per run")
    rows = []
    for name in names:
        for i, run in enumerate(results[name]):
            s = b.parse_summary(run.out)
            rows.append([name, i + 1, f"{run.wall_s * 1000:.0f}", f"{s.time_ms:.0f}" if s.time_ms is not None else "?",
                         f"{a.count / run.wall_s:,.0f}", f"{run.user_s:.2f}", f"{run.sys_s:.2f}",
                         s.pipe or 1, b.check(run, a.count) or "ok"])
    b.table(["tool", "round", "wall ms", "summary time ms", "pings/s (wall)", "user s", "sys s", "pipe", "check"], rows)

    print()
    print(f"## medians of {a.rounds} rounds")
    med = {}
    rows = []
    for name in names:
        runs = results[name]
        wall = b.median([x.wall_s for x in runs])
        summ = b.median([b.parse_summary(x.out).time_ms for x in runs])
        user = b.median([x.user_s for x in runs])
        sys_ = b.median([x.sys_s for x in runs])
        med[name] = (wall, summ, user, sys_)
        rows.append([name, f"{wall * 1000:.0f}", f"{a.count / wall:,.0f}", f"{summ:.0f}", f"{a.count / (summ / 1000):,.0f}",
                     f"{user:.2f}", f"{sys_:.2f}", f"{(user + sys_) / a.count * 1e6:.2f}"])
    b.table(["tool", "wall ms", "pings/s (wall)", "summary time ms", "pings/s (summary)", "user s", "sys s",
             "CPU µs/ping"], rows)
    ki, ip = med["icmpkit"], med["iputils"]
    print()
    print(f"ratio icmpkit/iputils, pings/s by wall time:    {ip[0] / ki[0]:.2f}x")
    print(f"ratio icmpkit/iputils, pings/s by summary time: {ip[1] / ki[1]:.2f}x")
    def times(k: float, i: float) -> str:
        return f"{k / i:.2f}x" if i >= 0.005 else f"{k:.2f} s vs {i:.2f} s"

    print(f"ratio icmpkit/iputils, CPU (user+sys):          {times(ki[2] + ki[3], ip[2] + ip[3])} "
          f"(user {times(ki[2], ip[2])}, sys {times(ki[3], ip[3])})")
    if "icmpkit AOT" in med:
        ka = med["icmpkit AOT"]
        print(f"ratio icmpkit AOT/iputils, pings/s by wall time: {ip[0] / ka[0]:.2f}x, by summary time: {ip[1] / ka[1]:.2f}x")
    print(f"target icmpkit >= 1.25x iputils (wall): {'MET' if ip[0] / ki[0] >= 1.25 else 'NOT MET'}")
    print(load.describe())


if __name__ == "__main__":
    main()
