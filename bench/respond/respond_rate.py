#!/usr/bin/python3
"""Echo replies per second: `icmpkit respond` through a TUN device against the Linux kernel on a veth (issue 4 §6).

Topologies, created by this script with names that carry its PID, and removed on exit, also on Ctrl+C, SIGTERM or
SIGHUP (a finally block; every child gets PR_SET_PDEATHSIG, so it dies with the script, and the TUN device with it):
  A (ours):   one namespace per build, 198.18.41.1/32 on lo as the client's source; `icmpkit respond --tun DEV
              --address 198.18.40.1` runs in it and routes 198.18.40.1 into its TUN device.
  B (kernel): a client namespace (198.18.42.1/30) joined by a veth to a server namespace (198.18.42.2/30) whose
              kernel answers echo (the defaults of a fresh namespace: echo answered, echo replies not rate limited).
The load runs in the client namespace: 64-byte ICMP echo requests (56 data bytes), PRELOAD of them in flight per
generator, N in all, from one generator or several in parallel. Two generators:
  ping       iputils `ping -f -l PRELOAD -c N -s 56 -q TARGET` (raw socket, one sendto and one recvmsg per echo);
  echo_load  echo_load.c, built here with `cc -O2`: the same window over an ICMP datagram socket, sendmmsg/recvmmsg
             batches, so it costs less CPU per echo. The client namespaces allow datagram ICMP sockets for one group
             only (net.ipv4.ping_group_range = LOAD_GID), and echo_load runs with that group, so iputils, as root in
             group 0, still takes its raw socket.
replies/s = the replies all generators report ÷ wall time from the first fork to the last reap. Rounds are
interleaved (the order rotates each round); medians are compared: ratio = TUN / kernel, per shape, per build.

Where the CPU goes is printed too: the generators' user+sys (wait4 rusage; on the veth the kernel's answer is
computed in softirq on the sending CPU, inside the generator's system calls, so it is counted here), the
responder's user+sys (/proc/PID/stat, all its threads), and the share of both CPUs busy during the run
(/proc/stat; includes anything else running on the machine).

Usage: bench/respond/respond_rate.py [--rounds 5] [--count 200000] [--shapes ping:1,ping:2,echo_load:1,echo_load:2]
                                     [--preload 64] [--aot] [--no-jit] [--build LABEL=PATH ...] [--responder-nice N]
Binaries: $ICMPKIT (JIT, default $BENCH_OUT/cli/IcmpKit.Cli), $ICMPKIT_AOT (default $BENCH_OUT/aot/IcmpKit.Cli): build
them with bench/ping/build.sh cli aot; --build LABEL=PATH compares other binaries instead (before/after a change).
Target (issue 4 §6): TUN >= 0.5x the kernel's rate. Every load is bounded: N requests per run and a kill timer
per run (--timeout, default 60 s).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ping"))
import benchlib as b  # noqa: E402

TUN_ADDRESS = "198.18.40.1"
TUN_CLIENT = "198.18.41.1"
VETH_CLIENT = "198.18.42.1"
VETH_SERVER = "198.18.42.2"
LOAD_GID = 64242  # the one group allowed ICMP datagram sockets in the client namespaces (echo_load runs with it)
TICKS = os.sysconf("SC_CLK_TCK")
GENERATORS = ("ping", "echo_load")


def die_with_parent() -> None:
    """preexec_fn: the child gets SIGTERM when this script dies, however it dies (prctl PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)


def as_load_group() -> None:
    """preexec_fn for echo_load: only LOAD_GID, so the namespace's ping_group_range lets it open its socket."""
    die_with_parent()
    os.setgroups([])
    os.setgid(LOAD_GID)


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, stdin=subprocess.DEVNULL)


def read(path: str) -> str:
    with open(path, errors="replace") as f:
        return f.read()


class Topologies:
    """Everything this run creates, removed by close() whatever happened before."""

    def __init__(self) -> None:
        self.namespaces: list[str] = []
        self.responders: dict[str, subprocess.Popen] = {}
        self.outputs: dict[str, str] = {}
        self.tmp = tempfile.mkdtemp(prefix="icmpkit-respond-bench.")

    def namespace(self, name: str, client: bool) -> str:
        ip("netns", "add", name)
        self.namespaces.append(name)
        ip("-n", name, "link", "set", "lo", "up")
        if client:
            subprocess.run(["ip", "netns", "exec", name, "sysctl", "-qw", f"net.ipv4.ping_group_range={LOAD_GID} {LOAD_GID}"],
                           check=True)
        return name

    def kernel(self, tag: str) -> str:
        """B: client and server namespaces joined by a veth; the server's kernel answers echo. Returns the client."""
        client, server = self.namespace(f"{tag}-kc", True), self.namespace(f"{tag}-ks", False)
        vc, vs = f"{tag}kc"[-15:], f"{tag}ks"[-15:]
        ip("link", "add", vc, "netns", client, "type", "veth", "peer", "name", vs, "netns", server)
        ip("-n", client, "addr", "add", f"{VETH_CLIENT}/30", "dev", vc)
        ip("-n", server, "addr", "add", f"{VETH_SERVER}/30", "dev", vs)
        ip("-n", client, "link", "set", vc, "up")
        ip("-n", server, "link", "set", vs, "up")
        return client

    def tun(self, tag: str, name: str, exe: str, niceness: int) -> str:
        """A: a namespace with the client's source address on lo and `icmpkit respond` in it. Returns the namespace."""
        ns = self.namespace(f"{tag}-{name}", True)
        ip("-n", ns, "addr", "add", f"{TUN_CLIENT}/32", "dev", "lo")
        device = f"{tag}{name}"[-15:]
        out = os.path.join(self.tmp, f"respond-{name}.txt")
        self.outputs[ns] = out
        with open(out, "wb") as f:
            nice = ["nice", "-n", str(niceness)] if niceness else []  # nice execs the CLI: the PID stays the CLI's
            proc = subprocess.Popen(["ip", "netns", "exec", ns, *nice, exe, "respond", "--tun", device, "--address", TUN_ADDRESS],
                                    stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        self.responders[ns] = proc
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"icmpkit respond in {ns} exited with {proc.returncode}: {read(out)}")
            if " up; answering as " in read(out):
                return ns
            time.sleep(0.05)
        raise SystemExit(f"icmpkit respond in {ns} did not come up in 30 s: {read(out)}")

    def build_echo_load(self) -> str:
        cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
        if cc is None:
            raise SystemExit("echo_load needs a C compiler: apt-get install -y gcc (or drop echo_load from --shapes)")
        exe = os.path.join(self.tmp, "echo_load")
        subprocess.run([cc, "-O2", "-Wall", "-Werror", "-o", exe, os.path.join(HERE, "echo_load.c")], check=True)
        return exe

    def stop_responder(self, ns: str) -> str:
        """SIGTERM (the CLI stops as on Ctrl+C), then its closing counters."""
        proc = self.responders.pop(ns)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return read(self.outputs[ns])

    def close(self) -> None:
        for proc in self.responders.values():
            proc.kill()
            proc.wait()
        for ns in reversed(self.namespaces):  # deleting a namespace deletes its devices (the veth pair, the TUN)
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        shutil.rmtree(self.tmp, ignore_errors=True)


def process_cpu_s(pid: int) -> float:
    """user+sys of every thread of pid so far (/proc/PID/stat fields 14 and 15, in clock ticks)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs (/proc/stat): busy = total - idle - iowait."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


_PING_RECEIVED = re.compile(r"\d+ packets transmitted, (\d+) received")
_LOAD_RECEIVED = re.compile(r"sent \d+ received (\d+) time_us \d+")


class Result:
    def __init__(self, replies: int, wall_s: float, gen_cpu_s: float, responder_cpu_s: float | None, busy: float,
                 notes: str) -> None:
        self.replies, self.wall_s, self.gen_cpu_s = replies, wall_s, gen_cpu_s
        self.responder_cpu_s, self.busy, self.notes = responder_cpu_s, busy, notes

    @property
    def rate(self) -> float:
        return self.replies / self.wall_s


class Shape:
    """A load: `parallel` generators of one kind at once."""

    def __init__(self, spec: str) -> None:
        kind, _, parallel = spec.partition(":")
        if kind not in GENERATORS or not parallel.isdigit() or not 1 <= int(parallel) <= 8:
            raise SystemExit(f"bad shape {spec}: give GENERATOR:N with GENERATOR in {GENERATORS} and N from 1 to 8")
        self.kind, self.parallel = kind, int(parallel)

    def __str__(self) -> str:
        return f"{self.kind} x{self.parallel}"


def load(shape: Shape, ns: str, target: str, total: int, preload: int, timeout: float, echo_load: str | None,
         responder: subprocess.Popen | None) -> Result:
    """shape.parallel generators at once from ns, `total` requests in all."""
    count = total // shape.parallel
    if shape.kind == "ping":
        cmd = ["ip", "netns", "exec", ns, b.iputils_ping(), "-f", "-l", str(preload), "-c", str(count), "-s", "56", "-q", target]
        pattern, preexec = _PING_RECEIVED, die_with_parent
    else:
        cmd = ["ip", "netns", "exec", ns, echo_load, target, str(count), str(preload)]
        pattern, preexec = _LOAD_RECEIVED, as_load_group
    files = [tempfile.TemporaryFile() for _ in range(shape.parallel)]
    cpu0 = process_cpu_s(responder.pid) if responder else None
    busy0 = machine_busy()
    t0 = time.perf_counter_ns()
    procs = [subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT, preexec_fn=preexec)
             for f in files]
    timer = threading.Timer(timeout, lambda: [p.kill() for p in procs])
    timer.start()
    gen_cpu, rcs = 0.0, []
    try:
        for p in procs:
            _, status, rusage = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
            rcs.append(p.returncode)
            gen_cpu += rusage.ru_utime + rusage.ru_stime
    finally:
        timer.cancel()
    t1 = time.perf_counter_ns()
    busy1 = machine_busy()
    cpu1 = process_cpu_s(responder.pid) if responder else None
    replies, notes = 0, []
    for f, rc in zip(files, rcs):
        f.seek(0)
        text = f.read().decode(errors="replace")
        f.close()
        m = pattern.search(text)
        if rc != 0 or not m:
            notes.append(f"rc={rc} {text.strip().splitlines()[-1] if text.strip() else ''}")
        if m:
            replies += int(m.group(1))
    if replies != count * shape.parallel:
        notes.append(f"received {replies}/{count * shape.parallel}")
    busy = (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
    return Result(replies, (t1 - t0) / 1e9, gen_cpu, None if cpu0 is None else cpu1 - cpu0, busy, "; ".join(notes))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--count", type=int, default=200_000, help="echo requests per run, split over the parallel generators")
    ap.add_argument("--shapes", default="ping:1,ping:2,echo_load:1,echo_load:2",
                    help="loads to try, GENERATOR:N (N generators in parallel), comma-separated")
    ap.add_argument("--preload", type=int, default=64, help="requests each generator keeps in flight")
    ap.add_argument("--aot", action="store_true", help="also run the Native AOT build ($ICMPKIT_AOT)")
    ap.add_argument("--no-jit", action="store_true", help="skip the JIT build")
    ap.add_argument("--build", action="append", default=[], metavar="LABEL=PATH",
                    help="compare these icmpkit binaries instead (repeat; e.g. before=/tmp/x/IcmpKit.Cli after=...)")
    ap.add_argument("--timeout", type=float, default=60.0, help="kill timer per run, seconds")
    ap.add_argument("--responder-nice", type=int, default=0,
                    help="run icmpkit respond at this nice value (e.g. -10: ahead of the generators on a shared CPU)")
    a = ap.parse_args()
    b.require_root()
    shapes = [Shape(s) for s in a.shapes.split(",")]
    if a.count > 10_000_000 or a.rounds > 50 or not 1 <= a.preload <= 200:
        raise SystemExit("keep it bounded: --count <= 10,000,000, --rounds <= 50, --preload 1..200 "
                         "(the TUN device queues 500 packets: more in flight would be dropped)")
    builds = {}
    if not a.no_jit:
        b.require_exe(b.icmpkit_binary(), "run bench/ping/build.sh cli, or set ICMPKIT")
        builds["TUN JIT"] = b.icmpkit_binary()
    if a.aot:
        b.require_exe(b.icmpkit_aot_binary(), "run bench/ping/build.sh aot, or set ICMPKIT_AOT")
        builds["TUN AOT"] = b.icmpkit_aot_binary()
    if a.build:
        builds = {}
        for item in a.build:
            label, _, path = item.partition("=")
            b.require_exe(path, "give LABEL=PATH of an icmpkit binary")
            builds[f"TUN {label}"] = path
    if not builds:
        raise SystemExit("nothing to compare: give --aot or drop --no-jit")

    # SIGINT (also when started in the background, where it arrives ignored), SIGTERM and SIGHUP end the run
    # through the finally below, which removes everything.
    def stop(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    tag = f"ikrr{os.getpid()}"
    topo = Topologies()
    try:
        b.header("respond: echo replies/s through the TUN (icmpkit respond) vs the kernel on a veth")
        echo_load = topo.build_echo_load() if any(s.kind == "echo_load" for s in shapes) else None
        kernel = "kernel (veth)"
        targets = {kernel: (topo.kernel(tag), VETH_SERVER, None)}
        for i, (name, exe) in enumerate(builds.items()):
            ns = topo.tun(tag, f"t{i}", exe, a.responder_nice)
            targets[name] = (ns, TUN_ADDRESS, topo.responders[ns])
            nice = f"nice -n {a.responder_nice} " if a.responder_nice else ""
            print(f"{name}: ip netns exec {ns} {nice}{exe} respond --tun {tag}t{i} --address {TUN_ADDRESS}")
        print(f"{kernel}: client namespace {targets[kernel][0]} {VETH_CLIENT}/30, server namespace {tag}-ks {VETH_SERVER}/30")
        print(f"loads, {a.count:,} requests per run in all, {a.preload} in flight per generator: "
              + ", ".join(str(s) for s in shapes))
        print(f"  ping: {b.iputils_ping()} -f -l {a.preload} -c N -s 56 -q TARGET")
        print(f"  echo_load: bench/respond/echo_load.c TARGET N {a.preload} (cc -O2; group {LOAD_GID})")
        # Warm-up, not counted: JIT tiering in the responder, neighbour entries, page cache.
        for ns, target, resp in targets.values():
            for shape in shapes:
                load(shape, ns, target, 20_000, a.preload, a.timeout, echo_load, resp)
        names = list(targets)
        results: dict[tuple[str, int], list[Result]] = {(n, i): [] for n in names for i in range(len(shapes))}
        sampler = b.LoadSampler()
        for r in range(a.rounds):
            for i, shape in enumerate(shapes):
                for name in names[r % len(names):] + names[:r % len(names)]:
                    ns, target, resp = targets[name]
                    sampler.sample()
                    results[(name, i)].append(load(shape, ns, target, a.count, a.preload, a.timeout, echo_load, resp))
        sampler.sample()

        print()
        print("## per run")
        rows = []
        for i, shape in enumerate(shapes):
            for name in names:
                for k, x in enumerate(results[(name, i)]):
                    rows.append([str(shape), name, k + 1, f"{x.wall_s * 1000:.0f}", f"{x.rate:,.0f}", f"{x.gen_cpu_s:.2f}",
                                 "-" if x.responder_cpu_s is None else f"{x.responder_cpu_s:.2f}", f"{x.busy * 100:.0f}%",
                                 x.notes or "ok"])
        b.table(["load", "responder", "round", "wall ms", "replies/s", "generator CPU s", "responder CPU s",
                 "both CPUs busy", "check"], rows)

        print()
        print(f"## medians of {a.rounds} rounds")
        med: dict[tuple[str, int], float] = {}
        rows = []
        for i, shape in enumerate(shapes):
            for name in names:
                runs = results[(name, i)]
                rate = b.median([x.rate for x in runs])
                med[(name, i)] = rate
                replies = b.median([x.replies for x in runs])
                resp_cpu = None if runs[0].responder_cpu_s is None else b.median([x.responder_cpu_s for x in runs])
                rows.append([str(shape), name, f"{b.median([x.wall_s for x in runs]) * 1000:.0f}", f"{rate:,.0f}",
                             f"{b.median([x.gen_cpu_s for x in runs]) / replies * 1e6:.2f}",
                             "-" if resp_cpu is None else f"{resp_cpu / replies * 1e6:.2f}",
                             f"{b.median([x.busy for x in runs]) * 100:.0f}%"])
        b.table(["load", "responder", "wall ms", "replies/s", "generator CPU µs/reply", "responder CPU µs/reply",
                 "both CPUs busy"], rows)

        print()
        worst = float("inf")
        for name in builds:
            for i, shape in enumerate(shapes):
                ratio = med[(name, i)] / med[(kernel, i)]
                worst = min(worst, ratio)
                print(f"ratio {name} / kernel, {shape}: {ratio:.2f}x ({med[(name, i)]:,.0f} vs {med[(kernel, i)]:,.0f} replies/s)")
            best_tun = max(range(len(shapes)), key=lambda i: med[(name, i)])
            best_kernel = max(range(len(shapes)), key=lambda i: med[(kernel, i)])
            print(f"ratio {name} / kernel, each at its best load: {med[(name, best_tun)] / med[(kernel, best_kernel)]:.2f}x "
                  f"({med[(name, best_tun)]:,.0f} with {shapes[best_tun]} vs {med[(kernel, best_kernel)]:,.0f} "
                  f"with {shapes[best_kernel]})")
        print(f"target TUN >= 0.5x the kernel (every build, every load): {'MET' if worst >= 0.5 else 'NOT MET'} "
              f"(lowest ratio {worst:.2f}x)")
        print(sampler.describe())
        for name in builds:
            summary = topo.stop_responder(targets[name][0]).strip().splitlines()
            print(f"{name} responder on exit: {' | '.join(line.strip() for line in summary[1:])}")
    finally:
        topo.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt as stopped:  # Ctrl+C, SIGTERM, SIGHUP: everything is already removed (finally above)
        sys.exit(f"respond_rate.py: interrupted ({stopped or 'Ctrl+C'}); namespaces and devices removed")
