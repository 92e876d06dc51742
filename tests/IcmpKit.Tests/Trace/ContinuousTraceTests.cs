using IcmpKit.Trace;
using IcmpKit.Trace.Probes;

namespace IcmpKit.Tests.Trace;

/// <summary>
/// The continuous (mtr) engine on a fake path in virtual time: one probe per hop per round spread over the interval,
/// the destination found in the first round, per-hop statistics, rounds and the end; pacing of a hop that answers
/// within a token bucket (as a Linux router: a burst of 6, then 1/s) against real loss and a silent hop.
/// </summary>
public class ContinuousTraceTests
{
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(200);

    internal static List<(TraceEvent Event, TimeSpan At)> Run(FakeProbePath path, ContinuousTraceOptions options)
    {
        var events = new List<(TraceEvent, TimeSpan)>();
        new ContinuousTraceRun(FakeProbePath.Target, options, path, path.Time, e => events.Add((e, path.Elapsed))).Run(CancellationToken.None);
        return events;
    }

    private static ContinuousTraceCompleted Completed(List<(TraceEvent Event, TimeSpan At)> events) =>
        Assert.Single(events.Select(e => e.Event).OfType<ContinuousTraceCompleted>());

    /// <summary>A router's ICMP error budget toward one source: <paramref name="burst"/> tokens, one more every <paramref name="refill"/>.</summary>
    internal sealed class TokenBucket(int burst, TimeSpan refill)
    {
        private double _tokens = burst;
        private TimeSpan _last;

        public bool Take(TimeSpan now)
        {
            _tokens = Math.Min(burst, _tokens + ((now - _last) / refill));
            _last = now;
            if (_tokens < 1)
            {
                return false;
            }
            _tokens--;
            return true;
        }
    }

    [Fact]
    public void Every_hop_up_to_the_destination_is_probed_once_per_round()
    {
        var path = new FakeProbePath(destinationHop: 4);
        var events = Run(path, new ContinuousTraceOptions { Rounds = 5 });

        var done = Completed(events);
        Assert.Equal((ContinuousTraceEndReason.RoundsDone, 5, true), (done.Reason, done.Rounds, done.Reached));
        Assert.Equal([1, 2, 3, 4], done.Hops.Select(h => h.Ttl));
        Assert.All(done.Hops, h => Assert.Equal((5L, 5L, 0L, 0.0), (h.Statistics.Sent, h.Statistics.Received, h.Statistics.Lost, h.Statistics.LossPercent)));
        Assert.All(done.Hops, h => Assert.Equal(h.Ttl < 4 ? FakeProbePath.Router(h.Ttl) : FakeProbePath.Target, h.From));
        Assert.All(done.Hops, h => Assert.Equal(FakeProbePath.RoundTrip(h.Ttl).TotalMilliseconds, h.Statistics.AverageMilliseconds!.Value, 6));
        // Round 0 spreads 30 TTLs over the second (33 ms apart); the destination answers TTL 4 after 4 ms, before TTL 5 is due.
        Assert.Equal(20, path.Sends.Count);
        Assert.Equal([0, 1, 2, 3, 4], events.Select(e => e.Event).OfType<ContinuousTraceRound>().Select(r => r.Round));
        Assert.IsType<ContinuousTraceCompleted>(events[^1].Event);
    }

    [Fact]
    public void A_round_spreads_its_probes_over_the_interval_and_rounds_start_an_interval_apart()
    {
        var path = new FakeProbePath(destinationHop: 4);
        Run(path, new ContinuousTraceOptions { Rounds = 3 });

        var second = path.Sends.Where(s => s.At >= TimeSpan.FromSeconds(1) && s.At < TimeSpan.FromSeconds(2)).ToList();
        Assert.Equal([1, 2, 3, 4], second.Select(s => s.Ttl));
        Assert.Equal([1000, 1250, 1500, 1750], second.Select(s => Math.Round(s.At.TotalMilliseconds)));
        Assert.Equal(TimeSpan.FromSeconds(2), path.Sends.Single(s => s.Ttl == 1 && s.At >= TimeSpan.FromSeconds(2)).At);
    }

    [Fact]
    public void Flow_keys_never_repeat_while_in_flight_and_wrap_around()
    {
        var path = new FakeProbePath(destinationHop: 30);
        Run(path, new ContinuousTraceOptions { Rounds = 2300, Interval = TimeSpan.FromMilliseconds(10) }); // 69000 probes
        Assert.True(path.Sends.Count > 65535);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (ushort)i), path.Sends.Take(100).Select(s => s.Key));
        Assert.Equal((ushort)1, path.Sends[65535].Key);
        Assert.DoesNotContain(path.Sends, s => s.Key == 0);
    }

    [Fact]
    public void A_silent_hop_is_all_loss_and_the_wait_settles_the_last_round()
    {
        var path = new FakeProbePath(destinationHop: 4);
        path.Answer = probe => probe.Ttl == 2 ? null : path.Faithful(probe);
        var events = Run(path, new ContinuousTraceOptions { Rounds = 3 });

        var done = Completed(events);
        var silent = done.Hops.Single(h => h.Ttl == 2);
        Assert.Null(silent.From);
        Assert.Equal((3L, 0L, 3L, 100.0), (silent.Statistics.Sent, silent.Statistics.Received, silent.Statistics.Lost, silent.Statistics.LossPercent));
        Assert.Null(silent.PacedInterval);
        // The last round starts at 2 s, its probes 250 ms apart; the silent one waits 5 s.
        Assert.InRange(events[^1].At.TotalSeconds, 7.25, 7.26); // TTL 2 of the last round leaves at 2.25 s
    }

    [Fact]
    public void Cancelling_ends_with_the_statistics_of_the_probes_settled()
    {
        var path = new FakeProbePath(destinationHop: 3) { BlockWhenIdle = false };
        using var stop = new CancellationTokenSource();
        var events = new List<TraceEvent>();
        new ContinuousTraceRun(FakeProbePath.Target, new ContinuousTraceOptions(), path, path.Time, e =>
        {
            events.Add(e);
            if (e is ContinuousTraceRound { Round: 2 })
            {
                stop.Cancel();
                path.Wake();
            }
        }).Run(stop.Token);

        var done = Assert.IsType<ContinuousTraceCompleted>(events[^1]);
        Assert.Equal(ContinuousTraceEndReason.Interrupted, done.Reason);
        Assert.Equal(3, done.Hops.Count);
    }

    private static FakeProbePath RateLimitedPath(TimeSpan refill, int limitedTtl = 2)
    {
        var path = new FakeProbePath(destinationHop: 4);
        var bucket = new TokenBucket(6, refill);
        path.Answer = probe => probe.Ttl == limitedTtl && !bucket.Take(probe.At) ? null : path.Faithful(probe);
        return path;
    }

    [Fact]
    public void Without_pacing_a_rate_limited_hop_shows_false_loss()
    {
        var path = RateLimitedPath(TimeSpan.FromSeconds(1));
        var done = Completed(Run(path, new ContinuousTraceOptions { Rounds = 100, Interval = Fast, Pacing = false }));

        var limited = done.Hops.Single(h => h.Ttl == 2).Statistics;
        Assert.Equal(100, limited.Sent);
        Assert.InRange(limited.LossPercent, 70, 80); // 6 + 20 answers of 100
        Assert.All(done.Hops.Where(h => h.Ttl != 2), h => Assert.Equal(0, h.Statistics.LossPercent));
    }

    [Fact]
    public void With_pacing_a_rate_limited_hop_is_probed_within_its_budget_and_shows_no_loss()
    {
        var path = RateLimitedPath(TimeSpan.FromSeconds(1));
        var events = Run(path, new ContinuousTraceOptions { Rounds = 100, Interval = Fast });
        var done = Completed(events);

        var limited = done.Hops.Single(h => h.Ttl == 2);
        Assert.Equal(0, limited.Statistics.LossPercent);
        Assert.True(limited.Statistics.RateLimited > 0);
        Assert.Equal(HopPacer.MinimumInterval, limited.PacedInterval);
        var paced = Assert.Single(events.Select(e => e.Event).OfType<ContinuousHopPaced>());
        Assert.Equal((2, (TimeSpan?)HopPacer.MinimumInterval), (paced.Ttl, paced.Interval));
        // Paced, no two probes of the hop less than 1.1 s apart.
        var pacedSends = path.Sends.Where(s => s.Ttl == 2 && s.At > events.First(e => e.Event is ContinuousHopPaced).At).ToList();
        Assert.True(pacedSends.Count >= 5);
        Assert.All(pacedSends.Zip(pacedSends.Skip(1)), p => Assert.True(p.Second.At - p.First.At >= HopPacer.MinimumInterval));
        // The other hops are neither paced nor lossy, and keep every round.
        Assert.All(done.Hops.Where(h => h.Ttl != 2), h => Assert.Equal((100L, 0.0, (TimeSpan?)null), (h.Statistics.Sent, h.Statistics.LossPercent, h.PacedInterval)));
    }

    [Fact]
    public void A_slower_budget_is_paced_to_the_rate_the_hop_answers_at()
    {
        // One token every 2 s: paced at the measured 2 s plus 10%, after a first step if needed.
        var path = RateLimitedPath(TimeSpan.FromSeconds(2));
        var events = Run(path, new ContinuousTraceOptions { Rounds = 150, Interval = Fast });
        var done = Completed(events);

        var limited = done.Hops.Single(h => h.Ttl == 2);

        Assert.InRange(limited.PacedInterval!.Value.TotalSeconds, 2.0, 2.5);
        Assert.InRange(limited.Statistics.LossPercent, 0, 10);
    }

    [Fact]
    public void Real_loss_past_a_hop_is_counted_as_loss_and_not_paced_away()
    {
        // 30% of the packets through the link behind hop 1 are lost: hops 2 to 4 lose alike, and answers come in runs.
        var random = new Random(7);
        var path = new FakeProbePath(destinationHop: 4);
        path.Answer = probe => probe.Ttl >= 2 && random.NextDouble() < 0.3 ? null : path.Faithful(probe);
        // Long enough (120 s) for a hop suspected on a run of silences to be judged twice and given up.
        var done = Completed(Run(path, new ContinuousTraceOptions { Rounds = 600, Interval = Fast }));

        foreach (var hop in done.Hops.Where(h => h.Ttl >= 2))
        {
            Assert.InRange(hop.Statistics.LossPercent, 20, 40);
            Assert.Equal(0, hop.Statistics.RateLimited);
        }
    }

    [Fact]
    public void A_hop_whose_answers_are_lost_at_random_is_not_taken_for_a_rate_limit_for_long()
    {
        // Only hop 2's answers are lost (half of them): the path goes on, but the hop answers in runs, not one per refill.
        var random = new Random(11);
        var path = new FakeProbePath(destinationHop: 4);
        path.Answer = probe => probe.Ttl == 2 && random.NextDouble() < 0.5 ? null : path.Faithful(probe);
        var done = Completed(Run(path, new ContinuousTraceOptions { Rounds = 600, Interval = Fast }));

        var hop = done.Hops.Single(h => h.Ttl == 2);
        Assert.InRange(hop.Statistics.LossPercent, 40, 60);
        Assert.Null(hop.PacedInterval);
    }
}
