namespace IcmpKit.Responder;

/// <summary>Why the responder sent nothing back for a packet.</summary>
public enum DropReason
{
    /// <summary>Addressed to neither the host nor a hop.</summary>
    NotForUs,
    /// <summary>Not a well-formed IPv4/IPv6 packet, or a message shorter than its type needs.</summary>
    Malformed,
    /// <summary>IPv4 header, ICMP, ICMPv6 or UDP checksum wrong.</summary>
    BadChecksum,
    /// <summary>Dropped by the emulated loss of a hop or of the host.</summary>
    Lost,
    /// <summary>The node that would have answered is a silent hop.</summary>
    SilentHop,
    /// <summary>An ICMP error held back by a per-source or the global token bucket (RFC 1812 §4.3.2.8).</summary>
    RateLimited,
    /// <summary>No ICMP error about an ICMP error or an ICMPv6 redirect (RFC 1122 §3.2.2, RFC 4443 §2.4(e.1–2)).</summary>
    ErrorAboutError,
    /// <summary>Sent to a broadcast address (RFC 1122 §3.2.2, §3.2.2.6).</summary>
    Broadcast,
    /// <summary>Sent to a multicast address (RFC 1122 §3.2.2, RFC 4443 §2.4(e.3)).</summary>
    Multicast,
    /// <summary>A fragment other than the first (RFC 1122 §3.2.2).</summary>
    NonInitialFragment,
    /// <summary>A first fragment: the core does not reassemble.</summary>
    FragmentNotReassembled,
    /// <summary>The source names no single host (RFC 1122 §3.2.1.3, RFC 1812 §4.3.2.7, RFC 4443 §2.4(e.6)).</summary>
    InvalidSource,
    /// <summary>An ICMP type no one has defined, or an unknown ICMPv6 informational type (RFC 1812 §4.3.2.7, RFC 4443 §2.4(b)).</summary>
    UnknownIcmpType,
    /// <summary>A known ICMP type that asks for no answer (replies, errors, router and neighbour discovery).</summary>
    NotARequest,
    /// <summary>An address mask request with no mask configured (RFC 1122 §3.2.2.9).</summary>
    MaskNotConfigured,
    /// <summary>IPv6 "no next header" (RFC 8200 §4.7): nothing to answer.</summary>
    NoNextHeader,
    /// <summary>A TCP segment, discarded because the responder is configured with <see cref="TcpSynAnswer.Silent"/>.</summary>
    TcpSilent,
    /// <summary>A TCP reset: a reset is never answered (RFC 9293 §3.10.7.1).</summary>
    TcpReset,
    /// <summary>
    /// An RFC 8335 extended echo request not answered: <see cref="ResponderOptions.AnswerExtendedEcho"/> is off, or it
    /// was addressed to a hop (hops have no interface table: routers with PROBE off). RFC 8335 §4: silently discarded.
    /// </summary>
    ExtendedEchoDisabled,
    /// <summary>
    /// An RFC 8335 extended echo request with the L bit clear (a query about a neighbour, answered through a proxy's
    /// ARP/ND table): silently discarded, as Linux does (icmp_build_probe answers local queries only; RFC 8335 §4 lets a
    /// node discard requests whose L-bit setting it does not authorise).
    /// </summary>
    ExtendedEchoNotLocal,
    /// <summary>Dropped by a hop whose emulated output queue was full (<see cref="ResponderHop.QueueLimit"/>) and no source quench went out (IPv6).</summary>
    QueueOverflow,
    /// <summary>
    /// An IPv6 packet with an option its receiver does not recognise whose type says "discard" (action bits 01, or 11
    /// to a multicast destination; RFC 8200 §4.2).
    /// </summary>
    UnrecognizedOption,
}

/// <summary>What the responder answered with.</summary>
public enum AnswerKind
{
    EchoReply,
    TimestampReply,
    AddressMaskReply,
    InformationReply,
    TimeExceeded,
    /// <summary>ICMPv4 destination unreachable, any code but 4 (see <see cref="ResponderCounters.UnreachableV4"/>).</summary>
    DestinationUnreachable,
    /// <summary>ICMPv4 destination unreachable code 4 with the next-hop MTU (RFC 1191 §4).</summary>
    FragmentationNeeded,
    EchoReplyV6,
    TimeExceededV6,
    /// <summary>ICMPv6 destination unreachable (see <see cref="ResponderCounters.UnreachableV6"/>).</summary>
    DestinationUnreachableV6,
    PacketTooBig,
    ParameterProblemV6,
    /// <summary>ICMPv4 parameter problem (type 12 code 0) about a malformed IP option (RFC 792, RFC 1812 §4.3.2.x).</summary>
    ParameterProblem,
    /// <summary>ICMPv4 source quench (type 4) from a hop whose emulated queue overflowed (RFC 792; deprecated by RFC 6633).</summary>
    SourceQuench,
    /// <summary>RFC 8335 extended echo reply (ICMP type 43), any code.</summary>
    ExtendedEchoReply,
    /// <summary>RFC 8335 extended echo reply (ICMPv6 type 161), any code.</summary>
    ExtendedEchoReplyV6,
    /// <summary>A TCP reset over IPv4 (RFC 9293 §3.10.7.1).</summary>
    TcpReset,
    /// <summary>A TCP reset over IPv6 (RFC 9293 §3.10.7.1).</summary>
    TcpResetV6,
}
