using System.CommandLine;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

/// <summary>
/// `icmpkit trace --continuous`: mtr's continuous mode under traceroute's flags (which keep their meaning: -i is still
/// the interface, so the interval is --interval). The same run as `icmpkit mtr` (docs/trace.md).
/// </summary>
internal sealed class ContinuousTraceFlags
{
    public Option<bool> Continuous { get; } = new("--continuous") { Description = "Keep probing every hop, one round per interval, with per-hop statistics (as mtr; also `icmpkit mtr`)." };
    public Option<bool> Report { get; } = new("--report") { Description = "With --continuous: print mtr's report table once, after the rounds (10 unless -c)." };
    public Option<string?> Count { get; } = new("-c") { HelpName = "count", Description = "With --continuous: stop after this many rounds." };
    public Option<string?> Interval { get; } = new("--interval") { HelpName = "seconds", Description = "With --continuous: seconds between rounds (default 1)." };
    public Option<bool> NoPacing { get; } = new("--no-pacing") { Description = "Do not pace hops out of ICMP tokens: send a silent probe at most twice (as phase 1), and with --continuous probe every hop every round (as mtr)." };
    public Option<string?> Order { get; } = new("--order") { HelpName = "fields", Description = "With --continuous: the table's columns as mtr -o letters (default \"LS NABWV\"; jitter: JMXI)." };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in (Option[])[Continuous, Report, Count, Interval, NoPacing, Order])
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Null when --continuous is not given and none of its flags are; else the line to print when they are misused.</summary>
    public string? Misuse(ParseResult result, TraceCommandOptions trace)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(trace);
        if (!result.GetValue(Continuous))
        {
            string? stray = result.GetValue(Report) ? "--report"
                : result.GetValue(Count) is not null ? "-c"
                : result.GetValue(Interval) is not null ? "--interval"
                : result.GetValue(Order) is not null ? "--order"
                : null;
            return stray is null ? null : $"{stray} goes with --continuous; add it (or use icmpkit mtr)";
        }
        // One probe per hop per round: traceroute's probes per hop and window do not apply, nor do the one-shot modes
        // (which would otherwise be dropped without a word).
        return result.GetValue(trace.Queries) is not null ? "-q does not apply to --continuous (one probe per hop per round); leave it out"
            : result.GetValue(trace.Simultaneous) is not null ? "-N does not apply to --continuous (one probe per hop per round); leave it out"
            : result.GetValue(trace.Mtu) ? "--mtu does not go with --continuous (path MTU discovery is a one-shot trace); run them apart"
            : result.GetValue(trace.Multipath) ? "--multipath does not go with --continuous (multipath enumeration is a one-shot trace); run them apart"
            : null;
    }

    public bool IsContinuous(ParseResult result) => result?.GetValue(Continuous) == true;

    /// <summary>A one-shot trace paces hops out of ICMP tokens (the library's default) unless --no-pacing.</summary>
    public TraceArguments WithPacing(ParseResult result, TraceArguments trace)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(trace);
        return trace with { Options = trace.Options with { PaceRateLimitedHops = !result.GetValue(NoPacing) } };
    }

    /// <summary>The continuous run's arguments from traceroute's checked ones and these flags; a line on a bad value.</summary>
    public (ContinuousArguments? Arguments, string? Problem) Read(ParseResult result, TraceArguments trace, TraceCommandOptions o, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(o);
        int? rounds = null;
        if (result.GetValue(Count) is { } countText)
        {
            if (!ContinuousArguments.TryRounds(countText, "-c", out int count, out string? problem))
            {
                return (null, problem);
            }
            rounds = count;
        }
        var interval = ContinuousTraceOptions.DefaultInterval;
        if (result.GetValue(Interval) is { } intervalText && !ContinuousArguments.TryInterval(intervalText, "--interval", out interval, out string? intervalProblem))
        {
            return (null, intervalProblem);
        }
        string fields = result.GetValue(Order) ?? ContinuousArguments.DefaultFields;
        if (!ContinuousArguments.TryFields(fields, "--order", out string? fieldsProblem))
        {
            return (null, fieldsProblem);
        }
        var (mode, roundsToRun) = ContinuousRunner.Mode(result.GetValue(Report), trace.Output == TraceOutputMode.Json,
            trace.Output == TraceOutputMode.Ndjson, rounds, stdout);
        return (new ContinuousArguments
        {
            Verb = "trace",
            Host = trace.Host,
            Address = trace.Address,
            Options = new ContinuousTraceOptions
            {
                Probes = trace.Options,
                Interval = interval,
                Rounds = roundsToRun,
                Pacing = !result.GetValue(NoPacing),
            },
            Numeric = trace.Numeric,
            ShowExtensions = trace.ShowExtensions,
            Output = mode,
            Fields = fields,
        }, null);
    }
}
