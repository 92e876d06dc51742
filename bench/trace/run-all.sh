#!/usr/bin/env bash
# Builds the CLI with Native AOT (bench/ping/build.sh aot) and runs the trace benchmark as root (issue 5 §4):
# a full 30-hop trace through `icmpkit respond --hops 30 --hop-delay 2ms`, icmpkit beside `traceroute -I`.
# Usage: bench/trace/run-all.sh [--no-build] [trace_vs_traceroute.py options]   (BENCH_OUT: where to build, default
# /tmp/icmpkit-bench). Figures and the exact command: docs/benchmarks.md, "Trace against Linux traceroute".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "${1:-}" = "--no-build" ]; then shift; else "$here/../ping/build.sh" aot; fi
"$here/trace_vs_traceroute.py" "$@"
