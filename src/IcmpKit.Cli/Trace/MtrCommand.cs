using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

/// <summary>
/// `icmpkit mtr`: `icmpkit trace --continuous` under mtr's flags (mtr 0.95: -r -w -c -i -n -b -4 -6 -u -f -m -s -Q -a -I
/// -e -o -j -Z), its report layout, and IcmpKit's pacing of rate-limited hops (docs/trace.md).
/// </summary>
internal static class MtrCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var o = new MtrCommandOptions();
        var command = new Command("mtr", "Trace the route continuously with per-hop loss, RTT and jitter statistics, as mtr (also `icmpkit trace --continuous`).");
        command.Arguments.Add(o.Host);
        foreach (var option in o.All)
        {
            command.Options.Add(option);
        }
        command.SetAction(async (result, token) =>
        {
            var (arguments, problem) = await ReadAsync(result, o, stdout, token).ConfigureAwait(false);
            if (arguments is null)
            {
                stderr.WriteLine($"icmpkit: mtr: {problem}");
                return ExitCodes.Usage;
            }
            return await ContinuousRunner.RunAsync(arguments, stdout, stderr, token).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Reads and checks every option; on a bad value returns null and one line naming it and what to give.</summary>
    internal static async Task<(ContinuousArguments? Arguments, string? Problem)> ReadAsync(ParseResult result, MtrCommandOptions o, TextWriter stdout,
        CancellationToken token)
    {
        string host = result.GetValue(o.Host) ?? "";
        if (host.StartsWith('-'))
        {
            return Fail($"unknown option '{host}'; see 'icmpkit mtr --help'");
        }
        if (result.GetValue(o.V4) && result.GetValue(o.V6))
        {
            return Fail("-4 and -6 exclude each other; give one");
        }
        bool report = result.GetValue(o.Report) || result.GetValue(o.Wide);
        int outputs = (report ? 1 : 0) + (result.GetValue(o.Json) ? 1 : 0) + (result.GetValue(o.Ndjson) ? 1 : 0);
        if (outputs > 1)
        {
            return Fail("--report, --json and --ndjson exclude each other; give one");
        }
        var defaults = new TraceOptions();
        int? rounds = null;
        if (result.GetValue(o.Count) is { } countText)
        {
            if (!ContinuousArguments.TryRounds(countText, "-c", out int count, out string? countProblem))
            {
                return Fail(countProblem!);
            }
            rounds = count;
        }
        var interval = ContinuousTraceOptions.DefaultInterval;
        if (result.GetValue(o.Interval) is { } intervalText && !ContinuousArguments.TryInterval(intervalText, "-i", out interval, out string? intervalProblem))
        {
            return Fail(intervalProblem!);
        }
        if (!Whole(result.GetValue(o.FirstTtl), "-f", defaults.FirstTtl, out int first, out string? problem)
            || !Whole(result.GetValue(o.MaxTtl), "-m", defaults.MaxTtl, out int max, out problem))
        {
            return Fail(problem!);
        }
        if (max is < 1 or > 255)
        {
            return Fail($"bad -m value {max}; give the maximum TTL, 1 to 255");
        }
        if (first < 1 || first > max)
        {
            return Fail($"bad -f value {first}; give the first TTL, 1 to the maximum ({max})");
        }
        int? packetLength = null;
        if (result.GetValue(o.PacketSize) is { } sizeText)
        {
            if (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size > TraceOptions.MaxPacketLength)
            {
                return Fail($"bad -s value '{sizeText}'; give the packet size in bytes, 0 to {TraceOptions.MaxPacketLength} (IcmpKit takes no random sizes)");
            }
            packetLength = size;
        }
        int? tos = null;
        if (result.GetValue(o.Tos) is { } tosText)
        {
            if (!int.TryParse(tosText, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value > 255)
            {
                return Fail($"bad -Q value '{tosText}'; give the TOS / traffic class, 0 to 255");
            }
            tos = value;
        }
        var wait = defaults.Wait;
        if (result.GetValue(o.Timeout) is { } timeoutText)
        {
            if (!double.TryParse(timeoutText, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
                || !double.IsFinite(seconds) || seconds < 0.001 || seconds > 3600)
            {
                return Fail($"bad -Z value '{timeoutText}'; give the seconds to wait for each probe, 0.001 to 3600");
            }
            wait = new TraceWait(TimeSpan.FromSeconds(seconds), 0, 0);
        }
        string fields = result.GetValue(o.Order) ?? ContinuousArguments.DefaultFields;
        if (!ContinuousArguments.TryFields(fields, "-o", out string? fieldsProblem))
        {
            return Fail(fieldsProblem!);
        }
        string? interfaceName = result.GetValue(o.Interface);
        string? socketProblem = FlagValues.SocketKind(result.GetValue(o.SocketKind), out var kind);
        string? sourceProblem = FlagValues.SourceAddress(result.GetValue(o.Source), "-a", out var source);
        if ((socketProblem ?? FlagValues.InterfaceName(interfaceName, "-I") ?? sourceProblem) is { } flagProblem)
        {
            return Fail(flagProblem); // in this order: --socket, the interface, the source
        }
        var family = result.GetValue(o.V4) ? AddressFamily.InterNetwork : result.GetValue(o.V6) ? AddressFamily.InterNetworkV6 : source?.AddressFamily ?? AddressFamily.Unspecified;
        if (IPAddress.TryParse(host, out var literal) && family != AddressFamily.Unspecified && literal.AddressFamily != family)
        {
            return Fail($"{host} is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address; give one of the family of {(source is null ? (family == AddressFamily.InterNetwork ? "-4" : "-6") : $"the source {source}")}");
        }
        var address = await HostNames.ResolveAsync(host, family, token).ConfigureAwait(false);
        if (address is null)
        {
            return Fail($"unknown host {host}; check the name, or give an IPv4/IPv6 address");
        }
        var (mode, roundsToRun) = ContinuousRunner.Mode(report, result.GetValue(o.Json), result.GetValue(o.Ndjson), rounds, stdout);
        return (new ContinuousArguments
        {
            Verb = "mtr",
            Host = host,
            Address = address,
            Options = new ContinuousTraceOptions
            {
                Probes = defaults with
                {
                    Probe = result.GetValue(o.Udp) ? TraceProbeKind.Udp : TraceProbeKind.Icmp,
                    FirstTtl = first,
                    MaxTtl = max,
                    Wait = wait,
                    PacketLength = packetLength,
                    TrafficClass = tos,
                    SourceAddress = source,
                    Interface = interfaceName,
                    Socket = kind,
                },
                Interval = interval,
                Rounds = roundsToRun,
                Pacing = !result.GetValue(o.NoPacing),
            },
            Numeric = result.GetValue(o.Numeric),
            ShowAddressWithName = result.GetValue(o.ShowAddresses),
            ShowExtensions = result.GetValue(o.Extensions),
            Output = mode,
            Fields = fields,
            Wide = result.GetValue(o.Wide),
        }, null);
    }

    private static bool Whole(string? text, string flag, int fallback, out int value, out string? problem)
    {
        problem = null;
        value = fallback;
        if (text is null || int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }
        problem = $"bad {flag} value '{text}'; give a whole number";
        return false;
    }

    private static (ContinuousArguments?, string?) Fail(string problem) => (null, problem);
}

/// <summary>The options of `icmpkit mtr`, named as in mtr 0.95.</summary>
internal sealed class MtrCommandOptions
{
    public Argument<string> Host { get; } = new("host") { Description = "Host name or IPv4/IPv6 address to trace." };

    public Option<bool> Report { get; } = new("--report", "-r") { Description = "Print the table once, after the rounds (10 unless -c), as mtr --report." };
    public Option<bool> Wide { get; } = new("--report-wide", "-w") { Description = "--report with host names never cut." };
    public Option<string?> Count { get; } = new("--report-cycles", "-c") { HelpName = "count", Description = "Rounds to run (default: until Ctrl+C; 10 with --report or --json)." };
    public Option<string?> Interval { get; } = new("--interval", "-i") { HelpName = "seconds", Description = "Seconds between rounds (default 1)." };
    public Option<bool> Numeric { get; } = new("--no-dns", "-n") { Description = "Print addresses only: no reverse name lookups." };
    public Option<bool> ShowAddresses { get; } = new("--show-ips", "-b") { Description = "Print a name and its address." };
    public Option<bool> V4 { get; } = new("-4") { Description = "IPv4 only." };
    public Option<bool> V6 { get; } = new("-6") { Description = "IPv6 only." };
    public Option<bool> Udp { get; } = new("--udp", "-u") { Description = "UDP probes instead of ICMP echo." };
    public Option<string?> FirstTtl { get; } = new("--first-ttl", "-f") { HelpName = "ttl", Description = "TTL to start from (default 1)." };
    public Option<string?> MaxTtl { get; } = new("--max-ttl", "-m") { HelpName = "ttl", Description = "Maximum TTL, up to 255 (default 30)." };
    public Option<string?> PacketSize { get; } = new("--psize", "-s") { HelpName = "bytes", Description = "The whole probe in bytes, IP header included (default 60 for IPv4, 80 for IPv6)." };
    public Option<string?> Tos { get; } = new("--tos", "-Q") { HelpName = "tos", Description = "TOS / traffic class, 0 to 255." };
    public Option<string?> Source { get; } = new("--address", "-a") { HelpName = "address", Description = "Source address of the probes." };
    public Option<string?> Interface { get; } = new("--interface", "-I") { HelpName = "name", Description = "Interface (or VRF) to send through." };
    public Option<bool> Extensions { get; } = new("--mpls", "-e") { Description = "Show the MPLS labels (and other ICMP extensions) of each hop's answers." };
    public Option<string?> Order { get; } = new("--order", "-o") { HelpName = "fields", Description = "Columns as mtr's letters: L loss, D drop, R rcv, S snt, N last, B best, A avg, W worst, V stdev, G gmean, J jitter, M jitter avg, X jitter max, I interarrival jitter, space (default \"LS NABWV\")." };
    public Option<string?> Timeout { get; } = new("--timeout", "-Z") { HelpName = "seconds", Description = "Seconds to wait for each probe (default 5)." };
    public Option<bool> Json { get; } = new("--json", "-j") { Description = "One JSON document at the end (docs/trace.md)." };
    public Option<bool> Ndjson { get; } = new("--ndjson") { Description = "One JSON object per probe, per pacing change and per round, as they happen." };
    public Option<bool> NoPacing { get; } = new("--no-pacing") { Description = "Probe every hop every round even when it answers only within an ICMP rate limit (as mtr)." };
    public Option<string?> SocketKind { get; } = new("--socket") { HelpName = "dgram|raw", Description = "Force the socket kind: dgram (unprivileged) or raw." };

    public IEnumerable<Option> All =>
    [
        Report, Wide, Count, Interval, Numeric, ShowAddresses, V4, V6, Udp, FirstTtl, MaxTtl, PacketSize, Tos, Source, Interface,
        Extensions, Order, Timeout, Json, Ndjson, NoPacing, SocketKind,
    ];
}
