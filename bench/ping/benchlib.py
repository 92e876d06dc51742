"""Shared helpers for the bench/ping scripts (DESIGN.md §7): run a command with its wall time and CPU time,
sample the load average, parse ping summaries, print tables. Standard library only (python3 >= 3.9)."""

from __future__ import annotations

import datetime
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# Where bench/ping/build.sh puts its builds unless told otherwise.
DEFAULT_OUT = os.environ.get("BENCH_OUT", "/tmp/icmpkit-bench")


def icmpkit_binary() -> str:
    """The JIT (framework-dependent) CLI: $ICMPKIT, else build.sh's output."""
    return os.environ.get("ICMPKIT", os.path.join(DEFAULT_OUT, "cli", "IcmpKit.Cli"))


def icmpkit_aot_binary() -> str:
    return os.environ.get("ICMPKIT_AOT", os.path.join(DEFAULT_OUT, "aot", "IcmpKit.Cli"))


def dotnet_ping_loop_binary() -> str:
    return os.environ.get("DOTNET_PING_LOOP", os.path.join(DEFAULT_OUT, "dotnet-ping-loop", "DotnetPingLoop"))


def iputils_ping() -> str:
    return os.environ.get("IPUTILS_PING", "/usr/bin/ping")


@dataclass
class Run:
    cmd: list[str]
    rc: int
    wall_s: float
    user_s: float
    sys_s: float
    out: str
    err: str
    maxrss_kb: int = 0


def run(cmd: list[str], timeout: float = 120.0) -> Run:
    """Runs cmd to completion. Wall time from before fork to reap; CPU time (user, sys) from wait4's rusage of that
    child alone. The parent sleeps in wait4 (no polling that would compete for a CPU) and output goes to temporary
    files (no pipe that could fill up). A timer kills a run that outlives `timeout`, so every load stays bounded."""
    import tempfile
    import threading

    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.perf_counter_ns()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, rusage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        t1 = time.perf_counter_ns()
        proc.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out = fo.read().decode(errors="replace")
        err = fe.read().decode(errors="replace")
    return Run(cmd, proc.returncode, (t1 - t0) / 1e9, rusage.ru_utime, rusage.ru_stime, out, err, rusage.ru_maxrss)


def loadavg() -> tuple[float, float, float]:
    with open("/proc/loadavg") as f:
        a, b, c = f.read().split()[:3]
    return float(a), float(b), float(c)


@dataclass
class LoadSampler:
    samples: list[float] = field(default_factory=list)

    def sample(self) -> None:
        self.samples.append(loadavg()[0])

    def describe(self) -> str:
        if not self.samples:
            return "n/a"
        return (f"1-min load average over {len(self.samples)} samples: min {min(self.samples):.2f}, "
                f"median {statistics.median(self.samples):.2f}, max {max(self.samples):.2f} (on {os.cpu_count()} CPUs)")


@dataclass
class Summary:
    transmitted: int | None = None
    received: int | None = None
    time_ms: float | None = None
    rtt_min: float | None = None
    rtt_avg: float | None = None
    rtt_max: float | None = None
    rtt_mdev: float | None = None
    pipe: int | None = None


_TX = re.compile(r"(\d+) packets transmitted, (\d+) received.*?, time (\d+(?:\.\d+)?)ms")
_RTT = re.compile(r"rtt min/avg/max/mdev = ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms(?:, pipe (\d+))?")


def parse_summary(text: str) -> Summary:
    """The two iputils summary lines (icmpkit prints the same)."""
    s = Summary()
    m = _TX.search(text)
    if m:
        s.transmitted, s.received, s.time_ms = int(m.group(1)), int(m.group(2)), float(m.group(3))
    m = _RTT.search(text)
    if m:
        s.rtt_min, s.rtt_avg, s.rtt_max, s.rtt_mdev = (float(m.group(i)) for i in range(1, 5))
        s.pipe = int(m.group(5)) if m.group(5) else None
    return s


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else float("nan")


def table(headers: list[str], rows: list[list], out=sys.stdout) -> None:
    """A Markdown table, ready to paste into docs/benchmarks.md."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |", file=out)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|", file=out)
    for r in cells:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |", file=out)


def header(title: str, command: str | None = None) -> None:
    print(f"# {title}")
    print(f"date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"host: {platform.node()} kernel {platform.release()}, {os.cpu_count()} CPUs, "
          f"python {platform.python_version()}, euid {os.geteuid()}")
    try:
        commit = subprocess.run(["git", "-C", REPO, "log", "-1", "--format=%h"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "src"], capture_output=True, text=True).stdout.strip()
        print(f"work tree: HEAD {commit}{' with uncommitted changes in src/' if dirty else ', src/ clean'}")
    except OSError:
        pass
    for exe in (icmpkit_binary(), icmpkit_aot_binary()):
        stamp = os.path.join(os.path.dirname(exe), "BUILD-COMMIT")
        if os.path.exists(stamp):
            with open(stamp) as f:
                print(f"{exe}: from {f.read().strip()}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in loadavg())}")
    print(f"command: {command or ' '.join(shlex.quote(a) for a in sys.argv)}")


def require_root() -> None:
    if os.geteuid() != 0:
        sys.exit("run as root: the comparison is of the privileged (raw socket) paths, as iputils runs setuid/capable")


def require_exe(path: str, hint: str) -> None:
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        sys.exit(f"{path} is missing: {hint}")


def check(run_: Run, expect_received: int | None = None) -> str:
    """'' when the run looks right, else a short note for the table."""
    notes = []
    if run_.rc != 0:
        notes.append(f"rc={run_.rc}")
    if expect_received is not None:
        s = parse_summary(run_.out)
        if s.received != expect_received:
            notes.append(f"received {s.received}/{expect_received}")
    return ", ".join(notes)
