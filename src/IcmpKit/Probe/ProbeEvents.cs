using System.Net;
using IcmpKit.Sockets;
using IcmpKit.Wire.Extensions;

namespace IcmpKit.Probe;

/// <summary>What an RFC 8335 PROBE run reports.</summary>
public abstract record ProbeEvent(byte SequenceNumber);

/// <summary>An extended echo reply: the code says whether the query was understood, the bits what the interface is doing.</summary>
public sealed record ProbeReply(byte SequenceNumber, IPAddress From, TimeSpan RoundTripTime) : ProbeEvent(SequenceNumber)
{
    /// <summary>RFC 8335 §3 code: 0 no error, 1 malformed query, 2 no such interface, 3 no such table entry, 4 multiple interfaces satisfy query.</summary>
    public byte Code { get; init; }

    /// <summary>RFC 8335 §3 State (meaningful for a neighbour probed by address): 1 incomplete, 2 reachable, 3 stale, 4 delay, 5 probe, 6 failed.</summary>
    public byte State { get; init; }

    /// <summary>A: the interface is active.</summary>
    public bool Active { get; init; }

    /// <summary>4: IPv4 is running on it.</summary>
    public bool IPv4 { get; init; }

    /// <summary>6: IPv6 is running on it.</summary>
    public bool IPv6 { get; init; }

    public int? TimeToLive { get; init; }
}

/// <summary>No reply within the wait.</summary>
public sealed record ProbeTimeout(byte SequenceNumber) : ProbeEvent(SequenceNumber);

/// <summary>An ICMP error about a probe (e.g. the proxy node is unreachable).</summary>
public sealed record ProbeError(byte SequenceNumber, IPAddress? From, byte Type, byte Code) : ProbeEvent(SequenceNumber);

/// <summary>How to probe.</summary>
public sealed record ProbeOptions
{
    /// <summary>The interface asked about: by name, index or address (RFC 8335 §2.1, Interface Identification Object).</summary>
    public required InterfaceIdentificationObject Interface { get; init; }

    public int Count { get; init; } = 1;

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>L bit: the probed interface is on the proxy node itself.</summary>
    public bool Local { get; init; } = true;

    public IcmpSocketOptions Socket { get; init; } = new();
}
