using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv6;
using IcmpKit.Wire.Quoting;
using static IcmpKit.Wire.Tests.IcmpV6.V6Quartet;

namespace IcmpKit.Wire.Tests.IcmpV6;

public class ErrorTests
{
    [Fact]
    public void Port_unreachable_quoting_udp_quartet()
    {
        var (src, dst, icmp) = Split(Vectors.PortUnreachable);
        Assert.True(IcmpV6Packet.TryRead(icmp, out var view, out _));
        Assert.Equal(IcmpV6Type.DestinationUnreachable, view.Type);
        Assert.Equal(4, view.Code);
        Assert.Equal(0, view.LengthAttribute);
        Assert.Equal(51, view.Body.Length);

        var quote = icmp[8..];
        AssertEmits(new IcmpV6Message.DestinationUnreachable { Code = 4, OriginalDatagram = quote }, src, dst, icmp);

        var unreachable = Parse<IcmpV6Message.DestinationUnreachable>(icmp, src, dst);
        Assert.Equal("DestinationUnreachable(port unreachable)", unreachable.DisplayName);
        Assert.Equal(0u, unreachable.Unused);
        Assert.Equal(0, unreachable.LengthAttribute);
        Assert.Null(unreachable.Extensions);
        Assert.False(unreachable.LengthAttributeInvalid);
        Assert.Equal(quote, unreachable.OriginalDatagram.ToArray());
        var parsed = unreachable.Quote;
        Assert.True(parsed.Error.IsNone);
        Assert.Equal(Ip("fd42::2"), parsed.IPv6!.Destination);
        Assert.Equal((byte)IPProtocol.Udp, parsed.Protocol);
        Assert.False(parsed.IsTruncated);
        Assert.Equal(new QuotedUdp(40000, 33434, 11, 0xf3fa), parsed.Transport);
        AssertEmits(unreachable, src, dst, icmp);
    }

    [Fact]
    public void No_route_quoting_echo_quartet()
    {
        var (src, dst, icmp) = Split(Vectors.NoRoute);
        AssertEmits(new IcmpV6Message.DestinationUnreachable { OriginalDatagram = icmp.AsMemory(8) }, src, dst, icmp);
        var unreachable = Parse<IcmpV6Message.DestinationUnreachable>(icmp, src, dst);
        Assert.Equal("DestinationUnreachable(no route to destination)", unreachable.DisplayName);
        var transport = Assert.IsType<QuotedIcmp>(unreachable.Quote.Transport);
        Assert.Equal((128, 7, 2, true), (transport.Type, transport.Identifier, transport.SequenceNumber, transport.IsV6));
        AssertEmits(unreachable, src, dst, icmp);
    }

    [Fact]
    public void Packet_too_big_carries_mtu_1280()
    {
        var (src, dst, icmp) = Split(Vectors.PacketTooBig);
        Assert.True(IcmpV6Packet.TryRead(icmp, out var view, out _));
        Assert.Equal(IcmpV6Type.PacketTooBig, view.Type);
        Assert.Equal(1280u, view.Mtu);
        AssertEmits(new IcmpV6Message.PacketTooBig { Mtu = 1280, OriginalDatagram = icmp.AsMemory(8) }, src, dst, icmp);
        var tooBig = Parse<IcmpV6Message.PacketTooBig>(icmp, src, dst);
        Assert.Equal(1280u, tooBig.Mtu);
        Assert.Equal(0, tooBig.LengthAttribute);
        var transport = Assert.IsType<QuotedIcmp>(tooBig.Quote.Transport);
        Assert.Equal((0x99, 3), (transport.Identifier, transport.SequenceNumber));
        AssertEmits(tooBig, src, dst, icmp);
    }

    [Fact]
    public void Time_exceeded_quoting_an_echo_request_quartet()
    {
        var (src, dst, icmp) = Split(Vectors.TimeExceeded);
        Assert.True(IcmpV6Packet.TryRead(icmp, out var view, out _));
        Assert.Equal((IcmpV6Type.TimeExceeded, (byte)0, (ushort)0x673c), (view.Type, view.Code, view.Checksum));
        AssertEmits(new IcmpV6Message.TimeExceeded { OriginalDatagram = icmp.AsMemory(8) }, src, dst, icmp);

        var exceeded = Parse<IcmpV6Message.TimeExceeded>(icmp, src, dst);
        Assert.Equal("TimeExceeded(hop limit exceeded in transit)", exceeded.DisplayName);
        var quote = exceeded.Quote;
        var header = quote.IPv6!;
        Assert.Equal(Ip("fd42::1"), header.Source);
        Assert.Equal(Ip("fd42::9"), header.Destination);
        Assert.Equal(1, header.HopLimit);
        Assert.Equal(13, header.PayloadLength);
        Assert.Equal(IPProtocol.IcmpV6, header.NextHeader);
        Assert.Empty(header.ExtensionHeaders);
        Assert.Equal(40, header.UpperLayerOffset);
        Assert.Equal(new QuotedIcmp(128, 0, 0xfe09, 0x4242, 7, IsV6: true), quote.Transport);
        Assert.Equal("\x80\x00\xfe\x09\x42\x42\x00\x07probe", string.Concat(quote.TransportBytes.ToArray().Select(b => (char)b)));
        AssertEmits(exceeded, src, dst, icmp);
    }

    [Fact]
    public void Time_exceeded_matches_its_probe_without_allocating_a_quote()
    {
        var (_, _, icmp) = Split(Vectors.TimeExceeded);
        Assert.True(QuotedProbe.TryRead(icmp.AsSpan(8), out var probe, out var error), error.ToString());
        Assert.Equal(IPProtocol.IcmpV6, probe.Protocol);
        Assert.Equal(128, probe.IcmpType);
        Assert.Equal(0x4242, probe.IcmpIdentifier);
        Assert.Equal(7, probe.IcmpSequenceNumber);
        Assert.Equal(Ip("fd42::9").GetAddressBytes(), probe.DestinationAddress.ToArray());
        Assert.Equal(Ip("fd42::1").GetAddressBytes(), probe.SourceAddress.ToArray());
        Assert.Equal(13, probe.Transport.Length);
    }

    [Fact]
    public void Parameter_problem_keeps_its_pointer()
    {
        var (src, dst, icmp) = Split(Vectors.ParameterProblem);
        Assert.True(IcmpV6Packet.TryRead(icmp, out var view, out _));
        Assert.Equal(6u, view.Pointer);
        AssertEmits(new IcmpV6Message.ParameterProblem { Code = 1, Pointer = 6, OriginalDatagram = icmp.AsMemory(8) }, src, dst, icmp);
        var problem = Parse<IcmpV6Message.ParameterProblem>(icmp, src, dst);
        Assert.Equal(6u, problem.Pointer);
        Assert.Equal("ParameterProblem(unrecognized next header type encountered)", problem.DisplayName);
        Assert.Equal(253, problem.Quote.IPv6!.NextHeader);
        Assert.Null(problem.Quote.Transport);
        AssertEmits(problem, src, dst, icmp);
    }

    [Fact]
    public void Quote_with_hop_by_hop_and_fragment_headers_finds_the_upper_layer()
    {
        var (src, dst, icmp) = Split(Vectors.QuoteWithExtensionHeaders);
        var exceeded = Parse<IcmpV6Message.TimeExceeded>(icmp, src, dst);
        var header = exceeded.Quote.IPv6!;
        Assert.Equal(IPProtocol.HopByHop, header.NextHeader);
        Assert.Equal(IPProtocol.IcmpV6, header.UpperLayerProtocol);
        Assert.Equal(56, header.UpperLayerOffset);
        Assert.False(header.IsNonInitialFragment);
        Assert.False(header.ChainTruncated);
        Assert.Equal(2, header.ExtensionHeaders.Count);
        var hopByHop = Assert.IsType<IPv6OptionsHeader>(header.ExtensionHeaders[0]);
        Assert.Equal(IPProtocol.Fragment, hopByHop.NextHeader);
        Assert.Equal([IPv6Option.RouterAlert, IPv6Option.PadN], hopByHop.Options.Select(o => o.OptionType));
        Assert.Equal(new byte[] { 0, 0 }, hopByHop.Options[0].Data.ToArray());
        var fragment = Assert.IsType<IPv6FragmentHeader>(header.ExtensionHeaders[1]);
        Assert.Equal((IPProtocol.IcmpV6, (ushort)0, true, 0xabcdef01u), (fragment.Next, fragment.FragmentOffset, fragment.MoreFragments, fragment.Identification));
        Assert.Equal(new QuotedIcmp(128, 0, 0x6bf5, 0x5151, 9, IsV6: true), exceeded.Quote.Transport);

        Assert.True(QuotedProbe.TryRead(exceeded.OriginalDatagram.Span, out var probe, out _));
        Assert.Equal((IPProtocol.IcmpV6, (ushort)0x5151, (ushort)9), (probe.Protocol, probe.IcmpIdentifier, probe.IcmpSequenceNumber));
        AssertEmits(exceeded, src, dst, icmp);
    }

    [Fact]
    public void Quote_of_a_non_initial_fragment_has_no_transport()
    {
        var (src, dst, icmp) = Split(Vectors.QuoteOfNonInitialFragment);
        var exceeded = Parse<IcmpV6Message.TimeExceeded>(icmp, src, dst);
        Assert.Equal("TimeExceeded(fragment reassembly time exceeded)", exceeded.DisplayName);
        var quote = exceeded.Quote;
        Assert.True(quote.IPv6!.IsNonInitialFragment);
        var fragment = Assert.IsType<IPv6FragmentHeader>(Assert.Single(quote.IPv6.ExtensionHeaders));
        Assert.Equal((ushort)185, fragment.FragmentOffset);
        Assert.False(fragment.MoreFragments);
        Assert.Equal(0x1000u, fragment.Identification);
        Assert.Null(quote.Transport);
        Assert.True(quote.TransportBytes.IsEmpty);
        Assert.False(QuotedProbe.TryRead(exceeded.OriginalDatagram.Span, out _, out var error));
        Assert.Equal(WireErrorKind.Truncated, error.Kind);
        AssertEmits(exceeded, src, dst, icmp);
    }

    [Fact]
    public void Error_of_40_to_43_bytes_quotes_a_cut_header()
    {
        var (src, dst, icmp) = Split(Vectors.TimeExceeded);
        for (int length = 40; length <= 43; length++)
        {
            Assert.True(IcmpV6Message.TryParse(icmp.AsSpan(0, length), src, dst, out var message, out _));
            var quote = Assert.IsType<IcmpV6Message.TimeExceeded>(message).Quote;
            Assert.Null(quote.IPv6);
            Assert.Equal(WireErrorKind.Truncated, quote.Error.Kind);
            Assert.False(QuotedProbe.TryRead(icmp.AsSpan(8, length - 8), out _, out _));
        }
    }
}
