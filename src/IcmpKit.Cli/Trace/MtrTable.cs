using System.Globalization;
using System.Net;
using System.Text;
using IcmpKit.Trace;
using IcmpKit.Wire.Extensions;

namespace IcmpKit.Cli.Trace;

/// <summary>
/// mtr's report table (mtr 0.95, ui/report.c report_close()), line for line: "HOST: " and the local host name, then the
/// field titles; per hop " N.|-- " and its name, then the fields. Each piece is written where mtr's snprintf writes it:
/// the host column is cut at 33 characters (so a name longer than 25 is cut, as in mtr) unless wide, and a field that
/// overflows its width loses its tail to the next (100% loss shows as "100.0"). Addresses seen besides the latest
/// follow as "    |  `|-- address" lines; with -e, the latest answer's MPLS labels as mtr's "[MPLS: Lbl … Exp … S …
/// TTL …]" lines (mtr built without ipinfo) and any other extension object in traceroute's words.
/// </summary>
internal static class MtrTable
{
    /// <summary>mtr's len_hosts when not wide.</summary>
    private const int HostColumn = 33;

    public static List<string> Lines(string localHost, IReadOnlyList<ContinuousHop> hops, Func<IPAddress, string> name, string fields, bool wide,
        bool showExtensions)
    {
        var columns = MtrFields.Parse(fields);
        var names = hops.Select(h => h.From is { } from ? name(from) : "???").ToList();
        int hostColumn = wide ? Math.Max(localHost.Length, names.Count == 0 ? 0 : names.Max(n => n.Length)) : HostColumn;
        var lines = new List<string>();

        var header = new StringBuilder("HOST: " + localHost.PadRight(hostColumn));
        int at = wide ? header.Length : hostColumn;
        foreach (var field in columns)
        {
            Put(header, at, field.Title.PadLeft(field.Width));
            at += field.Width;
        }
        lines.Add(header.ToString());

        for (int i = 0; i < hops.Count; i++)
        {
            var hop = hops[i];
            var line = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $" {hop.Ttl,2}.|-- ") + names[i].PadRight(hostColumn));
            at = wide ? line.Length : hostColumn;
            foreach (var field in columns)
            {
                Put(line, at, field.Text(hop.Statistics));
                at += field.Width;
            }
            lines.Add(line.ToString());
            var others = hop.Addresses.Where(a => !a.Equals(hop.From)).ToList();
            for (int k = 0; k < others.Count; k++)
            {
                lines.Add((k == 0 ? "    |  `|-- " : "    |   |-- ") + others[k]);
            }
            if (showExtensions && hop.LastReply?.Extensions is { } extensions)
            {
                lines.AddRange(ExtensionLines(extensions));
            }
        }
        return lines;
    }

    /// <summary>mtr's "[MPLS: Lbl L Exp E S S TTL T]" per label; other objects in traceroute's words.</summary>
    private static IEnumerable<string> ExtensionLines(IcmpExtensionStructure extensions)
    {
        foreach (var item in extensions.Objects)
        {
            if (item is MplsLabelStackObject mpls)
            {
                foreach (var entry in mpls.Entries)
                {
                    yield return string.Create(CultureInfo.InvariantCulture,
                        $"    |   +-- [MPLS: Lbl {entry.Label} Exp {entry.TrafficClass} S {(entry.BottomOfStack ? 1 : 0)} TTL {entry.Ttl}]");
                }
            }
            else
            {
                yield return "    |   +-- [" + TraceAnnotations.Extensions(new IcmpExtensionStructure { Objects = [item] }) + "]";
            }
        }
    }

    /// <summary>What snprintf(buf + at, …) does: the text from <paramref name="at"/>, and nothing after it.</summary>
    private static void Put(StringBuilder line, int at, string text)
    {
        if (line.Length > at)
        {
            line.Length = at;
        }
        else
        {
            line.Append(' ', at - line.Length);
        }
        line.Append(text);
    }

    /// <summary>
    /// The notes under the table for hops paced to their ICMP rate limit (IcmpKit's, not mtr's): which hop, how often it
    /// was probed, from which round, and how many probes sent over its budget are not counted as loss.
    /// </summary>
    public static IEnumerable<string> PacingNotes(IReadOnlyList<ContinuousHop> hops, IReadOnlySet<int> givenUp, Func<IPAddress, string> name)
    {
        foreach (var hop in hops)
        {
            string who = hop.From is { } from ? $"hop {hop.Ttl} ({name(from)})" : $"hop {hop.Ttl}";
            if (hop.PacedInterval is { } interval)
            {
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"note: {who} answers within an ICMP rate limit: probed every {interval.TotalSeconds:0.0##} s from round {hop.PacedFromRound + 1}; {hop.Statistics.RateLimited} probe{(hop.Statistics.RateLimited == 1 ? "" : "s")} sent over its budget not counted as loss");
            }
            else if (givenUp.Contains(hop.Ttl))
            {
                yield return $"note: {who} lost as many probes when paced: not a rate limit, its losses count";
            }
        }
    }
}
