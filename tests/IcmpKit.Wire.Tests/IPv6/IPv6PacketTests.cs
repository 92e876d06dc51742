using System.Net;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Wire.Tests.IPv6;

public class IPv6PacketTests
{
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fd42::1',dst='fd42::9',hlim=1)/IPv6ExtHdrHopByHop(options=[RouterAlert()])/IPv6ExtHdrFragment(m=1,id=0xabcdef01)/ICMPv6EchoRequest(id=0x5151,seq=9,data=b'frag')).hex())"
    // (the quote inside Vectors.QuoteWithExtensionHeaders)
    private const string HopByHopFragmentEcho = "60000000001c0001fd420000000000000000000000000001fd4200000000000000000000000000092c000502000001003a000001abcdef0180006bf55151000966726167";

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fd42::1',dst='fd42::2',tc=0xb8,fl=0xbeef5,hlim=7)/IPv6ExtHdrRouting(addresses=['fd42::7'],segleft=1)/IPv6ExtHdrDestOpt(options=[PadN(optdata=b'\x00\x00\x00\x00')])/UDP(sport=1,dport=2)).hex())"
    private const string RoutingDestOptsUdp = "6b8beef500282b07fd420000000000000000000000000001fd4200000000000000000000000000023c02000100000000fd4200000000000000000000000000071100010400000000000100020008054e";

    private static byte[] Bytes(string hex) => Convert.FromHexString(hex);

    [Fact]
    public void View_reads_every_fixed_field()
    {
        var bytes = Bytes(RoutingDestOptsUdp);
        Assert.True(IPv6Packet.TryRead(bytes, out var packet, out var error));
        Assert.True(error.IsNone);
        Assert.Equal(6, packet.Version);
        Assert.Equal(0xb8, packet.TrafficClass);
        Assert.Equal(0xbeef5, packet.FlowLabel);
        Assert.Equal(0x28, packet.PayloadLength);
        Assert.Equal(IPProtocol.Routing, packet.NextHeader);
        Assert.Equal(7, packet.HopLimit);
        Assert.Equal(IPAddress.Parse("fd42::1"), packet.SourceAddress);
        Assert.Equal(IPAddress.Parse("fd42::2"), packet.DestinationAddress);
        Assert.False(packet.IsTruncated);
        Assert.Equal(40, packet.Payload.Length);
    }

    [Fact]
    public void Walker_steps_over_routing_and_destination_options()
    {
        var bytes = Bytes(RoutingDestOptsUdp);
        Assert.True(IPv6Packet.TryRead(bytes, out var packet, out _));
        var walker = new IPv6ExtensionWalker(packet.NextHeader, packet.Payload);
        Assert.True(walker.MoveNext());
        Assert.Equal((IPProtocol.Routing, 0, 24), (walker.CurrentType, walker.CurrentOffset, walker.CurrentBytes.Length));
        Assert.True(walker.MoveNext());
        Assert.Equal((IPProtocol.DestinationOptions, 24, 8), (walker.CurrentType, walker.CurrentOffset, walker.CurrentBytes.Length));
        Assert.False(walker.MoveNext());
        Assert.Equal(IPProtocol.Udp, walker.NextHeader);
        Assert.Equal(32, walker.Offset);
        Assert.False(walker.Truncated);
        Assert.True(walker.Error.IsNone);
    }

    [Fact]
    public void Header_value_types_each_extension_header()
    {
        Assert.True(IPv6Header.TryParse(Bytes(RoutingDestOptsUdp), out var header, out _));
        var routing = Assert.IsType<IPv6RoutingHeader>(header!.ExtensionHeaders[0]);
        Assert.Equal((IPProtocol.DestinationOptions, (byte)0, (byte)1), (routing.Next, routing.RoutingType, routing.SegmentsLeft));
        Assert.Equal("routing", routing.Name);
        var options = Assert.IsType<IPv6OptionsHeader>(header.ExtensionHeaders[1]);
        var padN = Assert.Single(options.Options);
        Assert.Equal((IPv6Option.PadN, 4, false), (padN.OptionType, padN.Data.Length, padN.Malformed));
        Assert.Equal(IPProtocol.Udp, header.UpperLayerProtocol);
        Assert.Equal(72, header.UpperLayerOffset);
        Assert.Equal((byte)0xb8, header.TrafficClass);
        Assert.Equal(0xbeef5, header.FlowLabel);
    }

    [Fact]
    public void Hop_by_hop_then_fragment_then_icmpv6()
    {
        Assert.True(IPv6Header.TryParse(Bytes(HopByHopFragmentEcho), out var header, out _));
        Assert.Equal([IPProtocol.HopByHop, IPProtocol.Fragment], header!.ExtensionHeaders.Select(h => h.HeaderType));
        Assert.Equal(IPProtocol.IcmpV6, header.UpperLayerProtocol);
        Assert.Equal(56, header.UpperLayerOffset);
        var router = Assert.IsType<IPv6OptionsHeader>(header.ExtensionHeaders[0]).Options[0];
        Assert.Equal((IPv6Option.RouterAlert, 0), (router.OptionType, router.ActionIfUnrecognized));
    }

    [Theory]
    [InlineData(RoutingDestOptsUdp)]
    [InlineData(HopByHopFragmentEcho)]
    public void Header_writes_back_the_same_bytes_over_a_filled_buffer(string hex)
    {
        var bytes = Bytes(hex);
        Assert.True(IPv6Header.TryParse(bytes, out var header, out _));
        var buffer = new byte[bytes.Length];
        buffer.AsSpan().Fill(0xA5);
        int written = header!.Write(buffer);
        Assert.Equal(header.UpperLayerOffset, written);
        Assert.Equal(header.HeaderLength, written);
        Assert.Equal(bytes[..written], buffer[..written]);
        Assert.All(buffer[written..], b => Assert.Equal(0xA5, b));
    }

    [Fact]
    public void Constructed_header_writes_scapy_bytes()
    {
        var bytes = Bytes(HopByHopFragmentEcho);
        var header = new IPv6Header
        {
            PayloadLength = 0x1c,
            NextHeader = IPProtocol.HopByHop,
            HopLimit = 1,
            Source = IPAddress.Parse("fd42::1"),
            Destination = IPAddress.Parse("fd42::9"),
            ExtensionHeaders =
            [
                new IPv6ExtensionHeader(IPProtocol.HopByHop, IPProtocol.Fragment, bytes.AsMemory(40, 8)),
                new IPv6ExtensionHeader(IPProtocol.Fragment, IPProtocol.IcmpV6, bytes.AsMemory(48, 8)),
            ],
        };
        var buffer = new byte[60];
        buffer.AsSpan().Fill(0xA5);
        Assert.Equal(56, header.Write(buffer));
        Assert.Equal(bytes[..56], buffer[..56]);
        Assert.Throws<ArgumentException>(() => (header with { Source = IPAddress.Loopback }).Write(buffer));
    }

    [Fact]
    public void Rejects_short_wrong_version_and_overlong_payload()
    {
        var bytes = Bytes(HopByHopFragmentEcho);
        Assert.False(IPv6Packet.TryRead(bytes.AsSpan(0, 39), out _, out var error));
        Assert.Equal(new WireError(WireErrorKind.Truncated, 39), error);
        var v4 = (byte[])bytes.Clone();
        v4[0] = 0x45;
        Assert.False(IPv6Packet.TryRead(v4, out _, out error));
        Assert.Equal(new WireError(WireErrorKind.BadVersion, 0), error);
        Assert.False(IPv6Packet.TryRead(bytes.AsSpan(0, 60), out _, out error));
        Assert.Equal(new WireError(WireErrorKind.LengthBeyondBuffer, 4), error);
        Assert.True(IPv6Packet.TryReadQuoted(bytes.AsSpan(0, 60), out var quoted, out _));
        Assert.True(quoted.IsTruncated);
        Assert.Equal(20, quoted.Payload.Length);
    }

    [Fact]
    public void Trailing_padding_past_payload_length_is_ignored()
    {
        var bytes = Bytes(HopByHopFragmentEcho).Concat(new byte[6]).ToArray();
        Assert.True(IPv6Packet.TryRead(bytes, out var packet, out _));
        Assert.Equal(68, packet.Bytes.Length);
    }

    [Fact]
    public void Chain_cut_inside_a_header_is_truncated_not_an_error()
    {
        var bytes = Bytes(HopByHopFragmentEcho);
        Assert.True(IPv6Packet.TryReadQuoted(bytes.AsSpan(0, 52), out var packet, out _));
        var header = IPv6Header.FromPacket(packet);
        Assert.True(header.ChainTruncated);
        Assert.True(header.ChainError.IsNone);
        Assert.Single(header.ExtensionHeaders);
        Assert.Equal(IPProtocol.Fragment, header.UpperLayerProtocol);
    }

    [Fact]
    public void A_chain_of_more_than_32_headers_stops_with_an_error()
    {
        // 40 destination options headers of 8 bytes, each naming the next; then no next header.
        var payload = new byte[40 * 8];
        for (int i = 0; i < 40; i++)
        {
            payload[i * 8] = i == 39 ? IPProtocol.NoNextHeader : IPProtocol.DestinationOptions;
            payload[(i * 8) + 2] = IPv6Option.PadN;
            payload[(i * 8) + 3] = 4;
        }
        var walker = new IPv6ExtensionWalker(IPProtocol.DestinationOptions, payload);
        int steps = 0;
        while (walker.MoveNext())
        {
            steps++;
        }
        Assert.Equal(IPv6ExtensionWalker.MaxHeaders, steps);
        Assert.Equal(new WireError(WireErrorKind.TooManyHeaders, 32 * 8), walker.Error);
    }

    [Fact]
    public void Authentication_header_length_is_in_4_octet_units()
    {
        // RFC 4302 §2.2: payload length 4 means (4 + 2) * 4 = 24 bytes.
        var payload = new byte[32];
        payload[0] = IPProtocol.Udp;
        payload[1] = 4;
        var walker = new IPv6ExtensionWalker(IPProtocol.AuthenticationHeader, payload);
        Assert.True(walker.MoveNext());
        Assert.Equal(24, walker.CurrentBytes.Length);
        Assert.False(walker.MoveNext());
        Assert.Equal((IPProtocol.Udp, 24), (walker.NextHeader, walker.Offset));
    }

    [Fact]
    public void Option_overrunning_its_header_is_marked_malformed()
    {
        var options = IPv6Option.ParseAll(new byte[] { IPv6Option.Pad1, IPv6Option.RouterAlert, 9, 0, 0 });
        Assert.Equal(2, options.Count);
        Assert.Equal(IPv6Option.Pad1, options[0].OptionType);
        Assert.True(options[1].Malformed);
        Assert.Equal(4, options[1].Data.Length);
    }
}
