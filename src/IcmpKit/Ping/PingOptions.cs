using System.Net;
using IcmpKit.Sockets;

namespace IcmpKit.Ping;

/// <summary>Which request a ping run sends.</summary>
public enum PingRequestType
{
    /// <summary>Echo (RFC 792 8/0, RFC 4443 128/129).</summary>
    Echo,
    /// <summary>Timestamp (RFC 792 13/14), IPv4 and raw sockets only; the Linux kernel answers it.</summary>
    Timestamp,
    /// <summary>Address mask (RFC 950 17/18), IPv4 and raw sockets only; Linux never answers it.</summary>
    AddressMask,
    /// <summary>Information (RFC 792 15/16, obsolete), IPv4 and raw sockets only; Linux never answers it.</summary>
    Information,
}

/// <summary>How to ping.</summary>
public sealed record PingOptions
{
    /// <summary>Requests to send; null for no limit (until cancelled or the deadline). With a deadline: replies to wait for (iputils -c with -w).</summary>
    public int? Count { get; init; }

    /// <summary>Between requests (iputils -i). Zero sends as replies come back, like flood.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for each reply (iputils -W), and how long to linger after the last request.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Stop after this long whatever happens (iputils -w).</summary>
    public TimeSpan? Deadline { get; init; }

    /// <summary>ICMP data bytes after the 8-byte header (iputils -s), 0 to 65507.</summary>
    public int PayloadSize { get; init; } = 56;

    /// <summary>Bytes repeated through the data after the cookie and timestamp (iputils -p, up to 16 bytes).</summary>
    public ReadOnlyMemory<byte> Pattern { get; init; }

    /// <summary>Requests sent at once at the start without waiting (iputils -l).</summary>
    public int Preload { get; init; } = 1;

    /// <summary>
    /// Flood (iputils -f): send as soon as replies come back, and at least 100 per second, with up to
    /// <see cref="FloodWindow"/> (or <see cref="Preload"/>, if larger) requests in flight.
    /// </summary>
    public bool Flood { get; init; }

    /// <summary>
    /// Requests in flight at most under <see cref="Flood"/>. 1 by default, as iputils -f: a wider window multiplies
    /// the rate by the window over a real path, which a user asking for iputils' flood does not expect; -l widens it.
    /// </summary>
    public int FloodWindow { get; init; } = 1;

    /// <summary>Adaptive interval (iputils -A): the interval follows the RTT, at least 200 ms unprivileged.</summary>
    public bool Adaptive { get; init; }

    public PingRequestType RequestType { get; init; } = PingRequestType.Echo;

    /// <summary>Options of the socket: kind, TTL, TOS, PMTU discovery, source, interface, mark, buffers, IP options.</summary>
    public IcmpSocketOptions Socket { get; init; } = new();

    /// <summary>Emit a <see cref="PingSent"/> per request (off for a quiet flood that only needs the counts).</summary>
    public bool ReportSends { get; init; } = true;
}
