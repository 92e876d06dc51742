using CsCheck;
using IcmpKit.Statistics;

namespace IcmpKit.Tests.Properties;

/// <summary>
/// RTTs at the edges, fed straight to <see cref="PingStatistics"/>: any <see cref="TimeSpan"/>, negative to
/// <see cref="TimeSpan.MaxValue"/>, and long runs of one repeated RTT (where rounding, not spread, decides the
/// deviation). The statistics stay finite and ordered.
/// </summary>
public class RttExtremesProperties
{
    /// <summary>0, ±1, the ends of the range, and where iputils' arithmetic overflowed (EWMA × 8 in an int: 268 s;
    /// a square in a long: 50.6 min).</summary>
    private static readonly long[] Edges =
        [0, 1, -1, long.MaxValue, long.MinValue, long.MaxValue - 1, int.MaxValue, 268_435_456L * 10, 3_037_000_500L * 10];

    private static readonly Gen<long> AnyTicks = Gen.Frequency(
        (4, Gen.Long),
        (2, Gen.Long[0, TimeSpan.TicksPerDay]),
        (1, Gen.Int[0, Edges.Length - 1].Select(i => Edges[i])));

    [Fact]
    public void Any_rtt_keeps_every_statistic_finite_and_ordered() =>
        Gen.Select(AnyTicks, Gen.Bool).Array[1, 60].Sample(replies =>
        {
            var statistics = new PingStatistics();
            foreach (var (ticks, duplicate) in replies)
            {
                statistics.AddSent();
                statistics.AddReply(TimeSpan.FromTicks(ticks), ttl: 64, duplicate && statistics.Received > 0);
            }
            StatisticsAssert.FiniteAndOrdered(statistics);
        }, iter: 2000);

    [Fact]
    public void One_rtt_repeated_many_times_has_no_spread() =>
        // Up to 30 days × 3,000 replies: the summed RTT stays below 2⁵³ µs, where iputils' double sum is exact.
        Gen.Select(Gen.Long[0, 30 * TimeSpan.TicksPerDay], Gen.Int[1, 3_000]).Sample((ticks, count) =>
        {
            var statistics = new PingStatistics();
            for (int i = 0; i < count; i++)
            {
                statistics.AddSent();
                statistics.AddReply(TimeSpan.FromTicks(ticks), ttl: null, duplicate: false);
            }
            StatisticsAssert.FiniteAndOrdered(statistics);
            long microseconds = ticks / TimeSpan.TicksPerMicrosecond;
            Assert.Equal((microseconds, microseconds, microseconds), (statistics.Rtt.MinimumMicroseconds, statistics.Rtt.AverageMicroseconds, statistics.Rtt.MaximumMicroseconds));
        }, iter: 200);
}
