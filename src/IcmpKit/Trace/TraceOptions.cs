using System.Net;
using IcmpKit.Sockets;

namespace IcmpKit.Trace;

/// <summary>What a probe is (traceroute's methods). Each kind says how a probe is built and how an answer names it.</summary>
public enum TraceProbeKind
{
    /// <summary>ICMP echo requests (traceroute -I); the sequence number names the probe.</summary>
    Icmp,

    /// <summary>UDP datagrams to a port that grows by one per probe from 33434 (traceroute's default method); the port names the probe.</summary>
    Udp,

    /// <summary>
    /// TCP SYN segments to one port (traceroute -T), from a raw socket (privileged only); the sequence number names the
    /// probe, and the destination answers SYN-ACK (something listens) or RST.
    /// </summary>
    Tcp,
}

/// <summary>
/// How long to wait for a probe, as traceroute -w MAX,HERE,NEAR (traceroute(8)): no more than <see cref="Here"/> times the
/// round-trip time of a probe of the same hop that was answered, else no more than <see cref="Near"/> times that of a
/// later probe that was answered, and never more than <see cref="Max"/>. A factor of 0 turns its rule off.
/// </summary>
public sealed record TraceWait(TimeSpan Max, double Here, double Near)
{
    /// <summary>traceroute's defaults: 5.0,3,10.</summary>
    public static TraceWait Default { get; } = new(TimeSpan.FromSeconds(5), 3, 10);
}

/// <summary>How to trace. The defaults are Linux traceroute's, with ICMP probes.</summary>
public sealed record TraceOptions
{
    /// <summary>The first UDP destination port (traceroute's DEF_START_PORT).</summary>
    public const ushort DefaultFirstPort = 33434;

    /// <summary>traceroute's MAX_PACKET_LEN.</summary>
    public const int MaxPacketLength = 65000;

    /// <summary>traceroute's DEF_TCP_PORT.</summary>
    public const ushort DefaultTcpPort = 80;

    public TraceProbeKind Probe { get; init; } = TraceProbeKind.Icmp;

    /// <summary>TTL of the first hop probed (traceroute -f).</summary>
    public int FirstTtl { get; init; } = 1;

    /// <summary>The last TTL probed (traceroute -m), at most 255.</summary>
    public int MaxTtl { get; init; } = 30;

    /// <summary>Probes per hop (traceroute -q), 1 to 10.</summary>
    public int ProbesPerHop { get; init; } = 3;

    /// <summary>
    /// Probes in flight at once, over several hops (traceroute -N); null for <see cref="DefaultSimultaneousProbes"/>, or
    /// <see cref="DefaultPathMtuSimultaneousProbes"/> with <see cref="DiscoverPathMtu"/> or <see cref="Multipath"/>. See
    /// <see cref="EffectiveSimultaneousProbes"/>.
    /// </summary>
    public int? SimultaneousProbes { get; init; }

    /// <summary>
    /// The window when none is given: 90, every probe of traceroute's default 30 hops × 3, where traceroute has 16. A trace
    /// then takes about the slowest hop's round trip, not a chain of them (issue 5 §4). A router answers only the probes
    /// whose TTL ends at it, however many are in flight, so a wide window costs it nothing more; what it does cost is
    /// probes past a near destination (at most this many, all small; they arrive after the destination's own, whose
    /// answers they cannot displace), and a silent tail of routers out of tokens, which <see cref="PaceRateLimitedHops"/>
    /// rechecks.
    /// </summary>
    public const int DefaultSimultaneousProbes = 90;

    /// <summary>
    /// The window when none is given with <see cref="DiscoverPathMtu"/> or <see cref="Multipath"/>: traceroute's 16. With
    /// --mtu, every probe too big for a link costs that link's router an ICMP token (the same per-source budget as its
    /// time exceeded, about 6 then 1/s), also probes whose TTL would have ended far beyond it; with --multipath, every
    /// probe in flight ends at the same hop. 90 at once would leave most of them unanswered.
    /// </summary>
    public const int DefaultPathMtuSimultaneousProbes = 16;

    /// <summary>The window the trace uses: <see cref="SimultaneousProbes"/>, or its default.</summary>
    public int EffectiveSimultaneousProbes =>
        SimultaneousProbes ?? (DiscoverPathMtu || Multipath ? DefaultPathMtuSimultaneousProbes : DefaultSimultaneousProbes);

    public TraceWait Wait { get; init; } = TraceWait.Default;

    /// <summary>
    /// The whole packet, IP header included (traceroute's packetlen argument); null for traceroute's default of the IP
    /// header plus 40 bytes (60 for IPv4, 80 for IPv6). Shorter than the headers means no data at all.
    /// </summary>
    public int? PacketLength { get; init; }

    /// <summary>IPv4 TOS byte or IPv6 traffic class, 0–255 (traceroute -t).</summary>
    public int? TrafficClass { get; init; }

    /// <summary>Source address to send from (traceroute -s).</summary>
    public IPAddress? SourceAddress { get; init; }

    /// <summary>Interface (or VRF) to send through (traceroute -i).</summary>
    public string? Interface { get; init; }

    /// <summary>
    /// Forces the socket kind; null chooses. ICMP: datagram first, raw if that is refused (as ping). UDP: an ordinary UDP
    /// socket reading errors from its error queue (no privilege); raw adds a raw ICMP socket that reads the whole errors.
    /// </summary>
    public IcmpSocketKind? Socket { get; init; }

    /// <summary>
    /// UDP: the destination port of the first probe; each probe sent takes the next port (a probe is sent at most three
    /// times: 3 × 255 × 10, so from the default it stays below 65536; a higher first port must leave room for 3 × hops ×
    /// probes per hop).
    /// </summary>
    public ushort FirstPort { get; init; } = DefaultFirstPort;

    /// <summary>
    /// Sends a probe that got no answer once more, when the hop or a later one did answer (so the path goes on and the
    /// silence was loss or a router's ICMP rate limit), before the hop is reported. traceroute never does.
    /// </summary>
    public bool ResendUnanswered { get; init; } = true;

    /// <summary>TCP: the destination port of every probe (traceroute -T -p).</summary>
    public ushort TcpPort { get; init; } = DefaultTcpPort;

    /// <summary>
    /// Paris traceroute: every probe of the trace on one flow, so that a load balancer that hashes the flow sends them all
    /// the same way. UDP keeps both ports (the probe is named by its payload, or on a raw socket by its checksum), ICMP keeps
    /// its checksum (the payload makes up for the sequence number), TCP keeps both ports (the sequence number names it).
    /// </summary>
    public bool Paris { get; init; }

    /// <summary>
    /// Path MTU discovery along the path (traceroute --mtu, tracepath): probes start at the interface MTU with DF set
    /// (IP_PMTUDISC_PROBE, so the kernel's cached path MTU is not used), shrink to each MTU a router reports (fragmentation
    /// needed, packet too big), and the probe that was too big is sent again; <see cref="TraceHop.PathMtu"/> says where.
    /// The packet length is then chosen by the trace (<see cref="PacketLength"/> must be null).
    /// </summary>
    public bool DiscoverPathMtu { get; init; }

    /// <summary>
    /// Enumerates the paths through load-balanced hops instead of a classic trace (Paris traceroute's multipath detection
    /// algorithm, MDA): per hop, probes on as many flows as it takes to see every next hop with the confidence of
    /// <see cref="MultipathStoppingRule"/> (95% per hop); reports <see cref="TraceMultipathHop"/> events instead of
    /// <see cref="TraceHop"/>. <see cref="ProbesPerHop"/> does not apply; <see cref="SimultaneousProbes"/> and
    /// <see cref="Wait"/> (MAX and HERE) do.
    /// </summary>
    public bool Multipath { get; init; }

    /// <summary>
    /// A probe still silent when sent again at once, while its hop or a later one answered, is taken for one the hop's
    /// ICMP rate limit (Linux: a burst of 6, then 1/s) did not answer, and is sent a third time when the hop has a token
    /// again: its hop's paced probes go 1.1 s apart (<see cref="TraceHopPaced"/>). A silent tail (no answer from a hop on;
    /// every hop, when nothing answered) has its hops' first probes sent once more 1.1 s after each hop's last send,
    /// within the same wait (<see cref="TraceHopRechecked"/>; not with <see cref="DiscoverPathMtu"/>, nor with a MAX
    /// wait under 2.2 s). Needs <see cref="ResendUnanswered"/>. On by default; off (`icmpkit
    /// trace --no-pacing`), a probe is sent at most twice, and a black hole gets no recheck.
    /// </summary>
    public bool PaceRateLimitedHops { get; init; } = true;
}
