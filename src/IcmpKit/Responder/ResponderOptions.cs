using System.Net;

namespace IcmpKit.Responder;

/// <summary>
/// A token bucket: <see cref="Burst"/> messages at once, then <see cref="PerSecond"/> on average.
/// The Linux defaults for ICMP errors per destination are a burst of 6 and 1 per second (net.ipv4.icmp_ratelimit).
/// </summary>
public readonly record struct ErrorRateLimit(int Burst, double PerSecond);

/// <summary>How the host answers a TCP segment (it listens on no port).</summary>
public enum TcpSynAnswer
{
    /// <summary>
    /// As a closed port (RFC 9293 §3.10.7.1, and what Linux does): a SYN or any segment without ACK gets RST+ACK with
    /// sequence 0 and the acknowledgment covering the segment; a segment with ACK gets a bare RST whose sequence is that
    /// acknowledgment; a RST gets nothing.
    /// </summary>
    Reset,

    /// <summary>Nothing at all, as behind a firewall that drops: SYN and every other segment are discarded.</summary>
    Silent,
}

/// <summary>
/// One entry of the host's interface table, the one RFC 8335 extended echo (PROBE) queries by name, index or address.
/// </summary>
public sealed record ResponderInterface
{
    /// <summary>The interface name (ifName, RFC 2863): 1 to 63 bytes of UTF-8, unique in the table.</summary>
    public required string Name { get; init; }

    /// <summary>The ifIndex (RFC 2863), above zero and unique in the table.</summary>
    public int Index { get; init; }

    /// <summary>
    /// The interface's addresses. A query by address matches every interface holding it, so an address given to two
    /// interfaces answers "multiple interfaces satisfy query" (RFC 8335 §4, code 4).
    /// </summary>
    public IReadOnlyList<IPAddress> Addresses { get; init; } = [];

    /// <summary>The interface is up: the A bit of the reply (RFC 8335 §3); the 4 and 6 bits are set only with it.</summary>
    public bool Active { get; init; } = true;
}

/// <summary>
/// What the responder pretends to be: a host with <see cref="Addresses"/> behind the routers in <see cref="Hops"/>.
/// IPv4 probes see the hops whose address is IPv4, IPv6 probes the hops whose address is IPv6, in list order.
/// </summary>
public sealed record ResponderOptions
{
    /// <summary>The host's own addresses (IPv4, IPv6 or both); at least one.</summary>
    public required IReadOnlyList<IPAddress> Addresses { get; init; }

    /// <summary>The routers in front of the host, nearest first.</summary>
    public IReadOnlyList<ResponderHop> Hops { get; init; } = [];

    /// <summary>Round-trip time the host itself adds to its answers (on top of the hops' delays).</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>The host's own jitter, as <see cref="ResponderHop.Jitter"/>.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Probability, 0 to 1, that the host drops a packet addressed to it.</summary>
    public double Loss { get; init; }

    /// <summary>Probability, 0 to 1, that the host sends an answer twice, as <see cref="ResponderHop.Duplicate"/>.</summary>
    public double Duplicate { get; init; }

    /// <summary>Probability, 0 to 1, that the host holds an answer <see cref="ReorderDelay"/> longer, as <see cref="ResponderHop.Reorder"/>.</summary>
    public double Reorder { get; init; }

    /// <summary>How long the host holds a reordered answer back; 10 ms unless set.</summary>
    public TimeSpan ReorderDelay { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The subnet mask for address mask replies (RFC 950); none means requests are ignored (RFC 1122 §3.2.2.9).</summary>
    public IPAddress? AddressMask { get; init; }

    /// <summary>Answer queries sent to a broadcast address (RFC 1122 §3.2.2.6 lets a host discard them; Linux does by default).</summary>
    public bool AnswerBroadcastEcho { get; init; }

    /// <summary>How the host (and a hop, addressed as a host) answers TCP; <see cref="TcpSynAnswer.Reset"/> unless set.</summary>
    public TcpSynAnswer TcpSyn { get; init; } = TcpSynAnswer.Reset;

    /// <summary>The host's interface table for RFC 8335 extended echo; empty: every query finds no such interface.</summary>
    public IReadOnlyList<ResponderInterface> Interfaces { get; init; } = [];

    /// <summary>
    /// Answer RFC 8335 extended echo (ICMP type 42, ICMPv6 type 160) at the host. False: such requests are silently
    /// discarded, as RFC 8335 §4 requires of a node that has not enabled it (Linux with net.ipv4.icmp_echo_enable_probe=0).
    /// Hops never answer it (they have no interface table), and, as on Linux, neither does the host a query with the L
    /// bit clear (about a neighbour, through a proxy).
    /// </summary>
    public bool AnswerExtendedEcho { get; init; } = true;

    /// <summary>ICMP error rate per source, per answering node (RFC 1812 §4.3.2.8), unless a hop sets its own.</summary>
    public ErrorRateLimit PerSourceErrors { get; init; } = new(6, 1);

    /// <summary>ICMP errors per second over all sources and nodes (Linux net.ipv4.icmp_msgs_per_sec), also the burst.</summary>
    public int GlobalErrorsPerSecond { get; init; } = 1000;

    /// <summary>Seed for loss, jitter, duplication and reordering, for reproducible runs; none picks a random seed.</summary>
    public int? RandomSeed { get; init; }
}
