using System.Globalization;
using System.Net;
using System.Net.Sockets;
using IcmpKit.Responder;

namespace IcmpKit.Cli.Respond;

/// <summary>
/// The respond flags as given, and how they combine with a config file: the file is read first, then every flag
/// given on the command line replaces the file's value for the same setting (<c>--hop-delay</c> sets every hop's delay).
/// </summary>
internal sealed record RespondArguments
{
    public string? ConfigFile { get; init; }

    public IReadOnlyList<string> Addresses { get; init; } = [];

    public string? Hops { get; init; }

    public string? Delay { get; init; }

    public string? HopDelay { get; init; }

    public double? Loss { get; init; }

    public string? AddressMask { get; init; }

    public string? Tcp { get; init; }

    public int? Seed { get; init; }

    /// <summary>The responder's settings, or a one-line problem naming the flag or config value at fault.</summary>
    public (ResponderOptions? Options, string? Problem) Resolve()
    {
        ResponderOptions options;
        try
        {
            options = ConfigFile is null ? new ResponderOptions { Addresses = [] } : RespondConfig.Load(ConfigFile);
        }
        catch (ConfigException e)
        {
            return (null, ConfigFile is null || e.Path == ConfigFile ? e.Message : $"config {ConfigFile}: {e.Message}");
        }
        if (Addresses.Count > 0)
        {
            var hosts = new List<IPAddress>();
            foreach (string text in Addresses.SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                if (!IPAddress.TryParse(text, out var address) || HasScope(address))
                {
                    return (null, $"bad --address {text}: give an IPv4 or IPv6 address");
                }
                hosts.Add(address);
            }
            options = options with { Addresses = hosts };
        }
        if (options.Addresses.Count == 0)
        {
            return (null, "no address to answer as: give --address ADDR (or \"addresses\" in the config file)");
        }
        if (Delay is not null)
        {
            if (!Durations.TryParse(Delay, out var delay))
            {
                return (null, $"bad --delay {Delay}: give a duration such as 10ms, 1.5s or 250us (at most 1 hour)");
            }
            options = options with { Delay = delay };
        }
        if (Loss is double loss)
        {
            if (!double.IsFinite(loss) || loss is < 0 or > 1)
            {
                return (null, $"bad --loss {loss.ToString(CultureInfo.InvariantCulture)}: give a probability from 0 to 1");
            }
            options = options with { Loss = loss };
        }
        if (AddressMask is not null)
        {
            if (!IPAddress.TryParse(AddressMask, out var mask) || !IsMask(mask))
            {
                return (null, $"bad --address-mask {AddressMask}: give a mask such as 255.255.255.0");
            }
            options = options with { AddressMask = mask };
        }
        if (Tcp is not null)
        {
            options = options with
            {
                TcpSyn = Tcp switch
                {
                    "reset" => TcpSynAnswer.Reset,
                    "silent" => TcpSynAnswer.Silent,
                    _ => (TcpSynAnswer)(-1),
                },
            };
            if (!Enum.IsDefined(options.TcpSyn))
            {
                return (null, $"bad --tcp {Tcp}: give reset or silent");
            }
        }
        if (Seed is int seed)
        {
            options = options with { RandomSeed = seed };
        }
        if (Hops is not null)
        {
            var (hops, problem) = ParseHops(Hops, options.Addresses);
            if (hops is null)
            {
                return (null, problem);
            }
            options = options with { Hops = hops };
        }
        if (HopDelay is not null)
        {
            if (!Durations.TryParse(HopDelay, out var hopDelay))
            {
                return (null, $"bad --hop-delay {HopDelay}: give a duration such as 1ms or 250us (at most 1 hour)");
            }
            options = options with { Hops = options.Hops.Select(h => h with { Delay = hopDelay }).ToList() };
        }
        if (options.Interfaces.Count == 0)
        {
            options = options with { Interfaces = DefaultInterfaces(options.Addresses) };
        }
        return (options, null);
    }

    /// <summary>
    /// With no interface table configured, the emulated host has the two a Linux host has: lo (index 1, the loopback
    /// addresses) and eth0 (index 2, the addresses it answers as), so RFC 8335 probes find something by default.
    /// </summary>
    private static List<ResponderInterface> DefaultInterfaces(IReadOnlyList<IPAddress> addresses) =>
    [
        new ResponderInterface { Name = "lo", Index = 1, Addresses = [IPAddress.Loopback, IPAddress.IPv6Loopback] },
        new ResponderInterface { Name = "eth0", Index = 2, Addresses = addresses.ToList() },
    ];

    /// <summary>--hops as a list of addresses, or a count of generated ones in each family the host has.</summary>
    private static (List<ResponderHop>? Hops, string? Problem) ParseHops(string text, IReadOnlyList<IPAddress> hosts)
    {
        var path = new List<ResponderHop>();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            if (count is < 0 or > 64)
            {
                return (null, $"bad --hops {text}: give 0 to 64 hops, or their addresses");
            }
            for (int k = 1; k <= count; k++)
            {
                if (hosts.Any(h => h.AddressFamily == AddressFamily.InterNetwork))
                {
                    path.Add(new ResponderHop { Address = IPAddress.Parse($"198.19.255.{k}") });
                }
                if (hosts.Any(h => h.AddressFamily == AddressFamily.InterNetworkV6))
                {
                    path.Add(new ResponderHop { Address = IPAddress.Parse($"fd42:ffff::{k:x}") });
                }
            }
            return (path, null);
        }
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPAddress.TryParse(part, out var address) || HasScope(address))
            {
                return (null, $"bad hop address {part} in --hops: give addresses separated by commas, or a count");
            }
            path.Add(new ResponderHop { Address = address });
        }
        return (path, null);
    }

    /// <summary>A zone index (fe80::1%eth0) means nothing to an emulated host: the addresses are routed, not on a link.</summary>
    public static bool HasScope(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0;

    /// <summary>An IPv4 mask: ones, then zeros (RFC 950 §2.1 allows others, RFC 1812 §2.2.5.1 does not).</summary>
    public static bool IsMask(IPAddress mask)
    {
        if (mask.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[4];
        mask.TryWriteBytes(bytes, out _);
        uint value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
        uint inverted = ~value;
        return (inverted & (inverted + 1)) == 0;
    }
}
