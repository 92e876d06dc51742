#!/usr/bin/python3
"""The client half of rtt_accuracy.sh (runs inside the client namespace): iputils `ping -c N -i 0.02 TARGET` and
`icmpkit ping -c N -i 0.02 --ndjson TARGET`, interleaved for --rounds rounds, against responder.py, which answers
exactly 10 ms after its kernel receive stamp. Reports each tool's mean error against 10.000 ms and its standard
deviation, and (with --capture, from sniffer.py) against the RTT on the wire at the client's interface.

Precision: iputils prints time= with one decimal at >= 10 ms (0.1 ms steps), so its figures come from its summary
line (avg and mdev, in µs); icmpkit's come from --ndjson rtt_ms per reply (0.1 µs steps), and its summary is shown
as a cross-check. mdev is iputils' population standard deviation, sqrt(mean(x²) - mean(x)²); the same is used here.
"""

import argparse
import json
import math
import os
import re
import statistics
import time

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
import benchlib as b  # noqa: E402

NOMINAL_MS = 10.0


def pooled(means, sds):
    """Mean and population sd of equal-sized groups given each group's mean and population sd."""
    m = statistics.fmean(means)
    var = statistics.fmean([s * s + x * x for x, s in zip(means, sds)]) - m * m
    return m, math.sqrt(max(var, 0.0))


def pstdev(xs):
    return statistics.pstdev(xs) if len(xs) > 1 else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--interval", default="0.02")
    ap.add_argument("--capture", default=None, help="sniffer.py's output file")
    ap.add_argument("--responder-log", default=None, help="responder.py's --log file")
    ap.add_argument("--aot", action="store_true", help="also run the Native AOT build ($ICMPKIT_AOT)")
    ap.add_argument("--late-us", type=float, default=20.0, help="a reply the responder sent this late is 'responder-late'")
    a = ap.parse_args()
    if not a.target.startswith("198.18.") and not a.target.startswith("198.19."):
        raise SystemExit("only to a responder inside 198.18.0.0/15 (a namespace of our own)")
    icmpkit = b.icmpkit_binary()
    b.require_exe(icmpkit, "run bench/ping/build.sh cli, or set ICMPKIT")
    n = str(a.count)
    tools = {
        "iputils": [b.iputils_ping(), "-c", n, "-i", a.interval, a.target],
        "icmpkit": [icmpkit, "ping", "-c", n, "-i", a.interval, "--ndjson", a.target],
    }
    if a.aot:
        b.require_exe(b.icmpkit_aot_binary(), "run bench/ping/build.sh aot, or set ICMPKIT_AOT")
        tools["icmpkit AOT"] = [b.icmpkit_aot_binary(), "ping", "-c", n, "-i", a.interval, "--ndjson", a.target]
    print(f"client namespace: {os.environ.get('RTT_CLIENT_NS', '?')}, responder {a.target} "
          f"(+{NOMINAL_MS} ms after its kernel receive stamp)")
    for name, cmd in tools.items():
        print(f"{name}: {' '.join(cmd)}")
    load = b.LoadSampler()
    names = list(tools)
    runs = {k: [] for k in names}
    for r in range(a.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            load.sample()
            t0 = time.clock_gettime_ns(time.CLOCK_REALTIME)
            run = b.run(tools[name], timeout=60 + a.count * float(a.interval) * 2)
            t1 = time.clock_gettime_ns(time.CLOCK_REALTIME)
            runs[name].append((run, t0, t1))
    load.sample()

    # Per-run figures.
    wire = []
    if a.capture:
        with open(a.capture) as f:
            wire = [ln.split() for ln in f if ln.strip()]

    rlog = []
    if a.responder_log:
        with open(a.responder_log) as f:
            rlog = [tuple(int(x) for x in ln.split()) for ln in f if ln.strip()]

    def responder_late(t0, t1):
        """Sequences the responder answered more than --late-us after its deadline, in this run's window."""
        return {r[1] for r in rlog if t0 <= r[2] <= t1 + 100_000_000 and r[3] - r[2] > a.late_us * 1000}

    def path(t0, t1):
        """Per reply, in µs: client out -> responder rx stamp, responder hold - 10 ms (rx -> just before sendto),
        sendto call, responder sendto -> client in. One clock (CLOCK_REALTIME) on one host, so these are exact."""
        sent, got = {}, {}
        for d, ident, seq, ts in wire:
            ts = int(ts)
            if t0 <= ts <= t1:
                (sent if d == "out" else got).setdefault((int(ident), int(seq)), ts)
        out = []
        for ident, seq, deadline, before, rx, after in (r for r in rlog if len(r) >= 6 and t0 <= r[4] <= t1):
            k = (ident, seq)
            if k in sent and k in got:
                out.append(((rx - sent[k]) / 1e3, (before - rx) / 1e3 - NOMINAL_MS * 1e3, (after - before) / 1e3,
                            (got[k] - before) / 1e3))
        return out

    def wire_rtts(t0, t1):
        sent, got = {}, {}
        for d, ident, seq, ts in wire:
            ts = int(ts)
            if t0 <= ts <= t1:
                (sent if d == "out" else got).setdefault((ident, int(seq)), ts)
        return {k[1]: (got[k] - sent[k]) / 1e6 for k in sent if k in got}

    print()
    print("## per run (ms; error = value - 10.000 ms, in µs)")
    rows = []
    agg = {k: {"means": [], "sds": [], "samples": [], "minus_wire": [], "wire_means": [], "wire_sds": [], "recv": 0,
               "summ_means": [], "summ_sds": [], "clean": [], "late": 0, "path": []} for k in names}
    for name in names:
        for i, (run, t0, t1) in enumerate(runs[name]):
            g = agg[name]
            w = wire_rtts(t0, t1)
            late = responder_late(t0, t1)
            g["path"] += path(t0, t1)
            g["late"] += len(late)
            if name.startswith("icmpkit"):
                per = {}
                summ = {}
                for line in run.out.splitlines():
                    try:
                        ev = json.loads(line)
                    except ValueError:
                        continue
                    if ev.get("type") == "reply" and not ev.get("duplicate"):
                        per[ev["seq"]] = ev["rtt_ms"]
                    elif ev.get("type") == "summary":
                        summ = ev
                xs = list(per.values())
                mean, sd = statistics.fmean(xs), pstdev(xs)
                g["samples"] += xs
                g["clean"] += [per[q] for q in per if q not in late]
                g["minus_wire"] += [(per[s] - w[s]) * 1000 for s in per if s in w]
                g["summ_means"].append(summ.get("rtt_avg_ms"))
                g["summ_sds"].append(summ.get("rtt_mdev_ms"))
                recv = len(xs)
                note = f"summary avg {summ.get('rtt_avg_ms')} mdev {summ.get('rtt_mdev_ms')}"
            else:
                s = b.parse_summary(run.out)
                mean, sd = s.rtt_avg, s.rtt_mdev
                per = {int(m.group(1)): float(m.group(2)) for m in re.finditer(r"icmp_seq=(\d+) .*?time=([\d.]+) ms", run.out)}
                g["samples"] += list(per.values())
                recv = s.received or 0
                note = f"per-reply median {statistics.median(per.values()):.1f} (0.1 ms steps)" if per else ""
            g["means"].append(mean)
            g["sds"].append(sd)
            g["recv"] += recv
            wm = statistics.fmean(w.values()) if w else None
            if w:
                g["wire_means"].append(wm)
                g["wire_sds"].append(pstdev(list(w.values())))
            rows.append([name, i + 1, f"{recv}/{a.count}", f"{mean:.4f}", f"{(mean - NOMINAL_MS) * 1000:+.1f}",
                         f"{sd * 1000:.1f}", f"{wm:.4f}" if wm else "-",
                         f"{(mean - wm) * 1000:+.1f}" if wm else "-", len(late),
                         note + ("" if run.rc == 0 else f" rc={run.rc}")])
    b.table(["tool", "round", "replies", "mean ms", "error µs", "sd µs", "wire mean ms", "tool - wire µs",
             f"responder > {a.late_us:g} µs late", "note"], rows)

    print()
    print(f"## pooled over {a.rounds} rounds (µs)")
    rows = []
    result = {}
    for name in names:
        g = agg[name]
        m, sd = pooled(g["means"], g["sds"])
        result[name] = (m, sd)
        wm, wsd = pooled(g["wire_means"], g["wire_sds"]) if g["wire_means"] else (None, None)
        mw = g["minus_wire"]
        if mw:
            tw = f"{statistics.fmean(mw):+.1f} / {pstdev(mw):.1f}"
        elif wm is not None:
            # Per-reply values are too coarse to pair; the means are exact, the sd assumes independence.
            tw = f"{(m - wm) * 1000:+.1f} / ≈{math.sqrt(max(sd * sd - wsd * wsd, 0)) * 1000:.1f}"
        else:
            tw = "-"
        clean = g["clean"]
        rows.append([name, g["recv"], f"{(m - NOMINAL_MS) * 1000:+.1f}", f"{sd * 1000:.1f}",
                     f"{(wm - NOMINAL_MS) * 1000:+.1f} / {wsd * 1000:.1f}" if wm else "-", tw, g["late"],
                     f"{(statistics.fmean(clean) - NOMINAL_MS) * 1000:+.1f} / {pstdev(clean) * 1000:.1f} (n={len(clean)})" if clean else "-"])
    b.table(["tool", "replies", "mean error", "sd", "wire: error / sd", "tool - wire: mean / sd",
             "responder-late replies", "without responder-late: error / sd"], rows)
    for name in names:
        g = agg[name]
        if name.startswith("icmpkit"):
            xs = g["samples"]
            line = (f"{name} per reply: median {(statistics.median(xs) - NOMINAL_MS) * 1000:+.1f} µs, min {(min(xs) - NOMINAL_MS) * 1000:+.1f}, "
                    f"max {(max(xs) - NOMINAL_MS) * 1000:+.1f}")
            if all(x is not None for x in g["summ_means"]):
                sm, ssd = pooled(g["summ_means"], g["summ_sds"])
                line += f"; from its own summary lines: {(sm - NOMINAL_MS) * 1000:+.1f} µs, sd {ssd * 1000:.1f} µs"
            print(line)
    if any(agg[n]["path"] for n in names):
        print()
        print("## where the wire RTT goes (medians per reply, µs; one clock on one host)")
        rows = []
        for name in names:
            p = agg[name]["path"]
            if p:
                rows.append([name, len(p)] + [f"{statistics.median(x[i] for x in p):.1f}" for i in range(4)])
        b.table(["during", "replies", "client out -> responder rx", "responder hold - 10 ms", "responder sendto call",
                 "responder sendto -> client in"], rows)
    ki, ip = result["icmpkit"], result["iputils"]
    print()
    for name in names[1:]:
        k = result[name]
        print(f"{name} vs iputils: mean error {(k[0] - NOMINAL_MS) * 1000:+.1f} vs {(ip[0] - NOMINAL_MS) * 1000:+.1f} µs, "
              f"sd {k[1] * 1000:.1f} vs {ip[1] * 1000:.1f} µs")
        if agg[name]["minus_wire"] and agg["iputils"]["wire_means"]:
            print(f"{name} vs iputils, own error (tool - wire): {statistics.fmean(agg[name]['minus_wire']):+.1f} vs "
                  f"{(ip[0] - pooled(agg['iputils']['wire_means'], agg['iputils']['wire_sds'])[0]) * 1000:+.1f} µs")
    met = abs(ki[0] - NOMINAL_MS) <= abs(ip[0] - NOMINAL_MS) + 0.0005 and ki[1] <= ip[1] + 0.0005
    print(f"target icmpkit no worse than iputils (within 0.5 µs, the precision of iputils' summary): "
          f"{'MET' if met else 'NOT MET'}")
    print(load.describe())


if __name__ == "__main__":
    main()
