namespace IcmpKit.Sockets;

/// <summary>Where an error-queue report came from (sock_extended_err.ee_origin).</summary>
public enum ErrorOrigin : byte
{
    None = 0,
    /// <summary>The local stack: e.g. EMSGSIZE above a known path MTU, or a failed neighbour lookup.</summary>
    Local = 1,
    /// <summary>An ICMPv4 error from a router or the target.</summary>
    IcmpV4 = 2,
    /// <summary>An ICMPv6 error from a router or the target.</summary>
    IcmpV6 = 3,
}

/// <summary>
/// One packet as the kernel handed it over, with what the control messages said. A view into the receive
/// batch's buffers: valid until the next receive. Nothing here is trusted yet; parsing is the reader's job.
/// </summary>
public readonly ref struct ReceivedPacket
{
    /// <summary>The ICMP message; on raw IPv4 sockets the IPv4 packet that carries it. From the error queue: the
    /// datagram this socket sent that the error is about.</summary>
    public ReadOnlySpan<byte> Data { get; init; }

    /// <summary>The sender's address bytes (4 or 16); from the error queue, the address the original was sent to.</summary>
    public ReadOnlySpan<byte> SourceAddress { get; init; }

    /// <summary>Kernel receive time (SO_TIMESTAMPNS, CLOCK_REALTIME) in ns since the epoch; 0 when absent.</summary>
    public long KernelTimestampNanoseconds { get; init; }

    /// <summary>Reply TTL / hop limit from IP_RECVTTL / IPV6_RECVHOPLIMIT; -1 when absent.</summary>
    public int TimeToLive { get; init; }

    /// <summary>Reply TOS / traffic class from IP_RECVTOS / IPV6_RECVTCLASS; -1 when absent.</summary>
    public int TrafficClass { get; init; }

    /// <summary>IPv4 options of the received packet (IP_RECVOPTS on datagram sockets); empty when none.</summary>
    public ReadOnlySpan<byte> IPv4Options { get; init; }

    /// <summary>The packet was longer than the buffer (MSG_TRUNC): <see cref="Data"/> holds its start only.</summary>
    public bool IsTruncated { get; init; }

    /// <summary>Read from the error queue (IP_RECVERR): the fields below describe the error.</summary>
    public bool FromErrorQueue { get; init; }

    /// <summary>An error-queue entry came with its sock_extended_err (it always should).</summary>
    public bool HasErrorReport { get; init; }

    public ErrorOrigin ErrorOrigin { get; init; }

    /// <summary>errno the kernel derived from the error (EHOSTUNREACH, EMSGSIZE…).</summary>
    public int ErrorNumber { get; init; }

    public byte ErrorType { get; init; }

    public byte ErrorCode { get; init; }

    /// <summary>ee_info: the MTU for fragmentation needed / packet too big and for local EMSGSIZE.</summary>
    public uint ErrorInfo { get; init; }

    /// <summary>The address of the node that sent the ICMP error (SO_EE_OFFENDER); empty for local errors.</summary>
    public ReadOnlySpan<byte> OffenderAddress { get; init; }
}
