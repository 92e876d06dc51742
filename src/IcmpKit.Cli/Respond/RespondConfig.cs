using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IcmpKit.Responder;
using IcmpKit.Wire.Extensions;

namespace IcmpKit.Cli.Respond;

/// <summary>
/// The `icmpkit respond --config FILE` format (docs/respond.md): one JSON object with the host's settings and a
/// "hops" array, each hop with every per-hop setting. Read strictly: unknown keys, wrong types and out-of-range
/// values are errors that name the value (<c>hops[1].mtu: expected ...</c>).
/// </summary>
internal static class RespondConfig
{
    private static readonly string[] TopKeys =
    [
        "addresses", "hops", "delay", "jitter", "loss", "duplicate", "reorder", "reorderDelay", "addressMask",
        "answerBroadcast", "tcpSyn", "extendedEcho", "interfaces", "rateLimit", "globalRateLimit", "seed",
    ];

    private static readonly string[] HopKeys =
    [
        "address", "delay", "jitter", "loss", "duplicate", "reorder", "reorderDelay", "silent", "unreachable", "mtu",
        "mpls", "interface", "redirect", "queue", "rateLimit",
    ];

    /// <summary>Reads <paramref name="path"/>; throws <see cref="ConfigException"/> with a one-line reason.</summary>
    public static ResponderOptions Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ConfigException(path, $"cannot read it: {e.Message}");
        }
        return Parse(text);
    }

    public static ResponderOptions Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ConfigException("", $"not valid JSON: {e.Message.Split('\n')[0]}");
        }
        using (document)
        {
            return Read(new JsonConfigReader(document.RootElement, "", TopKeys));
        }
    }

    private static ResponderOptions Read(JsonConfigReader top)
    {
        var defaults = new ResponderOptions { Addresses = [] };
        var hops = top.Array("hops").Select(item => ReadHop(new JsonConfigReader(item.Value, item.Path, HopKeys))).ToList();
        return defaults with
        {
            Addresses = top.Addresses("addresses") ?? [],
            Hops = hops,
            Delay = top.Duration("delay") ?? defaults.Delay,
            Jitter = top.Duration("jitter") ?? defaults.Jitter,
            Loss = top.Probability("loss") ?? defaults.Loss,
            Duplicate = top.Probability("duplicate") ?? defaults.Duplicate,
            Reorder = top.Probability("reorder") ?? defaults.Reorder,
            ReorderDelay = top.Duration("reorderDelay") ?? defaults.ReorderDelay,
            AddressMask = ReadMask(top),
            AnswerBroadcastEcho = top.Boolean("answerBroadcast") ?? defaults.AnswerBroadcastEcho,
            TcpSyn = ReadTcpSyn(top) ?? defaults.TcpSyn,
            AnswerExtendedEcho = top.Boolean("extendedEcho") ?? defaults.AnswerExtendedEcho,
            Interfaces = top.Array("interfaces").Select(item => ReadInterface(item.Value, item.Path)).ToList(),
            PerSourceErrors = ReadRateLimit(top, "rateLimit") ?? defaults.PerSourceErrors,
            GlobalErrorsPerSecond = top.Integer("globalRateLimit", 1, 1_000_000) ?? defaults.GlobalErrorsPerSecond,
            RandomSeed = top.Integer("seed", int.MinValue, int.MaxValue),
        };
    }

    private static ResponderHop ReadHop(JsonConfigReader hop)
    {
        var address = hop.Address("address") ?? throw new ConfigException(hop.PathOf("address"), "every hop needs an address");
        var defaults = new ResponderHop { Address = address };
        bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
        return defaults with
        {
            Delay = hop.Duration("delay") ?? defaults.Delay,
            Jitter = hop.Duration("jitter") ?? defaults.Jitter,
            Loss = hop.Probability("loss") ?? defaults.Loss,
            Duplicate = hop.Probability("duplicate") ?? defaults.Duplicate,
            Reorder = hop.Probability("reorder") ?? defaults.Reorder,
            ReorderDelay = hop.Duration("reorderDelay") ?? defaults.ReorderDelay,
            Silent = hop.Boolean("silent") ?? defaults.Silent,
            UnreachableCode = ReadUnreachable(hop, v4),
            // RFC 791: every IPv4 link carries 68 bytes; RFC 8200 §5: every IPv6 link 1280.
            Mtu = hop.Integer("mtu", v4 ? 68 : 1280, ushort.MaxValue),
            MplsLabels = hop.Has("mpls")
                ? hop.Array("mpls").Select(item => ReadLabel(item.Value, item.Path)).ToList()
                : null,
            ExtensionObjects = hop.Element("interface") is { } info ? [ReadInterfaceInformation(info, hop.PathOf("interface"))] : null,
            RedirectGateway = ReadRedirect(hop, v4),
            QueueLimit = ReadQueue(hop, out double rate),
            QueueRate = rate,
            ErrorRateLimit = ReadRateLimit(hop, "rateLimit"),
        };
    }

    /// <summary>RFC 792 / RFC 1812 §5.2.7.1 codes for IPv4, RFC 4443 §3.1 for IPv6: a number, or a name.</summary>
    private static byte? ReadUnreachable(JsonConfigReader hop, bool v4)
    {
        if (hop.Element("unreachable") is not { } value)
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.Number)
        {
            return (byte)hop.Integer("unreachable", 0, 255)!.Value;
        }
        string path = hop.PathOf("unreachable");
        string name = value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new ConfigException(path, "expected a code number or name");
        var names = v4 ? UnreachableNamesV4 : UnreachableNamesV6;
        return names.TryGetValue(name, out byte code)
            ? code
            : throw new ConfigException(path, $"unknown code name '{name}'; give a number or one of {string.Join(", ", names.Keys)}");
    }

    internal static readonly Dictionary<string, byte> UnreachableNamesV4 = new(StringComparer.Ordinal)
    {
        ["net"] = 0, ["host"] = 1, ["protocol"] = 2, ["port"] = 3, ["source-route"] = 5, ["net-unknown"] = 6,
        ["host-unknown"] = 7, ["net-prohibited"] = 9, ["host-prohibited"] = 10, ["admin"] = 13, ["precedence-cutoff"] = 15,
    };

    internal static readonly Dictionary<string, byte> UnreachableNamesV6 = new(StringComparer.Ordinal)
    {
        ["net"] = 0, ["admin"] = 1, ["beyond-scope"] = 2, ["host"] = 3, ["port"] = 4, ["policy"] = 5, ["reject"] = 6,
    };

    private static uint ReadLabel(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetUInt32(out uint label) && label <= 0xFFFFF
            ? label
            : throw new ConfigException(path, "expected an MPLS label from 0 to 1048575 (20 bits, RFC 3032 §2.1)");

    /// <summary>An RFC 5837 interface information object: the incoming interface the hop reports.</summary>
    private static InterfaceInformationObject ReadInterfaceInformation(JsonElement value, string path)
    {
        var info = new JsonConfigReader(value, path, "name", "index", "address", "mtu");
        string? name = info.String("name");
        if (name is not null && (name.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(name) > 63))
        {
            throw new ConfigException(info.PathOf("name"), "expected 1 to 63 bytes (RFC 5837 §4.3)");
        }
        int? index = info.Integer("index", 1, int.MaxValue);
        var address = info.Address("address");
        int? mtu = info.Integer("mtu", 1, int.MaxValue);
        if (name is null && index is null && address is null && mtu is null)
        {
            throw new ConfigException(path, "give at least one of name, index, address, mtu");
        }
        return new InterfaceInformationObject(InterfaceRole.IncomingIPInterface, (uint?)index, address, name, (uint?)mtu);
    }

    private static ResponderInterface ReadInterface(JsonElement value, string path)
    {
        var entry = new JsonConfigReader(value, path, "name", "index", "addresses", "active");
        string name = entry.String("name") ?? throw new ConfigException(entry.PathOf("name"), "every interface needs a name");
        return new ResponderInterface
        {
            Name = name,
            Index = entry.Integer("index", 1, int.MaxValue) ?? throw new ConfigException(entry.PathOf("index"), "every interface needs an index (ifIndex, 1 or more)"),
            Addresses = entry.Addresses("addresses") ?? [],
            Active = entry.Boolean("active") ?? true,
        };
    }

    private static IPAddress? ReadMask(JsonConfigReader top)
    {
        var mask = top.Address("addressMask");
        return mask is null || RespondArguments.IsMask(mask)
            ? mask
            : throw new ConfigException(top.PathOf("addressMask"), "expected an IPv4 mask of contiguous ones such as \"255.255.255.0\"");
    }

    private static TcpSynAnswer? ReadTcpSyn(JsonConfigReader top) => top.String("tcpSyn") switch
    {
        null => null,
        "reset" => TcpSynAnswer.Reset,
        "silent" => TcpSynAnswer.Silent,
        _ => throw new ConfigException(top.PathOf("tcpSyn"), "expected \"reset\" or \"silent\""),
    };

    private static IPAddress? ReadRedirect(JsonConfigReader hop, bool v4)
    {
        var gateway = hop.Address("redirect");
        if (gateway is not null && (!v4 || gateway.AddressFamily != AddressFamily.InterNetwork))
        {
            throw new ConfigException(hop.PathOf("redirect"), "redirects are emulated for IPv4 hops only, to an IPv4 gateway (IPv6 redirects are neighbour discovery, RFC 4861 §8)");
        }
        return gateway;
    }

    private static int? ReadQueue(JsonConfigReader hop, out double rate)
    {
        rate = 0;
        if (hop.Element("queue") is not { } value)
        {
            return null;
        }
        var queue = new JsonConfigReader(value, hop.PathOf("queue"), "limit", "rate");
        int limit = queue.Integer("limit", 1, 1_000_000) ?? throw new ConfigException(queue.PathOf("limit"), "a queue needs a limit (packets)");
        rate = queue.Number("rate", 0.001, 1e9) ?? throw new ConfigException(queue.PathOf("rate"), "a queue needs a rate (packets per second)");
        return limit;
    }

    private static ErrorRateLimit? ReadRateLimit(JsonConfigReader owner, string key)
    {
        if (owner.Element(key) is not { } value)
        {
            return null;
        }
        var limit = new JsonConfigReader(value, owner.PathOf(key), "burst", "perSecond");
        return new ErrorRateLimit(
            limit.Integer("burst", 1, 1_000_000) ?? throw new ConfigException(limit.PathOf("burst"), "a rate limit needs a burst"),
            limit.Number("perSecond", 0.001, 1e9) ?? throw new ConfigException(limit.PathOf("perSecond"), "a rate limit needs perSecond"));
    }
}
