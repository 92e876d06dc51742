#!/usr/bin/python3
"""A hostile ICMP peer for IcmpKit's injection tests (issue 6 §2), after FreeBSD's sbin/ping/tests/injection.py.

Runs inside the peer namespace, whose kernel does not answer echo requests (net.ipv4.icmp_echo_ignore_all=1,
net.ipv6.icmp.echo_ignore_all=1). It reads every frame that arrives on one interface through an AF_PACKET socket and
hands each IPv4 / IPv6 packet to the current scenario, which returns the packets to send back (crafted with scapy, lies
included); they go out on the same interface as Ethernet frames, exactly as built: the kernel's IP stack on this side
never sees them, so it cannot fix a checksum, refuse an option or fragment.

Control, one line at a time on stdin; every answer is one line on stdout:
    scenario NAME [once]   ->  "ok NAME"              switch scenario and forget what the last one saw; with "once",
                                                      only the first request of each run (source and identifier) meets
                                                      it, later ones get faithful answers
    stats                  ->  "stats seen=N sent=M"  requests the scenario was shown, frames it sent, since the switch
    quit                   ->  exits
"ready IFACE MAC" is printed once the socket is listening; each packet handled is logged on stderr.

A scenario is a function (request, state) -> list of scapy packets (IP or IPv6 layers) or bytes (whole IP packets),
registered with @scenario. `request` is a Request: family, addresses, the IP header and payload as received; `state`
is a dict that lives as long as the scenario. Ping's scenarios are shown echo and timestamp requests only; one
registered with every_packet=True is shown every IP packet that reaches the peer, so a trace scenario can answer UDP
and ICMP probes with time exceeded or unreachable by quoting them (error4/error6 with quote4/quote6), lies included.
(The peer's kernel still answers what the injector does not silence: a trace lab drops the probes it must not see
with nftables, as the lab drops timestamp requests.)
"""

import logging
import random
import select
import socket
import struct
import sys
import time

logging.getLogger("scapy").setLevel(logging.ERROR)

from scapy.layers.inet import IP, IPOption, fragment, in4_chksum  # noqa: E402
from scapy.layers.inet6 import (  # noqa: E402
    IPv6,
    IPv6ExtHdrDestOpt,
    IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop,
    in6_chksum,
)
from scapy.packet import Raw  # noqa: E402
from scapy.utils import checksum  # noqa: E402

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
PACKET_OUTGOING = 4

# RFC 792 / RFC 4443 types used below.
ICMP_ECHO_REPLY, ICMP_UNREACH, ICMP_ECHO, ICMP_TIME_EXCEEDED, ICMP_TIMESTAMP, ICMP_TIMESTAMP_REPLY = 0, 3, 8, 11, 13, 14
ICMP6_UNREACH, ICMP6_PACKET_TOO_BIG, ICMP6_TIME_EXCEEDED, ICMP6_ECHO, ICMP6_ECHO_REPLY = 1, 2, 3, 128, 129

NOP_OPTIONS = b"\x01" * 40  # 40 bytes of NOP: the largest IPv4 header (IHL 15), as in CVE-2022-23093


class Request:
    """One IP packet that arrived from the client."""

    def __init__(self, frame):
        self.frame = frame
        self.client_mac = frame[6:12]
        self.own_mac = frame[0:6]
        ethertype = struct.unpack("!H", frame[12:14])[0]
        self.ip = frame[14:]
        self.v6 = ethertype == ETH_P_IPV6
        if self.v6:
            self.src = socket.inet_ntop(socket.AF_INET6, self.ip[8:24])
            self.dst = socket.inet_ntop(socket.AF_INET6, self.ip[24:40])
            self.protocol = self.ip[6]
            self.ip = self.ip[: 40 + struct.unpack("!H", self.ip[4:6])[0]]
            self.header_length = 40
        else:
            self.src = socket.inet_ntop(socket.AF_INET, self.ip[12:16])
            self.dst = socket.inet_ntop(socket.AF_INET, self.ip[16:20])
            self.protocol = self.ip[9]
            self.ip = self.ip[: struct.unpack("!H", self.ip[2:4])[0]]
            self.header_length = (self.ip[0] & 0x0F) * 4
        self.payload = self.ip[self.header_length:]

    @property
    def is_echo_request(self):
        if self.v6:
            return self.protocol == 58 and len(self.payload) >= 8 and self.payload[0] == ICMP6_ECHO
        return self.protocol == 1 and len(self.payload) >= 8 and self.payload[0] == ICMP_ECHO

    @property
    def is_timestamp_request(self):
        return not self.v6 and self.protocol == 1 and len(self.payload) >= 20 and self.payload[0] == ICMP_TIMESTAMP

    @property
    def identifier(self):
        return struct.unpack("!H", self.payload[4:6])[0]

    @property
    def sequence(self):
        return struct.unpack("!H", self.payload[6:8])[0]

    @property
    def data(self):
        """An echo request's data (after the 8-byte ICMP header)."""
        return self.payload[8:]

    @property
    def other_address(self):
        """The peer's address plus one (198.18.x.2 -> .3, fd42:…::2 -> ::3): a node that was not pinged."""
        family = socket.AF_INET6 if self.v6 else socket.AF_INET
        raw = bytearray(socket.inet_pton(family, self.dst))
        raw[-1] = (raw[-1] + 1) & 0xFF
        return socket.inet_ntop(family, bytes(raw))


# ---------------------------------------------------------------------------------------------------------------------
# Building blocks, usable by any scenario (ping's or trace's).

def icmp4(icmp_type, code, rest, body, bad_checksum=False):
    """ICMPv4 message bytes: type, code, checksum, the 4-byte rest of header, body (RFC 792)."""
    message = bytearray(struct.pack("!BBH", icmp_type, code, 0) + rest + body)
    value = checksum(bytes(message))
    if bad_checksum:
        value ^= 0x5A5A
    struct.pack_into("!H", message, 2, value)
    return bytes(message)


def icmp6(source, destination, icmp_type, code, rest, body):
    """ICMPv6 message bytes with the checksum over the pseudo-header (RFC 4443 §2.3)."""
    message = bytearray(struct.pack("!BBH", icmp_type, code, 0) + rest + body)
    struct.pack_into("!H", message, 2, in6_chksum(58, IPv6(src=source, dst=destination), bytes(message)))
    return bytes(message)


def ip4(request, icmp, source=None, **fields):
    """An IPv4 packet from the peer (or `source`) to the client carrying `icmp`; scapy fields may lie (ihl, len…)."""
    return IP(src=source or request.dst, dst=request.src, ttl=64, proto=1, **fields) / Raw(icmp)


def ip6(request, icmp, source=None):
    return IPv6(src=source or request.dst, dst=request.src, hlim=64, nh=58) / Raw(icmp)


def echo_reply(request, data=None, identifier=None, sequence=None, source=None, bad_checksum=False, **ip_fields):
    """The echo reply a faithful peer would send, with any part replaced."""
    data = request.data if data is None else data
    rest = struct.pack("!HH", request.identifier if identifier is None else identifier,
                       request.sequence if sequence is None else sequence)
    if request.v6:
        src = source or request.dst
        return ip6(request, icmp6(src, request.src, ICMP6_ECHO_REPLY, 0, rest, data), source=src)
    return ip4(request, icmp4(ICMP_ECHO_REPLY, 0, rest, data, bad_checksum), source=source, **ip_fields)


def error4(request, icmp_type, code, quote, rest=b"\x00\x00\x00\x00", source=None, bad_checksum=False, **ip_fields):
    """An ICMPv4 error with any quote (RFC 792: the original header and at least 8 bytes)."""
    return ip4(request, icmp4(icmp_type, code, rest, quote, bad_checksum), source=source, **ip_fields)


def error6(request, icmp_type, code, quote, rest=b"\x00\x00\x00\x00", source=None):
    src = source or request.dst
    return ip6(request, icmp6(src, request.src, icmp_type, code, rest, quote), source=src)


def quote4(request, options=b"", ihl=None, total_length=None, destination=None, keep=None):
    """The client's IPv4 packet as an error quotes it: optionally with options, a lying IHL or total length, another
    destination, and only `keep` bytes of it."""
    header = bytearray(request.ip[:20])
    body = request.payload
    header += options
    header[0] = 0x40 | ((len(header) // 4) if ihl is None else ihl)
    struct.pack_into("!H", header, 2, len(header) + len(body) if total_length is None else total_length)
    if destination is not None:
        header[16:20] = socket.inet_pton(socket.AF_INET, destination)
    struct.pack_into("!H", header, 10, 0)
    struct.pack_into("!H", header, 10, checksum(bytes(header)))
    quoted = bytes(header) + body
    return quoted if keep is None else quoted[:keep]


def quote6(request, extension_headers=None, keep=None):
    """The client's IPv6 packet as an error quotes it, optionally with extension headers (scapy layers) between the
    IPv6 header and the ICMPv6 message, and only `keep` bytes of it."""
    original = IPv6(request.ip)
    layers = IPv6(src=original.src, dst=original.dst, hlim=original.hlim, fl=original.fl, tc=original.tc)
    for extension in extension_headers or []:
        layers = layers / extension
    # scapy fills each Next Header from the layer after it, but knows no layer for the raw transport bytes: say which it
    # was (58 for ICMPv6, RFC 4443; 17 for a UDP probe).
    (layers.lastlayer() if extension_headers else layers).nh = request.protocol
    quoted = bytes(layers / Raw(request.payload))
    return quoted if keep is None else quoted[:keep]


def rfc4884_extensions(objects, bad_checksum=False):
    """An RFC 4884 §7 extension structure: version 2 header with checksum, then the given objects (raw bytes)."""
    body = b"".join(objects)
    header = bytearray(struct.pack("!BBH", 0x20, 0, 0))
    struct.pack_into("!H", header, 2, checksum(bytes(header) + body) ^ (0x1111 if bad_checksum else 0))
    return bytes(header) + body


def extension_object(length, class_num=2, c_type=0x0B, payload=b""):
    """An RFC 4884 object header with any length (lies included) followed by `payload`."""
    return struct.pack("!HBB", length, class_num, c_type) + payload


def fragments4(packet, size=1480):
    return fragment(packet, fragsize=size)


def fragments6(source, destination, next_header, payload, size=1232, identification=0x1C0FFEE):
    """IPv6 fragments (RFC 8200 §4.5) of `payload`, `size` bytes each (a multiple of 8). scapy's fragment6 refuses a
    payload that, with its fragment header, exceeds 65,535 bytes, but a reassembled payload may be 65,535 bytes."""
    packets = []
    for offset in range(0, len(payload), size):
        chunk = payload[offset:offset + size]
        more = 1 if offset + size < len(payload) else 0
        packets.append(IPv6(src=source, dst=destination, hlim=64)
                       / IPv6ExtHdrFragment(nh=next_header, offset=offset // 8, m=more, id=identification) / Raw(chunk))
    return packets


# ---------------------------------------------------------------------------------------------------------------------
# Scenarios. Each answers echo requests (ping); everything else is ignored unless a scenario says otherwise.

SCENARIOS = {}


def scenario(name, every_packet=False):
    """Registers a scenario. It is shown echo and timestamp requests only (ping's), or with `every_packet` every IP
    packet the client sends to or through the peer (a trace scenario answering UDP probes)."""
    def register(function):
        SCENARIOS[name] = (function, every_packet)
        return function
    return register


def flipped(data, index, mask=0xFF):
    changed = bytearray(data)
    if index < len(changed):
        changed[index] ^= mask
    return bytes(changed)


def with_stamp(data, nanoseconds):
    """IcmpKit's request data: bytes 0-7 the cookie, 8-15 the send time (CLOCK_REALTIME ns, big-endian)."""
    changed = bytearray(data)
    changed[8:16] = struct.pack("!q", nanoseconds)
    return bytes(changed)


def faithful(request, state):
    """What an honest peer sends: the echo reply, or a timestamp reply with this host's times (RFC 792)."""
    if request.is_timestamp_request:
        now = int(time.time() * 1000) % 86_400_000
        rest = struct.pack("!HH", request.identifier, request.sequence)
        return [ip4(request, icmp4(ICMP_TIMESTAMP_REPLY, 0, rest, request.payload[8:12] + struct.pack("!II", now, now)))]
    return [echo_reply(request)] if request.is_echo_request else []


@scenario("silent")
def silent(request, state):
    return []


@scenario("reply")
def reply(request, state):
    return [echo_reply(request)] if request.is_echo_request else []


@scenario("duplicate")
def duplicate(request, state):
    return [echo_reply(request), echo_reply(request)] if request.is_echo_request else []


@scenario("other-source")
def other_source(request, state):
    # The right identifier, sequence and cookie, from an address that was not pinged.
    return [echo_reply(request, source=request.other_address)] if request.is_echo_request else []


@scenario("flip-byte")
def flip_byte(request, state):
    return [echo_reply(request, data=flipped(request.data, 30))] if request.is_echo_request else []


@scenario("stamp-zero")
def stamp_zero(request, state):
    return [echo_reply(request, data=with_stamp(request.data, 0))] if request.is_echo_request else []


@scenario("stamp-past")
def stamp_past(request, state):
    # One second after the epoch: an RTT taken from it would be 56 years.
    return [echo_reply(request, data=with_stamp(request.data, 1_000_000_000))] if request.is_echo_request else []


@scenario("stamp-future")
def stamp_future(request, state):
    # The largest signed 64-bit time (year 2262): an RTT taken from it would be negative.
    return [echo_reply(request, data=with_stamp(request.data, 0x7FFF_FFFF_FFFF_FFFF))] if request.is_echo_request else []


@scenario("short-data")
def short_data(request, state):
    # The first 20 of 56 data bytes: the cookie, the send time and 4 bytes of fill.
    return [echo_reply(request, data=request.data[:20])] if request.is_echo_request else []


@scenario("padded-data")
def padded_data(request, state):
    # All the data, then 200 bytes the request did not have.
    return [echo_reply(request, data=request.data + b"\xA5" * 200)] if request.is_echo_request else []


@scenario("frame-padding")
def frame_padding(request, state):
    # A faithful reply in a frame with 60 bytes after the IP datagram (the kernel trims to Total Length).
    return [bytes(echo_reply(request)) + b"\xEE" * 60] if request.is_echo_request else []


@scenario("big")
def big(request, state):
    """The largest reply, in fragments: IPv4 total length 65,535 (65,515 bytes of ICMP), IPv6 payload length 65,535
    once reassembled (65,535 bytes of ICMPv6)."""
    if not request.is_echo_request:
        return []
    if request.v6:
        data = request.data + b"\x5A" * (65535 - 8 - len(request.data))
        rest = struct.pack("!HH", request.identifier, request.sequence)
        message = icmp6(request.dst, request.src, ICMP6_ECHO_REPLY, 0, rest, data)
        return fragments6(request.dst, request.src, 58, message)
    data = request.data + b"\x5A" * (65535 - 20 - 8 - len(request.data))
    return fragments4(echo_reply(request, data=data))

@scenario("bad-checksum-then-reply")
def bad_checksum_then_reply(request, state):
    # IPv4: the checksum is ours to check on a raw socket (the kernel checks it for datagram sockets). IPv6: the kernel
    # checks it for every socket (RFC 3542 §3.1), so the corrupt copy never arrives.
    if not request.is_echo_request:
        return []
    if request.v6:
        bad = bytearray(bytes(echo_reply(request)))
        bad[40 + 2] ^= 0x5A
        return [bytes(bad), echo_reply(request)]
    return [echo_reply(request, bad_checksum=True), echo_reply(request)]


@scenario("foreign-id-then-reply")
def foreign_id_then_reply(request, state):
    # Another identifier (not one any run of this scenario used), then the real reply.
    if not request.is_echo_request:
        return []
    seen = state.setdefault("identifiers", set())
    seen.add(request.identifier)
    foreign = request.identifier ^ 0x8000
    while foreign in seen:
        foreign = (foreign + 1) & 0xFFFF
    return [echo_reply(request, identifier=foreign), echo_reply(request)]


@scenario("foreign-cookie-then-reply")
def foreign_cookie_then_reply(request, state):
    # Right identifier and sequence, another operation's cookie (first data byte changed), then the real reply.
    if not request.is_echo_request:
        return []
    return [echo_reply(request, data=flipped(request.data, 0, 0x01)), echo_reply(request)]


@scenario("unsent-seq-then-reply")
def unsent_sequence_then_reply(request, state):
    if not request.is_echo_request:
        return []
    return [echo_reply(request, sequence=(request.sequence + 1000) & 0xFFFF), echo_reply(request)]


@scenario("garbage-then-reply")
def garbage_then_reply(request, state):
    """200 ICMP messages of random type, code, header word and body (0-300 bytes), valid checksums so that every one is
    parsed, from a fixed seed (the same garbage every run), then the faithful reply. Echo replies among them carry
    random identifiers; nothing quotes the request whole, so none of it is ours."""
    if not request.is_echo_request:
        return []
    rng = random.Random(6)
    packets = []
    for _ in range(200):
        icmp_type = rng.choice([0, 3, 4, 5, 11, 12, 13, 14, 16, 18, 42, 43, rng.randrange(256)] if not request.v6
                               else [1, 2, 3, 4, 128, 129, 160, 161, rng.randrange(256)])
        code = rng.choice([0, 0, 1, 4, rng.randrange(256)])
        rest = bytes(rng.randrange(256) for _ in range(4))
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(301)))
        if rng.random() < 0.3:
            # A quote of the request with one field broken: the quoted destination, protocol or ICMP identifier.
            quote = bytearray(request.ip)
            field = rng.choice([16, 9, 24] if not request.v6 else [24, 6, 44])
            quote[field] ^= 0x55
            body = bytes(quote[: rng.randrange(len(quote) + 1)])
        if request.v6:
            packets.append(ip6(request, icmp6(request.dst, request.src, icmp_type, code, rest, body)))
        else:
            packets.append(ip4(request, icmp4(icmp_type, code, rest, body)))
    return packets + [echo_reply(request)]


@scenario("outer-options")
def outer_options(request, state):
    # CVE-2022-23093's first half: a reply whose own header is 60 bytes of which 40 are NOP options.
    if not request.is_echo_request or request.v6:
        return []
    return [echo_reply(request, options=IPOption(NOP_OPTIONS))]


@scenario("kernel-drops-then-reply")
def kernel_drops_then_reply(request, state):
    """Replies the client's kernel must drop before any socket sees them, then the real one: Total Length beyond the
    frame, a bad IP header checksum, and a Record Route option whose pointer is below its minimum (RFC 791: 4)."""
    if not request.is_echo_request or request.v6:
        return []
    good = bytes(echo_reply(request))
    too_long = bytearray(good)
    struct.pack_into("!H", too_long, 2, len(good) + 100)
    struct.pack_into("!H", too_long, 10, 0)
    struct.pack_into("!H", too_long, 10, checksum(bytes(too_long[:20])))
    bad_header_checksum = bytearray(good)
    bad_header_checksum[10] ^= 0xFF
    bad_pointer = echo_reply(request, options=IPOption(bytes([7, 7, 2, 0, 0, 0, 0, 0])))
    return [bytes(too_long), bytes(bad_header_checksum), bad_pointer, good]


@scenario("unreachable")
def unreachable(request, state):
    # The honest error: host unreachable (IPv6: address unreachable) quoting the whole request.
    if not request.is_echo_request:
        return []
    if request.v6:
        return [error6(request, ICMP6_UNREACH, 3, quote6(request))]
    return [error4(request, ICMP_UNREACH, 1, quote4(request))]


@scenario("unreachable-twice")
def unreachable_twice(request, state):
    if not request.is_echo_request:
        return []
    error = unreachable(request, state)[0]
    return [error, error]


@scenario("unreachable-then-reply")
def unreachable_then_reply(request, state):
    if not request.is_echo_request:
        return []
    return unreachable(request, state) + [echo_reply(request)]


@scenario("quote-options")
def quote_options(request, state):
    # CVE-2022-23093: the quoted header has IHL 15 and 40 bytes of NOP options, then the quoted echo request.
    if not request.is_echo_request or request.v6:
        return []
    return [error4(request, ICMP_UNREACH, 1, quote4(request, options=NOP_OPTIONS))]


@scenario("outer-options-error")
def outer_options_error(request, state):
    # The error's own header carries 40 bytes of NOP options; its quote is honest.
    if not request.is_echo_request or request.v6:
        return []
    return [error4(request, ICMP_UNREACH, 1, quote4(request), options=IPOption(NOP_OPTIONS))]


@scenario("bad-quotes-then-reply")
def bad_quotes_then_reply(request, state):
    """Errors whose quote cannot be matched, then the real reply: an IHL of 15 with only 20 header bytes present, an IHL
    below 5, a quote that stops 4 bytes into the ICMP header, no quote at all, a quote of a request to another
    destination, and a bad ICMP checksum on an honest quote."""
    if not request.is_echo_request or request.v6:
        return []
    return [
        error4(request, ICMP_UNREACH, 1, quote4(request, ihl=15, keep=28)),
        error4(request, ICMP_UNREACH, 1, quote4(request, ihl=2)),
        error4(request, ICMP_UNREACH, 1, quote4(request, keep=24)),
        error4(request, ICMP_UNREACH, 1, b""),
        error4(request, ICMP_UNREACH, 1, quote4(request, destination=request.other_address)),
        error4(request, ICMP_UNREACH, 1, quote4(request), bad_checksum=True),
        echo_reply(request),
    ]


@scenario("quote-total-length-short")
def quote_total_length_short(request, state):
    # The quoted header says the datagram is 10 bytes long: shorter than the header itself (RFC 791 minimum 20).
    if not request.is_echo_request or request.v6:
        return []
    return [error4(request, ICMP_UNREACH, 1, quote4(request, total_length=10)), echo_reply(request)]


@scenario("frag-needed-mtu-0")
def frag_needed_mtu_zero(request, state):
    # RFC 1191 §4 next-hop MTU 0 (a pre-RFC 1191 router, or a lie).
    if not request.is_echo_request or request.v6:
        return []
    return [error4(request, ICMP_UNREACH, 4, quote4(request), rest=struct.pack("!HH", 0, 0))]


def rfc4884_time_exceeded(request, objects, length_words=32, pad=True):
    """Time exceeded with an RFC 4884 length attribute of `length_words` 32-bit words, the quote padded to that length
    (or, with `pad` false, not: then the attribute lies), and an extension structure made of `objects`."""
    quote = quote4(request)
    if pad:
        quote += b"\x00" * max(0, length_words * 4 - len(quote))
    extensions = rfc4884_extensions(objects)
    return error4(request, ICMP_TIME_EXCEEDED, 0, quote + extensions, rest=struct.pack("!BBH", 0, length_words, 0))


@scenario("rfc4884-bad-lengths")
def rfc4884_bad_lengths(request, state):
    """RFC 4884 §7 objects that lie: one of length 2 (below the 4-byte object header), one that runs 200 bytes past the
    end of the message, and a length attribute of 255 words (1,020 bytes) in a message of 100; each error quotes the
    request, so each is about it."""
    if not request.is_echo_request or request.v6:
        return []
    return [
        rfc4884_time_exceeded(request, [extension_object(2)]),
        rfc4884_time_exceeded(request, [extension_object(208, payload=b"\x00" * 8)]),
        rfc4884_time_exceeded(request, [extension_object(8, payload=b"\x00" * 4)], length_words=255, pad=False),
    ]


@scenario("timestamp-hostile")
def timestamp_hostile(request, state):
    """A timestamp reply (RFC 792) whose times cannot be: originate 0 instead of ours, receive 0xFFFFFFFF (the
    non-standard bit and every other), transmit 90,000,000 ms (past the end of a day, without the non-standard bit)."""
    if not request.is_timestamp_request:
        return []
    rest = struct.pack("!HH", request.identifier, request.sequence)
    body = struct.pack("!III", 0, 0xFFFF_FFFF, 90_000_000)
    return [ip4(request, icmp4(ICMP_TIMESTAMP_REPLY, 0, rest, body))]


@scenario("timestamp-beyond-day")
def timestamp_beyond_day(request, state):
    """A timestamp reply whose receive and transmit times are standard (high bit clear) but beyond a day: 90,000,000 ms."""
    if not request.is_timestamp_request:
        return []
    rest = struct.pack("!HH", request.identifier, request.sequence)
    originate = struct.unpack("!I", request.payload[8:12])[0]
    body = struct.pack("!III", originate, 90_000_000, 90_000_000)
    return [ip4(request, icmp4(ICMP_TIMESTAMP_REPLY, 0, rest, body))]


@scenario("timestamp-wrong-originate")
def timestamp_wrong_originate(request, state):
    """A timestamp reply with honest receive and transmit times but an originate 3 hours after the one we sent."""
    if not request.is_timestamp_request:
        return []
    rest = struct.pack("!HH", request.identifier, request.sequence)
    originate = (struct.unpack("!I", request.payload[8:12])[0] + 3 * 3_600_000) % 86_400_000
    now = int(time.time() * 1000) % 86_400_000
    return [ip4(request, icmp4(ICMP_TIMESTAMP_REPLY, 0, rest, struct.pack("!III", originate, now, now)))]


# IPv6 errors about the request, quoting it with extension headers and fragments (RFC 8200 §4).

@scenario("quote6-extension-headers")
def quote6_extension_headers(request, state):
    if not request.is_echo_request or not request.v6:
        return []
    headers = [IPv6ExtHdrHopByHop(), IPv6ExtHdrDestOpt()]
    return [error6(request, ICMP6_UNREACH, 3, quote6(request, headers))]


@scenario("quote6-first-fragment")
def quote6_first_fragment(request, state):
    if not request.is_echo_request or not request.v6:
        return []
    headers = [IPv6ExtHdrFragment(offset=0, m=1, id=0x1234)]
    return [error6(request, ICMP6_UNREACH, 3, quote6(request, headers))]


@scenario("bad-quotes6-then-reply")
def bad_quotes6_then_reply(request, state):
    """ICMPv6 errors whose quote cannot be matched, then the real reply: a quote of a later fragment (offset 8), a
    destination options header that claims 2,048 bytes and is cut short, and errors of 40 to 43 bytes (a quote of 32
    to 35 bytes: not even the IPv6 header)."""
    if not request.is_echo_request or not request.v6:
        return []
    later = quote6(request, [IPv6ExtHdrFragment(offset=1, m=0, id=0x1234)])
    lying = bytearray(quote6(request, [IPv6ExtHdrDestOpt()]))
    lying[40 + 1] = 255  # Hdr Ext Len: (255 + 1) * 8 bytes, far more than follow
    errors = [error6(request, ICMP6_UNREACH, 3, later), error6(request, ICMP6_UNREACH, 3, bytes(lying))]
    for total in range(40, 44):
        errors.append(error6(request, ICMP6_UNREACH, 3, quote6(request, keep=total - 8)))
    return errors + [echo_reply(request)]


@scenario("packet-too-big-huge")
def packet_too_big_huge(request, state):
    # RFC 4443 §3.2 MTU field of 2^32 - 1.
    if not request.is_echo_request or not request.v6:
        return []
    return [error6(request, ICMP6_PACKET_TOO_BIG, 0, quote6(request), rest=struct.pack("!I", 0xFFFF_FFFF))]


# ---------------------------------------------------------------------------------------------------------------------
# Trace scenarios (every_packet=True): the peer plays a two-hop path. A probe that arrives with TTL / hop limit 1 is
# answered as hop 1, a router at the peer's address + 1 (ROUTER), would answer it: time exceeded; any other probe as the
# destination (the peer) would: an echo reply, or port unreachable for UDP. Hostile packets that must NOT be taken for an
# answer come from the peer's address + 2 (FORGER), so that one taken shows in the output as that address. The peer's
# kernel answers nothing (the trace lab's nftables drop its ICMP output).

class Later:
    """A packet the main loop sends `seconds` after the probe that caused it (a late answer)."""

    def __init__(self, seconds, packet):
        self.seconds = seconds
        self.packet = packet


def address_plus(request, n):
    family = socket.AF_INET6 if request.v6 else socket.AF_INET
    raw = bytearray(socket.inet_pton(family, request.dst))
    raw[-1] = (raw[-1] + n) & 0xFF
    return socket.inet_ntop(family, bytes(raw))


def router(request):
    return address_plus(request, 1)


def forger(request):
    return address_plus(request, 2)


def probe_kind(request):
    """"udp", "icmp" or "tcp" for a trace probe, None for anything else (neighbour discovery, MLD, and the client kernel's
    RST to a SYN-ACK it never asked for: a TCP probe is a SYN alone, RFC 9293 §3.5)."""
    if request.protocol == 17 and len(request.payload) >= 8:
        return "udp"
    if request.protocol == 6 and len(request.payload) >= 20 and request.payload[13] & (TCP_SYN | TCP_RST | TCP_ACK | TCP_FIN) == TCP_SYN:
        return "tcp"
    return "icmp" if request.is_echo_request else None


def flow_of(request):
    """Which run a probe belongs to: its source and ICMP identifier or UDP source port (two runs may share a scenario).
    TCP probes change source port per probe; their sequence numbers share the run's cookie in the high 16 bits."""
    if probe_kind(request) == "tcp":
        return (request.src, tcp_sequence(request) >> 16)
    return (request.src, struct.unpack("!H", request.payload[4 if probe_kind(request) == "icmp" else 0:][:2])[0])


# TCP (RFC 9293 §3.1): what a destination says to a SYN probe, lies included.

TCP_FIN, TCP_SYN, TCP_RST, TCP_ACK = 0x01, 0x02, 0x04, 0x10


def tcp_sequence(request):
    return struct.unpack("!I", request.payload[4:8])[0]


def tcp_ports(request):
    return struct.unpack("!HH", request.payload[0:4])


def tcp_segment_length(request):
    """SEG.LEN of the probe (RFC 9293 §3.4): its data, plus one for the SYN."""
    data_offset = (request.payload[12] >> 4) * 4
    return len(request.payload) - data_offset + 1


def tcp_answer(request, flags, ack=None, seq=0x1D0C_0FFE, source=None, sport=None, dport=None, data_offset=None,
               options=b"", data=b"", bad_checksum=False, ip_options=None, **ip_fields):
    """A segment from the destination (or `source`) to the probe's source: ports swapped, acknowledging `ack` (default
    the SYN alone: SEG.SEQ + 1, what a SYN-ACK from LISTEN carries, RFC 9293 §3.10.7.2), any field replaced."""
    probe_sport, probe_dport = tcp_ports(request)
    ack = (tcp_sequence(request) + 1) & 0xFFFF_FFFF if ack is None else ack
    length = 20 + len(options)
    offset = (length // 4) if data_offset is None else data_offset
    header = bytearray(struct.pack("!HHIIBBHHH", probe_dport if sport is None else sport, probe_sport if dport is None else dport,
                                   seq, ack, offset << 4, flags, 65535, 0, 0) + options)
    segment = bytes(header) + data
    src = source or request.dst
    if request.v6:
        value = in6_chksum(6, IPv6(src=src, dst=request.src), segment)
    else:
        value = in4_chksum(6, IP(src=src, dst=request.src), segment)
    if bad_checksum:
        value ^= 0x5A5A
    segment = segment[:16] + struct.pack("!H", value) + segment[18:]
    if request.v6:
        return IPv6(src=src, dst=request.src, hlim=64, nh=6) / Raw(segment)
    if ip_options is not None:
        ip_fields["options"] = ip_options
    return IP(src=src, dst=request.src, ttl=64, proto=6, **ip_fields) / Raw(segment)


def syn_ack(request, **fields):
    """An open port's answer: SYN-ACK with an MSS option (RFC 9293 §3.10.7.2)."""
    return tcp_answer(request, TCP_SYN | TCP_ACK, options=fields.pop("options", b"\x02\x04\x05\xb4"), **fields)


def reset(request, **fields):
    """A closed port's answer to a SYN: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (RFC 9293 §3.10.7.1), SEG.LEN counting
    the SYN and any data of the probe."""
    ack = fields.pop("ack", (tcp_sequence(request) + tcp_segment_length(request)) & 0xFFFF_FFFF)
    return tcp_answer(request, TCP_RST | TCP_ACK, ack=ack, seq=0, **fields)


def probe_ttl(request):
    return request.ip[7] if request.v6 else request.ip[8]


def honest_quote(request):
    """As much of the probe as a router quotes: an ICMPv4 error of at most 576 bytes (RFC 1812 §4.3.2.3), an ICMPv6 one
    of at most 1280 (RFC 4443 §2.4 (c)); all of a short probe."""
    return quote6(request)[:1280 - 48] if request.v6 else quote4(request)[:576 - 28]


def time_exceeded(request, quote=None, source=None, bad_checksum=False, **ip_fields):
    quote = honest_quote(request) if quote is None else quote
    source = source or router(request)
    if request.v6:
        return error6(request, ICMP6_TIME_EXCEEDED, 0, quote, source=source)
    return error4(request, ICMP_TIME_EXCEEDED, 0, quote, source=source, bad_checksum=bad_checksum, **ip_fields)


def destination_answer(request, source=None, quote=None, **ip_fields):
    """What the destination says to a probe: an echo reply, a SYN-ACK (an open port), or port unreachable quoting the UDP
    probe."""
    if probe_kind(request) == "icmp":
        return echo_reply(request, source=source, **ip_fields)
    if probe_kind(request) == "tcp":
        return syn_ack(request, source=source, **ip_fields)
    quote = honest_quote(request) if quote is None else quote
    if request.v6:
        return error6(request, ICMP6_UNREACH, 4, quote, source=source)
    return error4(request, ICMP_UNREACH, 3, quote, source=source, **ip_fields)


def foreign_quote(request):
    """The probe's quote with another flow: ICMP identifier or UDP / TCP source port XOR 0x8000 (nothing of ours)."""
    quote = bytearray(honest_quote(request))
    offset = request.header_length if not request.v6 else 40
    field = offset + (4 if probe_kind(request) == "icmp" else 0)
    quote[field] ^= 0x80
    return bytes(quote)


def trace_scenario(name, destination=None):
    """Registers `hop1(request, state)` as the answers to TTL-1 probes; other probes get `destination` (honest by
    default)."""
    def register(hop1):
        def run(request, state):
            if probe_kind(request) is None:
                return []
            if probe_ttl(request) == 1:
                return hop1(request, state)
            return destination(request, state) if destination else [destination_answer(request)]
        SCENARIOS[name] = (run, True)
        return hop1
    return register


@trace_scenario("trace-honest")
def trace_honest(request, state):
    return [time_exceeded(request)]


def options_destination(request, state):
    if request.v6:
        return [destination_answer(request)]
    if probe_kind(request) == "tcp":
        # A 60-byte IP header (40 bytes of NOP) and a 60-byte TCP header (MSS, then 36 bytes of NOP): both at their largest.
        return [syn_ack(request, options=b"\x02\x04\x05\xb4" + b"\x01" * 36, ip_options=IPOption(NOP_OPTIONS))]
    return [destination_answer(request, quote=quote4(request, options=NOP_OPTIONS), options=IPOption(NOP_OPTIONS))]


@trace_scenario("trace-options", destination=options_destination)
def trace_options(request, state):
    # CVE-2022-23093 for traceroute: the error's own header and the quoted header each carry 40 bytes of NOP options.
    if request.v6:
        return [time_exceeded(request)]
    return [time_exceeded(request, quote=quote4(request, options=NOP_OPTIONS), options=IPOption(NOP_OPTIONS))]


@trace_scenario("trace-quote-8")
def trace_quote_8(request, state):
    # RFC 792's minimum: the IP header and the first 8 bytes of the probe (the ICMP or UDP header, none of its data).
    keep = (40 if request.v6 else request.header_length) + 8
    return [time_exceeded(request, quote=honest_quote(request)[:keep])]


@trace_scenario("trace-bad-quotes-then-honest")
def trace_bad_quotes_then_honest(request, state):
    """Errors from FORGER whose quote cannot be matched, then the honest one from ROUTER: IPv4 an IHL of 15 with 20
    header bytes present, an IHL below 5, a quote that stops 4 bytes into the transport header,
    no quote at all, a quote of a probe to another destination; IPv6 a later fragment, a destination options header
    that claims 2,048 bytes, errors of 40 to 43 bytes, no quote."""
    f = forger(request)
    if request.v6:
        later = quote6(request, [IPv6ExtHdrFragment(offset=1, m=0, id=0x1234)])
        lying = bytearray(quote6(request, [IPv6ExtHdrDestOpt()]))
        lying[40 + 1] = 255
        bad = [time_exceeded(request, quote=later, source=f), time_exceeded(request, quote=bytes(lying), source=f),
               time_exceeded(request, quote=b"", source=f)]
        bad += [time_exceeded(request, quote=quote6(request, keep=total - 8), source=f) for total in range(40, 44)]
        return bad + [time_exceeded(request)]
    return [
        time_exceeded(request, quote=quote4(request, ihl=15, keep=28), source=f),
        time_exceeded(request, quote=quote4(request, ihl=2), source=f),
        time_exceeded(request, quote=quote4(request, keep=request.header_length + 4), source=f),
        time_exceeded(request, quote=b"", source=f),
        time_exceeded(request, quote=quote4(request, destination=request.other_address), source=f),
        time_exceeded(request),
    ]


@trace_scenario("trace-quote-total-length-short-then-honest")
def trace_quote_total_length_short_then_honest(request, state):
    # IPv4: from FORGER, the probe quoted whole under a Total Length of 10 (less than its own header); then the honest one.
    if request.v6:
        return [time_exceeded(request)]
    return [time_exceeded(request, quote=quote4(request, total_length=10), source=forger(request)), time_exceeded(request)]


@trace_scenario("trace-padded")
def trace_padded(request, state):
    # The honest quote followed by 100 bytes of 0xA5 inside the ICMP message, in a frame with 60 bytes of padding.
    return [bytes(time_exceeded(request, quote=honest_quote(request) + b"\xA5" * 100)) + b"\xEE" * 60]


@trace_scenario("trace-bad-checksum-then-honest")
def trace_bad_checksum_then_honest(request, state):
    # IPv4 only: the ICMPv6 checksum is the kernel's to check for every socket.
    if request.v6:
        bad = bytearray(bytes(time_exceeded(request, source=forger(request))))
        bad[40 + 2] ^= 0x5A
        return [bytes(bad), time_exceeded(request)]
    return [time_exceeded(request, source=forger(request), bad_checksum=True), time_exceeded(request)]


def foreign_destination(request, state):
    f = forger(request)
    if probe_kind(request) == "icmp":
        identifier = request.identifier ^ 0x8000
        return [echo_reply(request, identifier=identifier, source=f), destination_answer(request)]
    if probe_kind(request) == "tcp":
        # From the destination itself (a connected raw socket sees nothing else): a RST to a source port not ours.
        return [reset(request, dport=tcp_ports(request)[0] ^ 0x8000), destination_answer(request)]
    return [destination_answer(request, quote=foreign_quote(request), source=f), destination_answer(request)]


@trace_scenario("trace-foreign-then-honest", destination=foreign_destination)
def trace_foreign_then_honest(request, state):
    # Errors quoting a probe of another flow (identifier or source port), from FORGER, then the honest one.
    return [time_exceeded(request, quote=foreign_quote(request), source=forger(request)), time_exceeded(request)]


def duplicate_destination(request, state):
    return [destination_answer(request), destination_answer(request)]


def unsent_quote(request):
    """The probe's quote with a flow key nothing was sent with: ICMP sequence, UDP destination port or the low half of
    the TCP sequence number + 1000."""
    quote = bytearray(honest_quote(request))
    offset = (request.header_length if not request.v6 else 40) + {"icmp": 6, "udp": 2, "tcp": 6}[probe_kind(request)]
    struct.pack_into("!H", quote, offset, (struct.unpack("!H", quote[offset:offset + 2])[0] + 1000) & 0xFFFF)
    return bytes(quote)


def unsent_destination(request, state):
    f = forger(request)
    if probe_kind(request) == "icmp":
        return [echo_reply(request, sequence=(request.sequence + 1000) & 0xFFFF, source=f), destination_answer(request)]
    if probe_kind(request) == "tcp":
        # From the destination: a RST acknowledging a SYN 1000 probes later (RFC 9293 §3.10.7.3: not acceptable).
        return [reset(request, ack=(tcp_sequence(request) + 1001) & 0xFFFF_FFFF), destination_answer(request)]
    return [destination_answer(request, quote=unsent_quote(request), source=f), destination_answer(request)]


@trace_scenario("trace-unsent-then-honest", destination=unsent_destination)
def trace_unsent_then_honest(request, state):
    # Our identifier / source port, but a sequence / destination port no probe had, from FORGER; then the honest one.
    return [time_exceeded(request, quote=unsent_quote(request), source=forger(request)), time_exceeded(request)]


@trace_scenario("trace-duplicate", destination=duplicate_destination)
def trace_duplicate(request, state):
    return [time_exceeded(request), time_exceeded(request)]


def copied_destination(request, state):
    return [destination_answer(request), destination_answer(request, source=forger(request))]


@trace_scenario("trace-honest-then-copy-from-forger", destination=copied_destination)
def trace_honest_then_copy_from_forger(request, state):
    # The honest answer, then the same answer again from FORGER: the probe is already answered.
    return [time_exceeded(request), time_exceeded(request, source=forger(request))]


@trace_scenario("trace-huge-error")
def trace_huge_error(request, state):
    """The largest time exceeded, in fragments: the honest quote padded with 0x5A to an IPv4 Total Length of 65,535, or
    an IPv6 payload of 65,535 bytes once reassembled."""
    quote = honest_quote(request)
    if request.v6:
        message = icmp6(router(request), request.src, ICMP6_TIME_EXCEEDED, 0, b"\x00" * 4, quote + b"\x5A" * (65535 - 8 - len(quote)))
        return fragments6(router(request), request.src, 58, message)
    return fragments4(time_exceeded(request, quote=quote + b"\x5A" * (65535 - 20 - 8 - len(quote))))


def mtu_lies_destination(request, state):
    """Every probe past hop 1 is refused as too big, with an MTU that cannot be: 0, the largest the field holds, 1, or
    the probe's own size, in turn (per run)."""
    turns = state.setdefault("mtu-turns", {})
    turn = turns.get(flow_of(request), 0)
    turns[flow_of(request)] = turn + 1
    if request.v6:
        mtu = [0, 0xFFFF_FFFF, 1, len(request.ip)][turn % 4]
        return [error6(request, ICMP6_PACKET_TOO_BIG, 0, honest_quote(request), rest=struct.pack("!I", mtu), source=router(request))]
    mtu = [0, 0xFFFF, 1, len(request.ip)][turn % 4]
    return [error4(request, ICMP_UNREACH, 4, honest_quote(request), rest=struct.pack("!HH", 0, mtu), source=router(request))]


@trace_scenario("trace-mtu-lies", destination=mtu_lies_destination)
def trace_mtu_lies(request, state):
    return [time_exceeded(request)]


@trace_scenario("trace-rfc4884-bad-lengths")
def trace_rfc4884_bad_lengths(request, state):
    """Per probe in turn: an object of length 2, an object running 200 bytes past the end, a length attribute of 255
    words in a message of about 100 bytes. Each quotes the probe, so each is hop 1's answer to it."""
    turns = state.setdefault("turns", {})
    turn = turns.get(flow_of(request), 0)
    turns[flow_of(request)] = turn + 1
    variants = [
        lambda: rfc4884_time_exceeded(request, [extension_object(2)]),
        lambda: rfc4884_time_exceeded(request, [extension_object(208, payload=b"\x00" * 8)]),
        lambda: rfc4884_time_exceeded(request, [extension_object(8, payload=b"\x00" * 4)], length_words=255, pad=False),
    ]
    if request.v6:
        return [rfc4884_time_exceeded6(request, *[([extension_object(2)], 16, True),
                                                  ([extension_object(208, payload=b"\x00" * 8)], 16, True),
                                                  ([extension_object(8, payload=b"\x00" * 4)], 255, False)][turn % 3])]
    packet = variants[turn % 3]()
    packet[IP].src = router(request)
    return [packet]


def rfc4884_time_exceeded6(request, objects, length_words, pad):
    """ICMPv6 time exceeded from ROUTER with an RFC 4884 length attribute of `length_words` 64-bit words (RFC 4884 §4.6:
    the first byte of the unused field), the quote padded to it or not (then the attribute lies), then `objects`."""
    quote = quote6(request)
    if pad:
        quote += b"\x00" * max(0, length_words * 8 - len(quote))
    return error6(request, ICMP6_TIME_EXCEEDED, 0, quote + rfc4884_extensions(objects), rest=struct.pack("!BBH", length_words, 0, 0),
                  source=router(request))


@trace_scenario("trace-quote6-extension-headers")
def trace_quote6_extension_headers(request, state):
    if not request.v6:
        return [time_exceeded(request)]
    return [time_exceeded(request, quote=quote6(request, [IPv6ExtHdrHopByHop(), IPv6ExtHdrDestOpt()]))]


@trace_scenario("trace-quote6-first-fragment")
def trace_quote6_first_fragment(request, state):
    if not request.v6:
        return [time_exceeded(request)]
    return [time_exceeded(request, quote=quote6(request, [IPv6ExtHdrFragment(offset=0, m=1, id=0x1234)]))]


def slow_destination(request, state):
    return [Later(0.3, destination_answer(request))]


@trace_scenario("trace-late", destination=slow_destination)
def trace_late(request, state):
    """Hop 1's first probe is answered 1.5 s late (after -w 1), the others at once; the destination answers after 0.3 s,
    so that a sequential trace (-N 1) is still running when the late answer comes."""
    answered = state.setdefault("answered", set())
    first = flow_of(request) not in answered
    answered.add(flow_of(request))
    return [Later(1.5, time_exceeded(request))] if first else [time_exceeded(request)]


# ---------------------------------------------------------------------------------------------------------------------
# TCP SYN probe scenarios (traceroute -T). The honest destination answers a SYN-ACK (an open port). Forged segments from
# the destination are RSTs, sent before the honest SYN-ACK, which comes 0.2 s later: one taken shows as a RST (and a
# short time) in --json. A raw TCP socket connected to the destination is only handed segments from it, so a forged
# segment from another address is dropped by the kernel; those from the destination are icmpkit's to refuse.

HONEST_DELAY = 0.2


def tcp_quote(request, seq=None, sport=None, keep=None, ihl=None):
    """The honest quote of a TCP probe with its sequence number or source port replaced, an IHL that lies (IPv4), and
    only `keep` bytes of the TCP header."""
    offset = 40 if request.v6 else request.header_length
    quote = bytearray(honest_quote(request) if ihl is None else quote4(request, ihl=ihl)[:576 - 28])
    if seq is not None:
        struct.pack_into("!I", quote, offset + 4, seq & 0xFFFF_FFFF)
    if sport is not None:
        struct.pack_into("!H", quote, offset, sport)
    return bytes(quote if keep is None else quote[:offset + keep])


def later_honest(request):
    return Later(HONEST_DELAY, syn_ack(request))


def tcp_scenario(name, destination=None):
    """A trace scenario shown TCP probes only (the others are honest): `hop1` answers TTL-1 probes, `destination` the rest."""
    def register(hop1):
        def run(request, state):
            if probe_kind(request) is None:
                return []
            if probe_kind(request) != "tcp":
                return [time_exceeded(request)] if probe_ttl(request) == 1 else [destination_answer(request)]
            if probe_ttl(request) == 1:
                return hop1(request, state)
            return destination(request, state) if destination else [destination_answer(request)]
        SCENARIOS[name] = (run, True)
        return hop1
    return register


def honest_hop1(request, state):
    return [time_exceeded(request)]


@tcp_scenario("trace-tcp-closed", destination=lambda request, state: [reset(request)])
def trace_tcp_closed(request, state):
    return [time_exceeded(request)]


def bad_acks_destination(request, state):
    """RFC 9293 §3.10.7.3 (SYN-SENT): an ACK is acceptable only if ISS < SEG.ACK =< SND.NXT; a RST without an acceptable
    ACK is dropped; a SYN without ACK is a simultaneous open, not an answer. From the destination, right ports: a RST
    acknowledging nothing new (SEG.ACK = ISS), acknowledging 0, acknowledging the probe under another trace's cookie
    (high 16 bits XOR 0x8000) and under the cookie + 1, a RST with the right acknowledgment number but the ACK bit off, a
    SYN alone carrying the right number; then the honest SYN-ACK."""
    seq = tcp_sequence(request)
    return [
        reset(request, ack=seq),
        reset(request, ack=0),
        reset(request, ack=((seq ^ 0x8000_0000) + 1) & 0xFFFF_FFFF),
        reset(request, ack=(seq + 0x1_0001) & 0xFFFF_FFFF),
        tcp_answer(request, TCP_RST, ack=(seq + 1) & 0xFFFF_FFFF, seq=0),
        tcp_answer(request, TCP_SYN, ack=(seq + 1) & 0xFFFF_FFFF),
        later_honest(request),
    ]


@tcp_scenario("trace-tcp-bad-acks-then-honest", destination=bad_acks_destination)
def trace_tcp_bad_acks_then_honest(request, state):
    return [time_exceeded(request)]


def next_probe_destination(request, state):
    # A RST on this probe's ports acknowledging the NEXT probe's SYN (its sequence number + 1: ours + 2), which was sent
    # from another source port: it belongs to no connection of ours (RFC 9293 §3.3.2: a connection is its socket pair).
    return [reset(request, ack=(tcp_sequence(request) + 2) & 0xFFFF_FFFF), later_honest(request)]


@tcp_scenario("trace-tcp-next-probe-then-honest", destination=next_probe_destination)
def trace_tcp_next_probe_then_honest(request, state):
    """From FORGER, time exceeded quoting this probe's ports with the next probe's sequence number; then ROUTER's."""
    return [time_exceeded(request, quote=tcp_quote(request, seq=tcp_sequence(request) + 1), source=forger(request)),
            time_exceeded(request)]


@tcp_scenario("trace-tcp-bad-checksum-then-honest",
              destination=lambda request, state: [reset(request, bad_checksum=True), later_honest(request)])
def trace_tcp_bad_checksum_then_honest(request, state):
    # RFC 9293 §3.1: a segment whose checksum fails is discarded (MUST-3). At hop 1 nothing but the honest error.
    return [time_exceeded(request)]


def wrong_ports_destination(request, state):
    """From the destination, right acknowledgment number: a RST from another port (the probed one + 1), to another port
    (the probe's source port XOR 0x8000), and with the ports the wrong way round; then the honest SYN-ACK."""
    sport, dport = tcp_ports(request)
    return [reset(request, sport=(dport + 1) & 0xFFFF), reset(request, dport=sport ^ 0x8000),
            reset(request, sport=sport, dport=dport), later_honest(request)]


@tcp_scenario("trace-tcp-wrong-ports-then-honest", destination=wrong_ports_destination)
def trace_tcp_wrong_ports_then_honest(request, state):
    return [time_exceeded(request)]


@tcp_scenario("trace-tcp-other-source-then-honest",
              destination=lambda request, state: [reset(request, source=forger(request)), later_honest(request)])
def trace_tcp_other_source_then_honest(request, state):
    # Hop 1: a RST acknowledging the probe from ROUTER (a middlebox that is not the destination), then its honest error.
    return [reset(request, source=router(request)), time_exceeded(request)]


def malformed_destination(request, state):
    """RSTs from the destination with the right ports and acknowledgment number, malformed: data offset 2 (below the
    header's 5 words, RFC 9293 §3.1), data offset 15 in a 20-byte segment, a segment of 12 bytes (cut in the
    acknowledgment number) and of 16 bytes (before the checksum); then the honest SYN-ACK."""
    good = bytes(reset(request))
    header = 40 if request.v6 else 20

    def cut(keep):
        raw = bytearray(good[:header + keep])
        if request.v6:
            struct.pack_into("!H", raw, 4, keep)
        else:
            struct.pack_into("!H", raw, 2, len(raw))
            struct.pack_into("!H", raw, 10, 0)
            struct.pack_into("!H", raw, 10, checksum(bytes(raw[:20])))
        return bytes(raw)
    return [reset(request, data_offset=2), reset(request, data_offset=15), cut(12), cut(16), later_honest(request)]


@tcp_scenario("trace-tcp-malformed-then-honest", destination=malformed_destination)
def trace_tcp_malformed_then_honest(request, state):
    return [time_exceeded(request)]


@tcp_scenario("trace-tcp-honest-then-reset", destination=lambda request, state: [syn_ack(request), reset(request)])
def trace_tcp_honest_then_reset(request, state):
    # The SYN-ACK, then a RST for the same probe: the first answer counts.
    return [time_exceeded(request)]


def big_destination(request, state):
    """The largest SYN-ACK, in fragments: 65,495 bytes of data padding an IPv4 Total Length of 65,535, or an IPv6 payload
    of 65,535 once reassembled (RFC 8200 §4.5)."""
    if request.v6:
        segment = bytes(syn_ack(request, options=b"", data=b"\x5A" * (65535 - 20)))[40:]
        return fragments6(request.dst, request.src, 6, segment)
    return fragments4(syn_ack(request, options=b"", data=b"\x5A" * (65535 - 20 - 20)))


@tcp_scenario("trace-tcp-big-answer", destination=big_destination)
def trace_tcp_big_answer(request, state):
    return [time_exceeded(request)]


@tcp_scenario("trace-tcp-padded-answer", destination=lambda request, state: [bytes(syn_ack(request)) + b"\xEE" * 60])
def trace_tcp_padded_answer(request, state):
    # The SYN-ACK in a frame with 60 bytes after the IP datagram (the kernel trims to its length).
    return [time_exceeded(request)]


def extension_destination(request, state):
    """IPv6: the SYN-ACK behind hop-by-hop and destination options headers (RFC 8200 §4.3, §4.6); IPv4: honest."""
    if not request.v6:
        return [syn_ack(request)]
    segment = bytes(syn_ack(request))[40:]
    headers = IPv6(src=request.dst, dst=request.src, hlim=64) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt(nh=6) / Raw(segment)
    return [headers]


@tcp_scenario("trace-tcp-answer6-extension-headers", destination=extension_destination)
def trace_tcp_answer6_extension_headers(request, state):
    return [time_exceeded(request)]


def fragmented_destination(request, state):
    """The SYN-ACK (with MSS and 16 bytes of NOP: a 40-byte header) in fragments: IPv4 16 bytes each, the first cut
    inside the TCP header; IPv6 24 bytes each, as Linux drops a first fragment without the whole upper-layer header
    (RFC 8200 §4.5, RFC 7112)."""
    answer = syn_ack(request, options=b"\x02\x04\x05\xb4" + b"\x01" * 16)
    if request.v6:
        return fragments6(request.dst, request.src, 6, bytes(answer)[40:], size=24)
    return fragments4(answer, size=16)


@tcp_scenario("trace-tcp-fragmented-answer", destination=fragmented_destination)
def trace_tcp_fragmented_answer(request, state):
    return [time_exceeded(request)]


@tcp_scenario("trace-tcp-silent-destination", destination=lambda request, state: [])
def trace_tcp_silent_destination(request, state):
    # Nothing answers the destination's probes: what comes is the peer kernel's own, which the lab must drop.
    return [time_exceeded(request)]


def tcp_bad_quotes(request, state):
    """Errors from FORGER whose TCP quote cannot name a probe, then ROUTER's honest one: 7 bytes of the TCP header (ports
    and 3 bytes of the sequence number: below RFC 792's 8), no TCP header at all, the sequence number under another
    trace's cookie, a source port not ours; IPv4 also a quoted IHL of 6 (the TCP header read 4 bytes late: the sequence
    number as ports) and of 15 over a 20-byte header (read 40 bytes late: into the probe's options)."""
    f = forger(request)
    seq = tcp_sequence(request)
    quotes = [tcp_quote(request, keep=7), tcp_quote(request, keep=0), tcp_quote(request, seq=seq ^ 0x8000_0000),
              tcp_quote(request, sport=tcp_ports(request)[0] ^ 0x8000)]
    if not request.v6:
        quotes += [tcp_quote(request, ihl=6), tcp_quote(request, ihl=15)]
    return [time_exceeded(request, quote=q, source=f) for q in quotes] + [time_exceeded(request)]


tcp_scenario("trace-tcp-bad-quotes-then-honest")(tcp_bad_quotes)


def unreachable_destination(request, state):
    """The destination refuses each probe with another ICMP destination unreachable, quoting it (in turn per run): IPv4
    host (1), protocol (2), administratively prohibited (13) (RFC 792, RFC 1812 §5.2.7.1); IPv6 administratively
    prohibited (1), address unreachable (3), no route (0) (RFC 4443 §3.1)."""
    turns = state.setdefault("turns", {})
    turn = turns.get(flow_of(request), 0)
    turns[flow_of(request)] = turn + 1
    if request.v6:
        return [error6(request, ICMP6_UNREACH, [1, 3, 0][turn % 3], honest_quote(request))]
    return [error4(request, ICMP_UNREACH, [1, 2, 13][turn % 3], honest_quote(request))]


@tcp_scenario("trace-tcp-unreachable", destination=unreachable_destination)
def trace_tcp_unreachable(request, state):
    return [time_exceeded(request)]


# ---------------------------------------------------------------------------------------------------------------------

def frames_for(request, packets):
    """Ethernet frames to the client for each packet (scapy layers or bytes), fragments included."""
    header_v4 = request.client_mac + request.own_mac + struct.pack("!H", ETH_P_IP)
    header_v6 = request.client_mac + request.own_mac + struct.pack("!H", ETH_P_IPV6)
    frames = []
    for packet in packets:
        delay = 0.0
        if isinstance(packet, Later):
            delay, packet = packet.seconds, packet.packet
        raw = bytes(packet)
        frames.append((delay, (header_v6 if raw[0] >> 4 == 6 else header_v4) + raw))
    return frames


def send(sock, frame):
    """Sends one frame; one the link refuses (larger than its MTU) is logged, and the peer carries on."""
    try:
        sock.send(frame)
    except OSError as failure:
        print(f"injector: a frame of {len(frame)} bytes was not sent: {failure!r}", file=sys.stderr, flush=True)


def main():
    if len(sys.argv) != 2:
        print("usage: injector.py INTERFACE", file=sys.stderr)
        return 2
    interface = sys.argv[1]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((interface, 0))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
    own_mac = sock.getsockname()[4]
    name = "silent"
    once = False
    state = {}
    seen = sent = 0
    print(f"ready {interface} {own_mac.hex(':')}", flush=True)
    stdin = sys.stdin.fileno()
    pending = []  # (due, frame) of Later packets, sent by this loop when due
    while True:
        now = time.monotonic()
        for due, frame in [item for item in pending if item[0] <= now]:
            send(sock, frame)
        pending = [item for item in pending if item[0] > now]
        timeout = max(0.0, min(due for due, _ in pending) - now) if pending else None
        readable, _, _ = select.select([stdin, sock], [], [], timeout)
        if stdin in readable:
            line = sys.stdin.readline()
            if not line:
                return 0  # the test went away
            words = line.split()
            if not words:
                continue
            if words[0] == "scenario" and words[1:2] and words[1] in SCENARIOS and words[2:] in ([], ["once"]):
                name, state, seen, sent = words[1], {}, 0, 0
                once = words[2:] == ["once"]
                print(f"ok {name}", flush=True)
            elif words[0] == "stats":
                print(f"stats seen={seen} sent={sent}", flush=True)
            elif words[0] == "quit":
                return 0
            else:
                print(f"error unknown command {line.strip()!r}; scenarios: {' '.join(sorted(SCENARIOS))}", flush=True)
        if sock in readable:
            frame, address = sock.recvfrom(65536)
            if address[2] == PACKET_OUTGOING or len(frame) < 34 or frame[0:6] != own_mac:
                continue
            ethertype = struct.unpack("!H", frame[12:14])[0]
            if ethertype not in (ETH_P_IP, ETH_P_IPV6):
                continue
            request = Request(frame)
            function, every_packet = SCENARIOS[name]
            if not (every_packet or request.is_echo_request or request.is_timestamp_request):
                continue  # neighbour discovery, MLD and the like: the kernel's business
            seen += 1
            if once and (request.is_echo_request or request.is_timestamp_request):
                # Only the first request of each run meets the scenario; the rest are answered faithfully.
                attacked = state.setdefault("attacked", set())
                key = (request.src, request.identifier)
                if key in attacked:
                    function = faithful
                attacked.add(key)
            try:
                frames = frames_for(request, function(request, state))
            except Exception as failure:  # a broken scenario must say so, not kill the peer mid-test
                print(f"injector: scenario {name} failed on {request.src} -> {request.dst}: {failure!r}", file=sys.stderr, flush=True)
                continue
            for delay, out in frames:
                if delay > 0:
                    pending.append((time.monotonic() + delay, out))
                else:
                    send(sock, out)
            sent += len(frames)
            kind = "echo" if request.is_echo_request else "timestamp" if request.is_timestamp_request else f"proto {request.protocol}"
            print(f"injector: {name}: {kind} from {request.src} sent {len(frames)} frame(s)", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
