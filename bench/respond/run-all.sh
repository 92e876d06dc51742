#!/usr/bin/env bash
# Builds the CLI (JIT and Native AOT, with bench/ping/build.sh) and runs the responder benchmark, as root:
# echo replies/s through `icmpkit respond`'s TUN device against the kernel on a veth (issue 4 §6).
# Usage: bench/respond/run-all.sh [--no-build] [respond_rate.py options]   Set BENCH_OUT to build elsewhere than
# /tmp/icmpkit-bench. The BenchmarkDotNet half (the core alone, allocations) is separate:
#   dotnet run -c Release --project bench/IcmpKit.Benchmarks -- --filter '*ResponderBenchmarks*'
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "${1:-}" = "--no-build" ]; then shift; else "$here/../ping/build.sh" cli aot; fi
"$here/respond_rate.py" --aot "$@"
