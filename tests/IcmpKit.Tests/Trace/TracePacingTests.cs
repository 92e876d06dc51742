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
        var events = FakeTrace.Run(path, new TraceOptions()); // the library's default: off

        var hop = events.Hops().Single(h => h.Ttl == 3);
        Assert.All(hop.Probes, p => Assert.Equal((2, (TraceReply?)null), (p.Attempts, p.Reply)));
        Assert.Empty(events.Select(e => e.Event).OfType<TraceHopPaced>());
        Assert.True(path.Elapsed < TimeSpan.FromSeconds(1), path.Elapsed.ToString());
    }

    [Fact]
    public void A_black_hole_is_not_paced()
    {
        var path = new FakeProbePath(destinationHop: 5);
        path.Answer = probe => probe.Ttl >= 3 ? null : path.Faithful(probe);
        var events = FakeTrace.Run(path, new TraceOptions { MaxTtl = 6, PaceRateLimitedHops = true });

        Assert.Empty(events.Select(e => e.Event).OfType<TraceHopPaced>());
        Assert.DoesNotContain(path.Sends, s => s.Ttl >= 3 && path.Sends.Count(t => t.Ttl == s.Ttl) > 3);
        Assert.Equal(TraceEndReason.MaxTtl, events.Completed().Reason);
    }
}
