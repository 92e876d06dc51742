using IcmpKit.Statistics;

namespace IcmpKit.Tests.Properties;

/// <summary>
/// What the properties beside this file found in the iputils summary (RttStatistics): past 3,037,000,499 µs (50.6
/// minutes) an RTT's square wrapped in a 64-bit integer, as in iputils 20221126, and mdev came out negative or
/// wrong. A reply that late is possible: the window keeps a number's send time until the number is sent again, so a
/// reply held back or replayed an hour later is measured as a one-hour RTT.
/// </summary>
public class RttOverflowRegressionTests
{
    private static PingStatistics Feed(params long[] microseconds)
    {
        var statistics = new PingStatistics();
        foreach (long rtt in microseconds)
        {
            statistics.AddSent();
            statistics.AddReply(TimeSpan.FromTicks(rtt * TimeSpan.TicksPerMicrosecond), ttl: 64, duplicate: false);
        }
        return statistics;
    }

    [Fact]
    public void A_one_minute_and_a_one_hour_RTT_have_an_mdev_of_half_their_difference()
    {
        // Population deviation of 6e7 and 3.6e9 µs is 1.77e9 µs; the wrapped square of 3.6e9 gave mdev −6.09e18 µs.
        var statistics = Feed(60_000_000, 3_600_000_000);

        Assert.Equal("60000.000/1830000.000/3600000.000/1770000.000", statistics.FormatIputilsRtt());
    }

    [Fact]
    public void The_same_two_hour_RTT_many_times_has_mdev_zero_not_a_negative_one()
    {
        // Found by One_rtt_repeated_many_times_has_no_spread (CsCheck seed erwPu0lo--21): 1,374 replies of
        // 7,296,351,695 µs gave mdev −65,280 µs ("…/-65.-280").
        var statistics = Feed([.. Enumerable.Repeat(7_296_351_695L, 1374)]);

        Assert.Equal(0, statistics.Rtt.MeanDeviationMicroseconds);
        Assert.Equal("7296351.695/7296351.695/7296351.695/0.000", statistics.FormatIputilsRtt());
    }

    [Fact]
    public void Below_the_overflow_mdev_keeps_iputils_digits()
    {
        // 3,037,000,499 µs is the largest RTT whose square fits in a long: the double square is the same number there.
        var statistics = Feed(3_037_000_499, 3_037_000_499, 1);

        Assert.Equal(1_431_655_765, statistics.Rtt.MeanDeviationMicroseconds); // a Python model of finish(): tsum2/n − avg², llsqrt
    }
}
