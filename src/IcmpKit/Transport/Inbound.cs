using System.Net;

namespace IcmpKit.Transport;

/// <summary>
/// A reply-type ICMP message (echo, timestamp, information, address mask or extended echo reply) routed to the
/// operation that owns its identifier or cookie. A view: valid only during the callback.
/// </summary>
public readonly ref struct InboundReply
{
    public byte Type { get; init; }

    public byte Code { get; init; }

    public ushort Identifier { get; init; }

    public ushort SequenceNumber { get; init; }

    /// <summary>The bytes after the 8-byte ICMP header (an echo's data).</summary>
    public ReadOnlySpan<byte> Body { get; init; }

    /// <summary>The ICMP message length, header included (what iputils prints as "N bytes from").</summary>
    public int IcmpLength { get; init; }

    /// <summary>False when the ICMPv4 checksum is wrong (ICMPv6 and datagram sockets: the kernel checked it).</summary>
    public bool IsChecksumValid { get; init; }

    public ReadOnlySpan<byte> SourceAddress { get; init; }

    /// <summary>Reply TTL / hop limit, -1 when unknown.</summary>
    public int TimeToLive { get; init; }

    /// <summary>Reply TOS / traffic class, -1 when unknown.</summary>
    public int TrafficClass { get; init; }

    /// <summary>IPv4 options of the reply (Record Route, Timestamp); empty when none.</summary>
    public ReadOnlySpan<byte> IPv4Options { get; init; }

    /// <summary>Receive time in CLOCK_REALTIME ns: the kernel's timestamp when present, else the time of reading.</summary>
    public long ReceivedAtNanoseconds { get; init; }

    /// <summary>True when <see cref="ReceivedAtNanoseconds"/> is the kernel's receive timestamp.</summary>
    public bool IsKernelTimestamp { get; init; }

    public IPAddress Source() => new(SourceAddress);
}

/// <summary>
/// An ICMP error about a request this transport sent: read from a raw socket (the whole ICMP error, extensions
/// included) or from a datagram socket's error queue (the kernel's summary and our own original request).
/// </summary>
public readonly ref struct InboundError
{
    public byte Type { get; init; }

    public byte Code { get; init; }

    /// <summary>The node that sent the error. For a local error (origin <c>Local</c>), this host.</summary>
    public ReadOnlySpan<byte> OffenderAddress { get; init; }

    /// <summary>Next-hop MTU for fragmentation needed / packet too big (and local EMSGSIZE); null otherwise.</summary>
    public long? Mtu { get; init; }

    /// <summary>errno from the error queue (0 on raw sockets).</summary>
    public int ErrorNumber { get; init; }

    /// <summary>True when the local stack reported it (no ICMP packet came: e.g. EMSGSIZE with -M do).</summary>
    public bool IsLocal { get; init; }

    /// <summary>False for a local error that came without the request (then the fields of the quote are empty).</summary>
    public bool HasQuote { get; init; }

    /// <summary>Identifier and sequence of the request it is about, from the quote.</summary>
    public ushort QuotedIdentifier { get; init; }

    public ushort QuotedSequenceNumber { get; init; }

    /// <summary>Our request's quoted data (what of the payload came back), for matching the cookie.</summary>
    public ReadOnlySpan<byte> QuotedBody { get; init; }

    /// <summary>The address the quoted request was sent to.</summary>
    public ReadOnlySpan<byte> QuotedDestination { get; init; }

    /// <summary>The whole ICMP error message as received on a raw socket (for its extensions); empty from the error queue.</summary>
    public ReadOnlySpan<byte> Message { get; init; }

    public long ReceivedAtNanoseconds { get; init; }
}

/// <summary>What an operation (a ping, a probe) implements to get its packets. Called on the receive thread: be quick.</summary>
public interface IIcmpReceiver
{
    void OnReply(in InboundReply reply);

    void OnError(in InboundError icmpError);
}
