#!/usr/bin/env bash
# Issue 6 §5: a bounded soak (at most 10 minutes; not in CI). 1,000 IPv4 targets on a server namespace's veth, 1%
# random loss from nftables numgen on the server, pinged round-robin at 100/s overall by bench/Soak (IcmpClient's one
# shared socket) in a client namespace. Prints the soak's JSON, then checks: every request counted by the server,
# timeouts equal the server's drops exactly, no wrong source, and the GC heap and RSS flat (last third of the samples
# against the first third after warm-up).
# Usage: bench/soak/run.sh [SECONDS=300] [RATE=100] [TARGETS=1000]      (as root)
set -euo pipefail
seconds="${1:-300}"; rate="${2:-100}"; targets="${3:-1000}"
[ "$seconds" -le 600 ] || { echo "run.sh: at most 600 seconds (issue 6: a bounded run)"; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
id="iks$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')"
client="${id}c"; server="${id}s"
out="${SOAK_OUT:-/tmp/icmpkit-soak}"
cleanup() { ip netns del "$client" 2>/dev/null || true; ip netns del "$server" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

dotnet build "$root/bench/Soak" -c Release -o "$out" --nologo -v quiet >/dev/null

ip netns add "$client"; ip netns add "$server"
ip -n "$client" link set lo up; ip -n "$server" link set lo up
ip link add "${id}a" netns "$client" type veth peer name "${id}b" netns "$server"
ip -n "$client" addr add 198.18.60.1/24 dev "${id}a"
ip -n "$server" addr add 198.18.60.2/24 dev "${id}b"
ip -n "$client" link set "${id}a" up; ip -n "$server" link set "${id}b" up
ip -n "$client" route add 198.18.64.0/22 via 198.18.60.2
# The targets: 198.18.64.1 onwards, one /32 each on the server's veth.
python3 - "$targets" "${id}b" > "$out/addresses.batch" <<'PY'
import ipaddress, sys
first = ipaddress.IPv4Address("198.18.64.1")
for i in range(int(sys.argv[1])):
    print(f"addr add {first + i}/32 dev {sys.argv[2]}")
PY
ip -n "$server" -batch "$out/addresses.batch"
ip netns exec "$server" nft -f - <<NFT
table inet iksoak {
    counter requests { }
    counter dropped { }
    chain input {
        type filter hook input priority 0; policy accept;
        icmp type echo-request ip daddr 198.18.64.0/22 counter name "requests"
        icmp type echo-request ip daddr 198.18.64.0/22 numgen random mod 100 < 1 counter name "dropped" drop
    }
}
NFT
# Root in the client namespace: raw sockets; the soak is about the shared socket, not the privilege.
ip netns exec "$client" "$out/Soak" 198.18.64.1 "$targets" "$rate" "$seconds" 10 > "$out/soak.json"
cat "$out/soak.json"
counter() { ip netns exec "$server" nft -j list counter inet iksoak "$1" | python3 -c 'import json,sys; print([o["counter"]["packets"] for o in json.load(sys.stdin)["nftables"] if "counter" in o][0])'; }
python3 - "$out/soak.json" "$(counter requests)" "$(counter dropped)" <<'PY'
import json, sys
soak = json.load(open(sys.argv[1])); requests = int(sys.argv[2]); dropped = int(sys.argv[3])
s = soak["samples"]
third = max(1, len(s) // 3)
early = s[1:1 + third] or s[:1]          # the first sample is before any traffic
late = s[-third:]
def avg(rows, key): return sum(r[key] for r in rows) / len(rows)
checks = [
    ("server saw every request", requests == soak["sent"], f'{requests} seen, {soak["sent"]} sent'),
    ("timeouts are the server's drops", soak["timeouts"] == dropped, f'{soak["timeouts"]} timeouts, {dropped} dropped'),
    ("replies + timeouts = sent", soak["replies"] + soak["timeouts"] == soak["sent"], f'{soak["replies"]} + {soak["timeouts"]} vs {soak["sent"]}; others {soak["others"]}'),
    ("no reply from a wrong source", soak["wrong_source"] == 0, str(soak["wrong_source"])),
]
for key, slack in (("gc_heap", 4 << 20), ("rss", 16 << 20)):
    a, b = avg(early, key), avg(late, key)
    checks.append((f"{key} flat", b <= a * 1.10 + slack, f"early {a/1e6:.1f} MB, late {b/1e6:.1f} MB"))
failed = 0
for name, ok, detail in checks:
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
    failed += not ok
loss = 100.0 * soak["timeouts"] / max(1, soak["sent"])
print(f'soak: {soak["sent"]} pings to {soak["targets"]} targets in {soak["seconds"]} s, {loss:.2f}% lost, rtt avg {soak["rtt_avg_ms"]} ms max {soak["rtt_max_ms"]} ms')
sys.exit(1 if failed else 0)
PY
