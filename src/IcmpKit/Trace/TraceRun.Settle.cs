namespace IcmpKit.Trace;

internal sealed partial class TraceRun
{
    /// <summary>Probes whose wait ran out become overdue (no longer in flight). True when any did.</summary>
    private bool MarkOverdue()
    {
        long now = _time.GetTimestamp();
        bool any = false;
        foreach (var slot in InFlight().ToList())
        {
            var wait = Timeout(slot);
            long origin = WaitOrigin(slot, wait);
            if (_time.GetElapsedTime(origin, now) >= wait)
            {
                slot.State = ProbeState.Overdue;
                long deadline = origin + (long)(wait.TotalSeconds * _time.TimestampFrequency);
                for (var attempt = slot.Current; attempt is not null; attempt = attempt.Earlier)
                {
                    // Each send's own share of the wait: an answer the kernel received by the deadline still counts.
                    var share = _time.GetElapsedTime(attempt.SentTimestamp, deadline);
                    attempt.AllowedWait = share > TimeSpan.Zero ? share : TimeSpan.Zero;
                }
                slot.SendsBeforeOverdue = _sends;
                _inFlight--;
                any = true;
            }
        }
        return any;
    }

    /// <summary>
    /// Where <paramref name="slot"/>'s wait runs from: a recheck shares its first send's wait while that is the MAX wait
    /// (so a black hole costs one wait); once an answer near it shortened the wait to HERE or NEAR times an RTT, the
    /// shorter wait runs from the recheck's own send, which would otherwise be overdue before it could be answered.
    /// </summary>
    private long WaitOrigin(ProbeSlot slot, TimeSpan wait) =>
        wait >= _options.Wait.Max ? slot.Current!.WaitStart : slot.Current!.SentTimestamp;

    /// <summary>
    /// Decides about each overdue probe. Sent once and silent while its own hop or a later one answered, it is sent again:
    /// the path goes on through that hop, so the silence was loss, or a router's ICMP rate limit (Linux: a burst of about
    /// six errors, then one a second, per destination), or on an unprivileged socket a probe the kernel refused to send.
    /// Silent with no answer anywhere beyond it, it is lost, once the probes that were in flight when its wait ran out
    /// have settled (they may yet answer): so a black hole costs one wait, not a wait per probe behind it.
    /// </summary>
    private void DecideOverdue()
    {
        for (int i = _nextHop * _perHop; i < _end; i++)
        {
            var slot = _probes[i];
            if (slot.State != ProbeState.Overdue)
            {
                continue;
            }
            bool resend = _options.ResendUnanswered && slot.Attempts < MaxAttempts(slot);
            // Could be sent again if a probe still in flight shows the path goes on (a rechecked probe, sent twice, is
            // paced then): wait for those before calling it lost.
            bool couldResend = _options.ResendUnanswered && slot.Attempts < (_options.PaceRateLimitedHops ? 3 : 2);
            if (resend && AnsweredFromHopOn(i))
            {
                _emit(new TraceProbeTimedOut(slot.Ttl, slot.Place, slot.Attempts));
                slot.State = ProbeState.Unsent;
                PaceIfSentTwice(slot);
            }
            else if (!couldResend || !LaterStillInFlight(slot))
            {
                _emit(new TraceProbeTimedOut(slot.Ttl, slot.Place, slot.Attempts));
                slot.State = ProbeState.Lost;
            }
        }
    }

    private bool AnsweredFromHopOn(int index)
    {
        for (int i = index - (index % _perHop); i < _end; i++)
        {
            if (_probes[i].State == ProbeState.Answered)
            {
                return true;
            }
        }
        return false;
    }

    private bool LaterStillInFlight(ProbeSlot overdue)
    {
        for (int i = overdue.Index + 1; i < _end; i++)
        {
            if (_probes[i].State == ProbeState.InFlight && _probes[i].Current!.Ordinal < overdue.SendsBeforeOverdue)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Reports every hop whose probes are all settled, in TTL order; ends the trace at a hop with a final answer or at
    /// the last TTL. True when the trace is over.
    /// </summary>
    private bool ReportSettledHops()
    {
        while (_nextHop * _perHop < _end)
        {
            int first = _nextHop * _perHop;
            var results = new TraceProbeResult[_perHop];
            for (int place = 0; place < _perHop; place++)
            {
                var slot = _probes[first + place];
                if (slot.State is not (ProbeState.Answered or ProbeState.Lost))
                {
                    return false;
                }
                results[place] = new TraceProbeResult(place, slot.Attempts, slot.Reply);
            }
            int ttl = _probes[first].Ttl;
            _emit(WithPathMtu(new TraceHop(ttl, results), first));
            _lastReportedTtl = ttl;
            _nextHop++;
            if (results.Any(r => r.Reply?.IsFinal == true))
            {
                var reason = results.Any(r => r.Reply?.ReachedDestination == true) ? TraceEndReason.Reached : TraceEndReason.Unreachable;
                _emit(new TraceCompleted(reason, ttl));
                return true;
            }
        }
        _emit(new TraceCompleted(TraceEndReason.MaxTtl, _lastReportedTtl));
        return true;
    }

    /// <summary>
    /// How long <paramref name="slot"/> waits (traceroute's get_timeout()): HERE times the RTT of the first answered probe
    /// of its hop, else NEAR times that of the first answered probe sent after it (up to the first never sent), each
    /// RTT plus 1 ms, and never more than MAX.
    /// </summary>
    private TimeSpan Timeout(ProbeSlot slot)
    {
        var wait = _options.Wait;
        if (wait.Here > 0)
        {
            int first = slot.Index - slot.Place;
            for (int i = first; i < first + _perHop; i++)
            {
                if (Answered(i) is { } rtt)
                {
                    return Scaled(rtt, wait.Here, wait.Max);
                }
            }
        }
        if (wait.Near > 0)
        {
            for (int i = slot.Index + 1; i < _probes.Length && _probes[i].Attempts > 0; i++)
            {
                if (Answered(i) is { } rtt)
                {
                    return Scaled(rtt, wait.Near, wait.Max);
                }
            }
        }
        return wait.Max;
    }

    private TimeSpan? Answered(int index) =>
        _probes[index] is { State: ProbeState.Answered, Reply: { } reply } && reply.RoundTripTime > TimeSpan.Zero ? reply.RoundTripTime : null;

    private static TimeSpan Scaled(TimeSpan rtt, double factor, TimeSpan max)
    {
        var scaled = TimeSpan.FromTicks((long)Math.Min((rtt + WaitPrecision).Ticks * factor, max.Ticks));
        return scaled < max ? scaled : max;
    }
}
