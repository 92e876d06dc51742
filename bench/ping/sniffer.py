#!/usr/bin/python3
"""Records the kernel timestamps of ICMPv4 echo requests leaving and echo replies arriving on one interface, so
rtt_accuracy.py can compare each tool's RTT with the RTT on the wire at the client's own interface.

An AF_PACKET socket bound to the interface, SO_TIMESTAMPNS: outgoing packets are stamped where the device's taps
see them (dev_queue_xmit), incoming ones in netif_receive: both CLOCK_REALTIME, before either tool's socket sees
them. Writes one line per packet, "out|in <identifier> <sequence> <stamp_ns>", to --out, flushed as it goes.

Usage: sniffer.py --iface NAME --out FILE [--max-seconds 900]   (stops at SIGTERM/SIGINT)
"""

import argparse
import signal
import socket
import struct
import time

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
ETH_P_ALL = 0x0003  # a tap for every protocol: only such sockets see outgoing packets (dev_queue_xmit_nit)
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-seconds", type=float, default=900.0)
    a = ap.parse_args()
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))  # SOCK_DGRAM: no link header
    sock.bind((a.iface, ETH_P_ALL))
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sock.settimeout(0.5)
    stop = False

    def on_signal(*_):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    end = time.monotonic() + a.max_seconds
    with open(a.out, "w", buffering=1) as f:
        while not stop and time.monotonic() < end:
            try:
                data, anc, _flags, addr = sock.recvmsg(2048, socket.CMSG_SPACE(16))
            except (socket.timeout, InterruptedError):
                continue
            stamp = None
            for level, ctype, cdata in anc:
                if level == socket.SOL_SOCKET and ctype == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", cdata[:16])
                    stamp = sec * 1_000_000_000 + nsec
            if addr[1] != ETH_P_IP or stamp is None or len(data) < 20 or data[9] != 1:
                continue
            ihl = (data[0] & 0x0F) * 4
            icmp = data[ihl:ihl + 8]
            if len(icmp) < 8 or icmp[0] not in (0, 8):
                continue
            ident, seq = struct.unpack("!HH", icmp[4:8])
            outgoing = addr[2] == PACKET_OUTGOING
            if outgoing and icmp[0] == 8:
                f.write(f"out {ident} {seq} {stamp}\n")
            elif not outgoing and icmp[0] == 0:
                f.write(f"in {ident} {seq} {stamp}\n")


if __name__ == "__main__":
    main()
