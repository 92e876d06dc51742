using System.Net;
using IcmpKit.Sockets;
using IcmpKit.Wire.Extensions;

namespace IcmpKit.Trace.Probes;

/// <summary>
/// One probe kind on its sockets: builds and sends the probe named by a flow key (ICMP sequence number, UDP port) with a
/// TTL, and turns what comes back into <see cref="ProbeResponse"/>s naming the same key. The engine only schedules and
/// matches keys; a later kind (TCP SYN, Paris flows) is another implementation.
/// </summary>
internal interface IProbeTransport : IDisposable
{
    IcmpSocketKind Kind { get; }

    /// <summary>Why a datagram socket was not used, when a raw one was opened instead.</summary>
    string WhyNotDatagram { get; }

    /// <summary>The bytes of one probe on the wire, IP header included (traceroute's "N byte packets").</summary>
    int PacketLength { get; }

    /// <summary>Now, in the clock of <see cref="ProbeResponse.ReceivedAtNanoseconds"/> (CLOCK_REALTIME).</summary>
    long RealtimeNanoseconds();

    /// <summary>
    /// Sends the probe <paramref name="key"/> with TTL <paramref name="ttl"/>; returns 0 or an errno. Writes the send time
    /// (CLOCK_REALTIME ns) to <paramref name="sentAtNanoseconds"/> just before the system call.
    /// </summary>
    int Send(ushort key, int ttl, ref long sentAtNanoseconds);

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> for packets and adds the answers to probes of this trace to
    /// <paramref name="responses"/>. Returns the packets read (theirs or not), 0 on timeout, -1 once woken.
    /// </summary>
    int Receive(int timeoutMilliseconds, List<ProbeResponse> responses);

    /// <summary>Makes a blocked or later <see cref="Receive"/> return -1 (to stop the trace).</summary>
    void Wake();
}

/// <summary>
/// An answer to the probe named <see cref="Key"/>, as read from a socket. <see cref="ReceivedAtNanoseconds"/> is the
/// kernel's receive timestamp (CLOCK_REALTIME), or 0 when the socket gave none.
/// </summary>
internal sealed record ProbeResponse(ushort Key, TraceReplyKind Kind, IPAddress? From, long ReceivedAtNanoseconds)
{
    public bool IsV6 { get; init; }

    public byte Type { get; init; }

    public byte Code { get; init; }

    /// <summary>TTL / hop limit of the answer; null when unknown.</summary>
    public int? ReplyTtl { get; init; }

    public long? Mtu { get; init; }

    public IcmpExtensionStructure? Extensions { get; init; }

    public int ErrorNumber { get; init; }

    /// <summary>TCP replies: the segment's flags.</summary>
    public byte TcpFlags { get; init; }
}
