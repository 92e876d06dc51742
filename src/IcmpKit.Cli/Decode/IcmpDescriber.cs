using System.Net;
using IcmpKit.Cli.Output;
using IcmpKit.Wire;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.Quoting;

namespace IcmpKit.Cli.Decode;

internal static partial class PacketDescriber
{
    private static DecodeResult DescribeIcmpV4(ReadOnlySpan<byte> bytes, FieldNode root, int offset)
    {
        var node = root.Object("icmpv4");
        if (!IcmpV4Message.TryParse(bytes, out var message, out var error))
        {
            if (IcmpV4Packet.TryRead(bytes, out var partial, out _))
            {
                AddPartialHeader(node, (byte)partial.Type, IcmpV4Names.TypeName(partial.Type), partial.Code, partial.Checksum);
            }
            return new DecodeResult(root, error.Shift(offset), "ICMPv4 message");
        }
        AddIcmpV4(node, message!);
        return new DecodeResult(root, WireError.None, null);
    }

    private static DecodeResult DescribeIcmpV6(ReadOnlySpan<byte> bytes, IPAddress? source, IPAddress? destination, FieldNode root, int offset)
    {
        var node = root.Object("icmpv6");
        if (!IcmpV6Message.TryParse(bytes, source, destination, out var message, out var error))
        {
            if (IcmpV6Packet.TryRead(bytes, out var partial, out _))
            {
                AddPartialHeader(node, (byte)partial.Type, IcmpV6Names.TypeName(partial.Type), partial.Code, partial.Checksum);
            }
            return new DecodeResult(root, error.Shift(offset), "ICMPv6 message");
        }
        AddIcmpV6(node, message!);
        return new DecodeResult(root, WireError.None, null);
    }

    private static void AddIcmpV4(FieldNode node, IcmpV4Message message)
    {
        AddHeader(node, (byte)message.Type, IcmpV4Names.TypeName(message.Type), message.Code,
            IcmpV4Names.CodeName(message.Type, message.Code), message.DisplayName, message.Checksum, message.ChecksumValid);
        switch (message)
        {
            case IcmpV4Message.Echo echo:
                AddEcho(node, echo.Identifier, echo.SequenceNumber, echo.Data.Span);
                break;
            case IcmpV4Message.Information info:
                node.Add("identifier", info.Identifier, HexAndDecimal(info.Identifier));
                node.Add("sequence", info.SequenceNumber);
                break;
            case IcmpV4Message.Timestamp ts:
                node.Add("identifier", ts.Identifier, HexAndDecimal(ts.Identifier));
                node.Add("sequence", ts.SequenceNumber);
                node.Add("originate", ts.Originate, FormatMilliseconds(ts.Originate));
                node.Add("receive", ts.Receive, FormatMilliseconds(ts.Receive));
                node.Add("transmit", ts.Transmit, FormatMilliseconds(ts.Transmit));
                break;
            case IcmpV4Message.AddressMask mask:
                node.Add("identifier", mask.Identifier, HexAndDecimal(mask.Identifier));
                node.Add("sequence", mask.SequenceNumber);
                node.Add("address_mask", mask.Mask.ToString(), mask.PrefixLength is { } p ? $"{mask.Mask} (/{p})" : $"{mask.Mask} (not contiguous)");
                break;
            case IcmpV4Message.RouterAdvertisement ra:
                node.Add("address_count", ra.Entries.Count);
                node.Add("address_entry_size", ra.AddressEntrySize);
                node.Add("lifetime", ra.Lifetime, $"{ra.Lifetime} s");
                var entries = node.List("routers");
                foreach (var entry in ra.Entries)
                {
                    entries.Item().Add("address", entry.Address.ToString()).Add("preference", entry.PreferenceLevel);
                }
                break;
            case IcmpV4Message.RouterSolicitation rs:
                node.Add("reserved", rs.Reserved);
                break;
            case IcmpV4Message.Traceroute tr:
                node.Add("id_number", tr.IdNumber);
                node.Add("outbound_hop_count", tr.OutboundHopCount);
                node.Add("return_hop_count", tr.ReturnHopCount);
                node.Add("output_link_speed", tr.OutputLinkSpeed, $"{tr.OutputLinkSpeed} bytes/s");
                node.Add("output_link_mtu", tr.OutputLinkMtu);
                break;
            case IcmpV4Message.ExtendedEchoRequest request:
                AddExtendedEchoRequest(node, request.Identifier, request.SequenceNumber, request.Local, request.Extensions, request.Trailing.Length);
                break;
            case IcmpV4Message.ExtendedEchoReply reply:
                AddExtendedEchoReply(node, reply.Identifier, reply.SequenceNumber, reply.State, reply.Active, reply.IPv4, reply.IPv6);
                break;
            case IcmpV4Message.ErrorMessage error:
                switch (error)
                {
                    case IcmpV4Message.DestinationUnreachable du:
                        node.Add("next_hop_mtu", du.NextHopMtu);
                        break;
                    case IcmpV4Message.Redirect redirect:
                        node.Add("gateway", redirect.Gateway.ToString());
                        break;
                    case IcmpV4Message.ParameterProblem pp:
                        node.Add("pointer", pp.Pointer);
                        break;
                }
                AddErrorBody(node, error.LengthAttribute, error.LengthAttributeInvalid, error.OriginalDatagram, error.Quote, error.Layout, error.Extensions);
                break;
            case IcmpV4Message.Unknown unknown:
                AddUnknown(node, unknown.HeaderWord, unknown.Body.Span);
                break;
        }
    }

    private static void AddIcmpV6(FieldNode node, IcmpV6Message message)
    {
        AddHeader(node, (byte)message.Type, IcmpV6Names.TypeName(message.Type), message.Code,
            IcmpV6Names.CodeName(message.Type, message.Code), message.DisplayName, message.Checksum, message.ChecksumValid);
        switch (message)
        {
            case IcmpV6Message.Echo echo:
                AddEcho(node, echo.Identifier, echo.SequenceNumber, echo.Data.Span);
                break;
            case IcmpV6Message.ExtendedEchoRequest request:
                AddExtendedEchoRequest(node, request.Identifier, request.SequenceNumber, request.Local, request.Extensions, request.Trailing.Length);
                break;
            case IcmpV6Message.ExtendedEchoReply reply:
                AddExtendedEchoReply(node, reply.Identifier, reply.SequenceNumber, reply.State, reply.Active, reply.IPv4, reply.IPv6);
                break;
            case IcmpV6Message.ErrorMessage error:
                switch (error)
                {
                    case IcmpV6Message.PacketTooBig ptb:
                        node.Add("mtu", ptb.Mtu);
                        break;
                    case IcmpV6Message.ParameterProblem pp:
                        node.Add("pointer", pp.Pointer);
                        break;
                }
                AddErrorBody(node, error.LengthAttribute, error.LengthAttributeInvalid, error.OriginalDatagram, error.Quote, error.Layout, error.Extensions);
                break;
            case IcmpV6Message.NeighborDiscovery nd:
                AddNeighborDiscovery(node, nd);
                break;
            case IcmpV6Message.Unknown unknown:
                AddUnknown(node, unknown.HeaderWord, unknown.Body.Span);
                break;
        }
    }

    /// <summary>The lines every ICMP message starts with; a null <paramref name="checksumValid"/> means not verified.</summary>
    private static void AddHeader(FieldNode node, byte type, string typeName, byte code, string? codeName, string displayName,
        ushort checksum, bool? checksumValid)
    {
        node.Add("type", type, $"{type} ({typeName})");
        node.Add("code", code, codeName is null ? null : $"{code} ({codeName})");
        node.Add("name", displayName);
        string validity = checksumValid switch { true => "valid", false => "BAD", null => "not verified" };
        node.Add("checksum", checksum, $"{Hex4(checksum)} ({validity})");
        node.AddIf("checksum_valid", checksumValid);
    }

    /// <summary>What can be shown of a message that did not parse: its 4-byte start.</summary>
    private static void AddPartialHeader(FieldNode node, byte type, string typeName, byte code, ushort checksum)
    {
        node.Add("type", type, $"{type} ({typeName})");
        node.Add("code", code);
        node.Add("checksum", checksum, Hex4(checksum));
    }

    private static void AddUnknown(FieldNode node, uint headerWord, ReadOnlySpan<byte> body)
    {
        node.Add("rest_of_header", headerWord, $"0x{headerWord:x8}");
        node.Add("body_length", body.Length);
        node.Add("body", Convert.ToHexStringLower(body));
    }

    /// <summary>"0x004d (77)": identifiers read both ways.</summary>
    private static string HexAndDecimal(ushort value) => $"{Hex4(value)} ({value})";

    private static void AddEcho(FieldNode node, ushort identifier, ushort sequence, ReadOnlySpan<byte> data)
    {
        node.Add("identifier", identifier, HexAndDecimal(identifier));
        node.Add("sequence", sequence);
        node.Add("data_length", data.Length);
        node.Add("data", Convert.ToHexStringLower(data));
    }

    private static void AddExtendedEchoRequest(FieldNode node, ushort identifier, byte sequence, bool local, IcmpExtensionStructure? extensions, int trailing)
    {
        node.Add("identifier", identifier, HexAndDecimal(identifier));
        node.Add("sequence", sequence);
        node.Add("local", local);
        if (extensions is not null)
        {
            AddExtensions(node.Object("extensions"), extensions, ExtensionLayout.None);
        }
        if (trailing > 0)
        {
            node.Add("unparsed_body_length", trailing);
        }
    }

    private static void AddExtendedEchoReply(FieldNode node, ushort identifier, byte sequence, ExtendedEchoState state, bool active, bool v4, bool v6)
    {
        node.Add("identifier", identifier, HexAndDecimal(identifier));
        node.Add("sequence", sequence);
        node.Add("state", (byte)state, $"{(byte)state} ({state})");
        node.Add("active", active);
        node.Add("ipv4", v4);
        node.Add("ipv6", v6);
    }

    private static void AddErrorBody(FieldNode node, byte lengthAttribute, bool lengthInvalid, ReadOnlyMemory<byte> original, QuotedDatagram quote,
        ExtensionLayout layout, IcmpExtensionStructure? extensions)
    {
        node.Add("length_attribute", lengthAttribute, lengthInvalid ? $"{lengthAttribute} (invalid: ignored)" : null);
        node.Add("original_datagram_length", original.Length);
        var quoted = node.Object("quoted");
        if (quote.IPv4 is { } v4)
        {
            AddIPv4Header(quoted.Object("ipv4"), v4, v4.HeaderLength);
        }
        else if (quote.IPv6 is { } v6)
        {
            AddIPv6Header(quoted.Object("ipv6"), v6);
        }
        else
        {
            quoted.Add("error", quote.Error.ToString());
        }
        quoted.Add("truncated", quote.IsTruncated);
        switch (quote.Transport)
        {
            case QuotedIcmp icmp:
                var q = quoted.Object(icmp.IsV6 ? "icmpv6" : "icmpv4");
                q.Add("type", icmp.Type, icmp.IsV6 ? $"{icmp.Type} ({IcmpV6Names.TypeName((IcmpV6Type)icmp.Type)})" : $"{icmp.Type} ({IcmpV4Names.TypeName((IcmpV4Type)icmp.Type)})");
                q.Add("code", icmp.Code);
                q.Add("checksum", icmp.Checksum, Hex4(icmp.Checksum));
                q.Add("identifier", icmp.Identifier, HexAndDecimal(icmp.Identifier));
                q.Add("sequence", icmp.SequenceNumber);
                break;
            case QuotedUdp udp:
                quoted.Object("udp").Add("source_port", udp.SourcePort).Add("destination_port", udp.DestinationPort)
                    .Add("length", udp.Length).Add("checksum", udp.Checksum, Hex4(udp.Checksum));
                break;
            case QuotedTcp tcp:
                quoted.Object("tcp").Add("source_port", tcp.SourcePort).Add("destination_port", tcp.DestinationPort)
                    .Add("sequence", tcp.SequenceNumber);
                break;
        }
        if (extensions is not null)
        {
            AddExtensions(node.Object("extensions"), extensions, layout);
        }
    }

    private static void AddExtensions(FieldNode node, IcmpExtensionStructure structure, ExtensionLayout layout)
    {
        if (layout != ExtensionLayout.None)
        {
            node.Add("layout", layout == ExtensionLayout.Fixed128 ? "fixed_128" : "length_attribute",
                layout == ExtensionLayout.Fixed128 ? "fixed 128-byte original datagram (RFC 4884 §5.5 compatibility)" : "RFC 4884 length attribute");
        }
        node.Add("version", structure.Version);
        node.Add("checksum", structure.Checksum, $"{Hex4(structure.Checksum)} ({(structure.ChecksumValid ? "valid" : "BAD")})");
        node.Add("checksum_valid", structure.ChecksumValid);
        var objects = node.List("objects");
        foreach (var obj in structure.Objects)
        {
            var item = objects.Item();
            item.Add("class", obj.ClassNum, $"{obj.ClassNum} ({ExtensionClassName(obj.ClassNum)})");
            item.Add("c_type", obj.ClassType);
            item.Add("length", obj.EncodedLength);
            switch (obj)
            {
                case MplsLabelStackObject mpls:
                    var labels = item.List("labels");
                    foreach (var entry in mpls.Entries)
                    {
                        labels.Item().Add("label", entry.Label).Add("tc", entry.TrafficClass).Add("bottom_of_stack", entry.BottomOfStack).Add("ttl", entry.Ttl);
                    }
                    break;
                case InterfaceInformationObject info:
                    item.Add("role", (byte)info.Role, $"{(byte)info.Role} ({info.Role})");
                    item.AddIf("if_index", info.InterfaceIndex);
                    item.AddIf("address", info.Address?.ToString());
                    item.AddIf("name", info.Name);
                    item.AddIf("mtu", info.Mtu);
                    break;
                case InterfaceIdentificationObject id:
                    item.Add("by", id.Kind switch
                    {
                        InterfaceIdentificationKind.ByName => "name",
                        InterfaceIdentificationKind.ByIndex => "index",
                        _ => "address",
                    });
                    item.AddIf("name", id.Name);
                    item.AddIf("index", id.Index);
                    item.AddIf("address", id.Address?.ToString());
                    break;
                case UnknownExtensionObject unknown:
                    if (unknown.Invalid)
                    {
                        item.Add("invalid", true);
                    }
                    item.Add("payload", Convert.ToHexStringLower(unknown.Payload.Span));
                    break;
            }
        }
        if (!structure.ObjectError.IsNone)
        {
            node.Add("object_error", structure.ObjectError.ToString());
        }
    }

    private static string ExtensionClassName(byte classNum) => classNum switch
    {
        ExtensionClass.MplsLabelStack => "MPLS label stack",
        ExtensionClass.InterfaceInformation => "interface information",
        ExtensionClass.InterfaceIdentification => "interface identification",
        _ => "unknown",
    };

    private static void AddNeighborDiscovery(FieldNode node, IcmpV6Message.NeighborDiscovery nd)
    {
        switch (nd)
        {
            case IcmpV6Message.RouterAdvertisement ra:
                node.Add("current_hop_limit", ra.CurrentHopLimit);
                node.Add("flags", ra.Flags, Hex2(ra.Flags));
                node.Add("managed", ra.ManagedAddressConfiguration);
                node.Add("other", ra.OtherConfiguration);
                node.Add("router_lifetime", ra.RouterLifetime, $"{ra.RouterLifetime} s");
                node.Add("reachable_time", ra.ReachableTime, $"{ra.ReachableTime} ms");
                node.Add("retransmit_timer", ra.RetransmitTimer, $"{ra.RetransmitTimer} ms");
                break;
            case IcmpV6Message.NeighborSolicitation ns:
                node.Add("target", ns.TargetAddress.ToString());
                break;
            case IcmpV6Message.NeighborAdvertisement na:
                node.Add("router", na.Router);
                node.Add("solicited", na.Solicited);
                node.Add("override", na.Override);
                node.Add("target", na.TargetAddress.ToString());
                break;
            case IcmpV6Message.Redirect redirect:
                node.Add("target", redirect.TargetAddress.ToString());
                node.Add("destination", redirect.DestinationAddress.ToString());
                break;
        }
        var options = node.List("options");
        foreach (var option in nd.Options)
        {
            var item = options.Item();
            item.Add("type", option.Type);
            item.Add("length", option.EncodedLength);
            switch (option)
            {
                case NdLinkLayerAddress lla:
                    item.Add("link_layer_address", lla.ToString());
                    break;
                case NdPrefixInformation prefix:
                    item.Add("prefix", $"{prefix.Prefix}/{prefix.PrefixLength}");
                    item.Add("on_link", prefix.OnLink);
                    item.Add("autonomous", prefix.Autonomous);
                    item.Add("valid_lifetime", prefix.ValidLifetime);
                    item.Add("preferred_lifetime", prefix.PreferredLifetime);
                    break;
                case NdMtu mtu:
                    item.Add("mtu", mtu.Mtu);
                    break;
                case NdRedirectedHeader redirected:
                    item.Add("redirected_length", redirected.Packet.Length);
                    break;
                case NdMalformedOption malformed:
                    item.Add("error", malformed.Error.ToString());
                    break;
            }
        }
    }
}
