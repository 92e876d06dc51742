using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

/// <summary>A report that can show --multipath hops (<see cref="TraceMultipathHop"/>) besides classic ones.</summary>
internal interface IMultipathReport
{
    Task MultipathHopAsync(TraceMultipathHop hop);
}

/// <summary>
/// How a --multipath hop looks: in text, one line per interface (the TTL on the first), each with its best round-trip
/// time and how many of the hop's flows met it, and the interfaces of the hop before that led to it when that hop had
/// more than one; in JSON, the same as keys (docs/trace.md).
/// </summary>
internal static class MultipathReport
{
    /// <summary>The line under the header: what the hop-by-hop stop means.</summary>
    public static string ConfidenceLine() => string.Create(CultureInfo.InvariantCulture,
        $"multipath (MDA): each hop probed on new flows until another interface would have shown with {MultipathStoppingRule.Confidence * 100:0}% confidence");

    public static async Task<IReadOnlyList<string>> LinesAsync(TraceMultipathHop hop, Func<IPAddress, Task<string>> addressText, bool previousHadSeveral)
    {
        ArgumentNullException.ThrowIfNull(hop);
        ArgumentNullException.ThrowIfNull(addressText);
        var lines = new List<string>();
        if (hop.Interfaces.Count == 0)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{hop.Ttl,2}  *  (no answer on {hop.ProbesSent} flows)"));
            return lines;
        }
        foreach (var item in hop.Interfaces)
        {
            var line = new StringBuilder(lines.Count == 0 ? string.Create(CultureInfo.InvariantCulture, $"{hop.Ttl,2}  ") : "    ");
            line.Append(await addressText(item.Address).ConfigureAwait(false));
            line.Append(string.Create(CultureInfo.InvariantCulture,
                $"  {item.BestRoundTripTime.TotalMilliseconds:F3} ms  {item.Flows.Count} of {hop.ProbesAnswered} flows"));
            if (previousHadSeveral && item.Predecessors.Count > 0)
            {
                line.Append("  after ").Append(string.Join(", ", item.Predecessors));
            }
            lines.Add(line.ToString());
        }
        if (!hop.Complete)
        {
            lines[^1] += string.Create(CultureInfo.InvariantCulture,
                $"  (rule not met: {hop.ProbesAnswered} answers of {hop.ProbesNeeded} needed, {hop.ProbesSent} flows sent)");
        }
        return lines;
    }

    /// <summary>The keys of a multipath hop object (after "type" and "ttl").</summary>
    public static void WriteHop(Utf8JsonWriter w, TraceMultipathHop hop, IReadOnlyDictionary<IPAddress, string?> names, bool withNames)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(hop);
        ArgumentNullException.ThrowIfNull(names);
        w.WriteNumber("probes_sent", hop.ProbesSent);
        w.WriteNumber("probes_answered", hop.ProbesAnswered);
        w.WriteNumber("probes_needed", hop.ProbesNeeded);
        w.WriteBoolean("complete", hop.Complete);
        w.WriteStartArray("interfaces");
        foreach (var item in hop.Interfaces)
        {
            w.WriteStartObject();
            w.WriteString("address", item.Address.ToString());
            if (withNames)
            {
                w.WriteString("name", names.GetValueOrDefault(item.Address));
            }
            w.WriteString("kind", item.Kind switch
            {
                TraceReplyKind.TimeExceeded => "time_exceeded",
                TraceReplyKind.EchoReply => "echo_reply",
                TraceReplyKind.PortUnreachable => "port_unreachable",
                TraceReplyKind.UdpReply => "udp_reply",
                TraceReplyKind.TcpReply => "tcp_reply",
                TraceReplyKind.LocalError => "local_error",
                _ => "unreachable",
            });
            w.WriteNumber("best_rtt_ms", Math.Round(item.BestRoundTripTime.TotalMilliseconds, 6));
            w.WriteStartArray("flows");
            foreach (int flow in item.Flows)
            {
                w.WriteNumberValue(flow);
            }
            w.WriteEndArray();
            w.WriteStartArray("predecessors");
            foreach (var predecessor in item.Predecessors)
            {
                w.WriteStringValue(predecessor.ToString());
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
