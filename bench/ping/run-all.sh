#!/usr/bin/env bash
# Builds (bench/ping/build.sh) and runs the four ping comparisons one after another, as root, printing each report.
# Usage: bench/ping/run-all.sh [--no-build]     Set BENCH_OUT to build elsewhere than /tmp/icmpkit-bench.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ "${1:-}" = "--no-build" ] || "$here/build.sh"
"$here/flood.py" --aot
echo
"$here/rate.py" --aot
echo
"$here/rtt_accuracy.sh" --rounds 5 --count 200 --aot
echo
"$here/startup.py"
