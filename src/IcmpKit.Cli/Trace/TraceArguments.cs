using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

internal enum TraceOutputMode
{
    Text,
    Json,
    Ndjson,
}

/// <summary>The checked arguments of one `icmpkit trace` run.</summary>
internal sealed record TraceArguments
{
    public required string Host { get; init; }
    public required IPAddress Address { get; init; }
    public required TraceOptions Options { get; init; }
    public bool Numeric { get; init; }
    public bool ShowExtensions { get; init; }
    public TraceOutputMode Output { get; init; }

    /// <summary>
    /// Reads and checks every option; on a bad value returns null and one line that names the value and what to do
    /// (traceroute's words where it has them).
    /// </summary>
    public static async Task<(TraceArguments? Arguments, string? Problem)> ReadAsync(ParseResult result, TraceCommandOptions o, CancellationToken token)
    {
        string host = result.GetValue(o.Host) ?? "";
        if (host.StartsWith('-'))
        {
            return Fail($"unknown option '{host}'; see 'icmpkit trace --help'"); // no host name starts with '-'
        }
        if (result.GetValue(o.V4) && result.GetValue(o.V6))
        {
            return Fail("-4 and -6 exclude each other; give one");
        }
        if ((result.GetValue(o.Icmp) ? 1 : 0) + (result.GetValue(o.Udp) ? 1 : 0) + (result.GetValue(o.Tcp) ? 1 : 0) > 1)
        {
            return Fail(result.GetValue(o.Tcp) ? "-I, -U and -T exclude each other; give one" : "-I and -U exclude each other; give one");
        }
        if (FlowArguments.Check(result, o) is { } flowProblem)
        {
            return Fail(flowProblem);
        }
        if (result.GetValue(o.Json) && result.GetValue(o.Ndjson))
        {
            return Fail("--json and --ndjson exclude each other; give one");
        }
        var defaults = new TraceOptions();
        if (!Whole(result.GetValue(o.FirstTtl), "-f", defaults.FirstTtl, out int first, out string? problem)
            || !Whole(result.GetValue(o.MaxTtl), "-m", defaults.MaxTtl, out int max, out problem)
            || !Whole(result.GetValue(o.Queries), "-q", defaults.ProbesPerHop, out int queries, out problem)
            || !Whole(result.GetValue(o.Simultaneous), "-N", TraceOptions.DefaultSimultaneousProbes, out int simultaneous, out problem))
        {
            return Fail(problem!);
        }
        // traceroute's checks, in its order and words.
        if (max > 255)
        {
            return Fail($"max hops cannot be more than 255: -m {max}");
        }
        if (first < 1 || first > max)
        {
            return Fail($"first hop out of range: -f {first}; give 1 to the max hops ({max})");
        }
        if (queries is < 1 or > 10)
        {
            return Fail($"no more than 10 probes per hop: -q {queries}; give 1 to 10");
        }
        if (simultaneous < 1)
        {
            return Fail($"bad number of simultaneous probes: -N {simultaneous}; give 1 or more");
        }
        var wait = defaults.Wait;
        if (result.GetValue(o.Wait) is { } waitText)
        {
            wait = ParseWait(waitText);
            if (wait is null)
            {
                return Fail($"bad wait specifications '{waitText}' used; give MAX[,HERE[,NEAR]] in seconds and factors, each 0 or more (traceroute's 5.0,3,10)");
            }
        }
        int? packetLength = null;
        if (result.GetValue(o.PacketLength) is { } lengthText)
        {
            if (!int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out int length))
            {
                return Fail($"bad packetlen '{lengthText}'; give the packet size in bytes, 0 to {TraceOptions.MaxPacketLength}");
            }
            if (length > TraceOptions.MaxPacketLength)
            {
                return Fail($"too big packetlen {length} specified; give at most {TraceOptions.MaxPacketLength}");
            }
            packetLength = length;
        }
        int? tos = null;
        if (result.GetValue(o.Tos) is { } tosText)
        {
            bool hex = tosText.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            if (!int.TryParse(hex ? tosText[2..] : tosText, hex ? NumberStyles.HexNumber : NumberStyles.None, CultureInfo.InvariantCulture, out int value)
                || value is < 0 or > 255)
            {
                return Fail($"bad TOS value '{tosText}' (-t); give 0 to 255, decimal or 0x hex");
            }
            tos = value;
        }
        string? interfaceName = result.GetValue(o.Interface);
        string? socketProblem = FlagValues.SocketKind(result.GetValue(o.SocketKind), out var kind);
        string? sourceProblem = FlagValues.SourceAddress(result.GetValue(o.Source), "-s", out var source);
        if ((socketProblem ?? FlagValues.InterfaceName(interfaceName, "-i") ?? sourceProblem) is { } flagProblem)
        {
            return Fail(flagProblem); // in this order: --socket, the interface, the source
        }

        var family = result.GetValue(o.V4) ? AddressFamily.InterNetwork : result.GetValue(o.V6) ? AddressFamily.InterNetworkV6 : AddressFamily.Unspecified;
        if (family == AddressFamily.Unspecified && source is not null)
        {
            family = source.AddressFamily; // a name with both kinds of address: the one the source can reach
        }
        if (IPAddress.TryParse(host, out var literal) && family != AddressFamily.Unspecified && literal.AddressFamily != family)
        {
            return source is not null && result.GetValue(o.V4) == result.GetValue(o.V6)
                ? Fail($"IP version mismatch in addresses specified: source {source}, destination {host}; give both of one family")
                : Fail($"{host} is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address; drop {(family == AddressFamily.InterNetwork ? "-4" : "-6")} or give another address");
        }
        var address = await HostNames.ResolveAsync(host, family, token).ConfigureAwait(false);
        if (address is null)
        {
            return Fail($"unknown host {host}; check the name, or give an IPv4/IPv6 address");
        }
        if (source is not null && source.AddressFamily != address.AddressFamily)
        {
            return Fail($"IP version mismatch in addresses specified: source {source}, destination {address}; give both of one family");
        }

        var options = new TraceOptions
        {
            Probe = result.GetValue(o.Tcp) ? TraceProbeKind.Tcp : result.GetValue(o.Udp) ? TraceProbeKind.Udp : TraceProbeKind.Icmp,
            FirstTtl = first,
            MaxTtl = max,
            ProbesPerHop = queries,
            SimultaneousProbes = result.GetValue(o.Simultaneous) is null ? null : simultaneous, // null: the default (90; 16 with --mtu)
            Wait = wait,
            PacketLength = packetLength,
            TrafficClass = tos,
            SourceAddress = source,
            Interface = interfaceName,
            Socket = kind,
        };
        options = FlowArguments.Apply(result, o, options);
        if (FlowArguments.CheckPorts(options) is { } portProblem)
        {
            return Fail(portProblem);
        }
        var mode = result.GetValue(o.Json) ? TraceOutputMode.Json : result.GetValue(o.Ndjson) ? TraceOutputMode.Ndjson : TraceOutputMode.Text;
        return (new TraceArguments
        {
            Host = host,
            Address = address,
            Options = options,
            Numeric = result.GetValue(o.Numeric),
            ShowExtensions = result.GetValue(o.Extensions),
            Output = mode,
        }, null);
    }

    /// <summary>A whole number option (traceroute reads them with strtoul: decimal here, no sign).</summary>
    private static bool Whole(string? text, string flag, int fallback, out int value, out string? problem)
    {
        problem = null;
        value = fallback;
        if (text is null)
        {
            return true;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }
        problem = $"bad {flag} value '{text}'; give a whole number";
        return false;
    }

    /// <summary>
    /// traceroute's set_wait_specs(): "MAX[,HERE[,NEAR]]", each a number; a part left out is 0 (so "-w 2" turns the
    /// adaptive rules off, as in traceroute). Null when a part is not a number or is negative.
    /// </summary>
    internal static TraceWait? ParseWait(string text)
    {
        string[] parts = text.Split(',');
        if (parts.Length > 3)
        {
            return null;
        }
        var numbers = new double[3];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i])
                || !double.IsFinite(numbers[i]) || numbers[i] < 0)
            {
                return null;
            }
        }
        if (numbers[0] > 2_000_000)
        {
            return null;
        }
        return new TraceWait(TimeSpan.FromSeconds(numbers[0]), numbers[1], numbers[2]);
    }

    private static (TraceArguments?, string?) Fail(string problem) => (null, problem);
}
