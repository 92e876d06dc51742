using IcmpKit.Statistics;

namespace IcmpKit.Tests.Statistics;

/// <summary>
/// The summary numbers that Debian 12's real <c>/usr/bin/ping</c> (iputils-ping 3:20221126-1+deb12u1,
/// amd64) printed for these RTT sequences. They were obtained with <c>iputils_finish_oracle.py</c>
/// beside this file: it stops the binary at <c>finish()</c> under gdb, puts the state the sequence
/// produces into its <c>struct ping_rts</c>, and keeps the lines <c>finish()</c> prints. Each row is
/// (RTTs in µs, how many of them were duplicates, requests sent) → "rtt min/avg/max/mdev", the EWMA
/// after "ipg/ewma" (null where iputils prints none, with fewer than 2 requests), and "% packet loss".
/// </summary>
public class IputilsSummaryTests
{
    public static TheoryData<string, int, long, string, string?, string> Runs => new()
    {
        // Loopback-sized RTTs.
        { "45 61 79 52 58 66 49 71 55 63", 0, 10, "0.045/0.059/0.079/0.009", "0.056", "0" },
        // tsum < INT_MAX: the "clumsy" order (tsum2 - tsum²/n)/n = (5 - 4.5)/2 → 0; tsum2/n - avg² would give 1.
        { "1 2", 0, 2, "0.001/0.001/0.002/0.000", "0.001", "0" },
        // (17 - 12.5)/2 = 2.25 → 2 → llsqrt 1; the other order gives 8.5 - 4 = 4.5 → 4 → 2.
        { "1 4", 0, 2, "0.001/0.002/0.004/0.001", "0.001", "0" },
        { "1 2 3", 0, 3, "0.001/0.002/0.003/0.000", "0.001", "0" },
        // Variance (81 − 81/4)/4 → 15, and llsqrt(15) is 4: mdev rounds up here.
        { "0 0 0 9", 0, 4, "0.000/0.002/0.009/0.004", "0.009", "0" },
        // Duplicates are summed: total = nreceived + nrepeats = 3, avg 200 µs, mdev √6666 = 81.
        { "100 200 300", 1, 2, "0.100/0.200/0.300/0.081", "0.136", "0" },
        // tsum = INT_MAX − 1 still takes the clumsy order…
        { "1000000000 1147483646", 0, 2, "1000000.000/1073741.823/1147483.646/73741.823", "1018435.455", "0" },
        // …tsum = INT_MAX takes tsum2/n − avg², where the truncated avg shows: 73741.830, not .823.
        { "1000000000 1147483647", 0, 2, "1000000.000/1073741.823/1147483.647/73741.830", "1018435.455", "0" },
        // Above INT_MAX, doubles of 9e18 lose the variance of 2.25 µs² entirely and leave rounding noise.
        { "3000000001 3000000004", 0, 2, "3000000.001/3000000.002/3000000.004/54.772", "3000000.001", "0" },
        { "1500000000 1500000001", 0, 2, "1500000.000/1500000.000/1500000.001/38.729", "1500000.000", "0" },
        // While rtt is 0 each sample sets it to 8 × itself: 0, 0, 40; then 40 + 0 − 5 = 35, 35 + 7 − 4 = 38 → 4 µs.
        { "0 0 5 0 7", 0, 5, "0.000/0.002/0.007/0.003", "0.004", "0" },
        // A negative RTT (clock went back) counts as 0.
        { "-5 10", 0, 2, "0.000/0.005/0.010/0.005", "0.010", "0" },
        // iputils' EWMA is an int holding 8 × RTT: 300 s wraps it and iputils prints "-169762.-48". Ours is a long and
        // prints the true EWMA (here and in the three rows above, which wrap too): not a digit of iputils' nonsense.
        { "300000000 300000000", 0, 2, "300000.000/300000.000/300000.000/0.000", "300000.000", "0" },
        { "10 30", 0, 2, "0.010/0.020/0.030/0.010", "0.012", "0" },
        { "1234567", 0, 1, "1234.567/1234.567/1234.567/0.000", null, "0" },
        // Loss is printed as %g of a float.
        { "50 60", 0, 3, "0.050/0.055/0.060/0.005", "0.051", "33.3333" },
        { "7", 0, 7, "0.007/0.007/0.007/0.000", "0.007", "85.7143" },
        { "7", 0, 10_000_000, "0.007/0.007/0.007/0.000", "0.007", "100" },
        { "9 9 9", 2, 1, "0.009/0.009/0.009/0.000", null, "0" },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void Summary_matches_the_real_iputils(string rtts, int duplicates, long transmitted, string rtt, string? ewma, string loss)
    {
        long[] samples = [.. rtts.Split(' ').Select(long.Parse)];
        var statistics = Feed(samples, duplicates, transmitted);

        Assert.Equal(rtt, statistics.FormatIputilsRtt());
        Assert.Equal(loss, statistics.FormatIputilsLossPercent());
        Assert.Equal(ewma, statistics.FormatIputilsIpgEwma(TimeSpan.FromSeconds(1))?.Split('/')[1]);
    }

    [Fact]
    public void A_thousand_spread_RTTs_sum_in_doubles_as_iputils_does()
    {
        // RTTs (i × 7919² + 12345) mod 10⁸ µs for i < 1000: tsum2 reaches 3.3e18 and rounds on every add.
        long[] samples = [.. Enumerable.Range(0, 1000).Select(i => ((i * 7919L * 7919L) + 12345) % 100_000_000)];
        var statistics = Feed(samples, 0, 1000);

        Assert.Equal("12.345/50137.564/99935.444/28869.484", statistics.FormatIputilsRtt());
        Assert.Equal("54292.312", statistics.Rtt.FormatIputilsEwma());
    }

    [Fact]
    public void RTTs_one_microsecond_either_side_of_a_hundred_seconds_give_mdev_zero_as_iputils()
    {
        long[] samples = [.. Enumerable.Range(0, 1000).Select(i => 100_000_000L + (i % 2 == 1 ? 1 : -1))];
        var statistics = Feed(samples, 0, 1000);

        Assert.Equal("99999.999/100000.000/100000.001/0.000", statistics.FormatIputilsRtt());
        Assert.Equal("100000.000", statistics.Rtt.FormatIputilsEwma());
    }

    [Fact]
    public void Thirty_equal_RTTs_of_a_hundred_seconds()
    {
        var statistics = Feed([.. Enumerable.Repeat(100_000_000L, 30)], 0, 30);

        Assert.Equal("100000.000/100000.000/100000.000/0.000", statistics.FormatIputilsRtt());
    }

    [Fact]
    public void A_loss_that_ties_at_the_sixth_digit_rounds_to_even_as_glibc()
    {
        // 321 of 3200 lost: 10.03125 exactly; glibc's %g gives 10.0312, round-half-up would give 10.0313.
        var statistics = Feed([.. Enumerable.Repeat(50L, 2879)], 0, 3200);

        Assert.Equal("10.0312", statistics.FormatIputilsLossPercent());
        Assert.Equal("0.050/0.050/0.050/0.000", statistics.FormatIputilsRtt());
    }

    /// <summary>The first <paramref name="samples"/> minus <paramref name="duplicates"/> are unique, the rest duplicates.</summary>
    private static PingStatistics Feed(long[] samples, int duplicates, long transmitted)
    {
        var statistics = new PingStatistics();
        for (long i = 0; i < transmitted; i++)
        {
            statistics.AddSent();
        }
        for (int i = 0; i < samples.Length; i++)
        {
            statistics.AddReply(TimeSpan.FromMicroseconds(samples[i]), ttl: 64, duplicate: i >= samples.Length - duplicates);
        }
        return statistics;
    }
}
