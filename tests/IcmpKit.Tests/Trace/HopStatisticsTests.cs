using CsCheck;
using IcmpKit.Trace;

namespace IcmpKit.Tests.Trace;

/// <summary>
/// mtr's per-hop statistics (ui/net.c net_process_ping()): a worked example in mtr's own integer microseconds, and the
/// online values against two-pass computations over random series.
/// </summary>
public class HopStatisticsTests
{
    private static HopStatistics Replies(params double[] milliseconds)
    {
        var statistics = new HopStatistics();
        foreach (double ms in milliseconds)
        {
            statistics.AddSent();
            statistics.AddReply(TimeSpan.FromMilliseconds(ms));
        }
        return statistics;
    }

    [Fact]
    public void Four_answers_give_mtrs_numbers()
    {
        var s = Replies(10, 12, 11, 15);

        Assert.Equal((4L, 4L, 0L, 0L), (s.Sent, s.Received, s.Lost, s.InFlight));
        Assert.Equal(15, s.LastMilliseconds);
        Assert.Equal(10, s.BestMilliseconds);
        Assert.Equal(15, s.WorstMilliseconds);
        Assert.Equal(12, s.AverageMilliseconds!.Value, 12);
        // Deviations -2, 0, -1, 3: 14 / 3.
        Assert.Equal(Math.Sqrt(14.0 / 3), s.StandardDeviationMilliseconds!.Value, 12);
        // Jitters 0 (the first), 2, 1, 4.
        Assert.Equal(4, s.JitterMilliseconds);
        Assert.Equal(7.0 / 4, s.MeanJitterMilliseconds!.Value, 12);
        Assert.Equal(4, s.WorstJitterMilliseconds);
        Assert.Equal(Math.Pow(10.0 * 12 * 11 * 15, 0.25), s.GeometricMeanMilliseconds!.Value, 9);
        // mtr's jinta in whole µs: 0, 2000 - 0, + 1000 - 125, + 4000 - 180 = 6695 (it shows 6.7 as Jint); 16 J is within
        // the rounding of its (jinta + 8) >> 4.
        Assert.Equal(6.695, s.ScaledInterarrivalJitterMilliseconds!.Value, 2);
        double j = 0;
        foreach (double d in new double[] { 2, 1, 4 })
        {
            j += (d - j) / 16;
        }
        Assert.Equal(j, s.InterarrivalJitterMilliseconds!.Value, 12);
    }

    [Fact]
    public void Loss_is_over_the_settled_probes_and_a_probe_in_flight_is_neither()
    {
        var s = Replies(1, 1, 1);
        s.AddSent();
        s.AddLoss();
        s.AddSent(); // in flight
        Assert.Equal((5L, 3L, 1L, 1L), (s.Sent, s.Received, s.Lost, s.InFlight));
        Assert.Equal(25, s.LossPercent);
    }

    [Fact]
    public void Before_any_answer_the_times_are_missing_and_the_loss_is_zero_until_a_probe_settles()
    {
        var s = new HopStatistics();
        s.AddSent();
        Assert.Equal(0, s.LossPercent);
        Assert.Null(s.AverageMilliseconds);
        Assert.Null(s.StandardDeviationMilliseconds);
        Assert.Null(s.JitterMilliseconds);
        s.AddLoss();
        Assert.Equal(100, s.LossPercent);
    }

    [Fact]
    public void One_answer_has_a_standard_deviation_of_zero_as_mtr_prints_it()
    {
        var s = Replies(3);
        Assert.Equal(0, s.StandardDeviationMilliseconds);
        Assert.Equal(0, s.JitterMilliseconds);
        Assert.Equal(0, s.InterarrivalJitterMilliseconds);
    }

    [Fact]
    public void Rate_limited_probes_leave_the_counts_and_can_come_back_as_loss()
    {
        var s = Replies(1);
        s.AddSent();
        s.AddLoss();
        s.AddSent();
        s.AddRateLimitedInFlight();
        s.ReclassifyLossAsRateLimited();
        Assert.Equal((1L, 1L, 0L, 2L, 0.0), (s.Sent, s.Received, s.Lost, s.RateLimited, s.LossPercent));
        s.RestoreRateLimitedAsLoss(2);
        Assert.Equal((3L, 2L, 0L), (s.Sent, s.Lost, s.RateLimited));
        Assert.Throws<InvalidOperationException>(() => new HopStatistics().AddLoss());
    }

    /// <summary>Equal to 9 significant digits: online and two-pass sums round differently.</summary>
    private static void Close(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    [Fact]
    public void The_online_values_equal_two_pass_computations()
    {
        // Whole microseconds: exact in TimeSpan ticks, so min, max and jitters compare exactly.
        Gen.Int[0, 5_000_000].Array[2, 200].Sample(microseconds =>
        {
            double[] rtts = [.. microseconds.Select(us => us / 1000.0)];
            var s = new HopStatistics();
            foreach (int us in microseconds)
            {
                s.AddSent();
                s.AddReply(TimeSpan.FromTicks(us * 10L));
            }
            double mean = rtts.Average();
            double variance = rtts.Sum(x => (x - mean) * (x - mean)) / (rtts.Length - 1);
            var jitters = rtts.Skip(1).Zip(rtts, (b, a) => Math.Abs(b - a)).Prepend(0).ToArray();
            Close(mean, s.AverageMilliseconds!.Value);
            Close(Math.Sqrt(variance), s.StandardDeviationMilliseconds!.Value);
            Assert.Equal(rtts.Min(), s.BestMilliseconds);
            Assert.Equal(rtts.Max(), s.WorstMilliseconds);
            Close(jitters.Average(), s.MeanJitterMilliseconds!.Value);
            Assert.Equal(jitters.Max(), s.WorstJitterMilliseconds);
            Assert.Equal(jitters[^1], s.JitterMilliseconds);
            Assert.InRange(s.GeometricMeanMilliseconds!.Value, rtts.Min() - 1e-6, mean + 1e-6); // AM-GM
        });
    }
}
