using System.Net;
using IcmpKit.Wire.Extensions;

namespace IcmpKit.Ping;

/// <summary>What a ping run reports, in the order it happens. Engines never print: the caller decides how an event looks.</summary>
public abstract record PingEvent(ushort SequenceNumber);

/// <summary>A request is going out (reported just before the system call; a failure follows as <see cref="PingSendFailed"/>).</summary>
public sealed record PingSent(ushort SequenceNumber) : PingEvent(SequenceNumber);

/// <summary>The kernel refused to send a request (errno and its words). Its <see cref="PingSent"/> came first: it counts as sent and lost, as in iputils.</summary>
public sealed record PingSendFailed(ushort SequenceNumber, int ErrorNumber, string Message) : PingEvent(SequenceNumber);

/// <summary>
/// A reply matched to a request by identifier, sequence and cookie. The round-trip time comes from this process's
/// own send time and the kernel's receive timestamp; nothing in the echoed data is used for it.
/// </summary>
public sealed record PingReply(ushort SequenceNumber, IPAddress From, int Bytes, TimeSpan RoundTripTime) : PingEvent(SequenceNumber)
{
    /// <summary>Reply TTL / hop limit; null when the socket did not say.</summary>
    public int? TimeToLive { get; init; }

    /// <summary>Reply TOS / traffic class; null when the socket did not say.</summary>
    public int? TrafficClass { get; init; }

    /// <summary>This sequence was answered before: iputils' "(DUP!)". Not counted as received.</summary>
    public bool IsDuplicate { get; init; }

    /// <summary>The reply came after the request had been reported as timed out (it still counts, as in iputils).</summary>
    public bool IsLate { get; init; }

    /// <summary>The reply came from an address other than the one pinged (e.g. a broadcast or anycast answer).</summary>
    public bool IsFromOtherAddress { get; init; }

    /// <summary>The ICMPv4 checksum was wrong (raw sockets only): iputils' "(BAD CHECKSUM!)"; not counted as received.</summary>
    public bool IsChecksumBad { get; init; }

    /// <summary>The echoed data differs from what was sent: the first differing byte, else null.</summary>
    public WrongDataByte? WrongData { get; init; }

    /// <summary>The RTT came from the kernel's receive timestamp (else from the time the reply was read).</summary>
    public bool IsKernelTimestamp { get; init; }

    /// <summary>The wall clock jumped between send and receive; the RTT is from the monotonic clock instead.</summary>
    public bool IsClockAdjusted { get; init; }

    /// <summary>When the reply arrived (kernel timestamp), for iputils -D.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>IPv4 options of the reply (Record Route, Timestamp), as received; empty when none.</summary>
    public ReadOnlyMemory<byte> IPv4Options { get; init; }

    /// <summary>Timestamp replies (RFC 792 type 14): the three times, ms since midnight UT.</summary>
    public IcmpTimestamps? Timestamps { get; init; }

    /// <summary>Address mask replies (RFC 950 type 18).</summary>
    public IPAddress? AddressMask { get; init; }
}

/// <summary>Where the echoed data first differs from what was sent (iputils: "wrong data byte #N should be 0xA but was 0xB").</summary>
public sealed record WrongDataByte(int Index, byte Expected, byte Actual);

/// <summary>The originate, receive and transmit timestamps of an RFC 792 timestamp reply, and when it arrived.</summary>
public sealed record IcmpTimestamps(uint Originate, uint Receive, uint Transmit, uint ArrivedMillisecondsSinceMidnight)
{
    /// <summary>
    /// The echoed originate is not the one this request carried (RFC 792: the peer returns it unchanged), so it is
    /// forged or corrupt and no figure should be made of it (DESIGN §3: never trust an echoed timestamp).
    /// </summary>
    public bool IsOriginateForeign { get; init; }
}

/// <summary>No reply to this request within the wait (-W). A reply may still come later and then counts.</summary>
public sealed record PingTimeout(ushort SequenceNumber) : PingEvent(SequenceNumber);

/// <summary>An ICMP error about one of our requests, from a router or the target, or a local error from this host's stack.</summary>
public sealed record PingError(ushort SequenceNumber, IPAddress? From, bool IsV6, byte Type, byte Code, long? Mtu) : PingEvent(SequenceNumber)
{
    /// <summary>The local stack refused (e.g. message too long under -M do): <see cref="ErrorNumber"/> says why.</summary>
    public bool IsLocal { get; init; }

    /// <summary>errno the kernel attached (datagram sockets and local errors), 0 otherwise.</summary>
    public int ErrorNumber { get; init; }

    /// <summary>
    /// False for a redirect or source quench (iputils shows them but does not count them), and for an error about a
    /// request that is already settled (a copy or a forgery: shown, not counted twice).
    /// </summary>
    public bool CountsAsError { get; init; } = true;

    /// <summary>A redirect's new gateway (RFC 792), raw sockets only.</summary>
    public IPAddress? Gateway { get; init; }

    /// <summary>RFC 4884 extensions of the error (MPLS labels, interface information), raw sockets only.</summary>
    public IcmpExtensionStructure? Extensions { get; init; }
}
