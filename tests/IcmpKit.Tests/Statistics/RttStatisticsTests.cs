using IcmpKit.Statistics;

namespace IcmpKit.Tests.Statistics;

/// <summary>
/// <see cref="RttStatistics"/> against iputils/iputils <c>ping/ping_common.c</c> as built in Debian 12
/// (20221126), worked by hand from the statements quoted in each test.
/// </summary>
public class RttStatisticsTests
{
    [Fact]
    public void Before_any_sample_every_number_is_zero_and_there_is_no_text()
    {
        var rtt = new RttStatistics();

        Assert.Equal(0, rtt.Count);
        Assert.Equal((0L, 0L, 0L, 0L, 0), (rtt.MinimumMicroseconds, rtt.AverageMicroseconds, rtt.MaximumMicroseconds, rtt.MeanDeviationMicroseconds, rtt.EwmaMicroseconds));
        Assert.Null(rtt.FormatIputils());
        Assert.Null(rtt.FormatIputilsEwma());
    }

    [Fact]
    public void Average_is_the_sum_over_the_count_truncated()
    {
        // finish(): long tmavg = rts->tsum / total;
        var rtt = Feed(1, 1, 2);

        Assert.Equal(1, rtt.AverageMicroseconds);
        Assert.Equal("0.001/0.001/0.002/0.000", rtt.FormatIputils());
    }

    [Theory]
    // finish(), tsum < INT_MAX: tmvar = (tsum2 - ((tsum * tsum) / total)) / total; tmdev = llsqrt(tmvar);
    [InlineData(new long[] { 1, 2 }, 0)]        // (5 − 9/2)/2 = 0.25 → 0
    [InlineData(new long[] { 1, 4 }, 1)]        // (17 − 25/2)/2 = 2.25 → 2 → 1
    [InlineData(new long[] { 1, 2, 3 }, 0)]     // (14 − 36/3)/3 = 0.67 → 0
    [InlineData(new long[] { 1, 2, 3, 4 }, 1)]  // (30 − 100/4)/4 = 1.25 → 1 → 1
    [InlineData(new long[] { 10, 30 }, 10)]     // (1000 − 1600/2)/2 = 100 → 10
    [InlineData(new long[] { 0, 0, 0, 9 }, 4)]  // (81 − 81/4)/4 = 15.19 → 15 → llsqrt 4, not 3: see below
    public void Small_RTTs_take_the_clumsy_order(long[] microseconds, long mdev) =>
        Assert.Equal(mdev, Feed(microseconds).MeanDeviationMicroseconds);

    [Theory]
    // llsqrt(): while (x < prev) { prev = x; x = (x + (a / x)) / 2; } return x; — it returns the
    // iterate that stopped the descent, so one below a perfect square k² it answers k, not k − 1:
    // 15 → 8, 4, 3, 4. Each row's samples have the clumsy-order variance in the second column.
    [InlineData(new long[] { 0, 2 }, 1, 1)]
    [InlineData(new long[] { 0, 3 }, 2, 1)]
    [InlineData(new long[] { 0, 0, 4 }, 3, 2)]
    [InlineData(new long[] { 0, 0, 6 }, 8, 3)]
    [InlineData(new long[] { 0, 0, 0, 9 }, 15, 4)]
    [InlineData(new long[] { 0, 8 }, 16, 4)]
    [InlineData(new long[] { 0, 3, 10 }, 17, 4)]
    [InlineData(new long[] { 0, 1, 11 }, 24, 5)]
    [InlineData(new long[] { 0, 8, 24 }, 99, 10)]
    [InlineData(new long[] { 0, 20 }, 100, 10)]
    public void Mdev_is_llsqrt_of_the_truncated_variance_which_can_round_up(long[] microseconds, long variance, long mdev)
    {
        Assert.InRange(mdev, Math.Floor(Math.Sqrt(variance)), Math.Ceiling(Math.Sqrt(variance)));
        Assert.Equal(mdev, Feed(microseconds).MeanDeviationMicroseconds);
    }

    [Fact]
    public void At_INT_MAX_the_variance_is_the_mean_square_minus_the_truncated_average_squared()
    {
        // finish(), tsum >= INT_MAX: tmvar = (tsum2 / total) - (tmavg * tmavg);
        // tsum = 2147483647 and tmavg = 1073741823, truncated from 1073741823.5: tsum2/2 − tmavg² is
        // the variance 73741823.5² ≈ 5.44e15 plus 0.5 × (mean + tmavg) ≈ 1.07e9, so llsqrt gives
        // 73741830 where the clumsy order, one microsecond below the limit, gives 73741823.
        var below = Feed(1_000_000_000, 1_147_483_646);
        var at = Feed(1_000_000_000, 1_147_483_647);

        Assert.Equal(73_741_823, below.MeanDeviationMicroseconds);
        Assert.Equal(73_741_830, at.MeanDeviationMicroseconds);
    }

    [Fact]
    public void Duplicates_are_samples_like_any_other()
    {
        // gather_statistics() adds triptime to tsum/tsum2/tmin/tmax before it tests rcvd_test() for a
        // duplicate, and finish() divides by total = nreceived + nrepeats.
        var rtt = Feed(100, 200, 300);

        Assert.Equal(3, rtt.Count);
        Assert.Equal(200, rtt.AverageMicroseconds);
        Assert.Equal(81, rtt.MeanDeviationMicroseconds); // (140000 − 600²/3)/3 = 6666 → llsqrt 81
    }

    [Fact]
    public void A_negative_RTT_counts_as_zero()
    {
        // gather_statistics(): if (triptime < 0) { … triptime = 0; … }
        var rtt = Feed(-5, 10);

        Assert.Equal(0, rtt.MinimumMicroseconds);
        Assert.Equal(5, rtt.AverageMicroseconds);
    }

    [Fact]
    public void A_TimeSpan_is_truncated_to_whole_microseconds()
    {
        // iputils subtracts two timevals of whole microseconds: no rounding up.
        var rtt = new RttStatistics();
        rtt.Add(TimeSpan.FromTicks(459)); // 45.9 µs
        rtt.Add(TimeSpan.FromTicks(-3));

        Assert.Equal(0, rtt.MinimumMicroseconds);
        Assert.Equal(45, rtt.MaximumMicroseconds);
    }

    [Fact]
    public void The_EWMA_starts_at_the_first_sample_and_weighs_each_next_one_by_an_eighth()
    {
        // gather_statistics(): if (!rts->rtt) rts->rtt = triptime * 8; else rts->rtt += triptime - rts->rtt / 8;
        var rtt = Feed(100);
        Assert.Equal(100, rtt.EwmaMicroseconds);       // rtt = 800
        rtt.Add(180);
        Assert.Equal(110, rtt.EwmaMicroseconds);       // 800 + 180 − 100 = 880
        rtt.Add(0);
        Assert.Equal(96, rtt.EwmaMicroseconds);        // 880 + 0 − 110 = 770 → 96
        Assert.Equal("0.096", rtt.FormatIputilsEwma());
    }

    [Fact]
    public void The_EWMA_restarts_while_its_fixed_point_value_is_zero()
    {
        var rtt = Feed(0, 0, 5);

        Assert.Equal(5, rtt.EwmaMicroseconds); // rtt was 0, so 5 × 8 = 40, not 0 + 5 − 0
    }

    [Fact]
    public void Milliseconds_print_as_C_does_with_three_zero_padded_decimals()
    {
        // printf("%ld.%03ld", us / 1000, us % 1000)
        var rtt = Feed(5, 45, 1_000, 123_456_789);

        Assert.StartsWith("0.005/", rtt.FormatIputils(), StringComparison.Ordinal);
        Assert.Contains("/123456.789/", rtt.FormatIputils(), StringComparison.Ordinal);
    }

    private static RttStatistics Feed(params long[] microseconds)
    {
        var rtt = new RttStatistics();
        foreach (long sample in microseconds)
        {
            rtt.Add(sample);
        }
        return rtt;
    }
}
