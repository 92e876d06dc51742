using IcmpKit.Statistics;

namespace IcmpKit.Tests.Statistics;

public class PingStatisticsTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void An_empty_run_has_zero_counts_and_null_statistics()
    {
        var statistics = new PingStatistics();

        Assert.Equal((0L, 0L, 0L, 0L), (statistics.Transmitted, statistics.Received, statistics.Duplicates, statistics.Errors));
        Assert.Equal(0, statistics.LossPercent);
        Assert.All(
            new[]
            {
                statistics.MinimumMilliseconds, statistics.MaximumMilliseconds, statistics.MeanMilliseconds,
                statistics.SampleStandardDeviationMilliseconds, statistics.PopulationStandardDeviationMilliseconds,
                statistics.JitterMilliseconds, statistics.MeanAbsoluteSuccessiveDifferenceMilliseconds,
                statistics.EwmaMilliseconds, statistics.P50Milliseconds, statistics.P90Milliseconds, statistics.P99Milliseconds,
            },
            Assert.Null);
        Assert.Empty(statistics.ReplyTtlCounts);
        Assert.Empty(statistics.DistinctReplyTtls);
        Assert.Null(statistics.FormatIputilsLossPercent());
        Assert.Null(statistics.FormatIputilsRtt());
        Assert.Null(statistics.FormatIputilsIpgEwma(TimeSpan.FromSeconds(1)));
        Assert.Equal("0/0 packets, 0% loss", statistics.FormatIputilsStatusLine());
        Assert.Equal(TimeSpan.Zero, statistics.OutageTime(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Counters_keep_unique_replies_duplicates_and_errors_apart()
    {
        var statistics = Sent(4);
        statistics.AddReply(Ms(10), 64, duplicate: false);
        statistics.AddReply(Ms(12), 64, duplicate: true);
        statistics.AddReply(Ms(11), 64, duplicate: false);
        statistics.AddError();

        Assert.Equal((4L, 2L, 1L, 1L), (statistics.Transmitted, statistics.Received, statistics.Duplicates, statistics.Errors));
        Assert.Equal(50, statistics.LossPercent);
        Assert.Equal("50", statistics.FormatIputilsLossPercent());
        Assert.Equal(3, statistics.Rtt.Count);
    }

    [Fact]
    public void A_unique_reply_without_an_unanswered_request_is_refused()
    {
        var statistics = Sent(1);
        statistics.AddReply(Ms(1), null, duplicate: false);

        Assert.Throws<InvalidOperationException>(() => statistics.AddReply(Ms(1), null, duplicate: false));
        Assert.Equal(1, statistics.Received);
        Assert.Equal(1, statistics.Rtt.Count);
    }

    [Fact]
    public void A_duplicate_before_any_unique_reply_is_refused()
    {
        var statistics = Sent(1);

        Assert.Throws<InvalidOperationException>(() => statistics.AddReply(Ms(1), null, duplicate: true));
        Assert.Equal(0, statistics.Duplicates);
        Assert.Equal(0, statistics.Rtt.Count);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(256)]
    public void A_TTL_outside_a_byte_is_refused(int ttl) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Sent(1).AddReply(Ms(1), ttl, duplicate: false));

    [Fact]
    public void Extras_are_computed_over_unique_replies_only()
    {
        var statistics = Sent(4);
        foreach (double rtt in new[] { 10.0, 20, 40 })
        {
            statistics.AddReply(Ms(rtt), 64, duplicate: false);
        }
        statistics.AddReply(Ms(1000), 64, duplicate: true);
        statistics.AddReply(Ms(30), 64, duplicate: false);

        Assert.Equal(10, statistics.MinimumMilliseconds);
        Assert.Equal(40, statistics.MaximumMilliseconds);
        Assert.Equal(25, statistics.MeanMilliseconds!.Value, Tolerance);
        // Deviations −15, −5, 15, 5: Σ² = 500.
        Assert.Equal(Math.Sqrt(500.0 / 3), statistics.SampleStandardDeviationMilliseconds!.Value, Tolerance);
        Assert.Equal(Math.Sqrt(500.0 / 4), statistics.PopulationStandardDeviationMilliseconds!.Value, Tolerance);
        // |D| = 10, 20, 10. RFC 3550 §6.4.1: J = 0 → 10/16 = 0.625 → 0.625 + 19.375/16 = 1.8359375 → + 8.1640625/16.
        Assert.Equal(2.34619140625, statistics.JitterMilliseconds!.Value, Tolerance);
        Assert.Equal(40.0 / 3, statistics.MeanAbsoluteSuccessiveDifferenceMilliseconds!.Value, Tolerance);
        // 10 → 11.25 → 14.84375 → 16.73828125.
        Assert.Equal(16.73828125, statistics.EwmaMilliseconds!.Value, Tolerance);
        // iputils' numbers do include the duplicate.
        Assert.Equal(1_000_000, statistics.Rtt.MaximumMicroseconds);
    }

    [Theory]
    // Nearest rank over 10, 20, 30, 40: the ⌈P/100 × 4⌉-th smallest.
    [InlineData(0, 10)]
    [InlineData(25, 10)]
    [InlineData(25.0001, 20)]
    [InlineData(50, 20)]
    [InlineData(75, 30)]
    [InlineData(90, 40)]
    [InlineData(99, 40)]
    [InlineData(100, 40)]
    public void Percentiles_are_nearest_rank(double percent, double expected)
    {
        var statistics = Sent(4);
        foreach (double rtt in new[] { 40.0, 10, 30, 20 })
        {
            statistics.AddReply(Ms(rtt), null, duplicate: false);
        }

        Assert.Equal(expected, statistics.PercentileMilliseconds(percent));
    }

    [Fact]
    public void Nearest_rank_of_ninety_percent_of_ten_samples_is_the_ninth()
    {
        // 0.9 × 10 is 9.000000000000002 in double; the rank must still be 9, not 10.
        var statistics = Sent(10);
        for (int i = 1; i <= 10; i++)
        {
            statistics.AddReply(Ms(i), null, duplicate: false);
        }

        Assert.Equal(9, statistics.P90Milliseconds);
        Assert.Equal(5, statistics.P50Milliseconds);
        Assert.Equal(10, statistics.P99Milliseconds);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(100.1)]
    [InlineData(double.NaN)]
    public void A_percentile_outside_zero_to_a_hundred_is_refused(double percent) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PingStatistics().PercentileMilliseconds(percent));

    [Fact]
    public void Statistics_that_need_two_replies_stay_null_with_one()
    {
        var statistics = Sent(1);
        statistics.AddReply(Ms(7), null, duplicate: false);

        Assert.Null(statistics.SampleStandardDeviationMilliseconds);
        Assert.Null(statistics.JitterMilliseconds);
        Assert.Null(statistics.MeanAbsoluteSuccessiveDifferenceMilliseconds);
        Assert.Equal(0, statistics.PopulationStandardDeviationMilliseconds);
        Assert.Equal(7, statistics.EwmaMilliseconds);
        Assert.Equal(7, statistics.P99Milliseconds);
    }

    [Fact]
    public void Negative_RTTs_count_as_zero_in_the_extras_too()
    {
        var statistics = Sent(1);
        statistics.AddReply(TimeSpan.FromMilliseconds(-3), null, duplicate: false);

        Assert.Equal(0, statistics.MinimumMilliseconds);
        Assert.Equal(0, statistics.Rtt.MinimumMicroseconds);
    }

    [Fact]
    public void Reply_TTLs_are_counted_on_unique_replies()
    {
        var statistics = Sent(4);
        statistics.AddReply(Ms(1), 64, duplicate: false);
        statistics.AddReply(Ms(1), 64, duplicate: false);
        statistics.AddReply(Ms(1), 63, duplicate: false);
        statistics.AddReply(Ms(1), 50, duplicate: true);
        statistics.AddReply(Ms(1), null, duplicate: false);

        Assert.Equal(new Dictionary<int, long> { [63] = 1, [64] = 2 }, statistics.ReplyTtlCounts);
        Assert.Equal([63, 64], statistics.DistinctReplyTtls);
    }

    [Fact]
    public void Outage_time_is_lost_requests_times_the_interval_as_fping_o()
    {
        var statistics = Sent(10);
        for (int i = 0; i < 7; i++)
        {
            statistics.AddReply(Ms(1), null, duplicate: false);
        }
        statistics.AddReply(Ms(1), null, duplicate: true);

        Assert.Equal(TimeSpan.FromMilliseconds(750), statistics.OutageTime(TimeSpan.FromMilliseconds(250)));
        Assert.Equal(TimeSpan.MaxValue, statistics.OutageTime(TimeSpan.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => statistics.OutageTime(TimeSpan.FromTicks(-1)));
    }

    [Fact]
    public void The_SIGQUIT_status_line_is_iputils_status()
    {
        // status(): "%ld/%ld packets, %d%% loss" with an integer loss, then min/avg/ewma/max.
        var statistics = Sent(3);
        statistics.AddReply(TimeSpan.FromMicroseconds(45), 64, duplicate: false);
        statistics.AddReply(TimeSpan.FromMicroseconds(61), 64, duplicate: false);

        // avg 53; ewma: 360 → 360 + 61 − 45 = 376 → 47.
        Assert.Equal("2/3 packets, 33% loss, min/avg/ewma/max = 0.045/0.053/0.047/0.061 ms", statistics.FormatIputilsStatusLine());
        Assert.Equal("33.3333", statistics.FormatIputilsLossPercent());
    }

    [Fact]
    public void Ipg_is_the_elapsed_time_over_the_gaps_between_requests()
    {
        var statistics = Sent(3);
        statistics.AddReply(TimeSpan.FromMicroseconds(45), 64, duplicate: false);
        statistics.AddReply(TimeSpan.FromMicroseconds(61), 64, duplicate: false);

        // finish(): ipg = elapsed µs / (ntransmitted − 1) = 2000227 / 2 = 1000113.
        Assert.Equal("1000.113/0.047", statistics.FormatIputilsIpgEwma(TimeSpan.FromTicks(20_002_279)));
        Assert.Null(Sent(1).FormatIputilsIpgEwma(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void A_tiny_loss_prints_in_C_exponent_form()
    {
        // (float)(100.0 / 2e6) = 4.99999987e-05, and glibc's %g gives "5e-05".
        var statistics = Sent(2_000_000);
        for (int i = 0; i < 1_999_999; i++)
        {
            statistics.AddReply(TimeSpan.FromMicroseconds(1), null, duplicate: false);
        }

        Assert.Equal("5e-05", statistics.FormatIputilsLossPercent());
    }

    [Fact]
    public void A_snapshot_holds_the_numbers_of_its_moment()
    {
        var statistics = Sent(3);
        statistics.AddReply(TimeSpan.FromMicroseconds(45), 64, duplicate: false);
        statistics.AddReply(TimeSpan.FromMicroseconds(61), 63, duplicate: false);
        statistics.AddReply(TimeSpan.FromMicroseconds(70), 63, duplicate: true);
        statistics.AddError();

        var snapshot = statistics.Snapshot();
        statistics.AddSent();
        statistics.AddReply(Ms(5), 1, duplicate: false);

        Assert.Equal((3L, 2L, 1L, 1L), (snapshot.Transmitted, snapshot.Received, snapshot.Duplicates, snapshot.Errors));
        Assert.Equal(100.0 / 3, snapshot.LossPercent, Tolerance);
        Assert.Equal((45L, 58L, 70L), (snapshot.IputilsMinimumMicroseconds, snapshot.IputilsAverageMicroseconds, snapshot.IputilsMaximumMicroseconds));
        Assert.Equal(0.053, snapshot.MeanMilliseconds!.Value, Tolerance);
        Assert.Equal(0.061, snapshot.P90Milliseconds);
        Assert.Equal(new Dictionary<int, long> { [63] = 1, [64] = 1 }, snapshot.ReplyTtlCounts);
    }

    [Fact]
    public void A_snapshot_without_replies_has_null_RTTs()
    {
        var snapshot = Sent(2).Snapshot();

        Assert.Equal(100, snapshot.LossPercent);
        Assert.Null(snapshot.IputilsMeanDeviationMicroseconds);
        Assert.Null(snapshot.IputilsEwmaMicroseconds);
        Assert.Null(snapshot.P50Milliseconds);
    }

    private static PingStatistics Sent(int requests)
    {
        var statistics = new PingStatistics();
        for (int i = 0; i < requests; i++)
        {
            statistics.AddSent();
        }
        return statistics;
    }

    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);
}
