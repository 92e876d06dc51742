using IcmpKit.Trace;

namespace IcmpKit.Tests.Trace;

/// <summary>
/// The one-shot trace and a hop out of ICMP tokens (its budget spent by an earlier trace): without pacing its probes are
/// sent twice and print "*"; with pacing, the probes silent twice are sent a third time 1.1 s apart, as the hop's
/// tokens come back, and answered. A black hole is not paced: nothing beyond it answers.
/// </summary>
public class TracePacingTests
{
    /// <summary>Hop 3's budget is spent at the start, and comes back at one token a second.</summary>
    private static FakeProbePath DryHop()
    {
        var path = new FakeProbePath(destinationHop: 5);
        var bucket = new ContinuousTraceTests.TokenBucket(6, TimeSpan.FromSeconds(1));
        for (int i = 0; i < 6; i++)
        {
            bucket.Take(TimeSpan.Zero);
        }
        path.Answer = probe => probe.Ttl == 3 && !bucket.Take(probe.At) ? null : path.Faithful(probe);
        return path;
    }

    [Fact]
    public void A_hop_out_of_tokens_is_paced_and_every_probe_answered()
    {
        var path = DryHop();
        var events = FakeTrace.Run(path, new TraceOptions { PaceRateLimitedHops = true });

        var hop = events.Hops().Single(h => h.Ttl == 3);
        Assert.All(hop.Probes, p => Assert.Equal(FakeProbePath.Router(3), p.Reply?.From));
        Assert.All(hop.Probes, p => Assert.Equal(3, p.Attempts));
        var paced = Assert.Single(events.Select(e => e.Event).OfType<TraceHopPaced>());
        Assert.Equal((3, TimeSpan.FromMilliseconds(1100)), (paced.Ttl, paced.Interval));
        var third = path.Sends.Where(s => s.Ttl == 3).Skip(6).ToList();
        Assert.Equal(3, third.Count);
        Assert.All(third.Zip(third.Skip(1)), p => Assert.True(p.Second.At - p.First.At >= TimeSpan.FromMilliseconds(1100)));
        Assert.Equal(new TraceCompleted(TraceEndReason.Reached, 5), events.Completed());
        // The other hops are neither paced nor sent again.
        Assert.All(events.Hops().Where(h => h.Ttl != 3), h => Assert.All(h.Probes, p => Assert.Equal(1, p.Attempts)));
    }

    [Fact]
    public void Without_pacing_the_hop_prints_stars_after_two_sends()
    {
        var path = DryHop();
        var events = FakeTrace.Run(path, new TraceOptions { PaceRateLimitedHops = false });

        var hop = events.Hops().Single(h => h.Ttl == 3);
        Assert.All(hop.Probes, p => Assert.Equal((2, (TraceReply?)null), (p.Attempts, p.Reply)));
        Assert.Empty(events.Select(e => e.Event).OfType<TraceHopPaced>());
        Assert.True(path.Elapsed < TimeSpan.FromSeconds(1), path.Elapsed.ToString());
    }

    [Fact]
    public void A_black_hole_is_not_paced_and_its_recheck_costs_no_second_wait()
    {
        var path = new FakeProbePath(destinationHop: 5);
        path.Answer = probe => probe.Ttl >= 3 ? null : path.Faithful(probe);
        var events = FakeTrace.Run(path, new TraceOptions { MaxTtl = 6 });

        Assert.Empty(events.Select(e => e.Event).OfType<TraceHopPaced>());
        // Each silent hop's first probe went once more, 1.1 s after the hop's sends, and no other probe did.
        Assert.Equal([3, 4, 5, 6], events.Select(e => e.Event).OfType<TraceHopRechecked>().Select(r => r.Ttl));
        Assert.All([3, 4, 5, 6], ttl => Assert.Equal(4, path.Sends.Count(s => s.Ttl == ttl)));
        Assert.All(path.Sends.Where(s => s.Ttl >= 3).GroupBy(s => s.Ttl),
            hop => Assert.InRange(hop.Last().At - hop.First().At, TimeSpan.FromMilliseconds(1100), TimeSpan.FromMilliseconds(1101)));
        Assert.All(events.Hops().Where(h => h.Ttl >= 3), h => Assert.All(h.Probes, p => Assert.Null(p.Reply)));
        Assert.Equal(TraceEndReason.MaxTtl, events.Completed().Reason);
        // The recheck shares the first sends' wait: the black hole still costs one wait (5 s), as without pacing.
        Assert.InRange(path.Elapsed, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5.01));
    }

    /// <summary>
    /// Hops 4 to 6 of a path whose destination is beyond -m (as the responder's 30 hops under -m 30) have spent their
    /// tokens: with every probe in flight at once, nothing beyond them answers, so only the recheck can tell them from a
    /// black hole.
    /// </summary>
    private static FakeProbePath DryTail()
    {
        var path = new FakeProbePath(destinationHop: 10);
        var buckets = new Dictionary<int, ContinuousTraceTests.TokenBucket>();
        for (int ttl = 4; ttl <= 6; ttl++)
        {
            buckets[ttl] = new ContinuousTraceTests.TokenBucket(6, TimeSpan.FromSeconds(1));
            for (int i = 0; i < 6; i++)
            {
                buckets[ttl].Take(TimeSpan.Zero);
            }
        }
        path.Answer = probe => buckets.TryGetValue(probe.Ttl, out var bucket) && !bucket.Take(probe.At) ? null : path.Faithful(probe);
        return path;
    }

    [Fact]
    public void A_silent_tail_out_of_tokens_is_rechecked_then_paced_and_every_probe_answered()
    {
        var path = DryTail();
        var events = FakeTrace.Run(path, new TraceOptions { MaxTtl = 6 });

        Assert.Equal([4, 5, 6], events.Select(e => e.Event).OfType<TraceHopRechecked>().Select(r => r.Ttl));
        Assert.All(events.Hops(), h => Assert.All(h.Probes, p => Assert.Equal(FakeProbePath.Router(h.Ttl), p.Reply?.From)));
        // Each dry hop's recheck took the token that came back after a second; its other probes were paced after it.
        Assert.All(events.Hops().Where(h => h.Ttl >= 4), h => Assert.Equal(2, h.Probes[0].Attempts));
        Assert.Equal([4, 5, 6], events.Select(e => e.Event).OfType<TraceHopPaced>().Select(p => p.Ttl));
        Assert.Equal(new TraceCompleted(TraceEndReason.MaxTtl, 6), events.Completed());
        Assert.DoesNotContain(events, e => e.Event is TraceProbeTimedOut { Ttl: < 4 });
    }

    [Fact]
    public void Without_pacing_a_silent_tail_out_of_tokens_prints_stars()
    {
        var path = DryTail();
        var events = FakeTrace.Run(path, new TraceOptions { MaxTtl = 6, PaceRateLimitedHops = false });

        Assert.Empty(events.Select(e => e.Event).OfType<TraceHopRechecked>());
        Assert.All(events.Hops().Where(h => h.Ttl >= 4), h => Assert.All(h.Probes, p => Assert.Null(p.Reply)));
    }

    [Fact]
    public void When_nothing_answered_at_all_every_hop_is_rechecked_within_the_one_wait()
    {
        var path = new FakeProbePath(destinationHop: 5);
        path.Answer = _ => null;
        var events = FakeTrace.Run(path, new TraceOptions { MaxTtl = 4 });

        Assert.Equal([1, 2, 3, 4], events.Select(e => e.Event).OfType<TraceHopRechecked>().Select(r => r.Ttl));
        Assert.Equal(16, path.Sends.Count);
        Assert.InRange(path.Elapsed, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5.01));
    }

    [Fact]
    public void Routers_all_out_of_tokens_behind_a_narrow_window_are_rechecked_and_answer()
    {
        // Every hop's budget spent (two traces just ran) and traceroute's window of 16: nothing answers at first.
        var path = new FakeProbePath(destinationHop: 10);
        var buckets = Enumerable.Range(1, 9).ToDictionary(ttl => ttl, _ => new ContinuousTraceTests.TokenBucket(6, TimeSpan.FromSeconds(1)));
        foreach (var bucket in buckets.Values)
        {
            for (int i = 0; i < 6; i++)
            {
                bucket.Take(TimeSpan.Zero);
            }
        }
        path.Answer = probe => buckets.TryGetValue(probe.Ttl, out var bucket) && !bucket.Take(probe.At) ? null : path.Faithful(probe);
        var events = FakeTrace.Run(path, new TraceOptions { SimultaneousProbes = 16 });

        Assert.All(events.Hops(), h => Assert.All(h.Probes, p => Assert.NotNull(p.Reply)));
        Assert.Equal(new TraceCompleted(TraceEndReason.Reached, 10), events.Completed());
    }

    [Fact]
    public void A_recheck_answered_after_a_farther_hops_keeps_its_answer()
    {
        // Hop 5's router is slow (50 ms) and hop 6's fast: hop 6's recheck answers first, which shortens hop 5's wait to
        // NEAR × 7 ms; that wait runs from hop 5's recheck, not from its first send 1.1 s before (else it is overdue at
        // once and its answer, 50 ms later, dropped as late).
        var path = DryTail();
        var dry = path.Answer;
        path.Answer = probe =>
        {
            var answer = dry(probe); // once a probe: it takes a token
            return answer is not null && probe.Ttl == 5 ? answer with { Delay = TimeSpan.FromMilliseconds(50) } : answer;
        };
        var events = FakeTrace.Run(path, new TraceOptions { MaxTtl = 6 });

        var hop5 = events.Hops().Single(h => h.Ttl == 5);
        Assert.Equal((2, FakeProbePath.Router(5)), (hop5.Probes[0].Attempts, hop5.Probes[0].Reply?.From));
        Assert.Equal(TimeSpan.FromMilliseconds(50), hop5.Probes[0].Reply!.RoundTripTime);
    }

    [Fact]
    public void The_first_sends_answer_counts_when_it_comes_after_the_recheck_went()
    {
        // Hop 4 answers after 1.5 s: its recheck went at 1.1 s; the first send's answer, within its 5 s wait, counts.
        var path = new FakeProbePath(destinationHop: 10);
        path.Answer = probe => probe.Ttl == 4 ? FakeProbePath.TimeExceeded(probe) with { Delay = TimeSpan.FromMilliseconds(1500) } : path.Faithful(probe);
        var events = FakeTrace.Run(path, new TraceOptions { MaxTtl = 4 });

        Assert.Equal([4], events.Select(e => e.Event).OfType<TraceHopRechecked>().Select(r => r.Ttl));
        var first = events.Hops().Single(h => h.Ttl == 4).Probes[0];
        Assert.Equal((1, TimeSpan.FromMilliseconds(1500)), (first.Reply!.Attempt, first.Reply.RoundTripTime));
    }

    [Fact]
    public void There_is_no_recheck_when_the_wait_is_too_short_to_share()
    {
        var path = new FakeProbePath(destinationHop: 5);
        path.Answer = probe => probe.Ttl >= 3 ? null : path.Faithful(probe);
        var shortWait = FakeTrace.Run(path, new TraceOptions { MaxTtl = 4, Wait = new TraceWait(TimeSpan.FromSeconds(2), 3, 10) });
        Assert.Empty(shortWait.Select(e => e.Event).OfType<TraceHopRechecked>());
    }
}
