#!/usr/bin/python3
"""A full 30-hop trace through an emulated path, `icmpkit trace` beside Linux `traceroute -I` (issue 5 §4).

The path: `icmpkit respond --tun DEV --address 198.18.60.1 --hops 30 --hop-delay 2ms` in a namespace made by this
script (the client's source, 198.18.61.1/32, on its lo). Hop k answers time exceeded after 2k ms; the host is the 31st
hop, so with traceroute's default -m 30 both tools probe 30 hops and end there. Every hop answers every probe, except
for the responder's ICMP rate limit: a burst of 6 errors per source per hop, then 1 a second, as Linux. So a `*` is
false loss: the path lost nothing.

Two scenarios, rounds interleaved (the order of the tools rotates every round), medians compared:
  fresh        a new responder (fresh budgets) for every run: wall time, fork to reap of `ip netns exec … TOOL`.
  back-to-back one responder for the whole scenario, a run every GAP seconds (default 0.3): each run spends 3 of a
               hop's tokens, which come back at 1/s, so the budgets run dry and the limit bites every tool: `*` count
               (false loss) and wall time.
Tools (all with -n: no reverse lookups; the namespace has no resolver):
  traceroute   Debian's traceroute 2.1.2, `traceroute -I -n TARGET` (raw ICMP socket as root; -N 16 -q 3 -w 5,3,10 -m 30)
  icmpkit      `icmpkit trace -n TARGET`, Native AOT (its defaults: -N 90 -q 3 -w 5,3,10 -m 30, pacing on)
  icmpkit-N16  `icmpkit trace -n -N 16 TARGET`: traceroute's window, for comparison

Usage: bench/trace/trace_vs_traceroute.py [--rounds 7] [--gap 0.3] [--scenarios fresh,back-to-back] [--tools ...]
Binary: $ICMPKIT_AOT (default $BENCH_OUT/aot/IcmpKit.Cli; build it with bench/ping/build.sh aot), also used for the
responder. Run as root. Namespaces carry this script's PID and are removed on exit, Ctrl+C and SIGTERM; every run has
a kill timer (60 s).
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import os
import re
import signal
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ping"))
import benchlib as b  # noqa: E402

TARGET = "198.18.60.1"
CLIENT = "198.18.61.1"
HOPS = 30
HOP_DELAY = "2ms"


def die_with_parent() -> None:
    """PR_SET_PDEATHSIG(SIGTERM): a responder never outlives this script."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


class Path:
    """A namespace with the responder's emulated path in it."""

    def __init__(self, name: str, binary: str) -> None:
        self.ns = name
        self.device = name + "u"
        self.binary = binary
        subprocess.run(["ip", "netns", "add", self.ns], check=True)
        try:
            subprocess.run(["ip", "-n", self.ns, "link", "set", "lo", "up"], check=True)
            subprocess.run(["ip", "-n", self.ns, "addr", "add", CLIENT + "/32", "dev", "lo"], check=True)
            self.proc = subprocess.Popen(
                ["ip", "netns", "exec", self.ns, binary, "respond", "--tun", self.device, "--address", TARGET,
                 "--hops", str(HOPS), "--hop-delay", HOP_DELAY],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=die_with_parent)
            line = self.proc.stdout.readline()
            if "up" not in line:
                raise RuntimeError(f"icmpkit respond did not come up: {line}{self.proc.stdout.read()}")
            # The responder's first answers of each kind run code not compiled yet (JIT) or not in cache: warm it up,
            # then let every hop's budget fill again (6 tokens at 1/s).
            subprocess.run(["ip", "netns", "exec", self.ns, "ping", "-c", "5", "-i", "0.01", "-W", "1", "-q", TARGET],
                           stdout=subprocess.DEVNULL, check=False, timeout=20)
        except BaseException:
            self.close()
            raise

    def exec(self, cmd: list[str]) -> b.Run:
        return b.run(["ip", "netns", "exec", self.ns, *cmd], timeout=60)

    def close(self) -> str:
        """Stops the responder (SIGTERM: it prints its counters) and deletes the namespace; returns the counters."""
        counters = ""
        proc = getattr(self, "proc", None)
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                counters, _ = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
        subprocess.run(["ip", "netns", "del", self.ns], check=False, stderr=subprocess.DEVNULL)
        return counters


def rate_limited(counters: str) -> int:
    m = re.search(r"dropped rate_limited: (\d+)", counters)
    return int(m.group(1)) if m else 0


def stars(out: str) -> int:
    """Unanswered probes: the `*` of the hop lines (traceroute's text, which icmpkit prints too)."""
    return sum(line.split().count("*") for line in out.splitlines() if re.match(r"^\s*\d+\s", line))


def hops(out: str) -> int:
    return sum(1 for line in out.splitlines() if re.match(r"^\s*\d+\s", line))


def tools(aot: str) -> dict[str, list[str]]:
    return {
        "traceroute": ["traceroute", "-I", "-n", TARGET],
        "icmpkit": [aot, "trace", "-n", TARGET],
        "icmpkit-N16": [aot, "trace", "-n", "-N", "16", TARGET],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--gap", type=float, default=0.3, help="seconds between runs in back-to-back (default 0.3)")
    parser.add_argument("--scenarios", default="fresh,back-to-back")
    parser.add_argument("--tools", default="traceroute,icmpkit,icmpkit-N16")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("trace_vs_traceroute.py: run as root (namespaces, TUN devices)", file=sys.stderr)
        return 2
    aot = b.icmpkit_aot_binary()
    if not os.access(aot, os.X_OK):
        print(f"trace_vs_traceroute.py: no AOT binary at {aot}; build it with bench/ping/build.sh aot", file=sys.stderr)
        return 2
    every = tools(aot)
    chosen = [t for t in args.tools.split(",") if t]
    for name in chosen:
        if name not in every:
            print(f"trace_vs_traceroute.py: unknown tool {name} ({', '.join(every)})", file=sys.stderr)
            return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))

    build = open(os.path.join(os.path.dirname(aot), "BUILD-COMMIT")).read().strip() if os.path.exists(os.path.join(os.path.dirname(aot), "BUILD-COMMIT")) else "unknown"
    print(f"# trace_vs_traceroute.py, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M:%S} UTC; icmpkit {aot} ({build})")
    print(f"# path: icmpkit respond --hops {HOPS} --hop-delay {HOP_DELAY} --address {TARGET}; rounds {args.rounds}; "
          f"load before {' '.join(f'{x:.2f}' for x in b.loadavg())}")
    for name in chosen:
        print(f"#   {name}: {' '.join(every[name])}")
    results: dict[tuple[str, str], list[tuple[float, int, int, int]]] = {}
    serial = 0
    try:
        for scenario in [s for s in args.scenarios.split(",") if s]:
            shared = Path(f"ikbt{os.getpid() % 100000}s", aot) if scenario == "back-to-back" else None
            try:
                if shared is not None:
                    time.sleep(7)  # every budget full (6 tokens at 1/s) after the warm-up
                for r in range(args.rounds):
                    order = chosen[r % len(chosen):] + chosen[:r % len(chosen)]
                    for name in order:
                        if shared is None:
                            serial += 1
                            path = Path(f"ikbt{os.getpid() % 100000}f{serial % 100}", aot)
                            time.sleep(7)  # the warm-up spent nothing of the time exceeded budgets, but be sure
                            try:
                                run = path.exec(every[name])
                            finally:
                                limited = rate_limited(path.close())
                        else:
                            run = shared.exec(every[name])
                            limited = -1
                            time.sleep(args.gap)
                        results.setdefault((scenario, name), []).append((run.wall_s, stars(run.out), hops(run.out), limited))
                        print(f"{scenario:12} round {r + 1} {name:12} wall {run.wall_s:6.3f} s  rc {run.rc}  hops {hops(run.out):2}  "
                              f"* {stars(run.out):3}" + (f"  responder rate_limited {limited}" if limited >= 0 else ""), flush=True)
            finally:
                if shared is not None:
                    counters = shared.close()
                    print(f"{scenario:12} responder: rate_limited {rate_limited(counters)} in all")
    except KeyboardInterrupt:
        return 130

    print(f"\n# load after {' '.join(f'{x:.2f}' for x in b.loadavg())}")
    print(f"{'scenario':12} {'tool':12} {'runs':>4} {'median s':>9} {'min s':>7} {'max s':>7} {'ratio':>6} {'* median':>8} {'* total':>7} {'runs with *':>11}")
    for scenario in [s for s in args.scenarios.split(",") if s]:
        base = statistics.median(w for w, *_ in results.get((scenario, "traceroute"), [(float("nan"), 0, 0, 0)]))
        for name in chosen:
            rows = results.get((scenario, name), [])
            if not rows:
                continue
            walls = [w for w, *_ in rows]
            lost = [s for _, s, *_ in rows]
            median = statistics.median(walls)
            print(f"{scenario:12} {name:12} {len(rows):4} {median:9.3f} {min(walls):7.3f} {max(walls):7.3f} "
                  f"{median / base:6.2f} {statistics.median(lost):8} {sum(lost):7} {sum(1 for s in lost if s):11}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
