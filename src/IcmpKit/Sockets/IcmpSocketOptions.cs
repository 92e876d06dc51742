using System.Net;

namespace IcmpKit.Sockets;

/// <summary>Path MTU discovery on sent packets, as iputils -M (IP_MTU_DISCOVER / IPV6_MTU_DISCOVER values).</summary>
public enum PathMtuDiscovery
{
    /// <summary>IP_PMTUDISC_DONT: never set DF; the kernel fragments.</summary>
    Dont = 0,
    /// <summary>IP_PMTUDISC_WANT: set DF per the route's known MTU; fragment locally above it.</summary>
    Want = 1,
    /// <summary>IP_PMTUDISC_DO: always DF; a packet above the path MTU fails with EMSGSIZE.</summary>
    Do = 2,
    /// <summary>IP_PMTUDISC_PROBE: DF set, but the kernel ignores the path MTU it has learnt (for probing it).</summary>
    Probe = 3,
}

/// <summary>How to open an <see cref="IcmpSocket"/>. Null means "leave the kernel default".</summary>
public sealed record IcmpSocketOptions
{
    /// <summary>Forces the socket kind; null tries datagram first, then raw (DESIGN §3).</summary>
    public IcmpSocketKind? Kind { get; init; }

    /// <summary>IPv4 TTL or IPv6 unicast hop limit, 1–255 (also applied to multicast).</summary>
    public int? TimeToLive { get; init; }

    /// <summary>IPv4 TOS byte or IPv6 traffic class, 0–255 (iputils -Q).</summary>
    public int? TrafficClass { get; init; }

    public PathMtuDiscovery? PathMtuDiscovery { get; init; }

    /// <summary>Source address to bind (iputils -I ADDRESS).</summary>
    public IPAddress? SourceAddress { get; init; }

    /// <summary>Interface or VRF to bind with SO_BINDTODEVICE (iputils -I NAME).</summary>
    public string? Interface { get; init; }

    /// <summary>SO_MARK firewall mark (iputils -m); needs CAP_NET_RAW or CAP_NET_ADMIN.</summary>
    public uint? Mark { get; init; }

    /// <summary>
    /// Socket buffer sizes. Large by default so bursts (flood, sweeps) are not dropped: the forcing options are tried
    /// first (privileged), then the plain ones, which the kernel caps at net.core.[rw]mem_max.
    /// </summary>
    public int SendBufferBytes { get; init; } = 4 << 20;

    public int ReceiveBufferBytes { get; init; } = 4 << 20;

    /// <summary>IPv4 options to put on every sent packet (IP_OPTIONS), e.g. Record Route for iputils -R.</summary>
    public ReadOnlyMemory<byte> IPv4Options { get; init; }
}
