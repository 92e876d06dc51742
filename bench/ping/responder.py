#!/usr/bin/python3
"""An ICMPv4 echo responder that answers exactly --delay-ms after the kernel's receive timestamp of each request.

Runs in a network namespace of its own (see rtt_accuracy.sh), where net.ipv4.icmp_echo_ignore_all=1 keeps the kernel
from answering too. A raw IPPROTO_ICMP socket with SO_TIMESTAMPNS: recvmsg brings the request and its CLOCK_REALTIME
receive stamp (SCM_TIMESTAMPNS); the responder spins on clock_gettime_ns(CLOCK_REALTIME) until stamp + delay, then
sends the echo reply (type 0, same identifier, sequence and data, checksum recomputed) to the request's source.

So a perfect client measures delay + the path there and back (veth, both stacks) + the reply's send path. The
responder's own error is recorded: how late it actually called sendto (spin overshoot), and how often it woke up
after the deadline had already passed (then the reply is late by that much: a scheduler delay, not the client's).

To keep the spin short (the machine is shared), it sleeps until --spin-ms before the deadline and spins only the
rest; run it under SCHED_FIFO (rtt_accuracy.sh uses chrt) so the spin is not preempted by ordinary tasks.

Usage: responder.py [--delay-ms 10] [--spin-ms 2] [--max-seconds 600] [--stats FILE] [--log FILE]
--log writes one line per reply: "<identifier> <sequence> <deadline_ns> <sent_ns> <rx_ns> <after_ns>" (sent_ns: just
before sendto, rx_ns: the kernel receive stamp, after_ns: when sendto returned; all CLOCK_REALTIME).
Stops at SIGTERM/SIGINT or after --max-seconds; writes its statistics as JSON to --stats (and stderr) on exit.
"""

import argparse
import json
import signal
import socket
import statistics
import struct
import sys
import time

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # asm-generic/socket.h: SO_TIMESTAMPNS_OLD = 35
SCM_TIMESTAMPNS = SO_TIMESTAMPNS
CLOCK_REALTIME = time.CLOCK_REALTIME


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--delay-ms", type=float, default=10.0)
    ap.add_argument("--max-seconds", type=float, default=600.0)
    ap.add_argument("--stats", default=None)
    ap.add_argument("--spin-ms", type=float, default=2.0)
    ap.add_argument("--log", default=None)
    a = ap.parse_args()
    delay_ns = int(a.delay_ms * 1_000_000)
    spin_ns = int(a.spin_ms * 1_000_000)
    log = open(a.log, "w", buffering=1) if a.log else None

    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sock.settimeout(0.5)
    stop = False

    def on_signal(*_):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    overshoot_ns = []   # sendto called this long after the deadline (spin granularity)
    late_wakeups = []   # woke up this long after the deadline: the reply is late by at least that
    no_stamp = 0
    answered = 0
    end = time.monotonic() + a.max_seconds
    print(f"responder: answering echo requests {a.delay_ms} ms after the kernel receive stamp", file=sys.stderr, flush=True)
    while not stop and time.monotonic() < end:
        try:
            data, anc, _flags, addr = sock.recvmsg(65535, socket.CMSG_SPACE(16))
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        rx_ns = None
        for level, ctype, cdata in anc:
            if level == socket.SOL_SOCKET and ctype == SCM_TIMESTAMPNS and len(cdata) >= 16:
                sec, nsec = struct.unpack("qq", cdata[:16])
                rx_ns = sec * 1_000_000_000 + nsec
        ihl = (data[0] & 0x0F) * 4
        icmp = data[ihl:]
        if len(icmp) < 8 or icmp[0] != 8 or icmp[1] != 0:
            continue  # only echo requests
        if rx_ns is None:
            no_stamp += 1
            rx_ns = time.clock_gettime_ns(CLOCK_REALTIME)
        reply = bytearray(icmp)
        reply[0] = 0
        reply[2:4] = b"\0\0"
        reply[2:4] = struct.pack("!H", checksum(bytes(reply)))
        deadline = rx_ns + delay_ns
        now = time.clock_gettime_ns(CLOCK_REALTIME)
        if now > deadline:
            late_wakeups.append(now - deadline)
        elif deadline - now > spin_ns:
            time.sleep((deadline - now - spin_ns) / 1e9)
            now = time.clock_gettime_ns(CLOCK_REALTIME)
            if now > deadline:
                late_wakeups.append(now - deadline)
        while now < deadline:
            now = time.clock_gettime_ns(CLOCK_REALTIME)
        sock.sendto(reply, (addr[0], 0))
        after = time.clock_gettime_ns(CLOCK_REALTIME)
        overshoot_ns.append(now - deadline)
        answered += 1
        if log:
            ident, seq = struct.unpack("!HH", icmp[4:8])
            log.write(f"{ident} {seq} {deadline} {now} {rx_ns} {after}\n")
    us = [x / 1000 for x in overshoot_ns]
    stats = {
        "answered": answered,
        "no_kernel_stamp": no_stamp,
        "late_wakeups": len(late_wakeups),
        "late_wakeup_max_us": max(late_wakeups) / 1000 if late_wakeups else 0,
        "overshoot_mean_us": statistics.fmean(us) if us else None,
        "overshoot_median_us": statistics.median(us) if us else None,
        "overshoot_max_us": max(us) if us else None,
        "overshoot_over_20us": sum(1 for x in us if x > 20),
    }
    text = json.dumps(stats)
    if log:
        log.close()
    print(f"responder: {text}", file=sys.stderr, flush=True)
    if a.stats:
        with open(a.stats, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
