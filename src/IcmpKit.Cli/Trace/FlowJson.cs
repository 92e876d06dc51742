using System.Text;
using System.Text.Json;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

/// <summary>The JSON keys of -T, --paris and --mtu (docs/trace.md, schema 1: keys added, none changed).</summary>
internal static class FlowJson
{
    /// <summary>Start keys: the TCP port or the first UDP port, whether Paris mode is on, --mtu.</summary>
    public static void WriteStart(Utf8JsonWriter w, TraceOptions options)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Probe == TraceProbeKind.Tcp)
        {
            w.WriteNumber("port", options.TcpPort);
        }
        else if (options.Probe == TraceProbeKind.Udp)
        {
            w.WriteNumber("port", options.FirstPort);
        }
        w.WriteBoolean("paris", options.Paris);
        w.WriteBoolean("mtu_discovery", options.DiscoverPathMtu);
        w.WriteBoolean("multipath", options.Multipath);
        if (options.Multipath)
        {
            w.WriteNumber("multipath_confidence", MultipathStoppingRule.Confidence);
        }
    }

    /// <summary>--ndjson: a probe was too big for a link; it is sent again smaller.</summary>
    public static void WriteTooBig(Utf8JsonWriter w, TraceProbeTooBig tooBig)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(tooBig);
        w.WriteString("type", "too_big");
        w.WriteNumber("ttl", tooBig.Ttl);
        w.WriteNumber("probe", tooBig.Probe + 1);
        w.WriteNumber("attempt", tooBig.Attempt);
        w.WriteNumber("mtu", tooBig.Mtu);
        if (tooBig.From is { } from)
        {
            w.WriteString("from", from.ToString());
        }
        else
        {
            w.WriteNull("from");
        }
    }

    /// <summary>A hop's "pmtu" and "pmtu_from" (null: this host's interface), when it is the first to need that MTU.</summary>
    public static void WriteHopPathMtu(Utf8JsonWriter w, TraceHop hop)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(hop);
        if (hop.PathMtu is not { } mtu)
        {
            return;
        }
        w.WriteNumber("pmtu", mtu);
        if (hop.PathMtuFrom is { } from)
        {
            w.WriteString("pmtu_from", from.ToString());
        }
        else
        {
            w.WriteNull("pmtu_from");
        }
    }

    /// <summary>A TCP reply's flags as traceroute --info names them ("SYN,ACK", "RST,ACK"), and as a number.</summary>
    public static void WriteTcpFlags(Utf8JsonWriter w, TraceReply reply)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.Kind != TraceReplyKind.TcpReply)
        {
            return;
        }
        w.WriteNumber("tcp_flags", reply.TcpFlags);
        w.WriteString("tcp_flags_text", TcpFlagNames(reply.TcpFlags));
    }

    /// <summary>traceroute's names_by_flags() order: FIN, SYN, RST, PSH, ACK, URG, ECE, CWR (upper case here).</summary>
    internal static string TcpFlagNames(byte flags)
    {
        string[] names = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"];
        var text = new StringBuilder();
        for (int bit = 0; bit < names.Length; bit++)
        {
            if ((flags & (1 << bit)) != 0)
            {
                text.Append(text.Length > 0 ? "," : "").Append(names[bit]);
            }
        }
        return text.ToString();
    }
}
