#!/usr/bin/env bash
# RTT accuracy against a responder that answers exactly 10 ms after its kernel receive stamp (as root).
#
# Two network namespaces of our own joined by a veth: the client (198.18.200.1/30) and the responder
# (198.18.200.2/30, net.ipv4.icmp_echo_ignore_all=1 so only responder.py answers). sniffer.py records the kernel
# stamps of requests and replies on the client's veth; rtt_accuracy.py runs iputils and icmpkit (-c 200 -i 0.02)
# from the client namespace, interleaved, and prints mean error against 10.000 ms and the standard deviation.
# Names carry this shell's PID; everything is removed on exit (trap), and every process has a time limit.
#
# Usage: bench/ping/rtt_accuracy.sh [--rounds 3] [--count 200] [--aot]   ($ICMPKIT, $ICMPKIT_AOT as for the other scripts)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ "$(id -u)" -eq 0 ] || { echo "rtt_accuracy.sh: run as root (namespaces, raw sockets)" >&2; exit 2; }
py=/usr/bin/python3
id=$$
nc="hcrtt-c-$id"; nr="hcrtt-r-$id"; vc="hcc$id"; vr="hcr$id"
tmp="$(mktemp -d /tmp/hcrtt.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  ip netns del "$nc" 2>/dev/null || true   # deleting a namespace deletes its end of the veth, and so the pair
  ip netns del "$nr" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$nc"
ip netns add "$nr"
ip link add "$vc" netns "$nc" type veth peer name "$vr" netns "$nr"
ip -n "$nc" addr add 198.18.200.1/30 dev "$vc"
ip -n "$nr" addr add 198.18.200.2/30 dev "$vr"
ip -n "$nc" link set lo up; ip -n "$nr" link set lo up
ip -n "$nc" link set "$vc" up; ip -n "$nr" link set "$vr" up
ip netns exec "$nr" sysctl -qw net.ipv4.icmp_echo_ignore_all=1

# SCHED_FIFO for the responder's short spin (it sleeps until 2 ms before each deadline), if the kernel allows it.
rt=(); chrt -f 10 true 2>/dev/null && rt=(chrt -f 10)
ip netns exec "$nr" timeout 900 "${rt[@]}" "$py" "$here/responder.py" --delay-ms 10 --spin-ms 2 --max-seconds 850 \
  --stats "$tmp/responder.json" --log "$tmp/responder.txt" 2>"$tmp/responder.log" &
pids+=($!)
ip netns exec "$nc" timeout 900 "$py" "$here/sniffer.py" --iface "$vc" --out "$tmp/capture.txt" --max-seconds 850 &
pids+=($!)
sleep 1
# The link is up and only the responder answers (one request, not counted).
ip netns exec "$nc" ping -c 1 -W 2 -q 198.18.200.2 >/dev/null || { echo "rtt_accuracy.sh: the responder does not answer" >&2; cat "$tmp/responder.log" >&2; exit 1; }

cd "$here"
"$py" -B -c 'import sys, benchlib as b; b.header("RTT accuracy: +10 ms responder over a veth between two namespaces", "bench/ping/rtt_accuracy.sh " + " ".join(sys.argv[1:]))' "$@"
echo "responder scheduling: ${rt[*]:-SCHED_OTHER (chrt refused)}"
echo "namespaces: $nc (client, $vc 198.18.200.1/30), $nr (responder, $vr 198.18.200.2/30, icmp_echo_ignore_all=1)"

# Stop the responder and the sniffer before the report, so the responder's statistics are written.
RTT_CLIENT_NS="$nc" ip netns exec "$nc" "$py" "$here/rtt_accuracy.py" --target 198.18.200.2 --capture "$tmp/capture.txt" \
  --responder-log "$tmp/responder.txt" "$@" > "$tmp/report.txt" || { cat "$tmp/report.txt"; exit 1; }
kill "${pids[0]}" 2>/dev/null || true; wait "${pids[0]}" 2>/dev/null || true
cat "$tmp/report.txt"
[ -f "$tmp/responder.json" ] && echo "responder (its own error: spin overshoot past the deadline, wake-ups after it): $(cat "$tmp/responder.json")"
