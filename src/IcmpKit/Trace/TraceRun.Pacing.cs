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

    /// <summary>TTLs whose first probe was sent again as a recheck (at most once a hop).</summary>
    private readonly HashSet<int> _rechecked = [];

    /// <summary>
    /// Rechecks a silent tail. With many probes in flight at once, every hop beyond the last that answered (or every hop,
    /// when none did yet) may be silent for one of two reasons: the path ends there (a black hole, or a destination that
    /// filters), or the routers there have no ICMP token for us (an earlier trace spent them; RFC 1812 §4.3.2.8, Linux: a
    /// burst of 6, then one a second), and then no later answer shows that the path goes on, so the pacing above cannot
    /// begin. The first probe of
    /// each such hop is sent once more a token refill (<see cref="PacedInterval"/>) after its hop's last send, while the
    /// first probes still wait, and shares their wait: an answer shows the path goes on through every hop before it (the
    /// pacing takes them), and silence costs the one wait a black hole costs anyway. Needs a wait longer than the refill.
    /// </summary>
    private bool SendDueRechecks()
    {
        if (!RechecksSilentTails)
        {
            return true;
        }
        long now = _time.GetTimestamp();
        foreach (var (slot, due) in Rechecks())
        {
            if (due > now)
            {
                continue;
            }
            _rechecked.Add(slot.Ttl);
            if (!Send(slot, earlier: slot.Current, out bool failed))
            {
                _rechecked.Remove(slot.Ttl); // tried again after the transient error, or the trace ends
                return !failed;
            }
            _emit(new TraceHopRechecked(slot.Ttl, PacedInterval));
        }
        return true;
    }

    /// <summary>
    /// Rechecks need pacing, and a MAX wait of twice the refill (2.2 s) or more, so that the recheck has half of it left;
    /// not with --mtu, where every oversized probe costs the router before the narrow link a token (the reason its window
    /// stays 16), and a probe already has its resends for the MTU.
    /// </summary>
    private bool RechecksSilentTails =>
        _options.PaceRateLimitedHops && _options.ResendUnanswered && !_options.DiscoverPathMtu && _options.Wait.Max >= 2 * PacedInterval;

    /// <summary>The time until the next recheck is due, when one waits; else null.</summary>
    private TimeSpan? UntilNextRecheck(long now)
    {
        if (!RechecksSilentTails)
        {
            return null;
        }
        long? earliest = null;
        foreach (var (_, due) in Rechecks())
        {
            earliest = earliest is null || due < earliest ? due : earliest;
        }
        return earliest is { } at ? (at > now ? _time.GetElapsedTime(now, at) : TimeSpan.Zero) : null;
    }

    /// <summary>
    /// The hops of the silent tail not yet rechecked, each with the first probe to send again and when: nothing answered
    /// from the hop on (every hop, when nothing answered at all: routers all out of tokens look like that too), its first
    /// probe sent once and still waiting, and none of its probes sent again or settled.
    /// </summary>
    private IEnumerable<(ProbeSlot Slot, long Due)> Rechecks()
    {
        int firstSilentHop = _nextHop * _perHop;
        for (int i = _end - 1; i >= firstSilentHop; i--)
        {
            if (_probes[i].State == ProbeState.Answered)
            {
                firstSilentHop = (i / _perHop + 1) * _perHop;
                break;
            }
        }
        long interval = (long)(PacedInterval.TotalSeconds * _time.TimestampFrequency);
        for (int hopStart = firstSilentHop; hopStart < _end; hopStart += _perHop)
        {
            if (_rechecked.Contains(_probes[hopStart].Ttl) || _probes[hopStart] is not { State: ProbeState.InFlight, Attempts: 1 })
            {
                continue;
            }
            long lastSend = 0;
            bool waiting = true;
            for (int i = hopStart; i < hopStart + _perHop; i++)
            {
                waiting &= _probes[i] is { State: ProbeState.InFlight, Attempts: 1 } or { State: ProbeState.Unsent, Attempts: 0 };
                lastSend = Math.Max(lastSend, _probes[i].Current?.SentTimestamp ?? 0);
            }
            if (waiting)
            {
                yield return (_probes[hopStart], lastSend + interval);
            }
        }
    }
}
