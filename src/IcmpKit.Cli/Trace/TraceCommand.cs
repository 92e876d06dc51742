using System.CommandLine;

namespace IcmpKit.Cli.Trace;

/// <summary>
/// `icmpkit trace`: Linux traceroute's flags and text, line for line (DESIGN §5), plus --socket, --json and --ndjson.
/// Parsing and checking live in <see cref="TraceArguments"/>, the run in <see cref="TraceRunner"/> (docs/trace.md).
/// </summary>
internal static class TraceCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var o = new TraceCommandOptions();
        var command = new Command("trace", "Trace the route to a host, as Linux traceroute (ICMP echo or UDP probes, privileged or not).");
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
        var continuous = new ContinuousTraceFlags();
        continuous.AddTo(command);
        command.SetAction(async (result, token) =>
        {
            if (continuous.Misuse(result, o) is { } misuse)
            {
                stderr.WriteLine($"icmpkit: trace: {misuse}");
                return ExitCodes.Usage;
            }
            var (arguments, problem) = await TraceArguments.ReadAsync(result, o, token).ConfigureAwait(false);
            if (arguments is null)
            {
                stderr.WriteLine($"icmpkit: trace: {problem}");
                return ExitCodes.Usage;
            }
            if (continuous.IsContinuous(result))
            {
                var (continuousArguments, continuousProblem) = continuous.Read(result, arguments, o, stdout);
                if (continuousArguments is null)
                {
                    stderr.WriteLine($"icmpkit: trace: {continuousProblem}");
                    return ExitCodes.Usage;
                }
                return await ContinuousRunner.RunAsync(continuousArguments, stdout, stderr, token).ConfigureAwait(false);
            }
            return await TraceRunner.RunAsync(continuous.WithPacing(result, arguments), stdout, stderr, token).ConfigureAwait(false);
        });
        return command;
    }
}

/// <summary>The options of `icmpkit trace`, named as in Linux traceroute.</summary>
internal sealed class TraceCommandOptions
{
    public Argument<string> Host { get; } = new("host") { Description = "Host name or IPv4/IPv6 address to trace the route to." };

    public Argument<string?> PacketLength { get; } = new("packetlen")
    {
        Description = "The whole probe packet in bytes, IP header included (default 60 for IPv4, 80 for IPv6).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Option<bool> Icmp { get; } = new("-I") { Description = "ICMP echo probes (the default)." };
    public Option<bool> Udp { get; } = new("-U") { Description = "UDP probes to ports from 33434, one port per probe (traceroute's default method)." };
    public Option<bool> Tcp { get; } = new("-T") { Description = "TCP SYN probes to one port (-p, default 80); needs root or cap_net_raw." };
    public Option<string?> Port { get; } = new("-p") { HelpName = "port", Description = "TCP: the port probed (default 80). UDP: the first port (default 33434)." };
    public Option<bool> Paris { get; } = new("--paris") { Description = "Paris traceroute: every probe on one flow, so load balancers send them all one way." };
    public Option<bool> Mtu { get; } = new("--mtu") { Description = "Discover the path MTU along the path (DF probes from the interface MTU down); shown per hop as 'pmtu N'." };
    public Option<bool> Multipath { get; } = new("--multipath") { Description = "Enumerate the paths through load-balanced hops (MDA, 95% confidence per hop); shows each hop's interfaces." };
    public Option<bool> V4 { get; } = new("-4") { Description = "IPv4 only." };
    public Option<bool> V6 { get; } = new("-6") { Description = "IPv6 only." };
    public Option<string?> FirstTtl { get; } = new("-f") { HelpName = "first_ttl", Description = "TTL to start from (default 1)." };
    public Option<string?> MaxTtl { get; } = new("-m") { HelpName = "max_ttl", Description = "Maximum number of hops, up to 255 (default 30)." };
    public Option<string?> Queries { get; } = new("-q") { HelpName = "nqueries", Description = "Probes per hop, 1 to 10 (default 3)." };
    public Option<string?> Simultaneous { get; } = new("-N") { HelpName = "squeries", Description = "Probes in flight at once (default 90, with --mtu 16; traceroute's is 16)." };
    public Option<string?> Wait { get; } = new("-w") { HelpName = "MAX,HERE,NEAR", Description = "Wait at most MAX seconds for a probe, HERE times the RTT of an answer from its hop, NEAR times one from a later probe (default 5.0,3,10)." };
    public Option<bool> Numeric { get; } = new("-n") { Description = "Print addresses only: no reverse name lookups." };
    public Option<string?> Source { get; } = new("-s") { HelpName = "src_addr", Description = "Source address of the probes." };
    public Option<string?> Interface { get; } = new("-i") { HelpName = "device", Description = "Interface (or VRF) to send through." };
    public Option<string?> Tos { get; } = new("-t") { HelpName = "tos", Description = "TOS / traffic class, 0 to 255 (decimal or 0x hex)." };
    public Option<bool> Extensions { get; } = new("-e") { Description = "Show ICMP extensions (RFC 4884: MPLS labels and other objects)." };
    public Option<string?> SocketKind { get; } = new("--socket") { HelpName = "dgram|raw", Description = "Force the socket kind: dgram (unprivileged) or raw." };
    public Option<bool> Json { get; } = new("--json") { Description = "One JSON document at the end (docs/trace.md)." };
    public Option<bool> Ndjson { get; } = new("--ndjson") { Description = "One JSON object per probe and per hop, as they happen (docs/trace.md)." };

    public IEnumerable<Symbol> All =>
    [
        Host, PacketLength, Icmp, Udp, Tcp, Port, Paris, Mtu, Multipath, V4, V6, FirstTtl, MaxTtl, Queries, Simultaneous, Wait, Numeric, Source, Interface, Tos,
        Extensions, SocketKind, Json, Ndjson,
    ];
}
