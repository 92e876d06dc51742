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
}
