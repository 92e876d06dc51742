using IcmpKit.Ping;
using IcmpKit.Statistics;

namespace IcmpKit.Cli.Ping;

/// <summary>What the run knows when it starts, for the header line or the JSON start object.</summary>
internal sealed record PingStart(PingArguments Arguments, Pinger Pinger, string? SourceText);

/// <summary>How the run ends, for the summary.</summary>
internal sealed record PingEnd(PingStatistics Statistics, TimeSpan Elapsed, int Pipe, long Corrupted, int ExitCode);

/// <summary>One way of showing a ping run: iputils text, one JSON document, or a JSON line per event.</summary>
internal interface IPingReport
{
    void Start(PingStart start);

    void Event(PingEvent item);

    void End(PingEnd end);
}
