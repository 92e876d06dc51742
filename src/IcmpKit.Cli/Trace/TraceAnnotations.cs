using System.Globalization;
using System.Text;
using IcmpKit.Trace;
using IcmpKit.Wire.Extensions;

namespace IcmpKit.Cli.Trace;

/// <summary>traceroute's words for an answer: the "!X" after its time, and the "&lt;…&gt;" of its extensions (-e).</summary>
internal static class TraceAnnotations
{
    /// <summary>
    /// Linux traceroute 2.1's parse_icmp_res(), case for case. ICMPv4 destination unreachable: !N (net, and codes 6 net
    /// unknown, 8 isolated, 11 net for TOS), !H (host, and 7 host unknown, 12 host for TOS), !P (protocol), !F-MTU
    /// (fragmentation needed), !S (source route failed), !X (9, 10, 13: administratively prohibited), !V (14, host
    /// precedence violation), !C (15, precedence cutoff), !&lt;code&gt; for the rest; port unreachable prints nothing (the
    /// destination). ICMPv6 destination unreachable: !N (no route), !H (beyond scope, address unreachable), !X
    /// (administratively prohibited), nothing for port unreachable, !&lt;code&gt; else; packet too big: !F-MTU. Time exceeded
    /// in transit and echo replies print nothing; any other error prints !&lt;type-code&gt;. (BSD traceroute's !U and !W for
    /// codes 6 and 7 are Linux traceroute's !N and !H.)
    /// </summary>
    public static string Annotation(TraceReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.Kind is TraceReplyKind.EchoReply or TraceReplyKind.UdpReply or TraceReplyKind.TimeExceeded or TraceReplyKind.PortUnreachable
            or TraceReplyKind.TcpReply)
        {
            return "";
        }
        if (reply.Kind == TraceReplyKind.LocalError)
        {
            return reply.Mtu is { } localMtu ? Invariant($"!F-{localMtu}") : "";
        }
        byte type = reply.IcmpType;
        byte code = reply.IcmpCode;
        string? text = reply.IsV6
            ? type switch
            {
                1 => code switch
                {
                    0 => "!N",
                    2 or 3 => "!H",
                    1 => "!X",
                    4 => "",
                    _ => Invariant($"!<{code}>"),
                },
                2 => Invariant($"!F-{reply.Mtu ?? 0}"),
                _ => null,
            }
            : type switch
            {
                3 => code switch
                {
                    0 or 6 or 8 or 11 => "!N",
                    1 or 7 or 12 => "!H",
                    9 or 10 or 13 => "!X",
                    3 => "",
                    2 => "!P",
                    4 => Invariant($"!F-{reply.Mtu ?? 0}"),
                    5 => "!S",
                    14 => "!V",
                    15 => "!C",
                    _ => Invariant($"!<{code}>"),
                },
                _ => null,
            };
        return text ?? Invariant($"!<{type}-{code}>");
    }

    /// <summary>
    /// traceroute's extension text (extension.c try_extension()): objects joined by ';', an MPLS label stack as
    /// "MPLS:L=label,E=exp,S=bottom,T=ttl" with entries joined by '/', any other object as "class/ctype:" and its
    /// payload in 32-bit words of 8 hex digits joined by ','.
    /// </summary>
    public static string Extensions(IcmpExtensionStructure extensions)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        var text = new StringBuilder();
        foreach (var item in extensions.Objects)
        {
            if (text.Length > 0)
            {
                text.Append(';');
            }
            if (item is MplsLabelStackObject { Entries.Count: > 0 } mpls)
            {
                text.Append("MPLS:");
                for (int i = 0; i < mpls.Entries.Count; i++)
                {
                    var entry = mpls.Entries[i];
                    text.Append(Invariant($"{(i > 0 ? "/" : "")}L={entry.Label},E={entry.TrafficClass},S={(entry.BottomOfStack ? 1 : 0)},T={entry.Ttl}"));
                }
                continue;
            }
            var encoded = new byte[item.EncodedLength];
            item.Write(encoded);
            text.Append(Invariant($"{item.ClassNum}/{item.ClassType}:"));
            for (int at = 4, word = 0; at + 4 <= encoded.Length; at += 4, word++)
            {
                text.Append(word > 0 ? "," : "").Append(Convert.ToHexStringLower(encoded, at, 4));
            }
        }
        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
