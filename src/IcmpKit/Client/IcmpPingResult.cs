using System.Net;

namespace IcmpKit.Client;

/// <summary>How one ping ended (the counterpart of System.Net.NetworkInformation.IPStatus, with the ICMP details kept).</summary>
public enum IcmpPingStatus
{
    Success,
    TimedOut,
    /// <summary>TTL / hop limit exceeded in transit (ICMPv4 11/0, ICMPv6 3/0).</summary>
    TimeExceeded,
    /// <summary>Destination unreachable, any code (see <see cref="IcmpPingResult.IcmpCode"/>).</summary>
    DestinationUnreachable,
    /// <summary>Fragmentation needed with DF (ICMPv4 3/4), packet too big (ICMPv6 2), or a local "message too long".</summary>
    PacketTooBig,
    ParameterProblem,
    /// <summary>Another ICMP error (source quench, redirect…): see the type and code.</summary>
    OtherIcmpError,
    /// <summary>The kernel refused to send (no route, network down…): see <see cref="IcmpPingResult.ErrorNumber"/>.</summary>
    SendFailed,
}

/// <summary>The outcome of <see cref="IcmpClient.PingAsync(IPAddress, TimeSpan, IcmpPingOptions?, CancellationToken)"/>.</summary>
public sealed record IcmpPingResult
{
    public required IcmpPingStatus Status { get; init; }

    /// <summary>Who answered: the target, or the router / host that sent the ICMP error. Null on timeout.</summary>
    public IPAddress? Address { get; init; }

    /// <summary>Round-trip time from the kernel's receive timestamp (µs precision and better); zero unless answered.</summary>
    public TimeSpan RoundTripTime { get; init; }

    /// <summary>Reply TTL / hop limit when the socket reported it.</summary>
    public int? TimeToLive { get; init; }

    /// <summary>ICMP type and code of the reply or error.</summary>
    public byte? IcmpType { get; init; }

    public byte? IcmpCode { get; init; }

    /// <summary>The next-hop MTU of a fragmentation-needed / packet-too-big error.</summary>
    public long? Mtu { get; init; }

    /// <summary>errno of a failed send or a local error, 0 otherwise.</summary>
    public int ErrorNumber { get; init; }

    /// <summary>The echoed data (for a reply), as received.</summary>
    public ReadOnlyMemory<byte> Buffer { get; init; }
}
