using System.Globalization;
using System.Text.Json;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

/// <summary>
/// The hops a one-shot trace paced for their ICMP rate limit (<see cref="TraceHopPaced"/>), as the text and JSON reports
/// say it: a note under the hop lines (traceroute's lines stay as they are), "paced" on the hop in JSON.
/// </summary>
internal sealed class PacedHops
{
    private readonly SortedDictionary<int, TraceHopPaced> _hops = [];

    public void Remember(TraceEvent item)
    {
        if (item is TraceHopPaced paced)
        {
            _hops[paced.Ttl] = paced;
        }
    }

    public IEnumerable<string> Notes() => _hops.Values.Select(p => string.Create(CultureInfo.InvariantCulture,
        $"note: hop {p.Ttl} answered within an ICMP rate limit: probes it left silent twice were sent again {p.Interval.TotalSeconds:0.0##} s apart, as its tokens came back"));

    /// <summary>"paced": true on a paced hop's object (nothing on the others).</summary>
    public void WriteHopKey(Utf8JsonWriter w, int ttl)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (_hops.ContainsKey(ttl))
        {
            w.WriteBoolean("paced", true);
        }
    }

    /// <summary>--ndjson: {"type":"paced","ttl":…,"interval_ms":…} when the hop's first paced probe is scheduled.</summary>
    public static void WriteLine(Utf8JsonWriter w, TraceHopPaced paced)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(paced);
        w.WriteString("type", "paced");
        w.WriteNumber("ttl", paced.Ttl);
        w.WriteNumber("interval_ms", Math.Round(paced.Interval.TotalMilliseconds, 3));
    }
}
