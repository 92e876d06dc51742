using CsCheck;
using IcmpKit.Statistics;

namespace IcmpKit.Tests.Statistics;

/// <summary>
/// Any run — sends, unique replies, duplicates and errors in any order, RTTs up to 100 s at 100 ns
/// (and a few negative ones) — keeps PingStatistics' invariants.
/// </summary>
public class PingStatisticsProperties
{
    private enum Kind { Send, Reply, Duplicate, Error }

    private sealed record Step(Kind Kind, long RttTicks, int? Ttl);

    private static readonly Gen<Step> StepGen =
        Gen.Select(Gen.Int[0, 7], Gen.Long[-1_000, 1_000_000_000], Gen.Int[-1, 255])
            .Select((kind, ticks, ttl) => new Step(
                kind switch { <= 2 => Kind.Send, <= 5 => Kind.Reply, 6 => Kind.Duplicate, _ => Kind.Error },
                ticks,
                ttl < 0 ? null : ttl));

    private static readonly Gen<Step[]> RunGen = StepGen.Array[0, 300];

    [Fact]
    public void Counters_add_up_and_impossible_replies_are_refused_without_a_trace() =>
        RunGen.Sample(steps =>
        {
            var statistics = new PingStatistics();
            long sent = 0, unique = 0, duplicates = 0, errors = 0, withTtl = 0;
            foreach (var step in steps)
            {
                bool refused = (step.Kind == Kind.Reply && unique == sent) || (step.Kind == Kind.Duplicate && unique == 0);
                if (refused)
                {
                    Assert.Throws<InvalidOperationException>(() => Apply(statistics, step));
                    continue;
                }
                Apply(statistics, step);
                switch (step.Kind)
                {
                    case Kind.Send: sent++; break;
                    case Kind.Reply: unique++; withTtl += step.Ttl is null ? 0 : 1; break;
                    case Kind.Duplicate: duplicates++; break;
                    default: errors++; break;
                }
            }

            Assert.Equal((sent, unique, duplicates, errors), (statistics.Transmitted, statistics.Received, statistics.Duplicates, statistics.Errors));
            Assert.True(statistics.Received <= statistics.Transmitted);
            Assert.Equal(unique + duplicates, statistics.Rtt.Count);
            Assert.Equal(withTtl, statistics.ReplyTtlCounts.Values.Sum());
            Assert.InRange(statistics.LossPercent, 0, 100);
            Assert.Equal(unique > 0, statistics.FormatIputilsRtt() is not null);
        }, iter: 2000);

    [Fact]
    public void The_iputils_numbers_are_ordered_and_mdev_is_not_negative() =>
        RunGen.Sample(steps =>
        {
            var rtt = Run(steps).Rtt;
            if (rtt.Count == 0)
            {
                return;
            }
            Assert.True(rtt.MinimumMicroseconds <= rtt.AverageMicroseconds, $"min {rtt.MinimumMicroseconds} > avg {rtt.AverageMicroseconds}");
            Assert.True(rtt.AverageMicroseconds <= rtt.MaximumMicroseconds, $"avg {rtt.AverageMicroseconds} > max {rtt.MaximumMicroseconds}");
            // No upper bound: above INT_MAX iputils' double sums can leave more rounding noise than the
            // spread of the RTTs (IputilsSummaryTests: 1500000000 and 1500000001 µs give mdev 38.729 ms).
            Assert.True(rtt.MeanDeviationMicroseconds >= 0, $"mdev {rtt.MeanDeviationMicroseconds}");
            Assert.InRange(rtt.EwmaMicroseconds, rtt.MinimumMicroseconds, rtt.MaximumMicroseconds);
        }, iter: 2000);

    [Fact]
    public void Every_statistic_is_finite_or_null_and_inside_the_observed_range() =>
        RunGen.Sample(steps =>
        {
            var statistics = Run(steps);
            var snapshot = statistics.Snapshot();
            double?[] all =
            [
                snapshot.LossPercent, snapshot.MinimumMilliseconds, snapshot.MaximumMilliseconds, snapshot.MeanMilliseconds,
                snapshot.SampleStandardDeviationMilliseconds, snapshot.PopulationStandardDeviationMilliseconds,
                snapshot.JitterMilliseconds, snapshot.MeanAbsoluteSuccessiveDifferenceMilliseconds, snapshot.EwmaMilliseconds,
                snapshot.P50Milliseconds, snapshot.P90Milliseconds, snapshot.P99Milliseconds,
            ];
            Assert.All(all, value => Assert.True(value is null || double.IsFinite(value.Value), $"{value}"));
            Assert.Equal(statistics.Received == 0, snapshot.MeanMilliseconds is null);
            if (statistics.Received == 0)
            {
                return;
            }

            double min = snapshot.MinimumMilliseconds!.Value, max = snapshot.MaximumMilliseconds!.Value;
            double p50 = snapshot.P50Milliseconds!.Value, p90 = snapshot.P90Milliseconds!.Value, p99 = snapshot.P99Milliseconds!.Value;
            Assert.True(min <= p50 && p50 <= p90 && p90 <= p99 && p99 <= max, $"{min} {p50} {p90} {p99} {max}");
            Assert.InRange(snapshot.MeanMilliseconds!.Value, min, max);
            Assert.InRange(snapshot.EwmaMilliseconds!.Value, min, max);
            // Sums of rounded doubles may pass the exact bound by a few ulps.
            double spread = (max - min) * (1 + 1e-9);
            Assert.InRange(snapshot.PopulationStandardDeviationMilliseconds!.Value, 0, spread);
            Assert.InRange(snapshot.JitterMilliseconds ?? 0, 0, spread);
            Assert.InRange(snapshot.MeanAbsoluteSuccessiveDifferenceMilliseconds ?? 0, 0, spread);
            Assert.True(snapshot.SampleStandardDeviationMilliseconds is null or >= 0);
        }, iter: 2000);

    [Fact]
    public void Outage_time_is_never_negative() =>
        Gen.Select(RunGen, Gen.Long[0, TimeSpan.TicksPerHour]).Sample((steps, interval) =>
        {
            var statistics = Run(steps);
            var outage = statistics.OutageTime(TimeSpan.FromTicks(interval));

            Assert.Equal((statistics.Transmitted - statistics.Received) * interval, outage.Ticks);
        }, iter: 500);

    /// <summary>Applies the steps that keep the invariants and skips the ones PingStatistics refuses.</summary>
    private static PingStatistics Run(Step[] steps)
    {
        var statistics = new PingStatistics();
        foreach (var step in steps)
        {
            bool refused = (step.Kind == Kind.Reply && statistics.Received == statistics.Transmitted)
                || (step.Kind == Kind.Duplicate && statistics.Received == 0);
            if (!refused)
            {
                Apply(statistics, step);
            }
        }
        return statistics;
    }

    private static void Apply(PingStatistics statistics, Step step)
    {
        switch (step.Kind)
        {
            case Kind.Send: statistics.AddSent(); break;
            case Kind.Reply: statistics.AddReply(TimeSpan.FromTicks(step.RttTicks), step.Ttl, duplicate: false); break;
            case Kind.Duplicate: statistics.AddReply(TimeSpan.FromTicks(step.RttTicks), step.Ttl, duplicate: true); break;
            default: statistics.AddError(); break;
        }
    }
}
