using System.Net;

namespace IcmpKit.Ping;

/// <summary>What a ping run reports, in the order it happens. Engines never print: the caller decides how an event looks.</summary>
public abstract record PingEvent(ushort SequenceNumber);

/// <summary>A request went out.</summary>
public sealed record PingSent(ushort SequenceNumber) : PingEvent(SequenceNumber);

/// <summary>An echo reply matched to a request. <see cref="TimeToLive"/> is null where the socket kind does not show it.</summary>
public sealed record PingReply(ushort SequenceNumber, IPAddress From, int Bytes, TimeSpan RoundTripTime, int? TimeToLive, bool IsDuplicate)
    : PingEvent(SequenceNumber);

/// <summary>No reply to this request within the wait.</summary>
public sealed record PingTimeout(ushort SequenceNumber) : PingEvent(SequenceNumber);

/// <summary>An ICMP error about one of our requests (raw sockets see them; datagram sockets need the error queue, not yet read).</summary>
public sealed record PingError(ushort SequenceNumber, IPAddress From, bool IsV6, byte Type, byte Code, int? Mtu) : PingEvent(SequenceNumber);

/// <summary>How to ping.</summary>
public sealed record PingOptions
{
    /// <summary>Requests to send; null for no limit (until cancelled or the deadline).</summary>
    public int? Count { get; init; }

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for each reply (iputils -W).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Stop after this long whatever happens (iputils -w).</summary>
    public TimeSpan? Deadline { get; init; }

    /// <summary>ICMP data bytes after the 8-byte header (iputils -s), 0 to 65507.</summary>
    public int PayloadSize { get; init; } = 56;

    public int? TimeToLive { get; init; }

    public Sockets.IcmpSocketKind? SocketKind { get; init; }
}
