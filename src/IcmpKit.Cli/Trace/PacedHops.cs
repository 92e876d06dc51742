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
    private readonly HashSet<int> _answered = [];

    public void Remember(TraceEvent item)
    {
        switch (item)
        {
            case TraceHopPaced paced:
                _hops[paced.Ttl] = paced;
                break;
            case TraceProbeAnswered answered:
                _answered.Add(answered.Ttl);
                break;
        }
    }

    /// <summary>
    /// One line per paced hop. Only a hop that answered something is said to have a rate limit: one that stayed silent
    /// through the paced probes too filters or drops (a firewall), and is said to be silent (issue 6: no claim the run
    /// did not see).
    /// </summary>
    public IEnumerable<string> Notes() => _hops.Values.Select(p => _answered.Contains(p.Ttl)
        ? string.Create(CultureInfo.InvariantCulture,
            $"note: hop {p.Ttl} answered within an ICMP rate limit: probes it left silent twice were sent again {p.Interval.TotalSeconds:0.0##} s apart, as its tokens came back")
        : string.Create(CultureInfo.InvariantCulture,
            $"note: hop {p.Ttl} stayed silent, also to probes sent again {p.Interval.TotalSeconds:0.0##} s apart: it does not answer, whatever its rate limit"));

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
