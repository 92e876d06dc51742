using System.CommandLine;

namespace IcmpKit.Cli.Ping;

/// <summary>
/// `icmpkit ping`: iputils ping's flags and text, line for line where it can (DESIGN §5), plus --stats, --json,
/// --ndjson and --type. Parsing and checking live in <see cref="PingArguments"/>, the run in <see cref="PingRunner"/>.
/// </summary>
internal static class PingCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var o = new PingCommandOptions();
        var command = new Command("ping", "Send ICMP echo (or timestamp, mask, information) requests, as iputils ping.");
        foreach (var symbol in o.All)
        {
            switch (symbol)
            {
                case Option option:
                    command.Options.Add(option);
                    break;
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
            }
        }
        command.SetAction(async (result, token) =>
        {
            var (arguments, problem) = await PingArguments.ReadAsync(result, o, token).ConfigureAwait(false);
            if (arguments is null)
            {
                stderr.WriteLine($"icmpkit: ping: {problem}");
                return ExitCodes.Usage;
            }
            return await PingRunner.RunAsync(arguments, stdout, stderr, token).ConfigureAwait(false);
        });
        return command;
    }
}

/// <summary>The options of `icmpkit ping`, named as in iputils.</summary>
internal sealed class PingCommandOptions
{
    public Argument<string[]> Destination { get; } = new("destination")
    {
        Description = "Host name or IPv4/IPv6 address (with -T tsprespec: up to 4 hop addresses first).",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<int?> Count { get; } = new("-c") { Description = "Stop after sending this many requests (with -w: after this many replies)." };
    public Option<double?> Interval { get; } = new("-i") { Description = "Seconds between requests (default 1; below 0.002 only with privilege)." };
    public Option<double> Timeout { get; } = new("-W") { Description = "Seconds to wait for a reply.", DefaultValueFactory = _ => 10.0 };
    public Option<double?> Deadline { get; } = new("-w") { Description = "Stop after this many seconds." };
    public Option<int> Size { get; } = new("-s") { Description = "Data bytes per request (0 to 65507).", DefaultValueFactory = _ => 56 };
    public Option<int?> Ttl { get; } = new("-t") { Description = "IP time to live / hop limit (1 to 255)." };
    public Option<string?> Pattern { get; } = new("-p") { Description = "Up to 16 bytes in hex to fill the data with." };
    public Option<int?> Preload { get; } = new("-l") { Description = "Send this many requests at once (above 3 only with privilege)." };
    public Option<bool> Flood { get; } = new("-f") { Description = "Flood: as fast as replies come back, at least 100/s (privileged)." };
    public Option<bool> Adaptive { get; } = new("-A") { Description = "Adaptive interval: follow the round-trip time." };
    public Option<bool> Quiet { get; } = new("-q") { Description = "Print only the summary." };
    public Option<bool> PrintTimestamps { get; } = new("-D") { Description = "Print the receive time (seconds since 1970) before each line." };
    public Option<bool> ReportOutstanding { get; } = new("-O") { Description = "Report a request still unanswered when the next is sent." };
    public Option<bool> RecordRoute { get; } = new("-R") { Description = "Record Route IPv4 option: show the route of each reply." };
    public Option<string?> TimestampOption { get; } = new("-T") { Description = "IPv4 timestamp option: tsonly, tsandaddr or tsprespec." };
    public Option<string?> PmtuDiscovery { get; } = new("-M") { Description = "Path MTU discovery: do (DF, fail above the MTU), want, dont or probe." };
    public Option<string?> Tos { get; } = new("-Q") { Description = "TOS / traffic class, decimal or 0x hex (0 to 255)." };
    public Option<string?> Interface { get; } = new("-I") { Description = "Source address or interface (or VRF) name." };
    public Option<uint?> Mark { get; } = new("-m") { Description = "Firewall mark (SO_MARK) on the requests." };
    public Option<bool> V4 { get; } = new("-4") { Description = "IPv4 only." };
    public Option<bool> V6 { get; } = new("-6") { Description = "IPv6 only." };
    public Option<bool> Numeric { get; } = new("-n") { Description = "Numeric output: no reverse name lookups." };
    public Option<bool> Verbose { get; } = new("-v") { Description = "Say which socket kind is used and why, and more." };
    public Option<string?> SocketKind { get; } = new("--socket") { Description = "Force the socket kind: dgram (unprivileged) or raw." };
    public Option<string?> Type { get; } = new("--type") { Description = "Request type: echo (default), timestamp (RFC 792), mask (RFC 950) or info." };
    public Option<bool> Stats { get; } = new("--stats") { Description = "Add sample standard deviation, jitter, percentiles, EWMA, outage and reply TTLs." };
    public Option<bool> Json { get; } = new("--json") { Description = "One JSON document at the end (docs/ping-json.md)." };
    public Option<bool> Ndjson { get; } = new("--ndjson") { Description = "One JSON object per event, as it happens (docs/ping-json.md)." };

    public IEnumerable<Symbol> All =>
    [
        Destination, Count, Interval, Timeout, Deadline, Size, Ttl, Pattern, Preload, Flood, Adaptive, Quiet, PrintTimestamps,
        ReportOutstanding, RecordRoute, TimestampOption, PmtuDiscovery, Tos, Interface, Mark, V4, V6, Numeric, Verbose,
        SocketKind, Type, Stats, Json, Ndjson,
    ];
}
