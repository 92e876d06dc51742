using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using IcmpKit.Ping;
using IcmpKit.Sockets;

namespace IcmpKit.Cli.Ping;

internal enum PingOutputMode
{
    Text,
    Json,
    Ndjson,
}

/// <summary>The checked arguments of one `icmpkit ping` run.</summary>
internal sealed record PingArguments
{
    public required string Host { get; init; }
    public required IPAddress Address { get; init; }
    public required PingOptions Options { get; init; }
    public bool Quiet { get; init; }
    public bool Verbose { get; init; }
    public bool PrintTimestamps { get; init; }
    public bool ReportOutstanding { get; init; }
    public bool Numeric { get; init; }
    public bool Stats { get; init; }
    public PingOutputMode Output { get; init; }
    public string? PatternHex { get; init; }

    /// <summary>
    /// Reads and checks every option; on a bad value returns null and one line that names the value and what to do
    /// (iputils' wording where it has one).
    /// </summary>
    public static async Task<(PingArguments? Arguments, string? Problem)> ReadAsync(ParseResult result, PingCommandOptions o, CancellationToken token)
    {
        string[] destinations = result.GetValue(o.Destination) ?? [];
        if (destinations.FirstOrDefault(d => d.StartsWith('-')) is { } unknown)
        {
            return Fail($"unknown option '{unknown}'; see 'icmpkit ping --help'"); // no host name starts with '-'
        }
        string host = destinations[^1];
        bool privileged = Environment.IsPrivilegedProcess;
        if (result.GetValue(o.V4) && result.GetValue(o.V6))
        {
            return Fail("-4 and -6 exclude each other; give one");
        }
        if (result.GetValue(o.Json) && result.GetValue(o.Ndjson))
        {
            return Fail("--json and --ndjson exclude each other; give one");
        }
        int? count = result.GetValue(o.Count);
        if (count is < 1)
        {
            return Fail($"bad number of packets to transmit: -c {count}; give 1 or more");
        }
        bool flood = result.GetValue(o.Flood);
        double? intervalSeconds = result.GetValue(o.Interval);
        if (intervalSeconds is { } i && (!double.IsFinite(i) || i < 0 || i > 2_000_000))
        {
            return Fail($"bad timing interval: -i {i.ToString(CultureInfo.InvariantCulture)}; give seconds, 0 or more");
        }
        if (flood && intervalSeconds is not null && intervalSeconds != 0)
        {
            // iputils allows -f with -i; the interval then paces the flood. Kept as iputils does.
        }
        double interval = intervalSeconds ?? (flood ? 0 : 1);
        // iputils: below 2 ms (and so a flood) only with privilege.
        if ((interval < 0.002 || flood) && !privileged)
        {
            return Fail(flood ? "cannot flood; minimal interval allowed for user is 2ms; run as root"
                : "cannot flood; minimal interval allowed for user is 2ms (-i 0.002)");
        }
        double timeout = result.GetValue(o.Timeout);
        if (!double.IsFinite(timeout) || timeout <= 0 || timeout > 2_000_000)
        {
            return Fail($"bad linger time: -W {timeout.ToString(CultureInfo.InvariantCulture)}; give seconds above 0");
        }
        double? deadline = result.GetValue(o.Deadline);
        if (deadline is { } w && (!double.IsFinite(w) || w <= 0 || w > 2_000_000))
        {
            return Fail($"bad wait time: -w {w.ToString(CultureInfo.InvariantCulture)}; give seconds above 0");
        }
        int size = result.GetValue(o.Size);
        if (size is < 0 or > 65527)
        {
            return Fail($"invalid -s value: '{size}': out of range: 0 <= value <= {(result.GetValue(o.V6) ? 65527 : 65507)}");
        }
        int? ttl = result.GetValue(o.Ttl);
        if (ttl is < 1 or > 255)
        {
            return Fail($"invalid -t value: '{ttl}': out of range: 1 <= value <= 255");
        }
        int preload = result.GetValue(o.Preload) ?? 1;
        if (preload is < 1 or > 65536)
        {
            return Fail($"bad preload value: {preload}, should be 1..65536 (-l)");
        }
        if (preload > 3 && !privileged)
        {
            return Fail($"cannot set preload to value greater than 3: {preload}; run as root");
        }
        byte[] pattern = [];
        string? patternText = result.GetValue(o.Pattern);
        if (patternText is not null)
        {
            if (patternText.Length == 0 || !patternText.All(Uri.IsHexDigit))
            {
                return Fail($"patterns must be specified as hex digits: {patternText}");
            }
            // iputils fill(): two hex digits per byte from the left, a last odd digit as a byte of its own; 16 bytes at most.
            var bytes = new List<byte>();
            for (int at = 0; at < patternText.Length && bytes.Count < 16; at += 2)
            {
                bytes.Add(Convert.ToByte(patternText.Substring(at, Math.Min(2, patternText.Length - at)), 16));
            }
            pattern = [.. bytes];
        }
        int? tos = null;
        if (result.GetValue(o.Tos) is { } tosText)
        {
            bool hex = tosText.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            if (!int.TryParse(hex ? tosText[2..] : tosText, hex ? NumberStyles.HexNumber : NumberStyles.None, CultureInfo.InvariantCulture, out int value)
                || value is < 0 or > 255)
            {
                return Fail($"the decimal value of TOS bits must be in range 0-255: {tosText}");
            }
            tos = value;
        }
        PathMtuDiscovery? pmtu = null;
        if (result.GetValue(o.PmtuDiscovery) is { } pmtuText)
        {
            pmtu = pmtuText switch
            {
                "do" => PathMtuDiscovery.Do,
                "want" => PathMtuDiscovery.Want,
                "dont" => PathMtuDiscovery.Dont,
                "probe" => PathMtuDiscovery.Probe,
                _ => null,
            };
            if (pmtu is null)
            {
                return Fail($"invalid -M argument: {pmtuText}; give do, want, dont or probe");
            }
        }
        var requestType = PingRequestType.Echo;
        if (result.GetValue(o.Type) is { } typeText)
        {
            PingRequestType? parsed = typeText switch
            {
                "echo" => PingRequestType.Echo,
                "timestamp" => PingRequestType.Timestamp,
                "mask" => PingRequestType.AddressMask,
                "info" => PingRequestType.Information,
                _ => null,
            };
            if (parsed is null)
            {
                return Fail($"invalid --type: {typeText}; give echo, timestamp, mask or info");
            }
            requestType = parsed.Value;
        }
        if (FlagValues.SocketKind(result.GetValue(o.SocketKind), out var kind) is { } socketProblem)
        {
            return Fail(socketProblem);
        }
        IPAddress? source = null;
        string? interfaceName = null;
        if (result.GetValue(o.Interface) is { Length: > 0 } interfaceText)
        {
            if (IPAddress.TryParse(interfaceText, out var parsedSource))
            {
                source = parsedSource;
            }
            else
            {
                interfaceName = interfaceText;
            }
        }

        // The target: a literal or a name, in the family asked for.
        var family = result.GetValue(o.V4) ? AddressFamily.InterNetwork : result.GetValue(o.V6) ? AddressFamily.InterNetworkV6 : AddressFamily.Unspecified;
        if (requestType != PingRequestType.Echo && family == AddressFamily.Unspecified)
        {
            family = AddressFamily.InterNetwork; // timestamp, mask and information exist only in ICMPv4
        }
        if (IPAddress.TryParse(host, out var literal) && family != AddressFamily.Unspecified && literal.AddressFamily != family)
        {
            return Fail(requestType != PingRequestType.Echo && !result.GetValue(o.V6)
                ? $"--type {result.GetValue(o.Type)} exists only in ICMPv4; give an IPv4 address"
                : $"{host} is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address; drop {(family == AddressFamily.InterNetwork ? "-4" : "-6")} or give another address");
        }
        var address = await HostNames.ResolveAsync(host, family, token).ConfigureAwait(false);
        if (address is null)
        {
            return Fail($"unknown host {host}; check the name, or give an IPv4/IPv6 address");
        }
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        if (requestType != PingRequestType.Echo && v6)
        {
            return Fail($"--type {result.GetValue(o.Type)} exists only in ICMPv4; give an IPv4 address or -4");
        }
        if (source is not null && source.AddressFamily != address.AddressFamily)
        {
            return Fail($"source address {source} is not in the family of {address}; give an {(v6 ? "IPv6" : "IPv4")} source");
        }
        if (!v6 && size > 65507)
        {
            return Fail($"invalid -s value: '{size}': out of range: 0 <= value <= 65507"); // 65535 - 20 - 8
        }

        // IPv4 options: Record Route (-R) or Timestamp (-T), 40 bytes at most (RFC 791 §3.1).
        byte[] ipOptions = [];
        bool recordRoute = result.GetValue(o.RecordRoute);
        string? timestampText = result.GetValue(o.TimestampOption);
        if ((recordRoute || timestampText is not null) && v6)
        {
            return Fail("-R and -T are IPv4 options; ping an IPv4 address");
        }
        if (recordRoute && timestampText is not null)
        {
            return Fail("only one of -T or -R may be used");
        }
        if (recordRoute)
        {
            ipOptions = IPv4OptionBuilder.RecordRoute();
        }
        else if (timestampText is not null)
        {
            var prespec = new List<IPAddress>();
            foreach (string hop in destinations[..^1])
            {
                if (!IPAddress.TryParse(hop, out var hopAddress) || hopAddress.AddressFamily != AddressFamily.InterNetwork)
                {
                    return Fail($"-T tsprespec takes IPv4 addresses before the destination; {hop} is not one");
                }
                prespec.Add(hopAddress);
            }
            var (built, problem) = IPv4OptionBuilder.Timestamp(timestampText, prespec);
            if (built is null)
            {
                return Fail(problem!);
            }
            ipOptions = built;
        }
        if (destinations.Length > 1 && timestampText != "tsprespec")
        {
            return Fail($"one destination at a time: '{string.Join(' ', destinations)}'; extra hosts are only for -T tsprespec");
        }

        var options = new PingOptions
        {
            Count = count,
            Interval = TimeSpan.FromSeconds(interval),
            Timeout = TimeSpan.FromSeconds(timeout),
            Deadline = deadline is { } d ? TimeSpan.FromSeconds(d) : null,
            PayloadSize = size,
            Pattern = pattern,
            Preload = preload,
            Flood = flood,
            Adaptive = result.GetValue(o.Adaptive),
            RequestType = requestType,
            Socket = new IcmpSocketOptions
            {
                Kind = kind,
                TimeToLive = ttl,
                TrafficClass = tos,
                PathMtuDiscovery = pmtu,
                SourceAddress = source,
                Interface = interfaceName,
                Mark = result.GetValue(o.Mark),
                IPv4Options = ipOptions,
            },
        };
        var mode = result.GetValue(o.Json) ? PingOutputMode.Json : result.GetValue(o.Ndjson) ? PingOutputMode.Ndjson : PingOutputMode.Text;
        return (new PingArguments
        {
            Host = host,
            Address = address,
            Options = options,
            Quiet = result.GetValue(o.Quiet),
            Verbose = result.GetValue(o.Verbose),
            PrintTimestamps = result.GetValue(o.PrintTimestamps),
            ReportOutstanding = result.GetValue(o.ReportOutstanding),
            Numeric = result.GetValue(o.Numeric),
            Stats = result.GetValue(o.Stats),
            Output = mode,
            PatternHex = pattern.Length > 0 ? Convert.ToHexStringLower(pattern) : null,
        }, null);
    }

    private static (PingArguments?, string?) Fail(string problem) => (null, problem);
}
