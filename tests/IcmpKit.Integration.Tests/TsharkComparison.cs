using System.Globalization;
using System.Net;
using System.Text.Json;

namespace IcmpKit.Integration.Tests;

/// <summary>How a field's value is read on each side before comparing.</summary>
internal enum FieldKind
{
    /// <summary>icmpkit: a JSON number; tshark: a decimal or "0x" hex string.</summary>
    Number,
    /// <summary>icmpkit: true/false; tshark: "1"/"0".</summary>
    Flag,
    /// <summary>icmpkit: checksum_valid; tshark: *.checksum.status "1" good, "0" bad, "2" not verified (skipped).</summary>
    ChecksumStatus,
    /// <summary>Both: an IPv4/IPv6 address string, compared as addresses.</summary>
    Address,
}

/// <summary>One icmpkit JSON key and the tshark field it must agree with.</summary>
internal sealed record FieldPair(string Ours, string Theirs, FieldKind Kind = FieldKind.Number);

/// <summary>
/// Compares one icmpkit `decode --json` document with the tshark `-T json --no-duplicate-keys` layers of the
/// same frame, field by field, and records every comparison made and every disagreement.
/// </summary>
internal sealed class TsharkComparison
{
    public static readonly FieldPair[] IPv4Header =
    [
        new("version", "ip.version"),
        new("header_length", "ip.hdr_len"),
        new("tos", "ip.dsfield"),
        new("dscp", "ip.dsfield.dscp"),
        new("ecn", "ip.dsfield.ecn"),
        new("total_length", "ip.len"),
        new("identification", "ip.id"),
        new("flag_reserved", "ip.flags.rb", FieldKind.Flag),
        new("flag_df", "ip.flags.df", FieldKind.Flag),
        new("flag_mf", "ip.flags.mf", FieldKind.Flag),
        new("fragment_offset", "ip.frag_offset"),
        new("ttl", "ip.ttl"),
        new("protocol", "ip.proto"),
        new("checksum", "ip.checksum"),
        new("checksum_valid", "ip.checksum.status", FieldKind.ChecksumStatus),
        new("source", "ip.src", FieldKind.Address),
        new("destination", "ip.dst", FieldKind.Address),
    ];

    public static readonly FieldPair[] IPv6Header =
    [
        new("version", "ipv6.version"),
        new("traffic_class", "ipv6.tclass"),
        new("flow_label", "ipv6.flow"),
        new("payload_length", "ipv6.plen"),
        new("next_header", "ipv6.nxt"),
        new("hop_limit", "ipv6.hlim"),
        new("source", "ipv6.src", FieldKind.Address),
        new("destination", "ipv6.dst", FieldKind.Address),
    ];

    public static readonly FieldPair[] IcmpV4 =
    [
        new("type", "icmp.type"),
        new("code", "icmp.code"),
        new("checksum", "icmp.checksum"),
        new("checksum_valid", "icmp.checksum.status", FieldKind.ChecksumStatus),
        new("identifier", "icmp.ident"),
        new("sequence", "icmp.seq"),
        new("next_hop_mtu", "icmp.mtu"),
        new("pointer", "icmp.pointer"),
        new("gateway", "icmp.redir_gw", FieldKind.Address),
        new("originate", "icmp.originate_timestamp"),
        new("receive", "icmp.receive_timestamp"),
        new("transmit", "icmp.transmit_timestamp"),
    ];

    public static readonly FieldPair[] IcmpV6 =
    [
        new("type", "icmpv6.type"),
        new("code", "icmpv6.code"),
        new("checksum", "icmpv6.checksum"),
        new("checksum_valid", "icmpv6.checksum.status", FieldKind.ChecksumStatus),
        new("identifier", "icmpv6.echo.identifier"),
        new("sequence", "icmpv6.echo.sequence_number"),
        new("mtu", "icmpv6.mtu"),
        new("pointer", "icmpv6.pointer"),
        new("target", "icmpv6.nd.ns.target_address", FieldKind.Address),
        new("target", "icmpv6.nd.na.target_address", FieldKind.Address),
    ];

    /// <summary>The quoted ICMP header of an error (only its first 8 bytes are there, so no checksum verdict).</summary>
    public static readonly FieldPair[] QuotedIcmpV4 =
    [
        new("type", "icmp.type"),
        new("code", "icmp.code"),
        new("checksum", "icmp.checksum"),
        new("identifier", "icmp.ident"),
        new("sequence", "icmp.seq"),
    ];

    public static readonly FieldPair[] QuotedIcmpV6 =
    [
        new("type", "icmpv6.type"),
        new("code", "icmpv6.code"),
        new("checksum", "icmpv6.checksum"),
        new("identifier", "icmpv6.echo.identifier"),
        new("sequence", "icmpv6.echo.sequence_number"),
    ];

    public static readonly FieldPair[] QuotedUdp =
    [
        new("source_port", "udp.srcport"),
        new("destination_port", "udp.dstport"),
        new("length", "udp.length"),
        new("checksum", "udp.checksum"),
    ];

    private readonly List<string> _mismatches = [];
    private readonly Dictionary<string, int> _compared = new(StringComparer.Ordinal);

    /// <summary>Every disagreement, one line each, naming the frame and both values.</summary>
    public IReadOnlyList<string> Mismatches => _mismatches;

    /// <summary>How many times each tshark field (with its nesting, "icmp>ip.src" for the quoted header) was compared.</summary>
    public IReadOnlyDictionary<string, int> Compared => _compared;

    /// <summary>Compares one frame; returns the tshark fields compared for it.</summary>
    public HashSet<string> CompareFrame(int frame, JsonElement ours, JsonElement layers)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var frameFields = Flatten(layers.GetProperty("frame"));
        CompareValue(frame, "frame_length", ours, "frame.cap_len", frameFields, FieldKind.Number, "", seen);
        CompareTime(frame, ours, frameFields, seen);

        if (layers.TryGetProperty("icmp", out var icmp))
        {
            CompareLayer(frame, ours, "ipv4", layers.GetProperty("ip"), IPv4Header, "", seen);
            var ourIcmp = ours.GetProperty("icmpv4");
            CompareLayer(frame, ours, "icmpv4", icmp, IcmpV4, "", seen);
            CompareQuoted(frame, ourIcmp, icmp, "icmp>", seen);
        }
        else if (layers.TryGetProperty("icmpv6", out var icmpv6))
        {
            CompareLayer(frame, ours, "ipv6", layers.GetProperty("ipv6"), IPv6Header, "", seen);
            var ourIcmp = ours.GetProperty("icmpv6");
            CompareLayer(frame, ours, "icmpv6", icmpv6, IcmpV6, "", seen);
            CompareQuoted(frame, ourIcmp, icmpv6, "icmpv6>", seen);
        }
        return seen;
    }

    private void CompareQuoted(int frame, JsonElement ourIcmp, JsonElement theirIcmp, string prefix, HashSet<string> seen)
    {
        bool theyQuote = theirIcmp.TryGetProperty("ip", out _) || theirIcmp.TryGetProperty("ipv6", out _);
        if (!ourIcmp.TryGetProperty("quoted", out var quoted))
        {
            if (theyQuote)
            {
                _mismatches.Add($"frame {frame}: tshark shows a quoted datagram, icmpkit has no \"quoted\" object");
            }
            return;
        }
        if (theirIcmp.TryGetProperty("ip", out var ip))
        {
            CompareLayer(frame, quoted, "ipv4", ip, IPv4Header, prefix, seen);
        }
        if (theirIcmp.TryGetProperty("ipv6", out var ipv6))
        {
            CompareLayer(frame, quoted, "ipv6", ipv6, IPv6Header, prefix, seen);
        }
        if (theirIcmp.TryGetProperty("icmp", out var qicmp))
        {
            CompareLayer(frame, quoted, "icmpv4", qicmp, QuotedIcmpV4, prefix, seen);
        }
        if (theirIcmp.TryGetProperty("icmpv6", out var qicmpv6))
        {
            CompareLayer(frame, quoted, "icmpv6", qicmpv6, QuotedIcmpV6, prefix, seen);
        }
        if (theirIcmp.TryGetProperty("udp", out var udp))
        {
            CompareLayer(frame, quoted, "udp", udp, QuotedUdp, prefix, seen);
        }
    }

    private void CompareLayer(int frame, JsonElement ourParent, string ourName, JsonElement theirLayer, FieldPair[] pairs, string prefix, HashSet<string> seen)
    {
        if (!ourParent.TryGetProperty(ourName, out var ours) || ours.ValueKind != JsonValueKind.Object)
        {
            _mismatches.Add($"frame {frame}: tshark decodes a {prefix}{ourName} layer, icmpkit has no \"{ourName}\" object");
            return;
        }
        var theirs = Flatten(theirLayer);
        foreach (var pair in pairs)
        {
            CompareValue(frame, pair.Ours, ours, pair.Theirs, theirs, pair.Kind, prefix, seen);
        }
    }

    private void CompareValue(int frame, string ourName, JsonElement ours, string theirName, Dictionary<string, JsonElement> theirs,
        FieldKind kind, string prefix, HashSet<string> seen)
    {
        if (!theirs.TryGetValue(theirName, out var their))
        {
            return; // tshark does not show it for this message; icmpkit may (next_hop_mtu 0 in a port unreachable).
        }
        string where = $"frame {frame}: {prefix}{theirName} (icmpkit {ourName})";
        if (!ours.TryGetProperty(ourName, out var our))
        {
            _mismatches.Add($"{where}: tshark shows {their}, icmpkit has no such field");
            return;
        }
        if (their.ValueKind != JsonValueKind.String)
        {
            _mismatches.Add($"{where}: tshark value {their} is not one string (duplicate field?)");
            return;
        }
        string text = their.GetString()!;
        bool equal;
        switch (kind)
        {
            case FieldKind.Number:
                if (our.ValueKind != JsonValueKind.Number)
                {
                    _mismatches.Add($"{where}: icmpkit value {our} is not a JSON number");
                    return;
                }
                equal = our.GetUInt64() == ParseNumber(text);
                break;
            case FieldKind.Flag:
                equal = our.ValueKind is JsonValueKind.True or JsonValueKind.False && our.GetBoolean() == (ParseNumber(text) != 0);
                break;
            case FieldKind.ChecksumStatus:
                if (text == "2")
                {
                    return; // tshark did not verify it
                }
                equal = our.ValueKind is JsonValueKind.True or JsonValueKind.False && our.GetBoolean() == (text == "1");
                break;
            default:
                equal = our.ValueKind == JsonValueKind.String && IPAddress.Parse(our.GetString()!).Equals(IPAddress.Parse(text));
                break;
        }
        Count(prefix + theirName, seen);
        if (!equal)
        {
            _mismatches.Add($"{where}: icmpkit {our}, tshark \"{text}\"");
        }
    }

    private void CompareTime(int frame, JsonElement ours, Dictionary<string, JsonElement> frameFields, HashSet<string> seen)
    {
        if (!frameFields.TryGetValue("frame.time_epoch", out var epoch))
        {
            return;
        }
        if (!ours.TryGetProperty("time", out var time))
        {
            _mismatches.Add($"frame {frame}: icmpkit has no \"time\"");
            return;
        }
        var ourTime = DateTimeOffset.Parse(time.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        long ourMicros = (ourTime - DateTimeOffset.UnixEpoch).Ticks / 10;
        // icmpkit prints microseconds ("ffffff", truncated); tshark's pcapng captures carry nanoseconds.
        long theirMicros = (long)decimal.Floor(decimal.Parse(epoch.GetString()!, CultureInfo.InvariantCulture) * 1_000_000m);
        Count("frame.time_epoch", seen);
        if (ourMicros != theirMicros)
        {
            _mismatches.Add($"frame {frame}: frame.time_epoch (icmpkit time): icmpkit {time}, tshark \"{epoch}\"");
        }
    }

    private void Count(string name, HashSet<string> seen)
    {
        seen.Add(name);
        _compared[name] = _compared.GetValueOrDefault(name) + 1;
    }

    private static ulong ParseNumber(string text) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : ulong.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>
    /// The fields of one tshark layer, flattened through its "*_tree" sub-objects (ip.flags_tree → ip.flags.df)
    /// but not into nested protocol layers ("ip", "icmp", "udp" inside an ICMP error), whose keys have no dot.
    /// </summary>
    public static Dictionary<string, JsonElement> Flatten(JsonElement layer)
    {
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        Walk(layer);
        return fields;

        void Walk(JsonElement element)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Object)
                {
                    if (property.Name.Contains('.', StringComparison.Ordinal) && !property.Name.StartsWith("_ws.", StringComparison.Ordinal))
                    {
                        Walk(property.Value);
                    }
                }
                else
                {
                    fields.TryAdd(property.Name, property.Value);
                }
            }
        }
    }
}
