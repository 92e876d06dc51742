using IcmpKit.Statistics;

namespace IcmpKit.Tests.Properties;

/// <summary>What every run's statistics must satisfy, whatever it received.</summary>
internal static class StatisticsAssert
{
    /// <summary>
    /// iputils sums the RTTs in a double (<c>tsum</c>), exact up to 2⁵³ µs (285 years of summed RTT); past that the
    /// truncated average may land a microsecond outside [min, max], in iputils as here.
    /// </summary>
    private const double ExactSumLimitMicroseconds = 9007199254740992.0;

    public static void FiniteAndOrdered(PingStatistics statistics)
    {
        var s = statistics.Snapshot();
        double?[] all =
        [
            s.LossPercent, s.MinimumMilliseconds, s.MaximumMilliseconds, s.MeanMilliseconds,
            s.SampleStandardDeviationMilliseconds, s.PopulationStandardDeviationMilliseconds,
            s.JitterMilliseconds, s.MeanAbsoluteSuccessiveDifferenceMilliseconds, s.EwmaMilliseconds,
            s.P50Milliseconds, s.P90Milliseconds, s.P99Milliseconds,
        ];
        Assert.All(all, value => Assert.True(value is null || double.IsFinite(value.Value), $"not finite: {value}"));
        Assert.InRange(s.LossPercent, 0, 100);
        Assert.Equal(statistics.Received == 0, s.MeanMilliseconds is null);
        if (statistics.Received > 0)
        {
            double min = s.MinimumMilliseconds!.Value, max = s.MaximumMilliseconds!.Value;
            Assert.True(min >= 0, $"min {min}");
            Assert.True(min <= s.MeanMilliseconds!.Value && s.MeanMilliseconds.Value <= max, $"min {min} mean {s.MeanMilliseconds} max {max}");
            Assert.True(min <= s.P50Milliseconds && s.P50Milliseconds <= s.P90Milliseconds && s.P90Milliseconds <= s.P99Milliseconds
                && s.P99Milliseconds <= max, $"{min} {s.P50Milliseconds} {s.P90Milliseconds} {s.P99Milliseconds} {max}");
            Assert.InRange(s.EwmaMilliseconds!.Value, min, max);
            // Sums of rounded doubles may pass the exact bound by a few ulps.
            double spread = (max - min) * (1 + 1e-9);
            Assert.InRange(s.PopulationStandardDeviationMilliseconds!.Value, 0, spread);
            Assert.InRange(s.SampleStandardDeviationMilliseconds ?? 0, 0, double.MaxValue);
            Assert.InRange(s.JitterMilliseconds ?? 0, 0, spread);
            Assert.InRange(s.MeanAbsoluteSuccessiveDifferenceMilliseconds ?? 0, 0, spread);
        }
        if (statistics.Rtt.Count > 0)
        {
            // iputils' numbers (every reply, duplicates included), in whole microseconds.
            long min = statistics.Rtt.MinimumMicroseconds, max = statistics.Rtt.MaximumMicroseconds;
            long average = statistics.Rtt.AverageMicroseconds;
            Assert.True(0 <= min && min <= max && average >= 0, $"iputils min {min} avg {average} max {max}");
            if (statistics.Rtt.Count * (double)max <= ExactSumLimitMicroseconds)
            {
                Assert.True(min <= average && average <= max, $"iputils min {min} avg {average} max {max}");
            }
            Assert.True(statistics.Rtt.MeanDeviationMicroseconds >= 0, $"iputils mdev {statistics.Rtt.MeanDeviationMicroseconds}");
            Assert.DoesNotContain("-", statistics.Rtt.FormatIputils()!, StringComparison.Ordinal);
            // iputils' EWMA wraps its int past 268 s; ours must not, at any RTT (RttStatistics.Add).
            Assert.InRange(statistics.Rtt.EwmaMicroseconds, min, max);
            Assert.DoesNotContain("-", statistics.Rtt.FormatIputilsEwma()!, StringComparison.Ordinal);
        }
    }
}
