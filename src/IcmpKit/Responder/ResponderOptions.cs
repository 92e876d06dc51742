using System.Net;

namespace IcmpKit.Responder;

/// <summary>
/// A token bucket: <see cref="Burst"/> messages at once, then <see cref="PerSecond"/> on average.
/// The Linux defaults for ICMP errors per destination are a burst of 6 and 1 per second (net.ipv4.icmp_ratelimit).
/// </summary>
public readonly record struct ErrorRateLimit(int Burst, double PerSecond);

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

    /// <summary>Probability, 0 to 1, that the host drops a packet addressed to it.</summary>
    public double Loss { get; init; }

    /// <summary>The subnet mask for address mask replies (RFC 950); none means requests are ignored (RFC 1122 §3.2.2.9).</summary>
    public IPAddress? AddressMask { get; init; }

    /// <summary>Answer queries sent to a broadcast address (RFC 1122 §3.2.2.6 lets a host discard them; Linux does by default).</summary>
    public bool AnswerBroadcastEcho { get; init; }

    /// <summary>ICMP error rate per source, per answering node (RFC 1812 §4.3.2.8).</summary>
    public ErrorRateLimit PerSourceErrors { get; init; } = new(6, 1);

    /// <summary>ICMP errors per second over all sources and nodes (Linux net.ipv4.icmp_msgs_per_sec), also the burst.</summary>
    public int GlobalErrorsPerSecond { get; init; } = 1000;

    /// <summary>Seed for loss and jitter, for reproducible runs; none picks a random seed.</summary>
    public int? RandomSeed { get; init; }
}
