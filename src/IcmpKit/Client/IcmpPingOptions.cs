using System.Net;
using IcmpKit.Sockets;

namespace IcmpKit.Client;

/// <summary>
/// Options of one ping. With none of the per-socket options set, pings share one socket per address family; with any
/// set, the ping opens a socket of its own (the kernel keeps TTL, DF, TOS and the source per socket).
/// </summary>
public sealed record IcmpPingOptions
{
    /// <summary>Data bytes to send (System.Net's Ping sends 32). At least 8 carry the cookie that matches replies.</summary>
    public int PayloadSize { get; init; } = 32;

    public int? TimeToLive { get; init; }

    /// <summary>Set DF and do not fragment locally (IP_PMTUDISC_DO); a packet above the path MTU gets <see cref="IcmpPingStatus.PacketTooBig"/>.</summary>
    public bool DontFragment { get; init; }

    public int? TrafficClass { get; init; }

    public IPAddress? SourceAddress { get; init; }

    /// <summary>Forces the socket kind; by default datagram where allowed, else raw.</summary>
    public IcmpSocketKind? SocketKind { get; init; }

    internal bool NeedsOwnSocket =>
        TimeToLive is not null || DontFragment || TrafficClass is not null || SourceAddress is not null || SocketKind is not null
        || PayloadSize < Transport.IcmpTransport.CookieLength;

    internal IcmpSocketOptions ToSocketOptions() => new()
    {
        Kind = SocketKind,
        TimeToLive = TimeToLive,
        TrafficClass = TrafficClass,
        SourceAddress = SourceAddress,
        PathMtuDiscovery = DontFragment ? PathMtuDiscovery.Do : null,
        SendBufferBytes = 256 << 10,
        ReceiveBufferBytes = 256 << 10,
    };
}
