using System.Net;
using IcmpKit.Sockets;
using IcmpKit.Wire.Extensions;

namespace IcmpKit.Trace;

/// <summary>What a trace reports, in the order it happens. Engines never print: the caller decides how an event looks.</summary>
public abstract record TraceEvent;

/// <summary>The sockets are open and probing starts: what was opened, and the packet size on the wire.</summary>
public sealed record TraceStarted(IPAddress Target, TraceProbeKind Probe, IcmpSocketKind SocketKind, int PacketLength, int FirstTtl,
    int MaxTtl, int ProbesPerHop) : TraceEvent
{
    /// <summary>When a raw socket was opened because the datagram socket was refused: why.</summary>
    public string WhyNotDatagram { get; init; } = "";
}

/// <summary>
/// A probe went out. <paramref name="Probe"/> is its place in the hop (0-based); <paramref name="Attempt"/> is 2 when an
/// unanswered probe is sent again; <paramref name="FlowKey"/> names it on the wire (ICMP sequence number or UDP port).
/// </summary>
public sealed record TraceProbeSent(int Ttl, int Probe, int Attempt, ushort FlowKey) : TraceEvent;

/// <summary>An answer to a probe: a router's error, the destination's reply, or a local error.</summary>
public sealed record TraceProbeAnswered(int Ttl, int Probe, TraceReply Reply) : TraceEvent;

/// <summary>No answer within the wait (<see cref="TraceWait"/>). The probe may be sent again (see <see cref="TraceOptions.ResendUnanswered"/>).</summary>
public sealed record TraceProbeTimedOut(int Ttl, int Probe, int Attempt) : TraceEvent;

/// <summary>The kernel refused to send a probe (errno and its words); the trace ends with <see cref="TraceEndReason.SendFailed"/>.</summary>
public sealed record TraceSendFailed(int Ttl, int Probe, int ErrorNumber, string Message) : TraceEvent;

/// <summary>Every probe of a hop is settled. Hops are reported in TTL order, each once.</summary>
public sealed record TraceHop(int Ttl, IReadOnlyList<TraceProbeResult> Probes) : TraceEvent
{
    /// <summary>
    /// <see cref="TraceOptions.DiscoverPathMtu"/>: the path MTU this hop was the first (in TTL order) to need: the interface
    /// MTU on the first hop reported, then each smaller MTU a router reported, on the lowest hop whose probes were told of
    /// it (the router that reports it is usually the hop before). Null on the other hops, and without --mtu.
    /// </summary>
    public int? PathMtu { get; init; }

    /// <summary>Who reported <see cref="PathMtu"/>: the router's address, or null when it is this host's interface MTU.</summary>
    public IPAddress? PathMtuFrom { get; init; }
}

/// <summary>The trace is over: why, and the last hop reported.</summary>
public sealed record TraceCompleted(TraceEndReason Reason, int LastTtl) : TraceEvent;

public enum TraceEndReason
{
    /// <summary>The destination answered (echo reply, port unreachable, or a UDP reply).</summary>
    Reached,

    /// <summary>The last TTL (traceroute -m) was probed without reaching the destination.</summary>
    MaxTtl,

    /// <summary>A hop answered with an error that ends the path (traceroute's !H, !N, !X and the like).</summary>
    Unreachable,

    /// <summary>The kernel refused to send a probe (see <see cref="TraceSendFailed"/>).</summary>
    SendFailed,
}

/// <summary>One probe of a settled hop: its answer, or null when none came.</summary>
public sealed record TraceProbeResult(int Probe, int Attempts, TraceReply? Reply);

/// <summary>What kind of answer a probe got; all but <see cref="TimeExceeded"/> end the trace at that hop.</summary>
public enum TraceReplyKind
{
    /// <summary>Time exceeded in transit (ICMPv4 11/0, ICMPv6 3/0): a router on the way.</summary>
    TimeExceeded,

    /// <summary>An echo reply: the destination (ICMP probes).</summary>
    EchoReply,

    /// <summary>Port unreachable (ICMPv4 3/3, ICMPv6 1/4): the destination (UDP probes).</summary>
    PortUnreachable,

    /// <summary>A UDP datagram back from the probed port: something listens there.</summary>
    UdpReply,

    /// <summary>Any other ICMP error: the path ends here (traceroute's annotations).</summary>
    Unreachable,

    /// <summary>This host's stack refused the probe after it was sent (a local error on the error queue).</summary>
    LocalError,

    /// <summary>A TCP segment back from the probed port (TCP probes): SYN-ACK (something listens) or RST; see <see cref="TraceReply.TcpFlags"/>.</summary>
    TcpReply,
}

/// <summary>
/// An answer to a probe. The round-trip time is this process's send time (read just before the system call) against the
/// kernel's receive timestamp, as ping; ICMP type and code are as received.
/// </summary>
public sealed record TraceReply(IPAddress? From, TimeSpan RoundTripTime, TraceReplyKind Kind, bool IsV6, byte IcmpType, byte IcmpCode)
{
    /// <summary>TTL / hop limit of the answer as it arrived; null when the socket did not say.</summary>
    public int? ReplyTtl { get; init; }

    /// <summary>Fragmentation needed / packet too big, and local EMSGSIZE: the MTU reported.</summary>
    public long? Mtu { get; init; }

    /// <summary>RFC 4884 extensions of the error (MPLS label stacks, interface information), when it had them.</summary>
    public IcmpExtensionStructure? Extensions { get; init; }

    /// <summary>errno the kernel attached (error queue), 0 otherwise.</summary>
    public int ErrorNumber { get; init; }

    /// <summary>Which attempt of the probe was answered (2 when it was sent again).</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>The name of the probe on the wire (ICMP sequence number or UDP port) that was answered.</summary>
    public ushort FlowKey { get; init; }

    /// <summary>The RTT came from the kernel's receive timestamp (else from the time the answer was read).</summary>
    public bool IsKernelTimestamp { get; init; }

    /// <summary>The wall clock jumped between send and receive; the RTT is from the monotonic clock instead.</summary>
    public bool IsClockAdjusted { get; init; }

    /// <summary>The answer ends the trace at this hop (everything but time exceeded).</summary>
    public bool IsFinal => Kind != TraceReplyKind.TimeExceeded;

    /// <summary>The destination itself answered.</summary>
    public bool ReachedDestination => Kind is TraceReplyKind.EchoReply or TraceReplyKind.PortUnreachable or TraceReplyKind.UdpReply
        or TraceReplyKind.TcpReply;

    /// <summary>TCP replies: the flags of the segment (0x12 SYN-ACK, 0x14 RST-ACK); 0 otherwise.</summary>
    public byte TcpFlags { get; init; }
}

/// <summary>
/// A one-shot trace sent hop <paramref name="Ttl"/>'s first probe once more, <paramref name="After"/> its hop's last
/// send, while the first probes still waited: nothing had answered from this hop on, behind a hop that had, which is
/// what the end of a path looks like, and also routers whose ICMP tokens an earlier trace spent
/// (<see cref="TraceOptions.PaceRateLimitedHops"/>). Reported once per hop.
/// </summary>
public sealed record TraceHopRechecked(int Ttl, TimeSpan After) : TraceEvent;
