#!/usr/bin/env python3
"""Oracle for the iputils ping summary: asks the installed /usr/bin/ping itself.

Why: iputils keeps its RTT sums in doubles and prints integer microseconds, so the exact digits
depend on C conversion and rounding rules. Instead of trusting a re-reading of the C, this script
runs the real binary under gdb, stops it at finish(), overwrites the statistics in its
`struct ping_rts` with the state that a given sequence of RTTs produces, and lets finish() print.
The numbers in IputilsSummaryTests.cs were produced by this script.

Only valid for Debian 12's iputils-ping 3:20221126-1+deb12u1 on amd64 (BuildID
4f75c6991b771bd1c2409e239d5354b58f4d3062): the offsets below were read from its disassembly.
  finish()                          text offset 0x8de0
  ping_rts.nreceived/nrepeats/ntransmitted/nchecksum/nerrors  0x2038/0x2040/0x2048/0x2050/0x2058
  ping_rts.tmin/tmax (long)         0x2180/0x2188
  ping_rts.tsum/tsum2 (double)      0x2190/0x2198
  ping_rts.rtt (int, EWMA x 8)      0x21a0
  ping_rts.pipesize (int)           0x21ac
The accumulation below mirrors gather_statistics() in the same binary (ping/ping_common.c):
  tsum += (double)t; tsum2 += (double)(t * t) (64-bit product); tmin/tmax; and
  rtt = t * 8 when rtt == 0, else rtt += t - rtt / 8, all in 32-bit int arithmetic.

Usage (root, gdb and iputils-ping installed):
  python3 iputils_finish_oracle.py vectors.json
where vectors.json is a list of {"name", "rtts_us", "duplicates", "transmitted"}; "duplicates" is
how many of the replies were duplicates (they are summed all the same, as iputils does).
Prints one JSON object per vector with the summary lines finish() printed.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

LONG_MAX = 2**63 - 1


def wrap(value, bits):
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def c_div(a, b):
    """C integer division: truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def accumulate(rtts_us):
    tsum = 0.0
    tsum2 = 0.0
    tmin = LONG_MAX
    tmax = 0
    rtt = 0
    for t in rtts_us:
        t = max(t, 0)  # gather_statistics(): "time of day goes back" clamps to 0
        tsum += float(t)
        tsum2 += float(wrap(t * t, 64))
        tmin = min(tmin, t)
        tmax = max(tmax, t)
        rtt = wrap(t * 8, 32) if rtt == 0 else wrap(rtt + t - c_div(rtt, 8), 32)
    return tsum, tsum2, tmin, tmax, rtt


GDB_SCRIPT = r'''
import gdb, json, struct
state = json.load(open(STATE_PATH))
gdb.execute("starti")
inferior = gdb.selected_inferior()
base = None
for line in open("/proc/%d/maps" % inferior.pid):
    if line.rstrip().endswith("/usr/bin/ping"):
        base = int(line.split("-")[0], 16)
        break
gdb.execute("break *%#x" % (base + 0x8de0))
gdb.execute("continue")
rts = int(gdb.parse_and_eval("$rdi"))
def put(offset, fmt, value):
    inferior.write_memory(rts + offset, struct.pack(fmt, value))
put(0x2038, "<q", state["nreceived"])
put(0x2040, "<q", state["nrepeats"])
put(0x2048, "<q", state["ntransmitted"])
put(0x2050, "<q", 0)
put(0x2058, "<q", 0)
put(0x2180, "<q", state["tmin"])
put(0x2188, "<q", state["tmax"])
put(0x2190, "<d", state["tsum"])
put(0x2198, "<d", state["tsum2"])
put(0x21a0, "<i", state["rtt"])
put(0x21ac, "<i", 1)
gdb.execute("continue")
'''


def ask_ping(vector):
    rtts = vector["rtts_us"]
    tsum, tsum2, tmin, tmax, rtt = accumulate(rtts)
    state = {
        "nreceived": len(rtts) - vector["duplicates"],
        "nrepeats": vector["duplicates"],
        "ntransmitted": vector["transmitted"],
        "tmin": tmin, "tmax": tmax, "tsum": tsum, "tsum2": tsum2, "rtt": rtt,
    }
    with tempfile.TemporaryDirectory() as folder:
        state_path = os.path.join(folder, "state.json")
        script_path = os.path.join(folder, "oracle_gdb.py")
        with open(state_path, "w") as f:
            json.dump(state, f)
        with open(script_path, "w") as f:
            f.write("STATE_PATH = %r\n" % state_path + GDB_SCRIPT)
        # -A (adaptive) makes finish() print "ipg/ewma"; -q keeps per-reply lines out.
        out = subprocess.run(
            ["gdb", "-q", "-batch", "-x", script_path, "--args",
             "/usr/bin/ping", "-A", "-q", "-c", "1", "127.0.0.1"],
            capture_output=True, text=True, timeout=60).stdout
    lines = [l for l in out.splitlines()
             if "packets transmitted" in l or l.startswith("rtt ") or "ipg/ewma" in l]
    return {"name": vector["name"], "state": state, "lines": lines}


if __name__ == "__main__":
    for v in json.load(open(sys.argv[1])):
        print(json.dumps(ask_ping(v)))
