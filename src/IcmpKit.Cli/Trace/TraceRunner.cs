using IcmpKit.Sockets;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

/// <summary>Runs the tracer and hands its events to the report; the exit code says whether the destination was reached.</summary>
internal static class TraceRunner
{
    public static async Task<int> RunAsync(TraceArguments arguments, TextWriter stdout, TextWriter stderr, CancellationToken token)
    {
        var names = arguments.Numeric ? null : new ReverseNames(ReverseNames.DefaultBudget);
        ITraceReport report = arguments.Output switch
        {
            TraceOutputMode.Json => new TraceJsonReport(stdout, arguments, names, streaming: false),
            TraceOutputMode.Ndjson => new TraceJsonReport(stdout, arguments, names, streaming: true),
            _ => new TraceTextReport(stdout, arguments, names),
        };
        TraceCompleted? completed = null;
        TraceSendFailed? failed = null;
        try
        {
            await foreach (var item in new Tracer().TraceAsync(arguments.Address, arguments.Options, token).ConfigureAwait(false))
            {
                switch (item)
                {
                    case TraceStarted started:
                        // The sockets are open (the run starts after them): no capability is needed from here on.
                        Ping.ProcessPrivileges.DropAfterSocketsOpen(stderr, "trace");
                        report.Start(started);
                        break;
                    case TraceHopPaced or TraceHopRechecked:
                        report.Probe(item);
                        break;
                    case TraceProbeAnswered or TraceProbeTimedOut or TraceProbeTooBig:
                        report.Probe(item);
                        break;
                    case TraceMultipathHop multipathHop when report is IMultipathReport multipath:
                        await multipath.MultipathHopAsync(multipathHop).ConfigureAwait(false);
                        break;
                    case TraceHop hop:
                        await report.HopAsync(hop).ConfigureAwait(false);
                        break;
                    case TraceSendFailed sendFailed:
                        failed = sendFailed;
                        break;
                    case TraceCompleted done:
                        completed = done;
                        break;
                }
            }
        }
        catch (IcmpSocketException e)
        {
            stderr.WriteLine($"icmpkit: trace: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: what was printed stays; the trace did not get there.
        }
        report.End(completed);
        if (failed is not null)
        {
            stderr.WriteLine($"icmpkit: trace: cannot send a probe to {arguments.Address} (TTL {failed.Ttl}): {failed.Message}; check the route (ip route get {arguments.Address})");
            return ExitCodes.Usage;
        }
        return completed?.Reason == TraceEndReason.Reached ? ExitCodes.Success : ExitCodes.NoReply;
    }
}
