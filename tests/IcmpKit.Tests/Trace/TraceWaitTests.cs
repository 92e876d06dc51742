using IcmpKit.Trace;

namespace IcmpKit.Tests.Trace;

/// <summary>
/// How long a probe waits (traceroute -w MAX,HERE,NEAR, in virtual time) and what happens to a silent one: sent once
/// more when its hop or a later one answered, given up at once in a black hole.
/// </summary>
public class TraceWaitTests
{
    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    private static TimeSpan TimedOutAt(List<(TraceEvent Event, TimeSpan At)> events, int ttl, int probe, int attempt = 1) =>
        events.Single(e => e.Event is TraceProbeTimedOut t && t.Ttl == ttl && t.Probe == probe && t.Attempt == attempt).At;

    [Fact]
    public void A_silent_probe_waits_HERE_times_the_rtt_of_an_answered_probe_of_its_hop_plus_a_millisecond()
    {
        var path = new FakeProbePath(destinationHop: 4);
        path.Answer = probe => probe.Ttl == 2 && path.Sends.Count(s => s.Ttl == 2) == 2 ? null : path.Faithful(probe);
        var events = FakeTrace.Run(path, new TraceOptions { ResendUnanswered = false });

        // Hop 2 answers in 2 ms: the silent second probe (sent at 0) waits 3 × (2 + 1) ms.
        Assert.Equal(Ms(9), TimedOutAt(events, 2, 1));
        Assert.Null(events.Hops()[1].Probes[1].Reply);
        Assert.Equal(TraceEndReason.Reached, events.Completed().Reason);
    }

    [Fact]
    public void A_silent_hop_waits_NEAR_times_the_rtt_of_a_later_answered_probe()
    {
        var path = new FakeProbePath(destinationHop: 4);
        path.Answer = probe => probe.Ttl == 2 ? null : path.Faithful(probe);
        var events = FakeTrace.Run(path, new TraceOptions { ResendUnanswered = false });

        // Nothing of hop 2 answers; the first later probe answered is hop 3's, in 3 ms: 10 × (3 + 1) ms.
        Assert.Equal([Ms(40), Ms(40), Ms(40)], Enumerable.Range(0, 3).Select(p => TimedOutAt(events, 2, p)));
        Assert.All(events.Hops()[1].Probes, p => Assert.Null(p.Reply));
    }

    [Fact]
    public void Without_any_answer_to_scale_a_probe_waits_MAX()
    {
        var path = new FakeProbePath(destinationHop: 4);
        path.Answer = probe => probe.Ttl >= 2 ? null : path.Faithful(probe);
        var events = FakeTrace.Run(path, new TraceOptions { MaxTtl = 3, Wait = new TraceWait(Ms(700), 3, 10) });

        Assert.Equal(Ms(700), TimedOutAt(events, 2, 0));
        Assert.Equal(new TraceCompleted(TraceEndReason.MaxTtl, 3), events.Completed());
    }

    [Fact]
    public void A_wait_of_MAX_alone_turns_both_factors_off()
    {
        var path = new FakeProbePath(destinationHop: 4);
        path.Answer = probe => probe.Ttl == 2 && path.Sends.Count(s => s.Ttl == 2) == 2 ? null : path.Faithful(probe);
        var events = FakeTrace.Run(path, new TraceOptions { ResendUnanswered = false, Wait = new TraceWait(Ms(250), 0, 0) });

        Assert.Equal(Ms(250), TimedOutAt(events, 2, 1));
    }

    [Fact]
    public void A_silent_probe_of_a_hop_that_leads_on_is_sent_once_more_and_its_answer_counts()
    {
        var path = new FakeProbePath(destinationHop: 5);
        // Hop 3's second probe gets no answer the first time (a router out of ICMP tokens, a lost packet).
        path.Answer = probe => probe.Ttl == 3 && path.Sends.Count(s => s.Ttl == 3) == 2 ? null : path.Faithful(probe);
        var events = FakeTrace.Run(path, new TraceOptions());

        var probe = events.Hops()[2].Probes[1];
        Assert.Equal(2, probe.Attempts);
        Assert.Equal((FakeProbePath.Router(3), 2), (probe.Reply!.From, probe.Reply.Attempt));
        Assert.Equal(Ms(12), TimedOutAt(events, 3, 1)); // 3 × (3 + 1) ms, then sent again
        Assert.Equal(4, path.Sends.Count(s => s.Ttl == 3));
        Assert.Equal(new TraceCompleted(TraceEndReason.Reached, 5), events.Completed());
    }

    [Fact]
    public void In_a_black_hole_silence_is_not_sent_again_and_costs_one_wait()
    {
        var path = new FakeProbePath(destinationHop: 40);
        path.Answer = probe => probe.Ttl >= 3 ? null : path.Faithful(probe);
        // Without pacing there is no recheck of the silent tail either (TracePacingTests has the one with).
        var events = FakeTrace.Run(path, new TraceOptions { MaxTtl = 6, PaceRateLimitedHops = false });

        Assert.Equal([3, 4, 5, 6], events.Hops().Where(h => h.Probes.All(p => p.Reply is null)).Select(h => h.Ttl));
        Assert.All(events.Hops(), hop => Assert.All(hop.Probes, p => Assert.Equal(1, p.Attempts)));
        Assert.Equal(18, path.Sends.Count);
        // Everything went out at once (hops 1 to 6 fit the window of 16 as the first answers came back): one wait of 5 s.
        Assert.InRange(path.Elapsed, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5.01));
    }

    [Fact]
    public void An_answer_the_kernel_took_within_the_wait_counts_even_when_read_after_it()
    {
        var path = new FakeProbePath(destinationHop: 4);
        int sentAtTtl2 = 0;
        path.Answer = probe =>
        {
            if (probe.Ttl != 2 || ++sentAtTtl2 != 1)
            {
                return sentAtTtl2 == 4 && probe.Ttl == 2 ? null : path.Faithful(probe); // the second attempt gets nothing
            }
            // Stamped 10 ms after sending, but this thread gets to read it only at 70 ms.
            return FakeProbePath.TimeExceeded(probe) with { Delay = Ms(10), ReadDelay = Ms(60) };
        };
        var events = FakeTrace.Run(path, new TraceOptions { Wait = new TraceWait(Ms(50), 0, 0) });

        var probe = events.Hops()[1].Probes[0];
        Assert.Equal((1, Ms(10)), (probe.Reply!.Attempt, probe.Reply.RoundTripTime));
        Assert.Equal(2, probe.Attempts); // it had been sent again meanwhile
    }

    [Fact]
    public void An_answer_stamped_after_the_wait_ran_out_is_dropped_as_traceroute_does()
    {
        var path = new FakeProbePath(destinationHop: 4);
        path.Answer = probe => probe.Ttl != 2 ? path.Faithful(probe)
            : path.Sends.Count(s => s.Ttl == 2) == 1 ? FakeProbePath.TimeExceeded(probe) with { Delay = Ms(60) }
            : path.Sends.Count(s => s.Ttl == 2) == 4 ? null
            : path.Faithful(probe);
        // Without pacing, as traceroute: the second send, silent too, is the last.
        var events = FakeTrace.Run(path, new TraceOptions { Wait = new TraceWait(Ms(50), 0, 0), PaceRateLimitedHops = false });

        var probe = events.Hops()[1].Probes[0];
        Assert.Null(probe.Reply);
        Assert.Equal(2, probe.Attempts);
        Assert.Equal(Ms(100), TimedOutAt(events, 2, 0, attempt: 2));
    }
}
