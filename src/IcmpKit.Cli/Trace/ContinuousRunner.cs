using IcmpKit.Sockets;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

/// <summary>
/// Runs a continuous trace and hands its events to the report. Ctrl+C ends it with the statistics so far (the report
/// still prints). Exit code 0 when the destination answered at least once, 1 when not, 2 for a socket or send failure.
/// </summary>
internal static class ContinuousRunner
{
    public static async Task<int> RunAsync(ContinuousArguments arguments, TextWriter stdout, TextWriter stderr, CancellationToken token)
    {
        var names = arguments.Numeric ? null : new ReverseNames(ReverseNames.DefaultBudget);
        IContinuousReport report = arguments.Output switch
        {
            ContinuousOutputMode.Json => new ContinuousJsonReport(stdout, arguments, names, streaming: false),
            ContinuousOutputMode.Ndjson => new ContinuousJsonReport(stdout, arguments, names, streaming: true),
            ContinuousOutputMode.Live => new MtrTextReport(stdout, arguments, names, live: true),
            _ => new MtrTextReport(stdout, arguments, names, live: false),
        };
        ContinuousTraceCompleted? completed = null;
        TraceSendFailed? failed = null;
        try
        {
            await foreach (var item in new ContinuousTracer().TraceAsync(arguments.Address, arguments.Options, token).ConfigureAwait(false))
            {
                switch (item)
                {
                    case TraceStarted started:
                        Ping.ProcessPrivileges.DropAfterSocketsOpen(stderr, arguments.Verb); // the sockets are open
                        report.Start(started);
                        break;
                    case TraceProbeAnswered or TraceProbeTimedOut:
                        report.Probe(item);
                        break;
                    case ContinuousHopPaced paced:
                        report.Paced(paced);
                        break;
                    case ContinuousTraceRound round:
                        await report.RoundAsync(round).ConfigureAwait(false);
                        break;
                    case TraceSendFailed sendFailed:
                        failed = sendFailed;
                        break;
                    case ContinuousTraceCompleted done:
                        completed = done;
                        break;
                }
            }
        }
        catch (IcmpSocketException e)
        {
            stderr.WriteLine($"icmpkit: {arguments.Verb}: {e.Message}");
            return ExitCodes.Usage;
        }
        await report.EndAsync(completed).ConfigureAwait(false);
        if (failed is not null)
        {
            stderr.WriteLine($"icmpkit: {arguments.Verb}: cannot send a probe to {arguments.Address} (TTL {failed.Ttl}): {failed.Message}; check the route (ip route get {arguments.Address})");
            return ExitCodes.Usage;
        }
        return completed?.Reached == true ? ExitCodes.Success : ExitCodes.NoReply;
    }

    /// <summary>
    /// Report unless asked for JSON or a live table, and live only when stdout is the terminal; --report and --json run
    /// mtr's 10 rounds when no count is given, --ndjson and the live table run until Ctrl+C.
    /// </summary>
    public static (ContinuousOutputMode Mode, int? Rounds) Mode(bool report, bool json, bool ndjson, int? rounds, TextWriter stdout)
    {
        var mode = json ? ContinuousOutputMode.Json
            : ndjson ? ContinuousOutputMode.Ndjson
            : !report && stdout == Console.Out && !Console.IsOutputRedirected ? ContinuousOutputMode.Live
            : ContinuousOutputMode.Report;
        return (mode, rounds ?? (mode is ContinuousOutputMode.Report or ContinuousOutputMode.Json ? ContinuousArguments.DefaultReportRounds : null));
    }
}
