#!/usr/bin/env bash
# fuzz/run.sh SECONDS: builds the harness, instruments IcmpKit.Wire and the CLI's decode code with SharpFuzz, runs
# AFL++ (one instance, under nice -n 19) for SECONDS seconds from fuzz/seeds/, and reports executions, paths (the
# corpus count), crashes and hangs. Exits 1 on any crash or hang (each is replayed with its stack trace), 2 when the
# campaign could not run. Works from a fresh clone as root: installs afl++ (apt) and the sharpfuzz tool (NuGet) if missing.
# Everything it makes lives in artifacts/fuzz/, or in $FUZZ_WORK when set (findings/ holds AFL++'s output, replaced on
# each run; docs/fuzzing.md explains the numbers).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
seconds="${1:-}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: fuzz/run.sh SECONDS" >&2
  exit 2
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
work="${FUZZ_WORK:-$root/artifacts/fuzz}"
sharpfuzz_version=2.3.0   # the same version as the SharpFuzz package in fuzz/IcmpKit.Fuzz.csproj
mkdir -p "$work"

if ! command -v afl-fuzz >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "fuzz: afl-fuzz is missing; install the Debian package afl++ (as root: apt-get install afl++)" >&2
    exit 2
  fi
  echo "fuzz: installing afl++"
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null 2>&1 || { echo "fuzz: could not install afl++" >&2; exit 2; }
fi
sharpfuzz="$work/tools/sharpfuzz"
if [ ! -x "$sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version "$sharpfuzz_version" --tool-path "$work/tools" >"$work/tool-install.log" 2>&1 \
    || { echo "fuzz: could not install the sharpfuzz tool (see $work/tool-install.log)" >&2; exit 2; }
fi

# A private artifacts path: the fuzz build never touches (or waits on) the bin/ and obj/ of anyone else's build.
if ! dotnet build "$here/IcmpKit.Fuzz.csproj" -c Release --artifacts-path "$work/build" --nologo -v quiet >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  echo "fuzz: the harness did not build" >&2
  exit 2
fi
built="$work/build/bin/IcmpKit.Fuzz/release"

# Instrumentation rewrites the assemblies in place, so it works on a fresh copy; the plain build stays for replays.
app="$work/app"
rm -rf "$app"
cp -r "$built" "$app"
if ! "$sharpfuzz" "$app/IcmpKit.Wire.dll" >"$work/instrument.log" 2>&1 \
  || ! "$sharpfuzz" "$app/IcmpKit.Cli.dll" IcmpKit.Cli.Decode IcmpKit.Cli.Output >>"$work/instrument.log" 2>&1; then
  cat "$work/instrument.log" >&2
  echo "fuzz: instrumentation failed" >&2
  exit 2
fi

findings="$work/findings"
rm -rf "$findings"
dotnet="$(command -v dotnet)"
# The target is the dotnet host, which carries no AFL++ marker (SKIP_BIN_CHECK); SharpFuzz speaks the fork-server
# protocol from inside the runtime, one process for the whole run. A hang is an input that runs past -t (10 s: a
# nice'd process on two busy cores can wait seconds for the CPU, and an endless loop still shows).
echo "fuzz: afl-fuzz for ${seconds} s (nice -n 19), seeds fuzz/seeds ($(ls "$here/seeds" | wc -l) files), output $findings"
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
AFL_FORKSRV_INIT_TMOUT=60000 \
  nice -n 19 afl-fuzz -i "$here/seeds" -o "$findings" -t 10000 -m none -V "$seconds" -- "$dotnet" "$app/IcmpKit.Fuzz.dll" \
  >"$work/afl.log" 2>&1
afl_status=$?
# The harness hands `decode --pcap` a file named by its process id (fuzz/Decode.cs): remove those of ended processes.
for capture in /dev/shm/icmpkit-fuzz-*.pcap "${TMPDIR:-/tmp}"/icmpkit-fuzz-*.pcap; do
  pid="${capture##*-}"
  pid="${pid%.pcap}"
  [ -f "$capture" ] && ! kill -0 "$pid" 2>/dev/null && rm -f "$capture"
done

stats="$findings/default/fuzzer_stats"
if [ ! -f "$stats" ]; then
  tail -n 30 "$work/afl.log" >&2
  echo "fuzz: afl-fuzz exited $afl_status without statistics" >&2
  exit 2
fi
field() { sed -n "s/^$1 *: *//p" "$stats" | head -1; }
execs="$(field execs_done)"
rate="$(field execs_per_sec)"
paths="$(field corpus_count)"
crashes="$(field saved_crashes)"
hangs="$(field saved_hangs)"
started="$(field start_time)"
updated="$(field last_update)"
echo "fuzz: executions ${execs}, execs/s ${rate} (average $(( execs / ( (updated - started) > 0 ? (updated - started) : 1 ) ))), paths ${paths}, crashes ${crashes}, hangs ${hangs}, duration $(( updated - started )) s"

if [ "${crashes:-0}" -gt 0 ] || [ "${hangs:-0}" -gt 0 ]; then
  # Replayed on the uninstrumented build: each prints its exception and stack trace (or runs past the timeout).
  for input in "$findings"/default/crashes/id:* "$findings"/default/hangs/id:*; do
    [ -f "$input" ] || continue
    echo "fuzz: replaying $input ($(od -An -tx1 -v "$input" | tr -d ' \n' | cut -c1-160))"
    timeout 20 "$dotnet" "$built/IcmpKit.Fuzz.dll" "$input" | sed 's/^/  /' || true
  done
  exit 1
fi
if [ "$afl_status" -ne 0 ]; then
  tail -n 30 "$work/afl.log" >&2
  echo "fuzz: afl-fuzz exited $afl_status" >&2
  exit 2
fi
exit 0
