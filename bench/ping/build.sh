#!/usr/bin/env bash
# Builds what the bench/ping scripts run, outside the work tree:
#   $BENCH_OUT/cli               the CLI, framework-dependent (JIT), Release
#   $BENCH_OUT/aot               the CLI, Native AOT, linux-x64 (needs clang and zlib1g-dev: apt-get install -y clang zlib1g-dev)
#   $BENCH_OUT/dotnet-ping-loop  bench/DotnetPingLoop (System.Net.NetworkInformation.Ping in a loop)
# Usage: bench/ping/build.sh [cli] [aot] [loop]   (default: all three). BENCH_OUT defaults to /tmp/icmpkit-bench.
# The AOT build's log is kept in $BENCH_OUT/aot-publish.log; its warnings (trim/AOT analysis) are printed.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${BENCH_OUT:-/tmp/icmpkit-bench}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
what=("$@"); [ ${#what[@]} -eq 0 ] && what=(cli aot loop)
mkdir -p "$out"
# What was built, for the reports (benchlib prints it): the commit, and whether src/ had uncommitted changes.
stamp() {
  local commit dirty
  commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  dirty="$(git -C "$repo" status --porcelain -- src 2>/dev/null)"
  echo "$commit${dirty:+ +uncommitted changes in src/} built $(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$1/BUILD-COMMIT"
}
for w in "${what[@]}"; do
  case "$w" in
    cli)
      dotnet publish "$repo/src/IcmpKit.Cli/IcmpKit.Cli.csproj" -c Release -o "$out/cli" --artifacts-path "$out/art-cli" --nologo
      stamp "$out/cli" ;;
    aot)
      command -v clang >/dev/null || { echo "build.sh: Native AOT needs clang (apt-get install -y clang zlib1g-dev)" >&2; exit 2; }
      # A fresh artifacts path each time, so every project is compiled again and every warning is shown.
      rm -rf "$out/art-aot"
      set +e
      dotnet publish "$repo/src/IcmpKit.Cli/IcmpKit.Cli.csproj" -c Release -r linux-x64 -p:PublishAot=true \
        -o "$out/aot" --artifacts-path "$out/art-aot" --nologo 2>&1 | tee "$out/aot-publish.log"
      rc=${PIPESTATUS[0]}
      set -e
      n=$(grep -cE 'warning (IL|CS|CA)[0-9]+' "$out/aot-publish.log" || true)
      echo "build.sh: AOT publish exit code $rc, $n warning line(s)"
      grep -E 'warning (IL|CS|CA)[0-9]+' "$out/aot-publish.log" | sort -u || true
      [ "$rc" -eq 0 ] || exit "$rc"
      stamp "$out/aot" ;;
    loop)
      dotnet publish "$repo/bench/DotnetPingLoop/DotnetPingLoop.csproj" -c Release -o "$out/dotnet-ping-loop" \
        --artifacts-path "$out/art-loop" --nologo ;;
    *) echo "build.sh: unknown target $w (cli, aot, loop)" >&2; exit 2 ;;
  esac
done
