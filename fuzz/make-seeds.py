#!/usr/bin/python3
"""Writes fuzz/seeds/ from the hex vectors of the codec tests (tests/IcmpKit.Wire.Tests, tests/IcmpKit.Cli.Tests).

Every even-length hex string literal of 8 bytes or more (adjacent "..." + "..." literals joined) becomes one seed per
entry point it fits, prefixed with that entry point's selector byte (fuzz/Targets.cs, enum Target):
capture files go to the capture reader and to `decode --pcap`; IPv4/IPv6 packets to the packet readers, the quote
reader and `decode`; anything else to the ICMPv4 and ICMPv6 message readers, `decode --icmp/--icmpv6`, and, when it
starts like one (version 2), the extension structure reader. Run it again after adding vectors; it replaces the
directory's contents.
"""
import hashlib
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "tests/IcmpKit.Wire.Tests", ROOT / "tests/IcmpKit.Cli.Tests"]
OUT = ROOT / "fuzz/seeds"

# fuzz/Targets.cs, enum Target
IPV4, IPV6, ICMPV4, ICMPV6, EXTENSIONS, QUOTED, CAPTURE, DECODE_PCAP_TEXT, DECODE_PCAP_JSON, DECODE_PACKET = range(10)
# DecodePacket's option byte: start (0 IP, 1 --icmp, 2 --icmpv6) plus 4 for --json
DECODE_IP, DECODE_ICMP, DECODE_ICMPV6, DECODE_JSON = 0, 1, 2, 4

CAPTURE_MAGICS = [bytes.fromhex(m) for m in ("d4c3b2a1", "a1b2c3d4", "4d3cb2a1", "a1b23c4d", "0a0d0d0a")]
LITERAL = re.compile(r'"([0-9A-Fa-f]{16,})"')
JOINED = re.compile(r'"\s*\+\s*"')


def vectors():
    found = set()
    for folder in SOURCES:
        for path in sorted(folder.rglob("*.cs")):
            text = JOINED.sub("", path.read_text(encoding="utf-8"))
            for match in LITERAL.finditer(text):
                digits = match.group(1)
                if len(digits) % 2 == 0:
                    found.add(bytes.fromhex(digits))
    return sorted(found)


def seeds_for(vector):
    json = DECODE_JSON if hashlib.sha1(vector).digest()[0] & 1 else 0
    if any(vector.startswith(magic) for magic in CAPTURE_MAGICS):
        return [(CAPTURE, vector), (DECODE_PCAP_TEXT, vector), (DECODE_PCAP_JSON, vector)]
    version = vector[0] >> 4
    if version == 4 and vector[0] & 0x0F >= 5 or version == 6:
        return [(IPV4 if version == 4 else IPV6, vector), (QUOTED, vector), (DECODE_PACKET, bytes([DECODE_IP | json]) + vector)]
    seeds = [(ICMPV4, vector), (ICMPV6, vector),
             (DECODE_PACKET, bytes([DECODE_ICMP | json]) + vector), (DECODE_PACKET, bytes([DECODE_ICMPV6 | json]) + vector)]
    if vector[0] == 0x20:
        seeds.append((EXTENSIONS, vector))
    return seeds


def main():
    OUT.mkdir(exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    names = ["ipv4", "ipv6", "icmpv4", "icmpv6", "extensions", "quoted", "capture", "decode-pcap", "decode-pcap-json", "decode-packet"]
    written = set()
    for vector in vectors():
        for target, data in seeds_for(vector):
            content = bytes([target]) + data
            if content in written:
                continue
            written.add(content)
            digest = hashlib.sha1(content).hexdigest()[:12]
            (OUT / f"{names[target]}-{digest}").write_bytes(content)
    print(f"{len(written)} seeds in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
