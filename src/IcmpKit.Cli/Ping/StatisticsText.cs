using System.Globalization;
using IcmpKit.Statistics;

namespace IcmpKit.Cli.Ping;

/// <summary>The extra lines of --stats (docs/ping.md names each figure).</summary>
internal static class StatisticsText
{
    public static IEnumerable<string> Lines(PingStatistics s, TimeSpan interval)
    {
        var c = CultureInfo.InvariantCulture;
        if (s.Received > 0)
        {
            yield return string.Create(c,
                $"rtt sample-stddev/jitter/mean-abs-diff = {Ms(s.SampleStandardDeviationMilliseconds)}/{Ms(s.JitterMilliseconds)}/{Ms(s.MeanAbsoluteSuccessiveDifferenceMilliseconds)} ms");
            yield return string.Create(c,
                $"rtt p50/p90/p99/ewma = {Ms(s.P50Milliseconds)}/{Ms(s.P90Milliseconds)}/{Ms(s.P99Milliseconds)}/{Ms(s.EwmaMilliseconds)} ms");
        }
        string ttls = s.ReplyTtlCounts.Count == 0 ? "none" : string.Join(" ", s.ReplyTtlCounts.Select(p => string.Create(c, $"{p.Key}x{p.Value}")));
        yield return string.Create(c, $"outage {(long)s.OutageTime(interval).TotalMilliseconds}ms, reply ttls {ttls}");
    }

    private static string Ms(double? value) => value is { } v ? v.ToString("F3", CultureInfo.InvariantCulture) : "-";
}
