namespace IcmpKit.Trace;

/// <summary>
/// A trace's answer to a hop out of ICMP tokens (<see cref="TraceOptions.PaceRateLimitedHops"/>). A probe sent again at
/// once and still silent while its hop or a later one answered was not lost on the way (the path goes on through the
/// hop) and not refused by this host (that is what the first resend covers): the hop did not answer, which a router
/// does when its error budget toward us is spent (RFC 1812 §4.3.2.8; Linux: a burst of 6 per source, then one per
/// second). It is sent a third time when the hop has a token again: the hop's paced probes go
/// <see cref="PacedInterval"/> after its last send and after each other (one token a second, plus 10%, so a probe
/// never arrives just before its token). traceroute prints such a probe as "*".
/// </summary>
internal sealed partial class TraceRun
{
    /// <summary>One token a second (Linux's net.ipv4.icmp_ratelimit = 1000 ms), plus 10%.</summary>
    internal static readonly TimeSpan PacedInterval = TimeSpan.FromMilliseconds(1100);

    /// <summary>When each paced hop (by TTL) may take its next probe.</summary>
    private readonly Dictionary<int, long> _pacedNext = [];

    /// <summary>
    /// Sends per probe: the first, the resend at once, and with pacing one more when the hop has a token, if the path was
    /// seen to go on through the hop (it or a later hop sent time exceeded). The hop that ends the trace (the destination,
    /// or a router's "unreachable") is not paced: its silence hides no hop, and Linux limits its unreachable errors with
    /// a limiter of its own (net.ipv4.route.error_cost) that traceroute shows as "*" too.
    /// </summary>
    private int MaxAttempts(ProbeSlot slot) => _options.PaceRateLimitedHops && PathGoesOnThrough(slot) ? 3 : 2;

    private bool PathGoesOnThrough(ProbeSlot slot)
    {
        int hopStart = slot.Index - slot.Place;
        for (int i = hopStart; i < _end; i++)
        {
            if (_probes[i] is { State: ProbeState.Answered, Reply: { } reply } && (!reply.IsFinal || i >= hopStart + _perHop))
            {
                return true;
            }
        }
        return false;
    }

    private bool IsDue(ProbeSlot slot) => slot.NotBefore == 0 || _time.GetTimestamp() >= slot.NotBefore;

    /// <summary>A probe silent twice is to be sent again: schedule it for its hop's next token.</summary>
    private void PaceIfSentTwice(ProbeSlot slot)
    {
        if (slot.Attempts < 2)
        {
            return; // sent once: the resend goes at once
        }
        long interval = (long)(PacedInterval.TotalSeconds * _time.TimestampFrequency);
        bool first = !_pacedNext.TryGetValue(slot.Ttl, out long next);
        if (first)
        {
            // The hop's last send spent its last token, if any: the next one comes a refill later.
            long lastSend = 0;
            int hopStart = slot.Index - slot.Place;
            for (int i = hopStart; i < hopStart + _perHop; i++)
            {
                lastSend = Math.Max(lastSend, _probes[i].Current?.SentTimestamp ?? 0);
            }
            next = lastSend + interval;
            _emit(new TraceHopPaced(slot.Ttl, PacedInterval));
        }
        slot.NotBefore = Math.Max(next, _time.GetTimestamp());
        _pacedNext[slot.Ttl] = slot.NotBefore + interval;
    }

    /// <summary>The time until the earliest paced probe may go, when one waits; else null.</summary>
    private TimeSpan? UntilNextPacedSend(long now)
    {
        long? earliest = null;
        for (int i = _nextHop * _perHop; i < _end; i++)
        {
            if (_probes[i] is { State: ProbeState.Unsent, NotBefore: > 0 } slot && slot.NotBefore > now && (earliest is null || slot.NotBefore < earliest))
            {
                earliest = slot.NotBefore;
            }
        }
        return earliest is { } at ? _time.GetElapsedTime(now, at) : null;
    }
}
