#!/usr/bin/python3
"""Back-to-back pings on loopback: `icmpkit ping -i 0 -c N -q 127.0.0.1` against a .NET console loop that awaits
System.Net.NetworkInformation.Ping.SendPingAsync(127.0.0.1) N times (bench/DotnetPingLoop), as root. iputils
`ping -i 0 -c N -q` runs alongside for context.

Interleaved rounds (the order rotates each round). Rates:
  - by wall time (fork to reap, so process and runtime start-up included, for every tool);
  - by the tool's own clock: icmpkit/iputils summary "time Nms", the .NET loop's Stopwatch around the loop only.
Target (docs/benchmarks.md): icmpkit >= 5x the .NET rate.

Usage: bench/ping/rate.py [--rounds 5] [--count 20000] [--target 127.0.0.1] [--aot]
Binaries: $ICMPKIT, $DOTNET_PING_LOOP (see build.sh), $IPUTILS_PING. Bounded: -c N and a 120 s kill timer per run.
"""

import argparse
import re

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
import benchlib as b  # noqa: E402


def loop_ms(text: str):
    m = re.search(r"loop_ms=([\d.]+)", text)
    return float(m.group(1)) if m else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--count", type=int, default=20_000)
    ap.add_argument("--target", default="127.0.0.1")
    ap.add_argument("--aot", action="store_true", help="also run the Native AOT build ($ICMPKIT_AOT)")
    a = ap.parse_args()
    if not a.target.startswith("127.") and a.target != "::1":
        raise SystemExit("loopback only")
    b.require_root()
    icmpkit, loop = b.icmpkit_binary(), b.dotnet_ping_loop_binary()
    b.require_exe(icmpkit, "run bench/ping/build.sh cli, or set ICMPKIT")
    b.require_exe(loop, "run bench/ping/build.sh loop, or set DOTNET_PING_LOOP")
    n = str(a.count)
    tools = {
        "icmpkit -i 0": [icmpkit, "ping", "-i", "0", "-c", n, "-q", a.target],
        ".NET Ping (one instance)": [loop, n, a.target, "reuse"],
        ".NET Ping (new per call)": [loop, n, a.target, "new"],
        "iputils -i 0": [b.iputils_ping(), "-i", "0", "-c", n, "-q", a.target],
    }
    if a.aot:
        b.require_exe(b.icmpkit_aot_binary(), "run bench/ping/build.sh aot, or set ICMPKIT_AOT")
        tools["icmpkit AOT -i 0"] = [b.icmpkit_aot_binary(), "ping", "-i", "0", "-c", n, "-q", a.target]
    b.header("back-to-back: icmpkit ping -i 0 vs .NET Ping.SendPingAsync loop (iputils for context)")
    for name, cmd in tools.items():
        print(f"{name}: {' '.join(cmd)}")
    for cmd in tools.values():  # warm-up, not counted
        b.run([("500" if x == n else x) for x in cmd])
    load = b.LoadSampler()
    names = list(tools)
    results = {k: [] for k in names}
    for r in range(a.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            load.sample()
            results[name].append(b.run(tools[name]))
    load.sample()

    def own_ms(name, run):
        return loop_ms(run.out) if name.startswith(".NET") else b.parse_summary(run.out).time_ms

    def ok(name, run):
        if name.startswith(".NET"):
            return "ok" if run.rc == 0 and f"ok={a.count}" in run.out else f"rc={run.rc} {run.out.strip()}"
        return b.check(run, a.count) or "ok"

    print()
    print("## per run")
    rows = []
    for name in names:
        for i, run in enumerate(results[name]):
            own = own_ms(name, run)
            rows.append([name, i + 1, f"{run.wall_s * 1000:.0f}", f"{own:.0f}" if own else "?",
                         f"{run.user_s:.2f}", f"{run.sys_s:.2f}", ok(name, run)])
    b.table(["tool", "round", "wall ms", "own clock ms", "user s", "sys s", "check"], rows)

    print()
    print(f"## medians of {a.rounds} rounds, {a.count} pings each")
    med = {}
    rows = []
    for name in names:
        runs = results[name]
        wall = b.median([x.wall_s for x in runs])
        own = b.median([own_ms(name, x) for x in runs])
        user, sys_ = b.median([x.user_s for x in runs]), b.median([x.sys_s for x in runs])
        med[name] = (a.count / wall, a.count / (own / 1000))
        rows.append([name, f"{wall * 1000:.0f}", f"{a.count / wall:,.0f}", f"{own:.0f}", f"{a.count / (own / 1000):,.0f}",
                     f"{user:.2f}", f"{sys_:.2f}", f"{(user + sys_) / a.count * 1e6:.1f}"])
    b.table(["tool", "wall ms", "pings/s (wall)", "own clock ms", "pings/s (own clock)", "user s", "sys s", "CPU µs/ping"], rows)
    print()
    k = med["icmpkit -i 0"]
    for kn in [x for x in names if x.startswith("icmpkit")]:
        for dn in (".NET Ping (one instance)", ".NET Ping (new per call)", "iputils -i 0"):
            d = med[dn]
            print(f"ratio {kn} / {dn}: {med[kn][0] / d[0]:.2f}x by wall, {med[kn][1] / d[1]:.2f}x by own clock")
    best_net = max(med[".NET Ping (one instance)"][1], med[".NET Ping (new per call)"][1])
    best_net_wall = max(med[".NET Ping (one instance)"][0], med[".NET Ping (new per call)"][0])
    print(f"target icmpkit >= 5x .NET (faster .NET variant): "
          f"{'MET' if k[1] / best_net >= 5 else 'NOT MET'} by own clock ({k[1] / best_net:.2f}x), "
          f"{'MET' if k[0] / best_net_wall >= 5 else 'NOT MET'} by wall ({k[0] / best_net_wall:.2f}x)")
    print(load.describe())


if __name__ == "__main__":
    main()
