using System.Net;
using IcmpKit.Wire.Extensions;

namespace IcmpKit.Responder;

/// <summary>One emulated router on the path to the host.</summary>
public sealed record ResponderHop
{
    /// <summary>The address the router answers from, and answers to (echo) like a host.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>Round-trip time this router adds to every answer from it or from beyond it.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Each passage adds a uniform random amount in [-Jitter, +Jitter] to <see cref="Delay"/> (never below zero).</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Probability, 0 to 1, that the router drops a packet passing it or addressed to it.</summary>
    public double Loss { get; init; }

    /// <summary>
    /// Probability, 0 to 1, that an answer coming through or from this router is sent twice (same bytes, same delay),
    /// as a link-layer retransmission or a looping switch would (what netem's <c>duplicate</c> does). The answer
    /// passes every node up to the one that answers, and is duplicated when any of them duplicates it; it is then
    /// sent twice, never more.
    /// </summary>
    public double Duplicate { get; init; }

    /// <summary>
    /// Probability, 0 to 1, that an answer coming through or from this router is held an extra
    /// <see cref="ReorderDelay"/>, so that answers sent after it overtake it (netem's <c>reorder</c>, seen from the
    /// prober). Each node on the way that reorders the answer adds its own delay.
    /// </summary>
    public double Reorder { get; init; }

    /// <summary>How long a reordered answer is held back (see <see cref="Reorder"/>); 10 ms unless set.</summary>
    public TimeSpan ReorderDelay { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The router forwards but says nothing, like a filtering firewall: no errors, no echo replies.</summary>
    public bool Silent { get; init; }

    /// <summary>When set, every packet to be forwarded past this router gets destination unreachable with this code.</summary>
    public byte? UnreachableCode { get; init; }

    /// <summary>
    /// The next-hop MTU: larger IPv4 packets with DF get fragmentation needed (RFC 1191 §4), larger IPv6 packets
    /// packet too big (RFC 4443 §3.2, routers never fragment IPv6: RFC 8200 §5).
    /// </summary>
    public int? Mtu { get; init; }

    /// <summary>An MPLS label stack (20-bit labels, top first) reported in this router's errors (RFC 4950).</summary>
    public IReadOnlyList<uint>? MplsLabels { get; init; }

    /// <summary>Further RFC 4884 extension objects for this router's errors, e.g. RFC 5837 interface information.</summary>
    public IReadOnlyList<IcmpExtensionObject>? ExtensionObjects { get; init; }

    /// <summary>
    /// IPv4 only: for each packet it forwards, this router tells the source to use this gateway instead, with a
    /// redirect for the host (type 5 code 1, RFC 792; RFC 1812 §5.2.7.2), and still forwards the packet. As RFC 1812
    /// §5.2.7.2 demands, a packet with a source route option gets no redirect. The redirect quotes the IP header and
    /// the first 8 data bytes (RFC 792). Redirects draw on this router's ICMP error bucket (<see cref="ErrorRateLimit"/>),
    /// where Linux has its own exponential back-off per destination (ip_rt_send_redirect): the count per burst
    /// differs, the limiting does not. IPv6 redirects are Neighbour Discovery messages sent from a link-local address
    /// to an on-link neighbour (RFC 4861 §8.2): a router several hops away can never send one, so none is emulated.
    /// </summary>
    public IPAddress? RedirectGateway { get; init; }

    /// <summary>
    /// An emulated output queue of this many packets in front of the next link, drained at <see cref="QueueRate"/>
    /// packets per second (a leaky bucket on the responder's clock). A packet to be forwarded past this router waits
    /// behind the packets queued before it (its answer comes that much later); one that finds the queue full is
    /// dropped and, in IPv4, the router sends source quench (type 4 code 0, RFC 792), which RFC 6633 deprecates and
    /// Linux never sends: it goes out only because a queue was configured. An IPv6 packet is dropped silently
    /// (ICMPv6 has no source quench). Null: no queue.
    /// </summary>
    public int? QueueLimit { get; init; }

    /// <summary>Packets per second the queue of <see cref="QueueLimit"/> forwards; required (above zero) with it.</summary>
    public double QueueRate { get; init; }

    /// <summary>This router's own per-source ICMP error bucket (RFC 1812 §4.3.2.8); null uses <see cref="ResponderOptions.PerSourceErrors"/>.</summary>
    public ErrorRateLimit? ErrorRateLimit { get; init; }
}
