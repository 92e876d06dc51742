using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IcmpKit.Sockets;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

/// <summary>The keys a trace's "start" shares with a continuous run's (docs/trace.md, JSON), in their order.</summary>
internal static class TraceStartJson
{
    /// <summary>"target" (as given), "address", "family", "probe".</summary>
    public static void WriteTarget(Utf8JsonWriter w, string host, IPAddress address, TraceStarted started)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(started);
        w.WriteString("target", host);
        w.WriteString("address", address.ToString());
        w.WriteString("family", address.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4");
        w.WriteString("probe", started.Probe switch { TraceProbeKind.Udp => "udp", TraceProbeKind.Tcp => "tcp", _ => "icmp" });
    }

    /// <summary>"socket", "socket_reason" (when a raw socket was opened because the datagram one was refused), "packet_bytes", "first_ttl", "max_ttl".</summary>
    public static void WriteSocketAndRange(Utf8JsonWriter w, TraceStarted started)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(started);
        w.WriteString("socket", started.SocketKind == IcmpSocketKind.Raw ? "raw" : "dgram");
        if (started.WhyNotDatagram.Length > 0)
        {
            w.WriteString("socket_reason", started.WhyNotDatagram);
        }
        w.WriteNumber("packet_bytes", started.PacketLength);
        w.WriteNumber("first_ttl", started.FirstTtl);
        w.WriteNumber("max_ttl", started.MaxTtl);
    }
}
