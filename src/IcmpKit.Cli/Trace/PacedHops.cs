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
    private readonly SortedDictionary<int, TraceHopRechecked> _rechecked = [];
    private readonly HashSet<int> _answered = [];
    private readonly HashSet<int> _recheckAnswered = [];
    private readonly HashSet<int> _reported = [];

    public void Remember(TraceEvent item)
    {
        switch (item)
        {
            case TraceHopPaced paced:
                _hops[paced.Ttl] = paced;
                break;
            case TraceHopRechecked rechecked:
                _rechecked[rechecked.Ttl] = rechecked;
                break;
            case TraceProbeAnswered answered:
                _answered.Add(answered.Ttl);
                if (answered.Probe == 0 && answered.Reply.Attempt == 2 && _rechecked.ContainsKey(answered.Ttl))
                {
                    _recheckAnswered.Add(answered.Ttl); // the recheck itself (the first probe's second send) was answered
                }
                break;
            case TraceHop hop:
                _reported.Add(hop.Ttl);
                break;
        }
    }

    /// <summary>
    /// One line per paced hop. Only a hop that answered something is said to have a rate limit: one that stayed silent
    /// through the paced probes too filters or drops (a firewall), and is said to be silent (issue 6: no claim the run
    /// did not see).
    /// A rechecked hop of a silent tail gets a note only when the recheck itself was answered (and the hop was not paced,
    /// whose note says more): a tail silent to its rechecks too is the end of the path, printed as traceroute prints it.
    /// Only hops reported get notes (not those beyond a hop that ended the trace).
    /// </summary>
    public IEnumerable<string> Notes()
    {
        var ttls = new SortedSet<int>(_hops.Keys);
        ttls.UnionWith(_recheckAnswered);
        foreach (int ttl in ttls.Where(_reported.Contains))
        {
            if (_hops.TryGetValue(ttl, out var p))
            {
                yield return _answered.Contains(p.Ttl)
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"note: hop {p.Ttl} answered within an ICMP rate limit: probes it left silent twice were sent again {p.Interval.TotalSeconds:0.0##} s apart, as its tokens came back")
                    : string.Create(CultureInfo.InvariantCulture,
                        $"note: hop {p.Ttl} stayed silent, also to probes sent again {p.Interval.TotalSeconds:0.0##} s apart: it does not answer, whatever its rate limit");
            }
            else
            {
                var r = _rechecked[ttl];
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"note: hop {ttl} answered within an ICMP rate limit: silent at first, with no hop beyond it answering, it answered a probe sent again {r.After.TotalSeconds:0.0##} s later, as its tokens came back");
            }
        }
    }

    /// <summary>"paced": true on a paced hop's object, "rechecked": true on a rechecked one (nothing on the others).</summary>
    public void WriteHopKey(Utf8JsonWriter w, int ttl)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (_hops.ContainsKey(ttl))
        {
            w.WriteBoolean("paced", true);
        }
        if (_rechecked.ContainsKey(ttl))
        {
            w.WriteBoolean("rechecked", true);
        }
    }

    /// <summary>--ndjson: {"type":"rechecked","ttl":…,"after_ms":…} when a silent tail hop's first probe is sent again.</summary>
    public static void WriteLine(Utf8JsonWriter w, TraceHopRechecked rechecked)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(rechecked);
        w.WriteString("type", "rechecked");
        w.WriteNumber("ttl", rechecked.Ttl);
        w.WriteNumber("after_ms", Math.Round(rechecked.After.TotalMilliseconds, 3));
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
