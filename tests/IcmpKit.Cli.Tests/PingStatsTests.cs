using System.Globalization;
using System.Text.RegularExpressions;

namespace IcmpKit.Cli.Tests;

/// <summary>`icmpkit ping --stats`: iputils' output unchanged, then three lines (docs/ping.md#--stats).</summary>
public partial class PingStatsTests
{
    [GeneratedRegex(@"^rtt min/avg/max/mdev = (\d+\.\d{3})/(\d+\.\d{3})/(\d+\.\d{3})/(\d+\.\d{3}) ms$")]
    private static partial Regex RttLine();

    [GeneratedRegex(@"^rtt sample-stddev/jitter/mean-abs-diff = (\d+\.\d{3})/(\d+\.\d{3})/(\d+\.\d{3}) ms$")]
    private static partial Regex SpreadLine();

    [GeneratedRegex(@"^rtt p50/p90/p99/ewma = (\d+\.\d{3})/(\d+\.\d{3})/(\d+\.\d{3})/(\d+\.\d{3}) ms$")]
    private static partial Regex PercentileLine();

    [GeneratedRegex(@" time=(\d+\.\d+) ms$")]
    private static partial Regex ReplyTime();

    private static double D(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Stats_lines_have_their_shapes_and_percentiles_lie_within_min_and_max(string target)
    {
        var result = CliRunner.Run(["ping", "-c", "3", "-i", "0.05", "-W", "2", "--stats", target]);
        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Stderr);
        var lines = result.StdoutLines;
        Assert.Equal(11, lines.Length);
        var rtt = RttLine().Match(lines[^4]);
        Assert.True(rtt.Success, lines[^4]);
        double min = D(rtt.Groups[1].Value), max = D(rtt.Groups[3].Value);

        var spread = SpreadLine().Match(lines[^3]);
        Assert.True(spread.Success, lines[^3]);
        double stddev = D(spread.Groups[1].Value), jitter = D(spread.Groups[2].Value), meanAbs = D(spread.Groups[3].Value);
        double range = max - min + 0.002;
        Assert.InRange(stddev, 0, range);
        Assert.InRange(jitter, 0, range);
        Assert.InRange(meanAbs, 0, range);

        var pct = PercentileLine().Match(lines[^2]);
        Assert.True(pct.Success, lines[^2]);
        double p50 = D(pct.Groups[1].Value), p90 = D(pct.Groups[2].Value), p99 = D(pct.Groups[3].Value), ewma = D(pct.Groups[4].Value);
        Assert.True(p50 <= p90 && p90 <= p99, lines[^2]);
        // min/max are truncated to whole µs, the percentiles rounded from 100 ns: 0.001 of slack either side.
        foreach (double p in new[] { p50, p90, p99, ewma })
        {
            Assert.InRange(p, min - 0.001, max + 0.001);
        }
        // Nearest rank: each percentile is a measured RTT, so one of the reply lines (to the µs).
        var times = lines.Select(l => ReplyTime().Match(l)).Where(m => m.Success).Select(m => D(m.Groups[1].Value)).ToArray();
        Assert.Equal(3, times.Length);
        foreach (double p in new[] { p50, p90, p99 })
        {
            Assert.Contains(times, t => Math.Abs(t - p) <= 0.0011);
        }
        Assert.True(Math.Abs(times.Max() - p99) <= 0.0011, $"p99 of 3 replies is the largest RTT: {p99} vs {times.Max()}");

        Assert.Equal("outage 0ms, reply ttls 64x3", lines[^1]);
    }

    /// <summary>--stats adds lines after iputils' output and changes nothing before them.</summary>
    [Fact]
    public void Stats_leaves_the_iputils_lines_as_iputils_prints_them()
    {
        string[] args = ["-c", "3", "-i", "0.05", "127.0.0.1"];
        var iputils = IputilsReference.Run(args);
        var ours = CliRunner.Run(["ping", .. args, "--stats"]);
        Assert.Equal(0, ours.ExitCode);
        var theirs = IputilsReference.Mask(iputils.Stdout).TrimEnd('\n').Split('\n');
        var mine = IputilsReference.Mask(ours.Stdout).TrimEnd('\n').Split('\n');
        Assert.Equal(theirs.Length + 3, mine.Length);
        Assert.Equal(theirs, mine[..theirs.Length]);
    }

    [Fact]
    public void Stats_quiet_prints_the_three_lines_after_the_summary()
    {
        var result = CliRunner.Run(["ping", "-q", "-c", "3", "-i", "0.05", "-W", "2", "--stats", "127.0.0.1"]);
        Assert.Equal(0, result.ExitCode);
        var lines = result.StdoutLines;
        Assert.Equal(8, lines.Length);
        Assert.Equal("PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.", lines[0]);
        Assert.Equal("", lines[1]);
        Assert.Matches(RttLine(), lines[4]);
        Assert.Matches(SpreadLine(), lines[5]);
        Assert.Matches(PercentileLine(), lines[6]);
        Assert.Equal("outage 0ms, reply ttls 64x3", lines[7]);
    }

    [Fact]
    public void Stats_with_one_reply_prints_dashes_for_what_needs_two()
    {
        var result = CliRunner.Run(["ping", "-c", "1", "-W", "2", "--stats", "127.0.0.1"]);
        Assert.Equal(0, result.ExitCode);
        var lines = result.StdoutLines;
        Assert.Equal("rtt sample-stddev/jitter/mean-abs-diff = -/-/- ms", lines[^3]);
        var pct = PercentileLine().Match(lines[^2]);
        Assert.True(pct.Success, lines[^2]);
        Assert.True(pct.Groups[1].Value == pct.Groups[2].Value && pct.Groups[2].Value == pct.Groups[3].Value && pct.Groups[3].Value == pct.Groups[4].Value,
            "one reply: p50, p90, p99 and ewma are that RTT: " + lines[^2]);
        Assert.Equal("outage 0ms, reply ttls 64x1", lines[^1]);
    }

    [Fact]
    public void Stats_without_replies_prints_only_outage_and_no_ttls()
    {
        var result = CliRunner.Run(["ping", "-c", "2", "-i", "0.2", "-W", "1", "--type", "mask", "--stats", "127.0.0.1"]);
        Assert.Equal(1, result.ExitCode);
        var lines = result.StdoutLines;
        Assert.Equal(
        [
            "PING 127.0.0.1 (127.0.0.1) 4(32) bytes of data.",
            "",
            "--- 127.0.0.1 ping statistics ---",
            lines[3],
            "",
            "outage 400ms, reply ttls none",
        ], lines);
        Assert.Matches(@"^2 packets transmitted, 0 received, 100% packet loss, time \d+ms$", lines[3]);
    }
}
