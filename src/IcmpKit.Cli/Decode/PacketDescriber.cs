using System.Globalization;
using IcmpKit.Cli.Output;
using IcmpKit.Wire;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Cli.Decode;

/// <summary>Turns packet bytes into a <see cref="FieldNode"/> tree with every field by name.</summary>
internal static partial class PacketDescriber
{
    public static DecodeResult Describe(ReadOnlySpan<byte> bytes, DecodeStart start, FieldNode root)
    {
        root.Add("length", bytes.Length);
        switch (start)
        {
            case DecodeStart.IcmpV4:
                return DescribeIcmpV4(bytes, root, 0);
            case DecodeStart.IcmpV6:
                return DescribeIcmpV6(bytes, null, null, root, 0);
        }
        if (bytes.IsEmpty)
        {
            return new DecodeResult(root, new WireError(WireErrorKind.Truncated, 0), "packet");
        }
        return (bytes[0] >> 4) switch
        {
            4 => DescribeIPv4Packet(bytes, root),
            6 => DescribeIPv6Packet(bytes, root),
            _ => new DecodeResult(root, new WireError(WireErrorKind.BadVersion, 0), "IP header (version nibble is neither 4 nor 6)"),
        };
    }

    private static DecodeResult DescribeIPv4Packet(ReadOnlySpan<byte> bytes, FieldNode root)
    {
        if (!IPv4Packet.TryRead(bytes, out var packet, out var error))
        {
            // Show the header when it is whole, even though the datagram is not.
            if (IPv4Packet.TryReadQuoted(bytes, out var partial, out _))
            {
                AddIPv4Header(root.Object("ipv4"), IPv4Header.FromPacket(partial), partial.HeaderLength);
            }
            return new DecodeResult(root, error, "IPv4 header");
        }
        var header = IPv4Header.FromPacket(packet);
        AddIPv4Header(root.Object("ipv4"), header, packet.HeaderLength);
        if (bytes.Length > packet.TotalLength)
        {
            root.Add("trailing_bytes", bytes.Length - packet.TotalLength);
        }
        if (packet.IsNonInitialFragment)
        {
            root.Add("payload", packet.Payload.Length, $"{packet.Payload.Length} bytes of a non-initial fragment");
            return new DecodeResult(root, WireError.None, null);
        }
        if (packet.Protocol != IPProtocol.Icmp)
        {
            root.Add("payload", packet.Payload.Length, $"{packet.Payload.Length} bytes of {IPProtocol.NameOf(packet.Protocol)}");
            return new DecodeResult(root, WireError.None, null);
        }
        return DescribeIcmpV4(packet.Payload, root, packet.HeaderLength);
    }

    private static DecodeResult DescribeIPv6Packet(ReadOnlySpan<byte> bytes, FieldNode root)
    {
        if (!IPv6Packet.TryRead(bytes, out var packet, out var error))
        {
            if (IPv6Packet.TryReadQuoted(bytes, out var partial, out _))
            {
                AddIPv6Header(root.Object("ipv6"), IPv6Header.FromPacket(partial));
            }
            return new DecodeResult(root, error, "IPv6 header");
        }
        var header = IPv6Header.FromPacket(packet);
        AddIPv6Header(root.Object("ipv6"), header);
        if (bytes.Length > packet.Bytes.Length)
        {
            root.Add("trailing_bytes", bytes.Length - packet.Bytes.Length);
        }
        if (!header.ChainError.IsNone)
        {
            return new DecodeResult(root, header.ChainError, "IPv6 extension header chain");
        }
        if (header.ChainTruncated)
        {
            return new DecodeResult(root, new WireError(WireErrorKind.Truncated, header.UpperLayerOffset), "IPv6 extension header");
        }
        var upper = packet.Bytes[header.UpperLayerOffset..];
        if (header.IsNonInitialFragment || header.UpperLayerProtocol != IPProtocol.IcmpV6)
        {
            string what = header.IsNonInitialFragment ? "a non-initial fragment" : IPProtocol.NameOf(header.UpperLayerProtocol);
            root.Add("payload", upper.Length, $"{upper.Length} bytes of {what}");
            return new DecodeResult(root, WireError.None, null);
        }
        // RFC 8200 §8.1: with a routing header still to be processed, the pseudo-header holds the final destination,
        // which depends on the routing type; rather than guess, the checksum is reported as not verified.
        if (header.ExtensionHeaders.OfType<IPv6RoutingHeader>().Any(r => r.SegmentsLeft > 0))
        {
            root.Add("checksum_not_verified", "routing header with segments left: the pseudo-header uses the final destination (RFC 8200 §8.1)");
            return DescribeIcmpV6(upper, null, null, root, header.UpperLayerOffset);
        }
        return DescribeIcmpV6(upper, header.Source, header.Destination, root, header.UpperLayerOffset);
    }

    internal static void AddIPv4Header(FieldNode node, IPv4Header header, int headerLength)
    {
        node.Add("version", 4);
        node.Add("header_length", headerLength);
        node.Add("tos", header.TypeOfService, Hex2(header.TypeOfService));
        node.Add("dscp", header.Dscp);
        node.Add("ecn", header.Ecn);
        node.Add("total_length", header.TotalLength);
        node.Add("identification", header.Identification, HexAndDecimal(header.Identification));
        node.Add("flag_reserved", header.ReservedFlag);
        node.Add("flag_df", header.DontFragment);
        node.Add("flag_mf", header.MoreFragments);
        node.Add("fragment_offset", header.FragmentOffset * 8, $"{header.FragmentOffset * 8} bytes");
        node.Add("ttl", header.TimeToLive);
        node.Add("protocol", header.Protocol, $"{header.Protocol} ({IPProtocol.NameOf(header.Protocol)})");
        node.Add("checksum", header.HeaderChecksum, $"{Hex4(header.HeaderChecksum)} ({(header.HeaderChecksumValid ? "valid" : "BAD")})");
        node.Add("checksum_valid", header.HeaderChecksumValid);
        node.Add("source", header.Source.ToString());
        node.Add("destination", header.Destination.ToString());
        if (header.Options.Count > 0)
        {
            AddIPv4Options(node.List("options"), header.Options);
        }
        if (!header.OptionsError.IsNone)
        {
            node.Add("options_error", header.OptionsError.ToString());
        }
    }

    private static void AddIPv4Options(FieldNode list, IReadOnlyList<IPv4Option> options)
    {
        foreach (var option in options)
        {
            var item = list.Item();
            item.Add("type", (byte)option.Type, $"{(byte)option.Type} ({IPv4OptionName(option.Type)})");
            item.Add("length", option.EncodedLength);
            switch (option)
            {
                case IPv4RouteOption route:
                    item.Add("pointer", route.Pointer, route.IsPointerValid ? null : $"{route.Pointer} (invalid)");
                    var recorded = item.List("addresses");
                    foreach (var address in route.Slots)
                    {
                        recorded.ItemValue(address.ToString());
                    }
                    item.Add("recorded", route.Recorded.Count());
                    break;
                case IPv4TimestampOption ts:
                    item.Add("pointer", ts.Pointer);
                    item.Add("overflow", ts.Overflow);
                    item.Add("flag", (byte)ts.Flag, $"{(byte)ts.Flag} ({TimestampFlagName(ts.Flag)})");
                    var slots = item.List("entries");
                    foreach (var slot in ts.Slots)
                    {
                        var entry = slots.Item();
                        entry.AddIf("address", slot.Address?.ToString());
                        entry.Add("timestamp", slot.Timestamp, FormatMilliseconds(slot.Timestamp));
                    }
                    item.Add("recorded", ts.Recorded.Count());
                    break;
                case IPv4RouterAlert alert:
                    item.Add("value", alert.Value);
                    break;
                case IPv4UnknownOption unknown:
                    item.Add("data", Convert.ToHexStringLower(unknown.Data.Span));
                    break;
                case IPv4MalformedOption malformed:
                    item.Add("bytes", Convert.ToHexStringLower(malformed.Bytes.Span));
                    item.Add("error", malformed.Error.ToString());
                    break;
            }
        }
    }

    private static string IPv4OptionName(IPv4OptionType type) => type switch
    {
        IPv4OptionType.EndOfOptionList => "end of option list",
        IPv4OptionType.NoOperation => "no operation",
        IPv4OptionType.RecordRoute => "record route",
        IPv4OptionType.Timestamp => "timestamp",
        IPv4OptionType.LooseSourceRoute => "loose source route",
        IPv4OptionType.StrictSourceRoute => "strict source route",
        IPv4OptionType.RouterAlert => "router alert",
        _ => "unknown",
    };

    private static string TimestampFlagName(IPv4TimestampFlag flag) => flag switch
    {
        IPv4TimestampFlag.TimestampsOnly => "timestamps only",
        IPv4TimestampFlag.AddressAndTimestamp => "address and timestamp",
        IPv4TimestampFlag.Prespecified => "prespecified addresses",
        _ => "unknown",
    };

    internal static void AddIPv6Header(FieldNode node, IPv6Header header)
    {
        node.Add("version", 6);
        node.Add("traffic_class", header.TrafficClass, Hex2(header.TrafficClass));
        node.Add("flow_label", header.FlowLabel, $"0x{header.FlowLabel:x5}");
        node.Add("payload_length", header.PayloadLength);
        node.Add("next_header", header.NextHeader, $"{header.NextHeader} ({IPProtocol.NameOf(header.NextHeader)})");
        node.Add("hop_limit", header.HopLimit);
        node.Add("source", header.Source.ToString());
        node.Add("destination", header.Destination.ToString());
        if (header.ExtensionHeaders.Count > 0)
        {
            var list = node.List("extension_headers");
            foreach (var ext in header.ExtensionHeaders)
            {
                var item = list.Item();
                item.Add("type", ext.HeaderType, $"{ext.HeaderType} ({ext.Name})");
                item.Add("next_header", ext.NextHeader);
                item.Add("length", ext.Bytes.Length);
                switch (ext)
                {
                    case IPv6FragmentHeader fragment:
                        item.Add("fragment_offset", fragment.FragmentOffset * 8, $"{fragment.FragmentOffset * 8} bytes");
                        item.Add("more_fragments", fragment.MoreFragments);
                        item.Add("identification", fragment.Identification, $"0x{fragment.Identification:x8}");
                        break;
                    case IPv6RoutingHeader routing:
                        item.Add("routing_type", routing.RoutingType);
                        item.Add("segments_left", routing.SegmentsLeft);
                        break;
                    case IPv6OptionsHeader options:
                        var optionList = item.List("options");
                        foreach (var option in options.Options)
                        {
                            var o = optionList.Item();
                            o.Add("type", option.OptionType, $"0x{option.OptionType:x2}");
                            o.Add("length", option.Data.Length);
                            if (option.Malformed)
                            {
                                o.Add("malformed", true);
                            }
                        }
                        break;
                }
            }
        }
        node.Add("upper_layer", header.UpperLayerProtocol, $"{header.UpperLayerProtocol} ({IPProtocol.NameOf(header.UpperLayerProtocol)}) at byte {header.UpperLayerOffset}");
    }

    internal static string Hex2(byte value) => $"0x{value:x2}";

    internal static string Hex4(ushort value) => $"0x{value:x4}";

    /// <summary>RFC 792 times: ms since midnight UT, or a non-standard value (high bit set).</summary>
    internal static string FormatMilliseconds(uint value)
    {
        if ((value & 0x8000_0000) != 0)
        {
            return $"{value} (non-standard)";
        }
        if (value >= 86_400_000)
        {
            return $"{value} (beyond one day)";
        }
        var time = TimeSpan.FromMilliseconds(value);
        return $"{value} ({time.ToString(@"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture)} UT)";
    }
}
