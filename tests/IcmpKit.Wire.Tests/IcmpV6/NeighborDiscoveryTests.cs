using IcmpKit.Wire.IcmpV6;
using static IcmpKit.Wire.Tests.IcmpV6.V6Quartet;

namespace IcmpKit.Wire.Tests.IcmpV6;

public class NeighborDiscoveryTests
{
    private static byte[] Mac(byte last) => [2, 0, 0, 0, 0, last];

    [Fact]
    public void Router_solicitation_with_source_link_layer_address()
    {
        var (src, dst, icmp) = Split(Vectors.RouterSolicitation);
        Assert.True(IcmpV6Packet.TryRead(icmp, out var view, out _));
        Assert.Equal((IcmpV6Type.RouterSolicitation, 0x7a2cu), (view.Type, (uint)view.Checksum));
        AssertEmits(new IcmpV6Message.RouterSolicitation([new NdLinkLayerAddress(true, Mac(1))]), src, dst, icmp);
        var solicitation = Parse<IcmpV6Message.RouterSolicitation>(icmp, src, dst);
        Assert.Equal(0u, solicitation.Reserved);
        var option = Assert.IsType<NdLinkLayerAddress>(Assert.Single(solicitation.Options));
        Assert.True(option.IsSource);
        Assert.Equal(NdOption.SourceLinkLayerAddressType, option.Type);
        Assert.Equal("02:00:00:00:00:01", option.ToString());
        AssertEmits(solicitation, src, dst, icmp);
    }

    [Fact]
    public void Router_advertisement_with_link_layer_mtu_and_prefix_options()
    {
        var (src, dst, icmp) = Split(Vectors.RouterAdvertisement);
        var prefix = new NdPrefixInformation(64, OnLink: true, Autonomous: true, 86400, 14400, Ip("fd42:1::"));
        var built = new IcmpV6Message.RouterAdvertisement(64, 0x80, 1800, 30000, 1000,
            [new NdLinkLayerAddress(true, Mac(0xfe)), new NdMtu(1500), prefix]);
        AssertEmits(built, src, dst, icmp);

        var advert = Parse<IcmpV6Message.RouterAdvertisement>(icmp, src, dst);
        Assert.Equal((64, 0x80, 1800, 30000u, 1000u), (advert.CurrentHopLimit, advert.Flags, advert.RouterLifetime, advert.ReachableTime, advert.RetransmitTimer));
        Assert.True(advert.ManagedAddressConfiguration);
        Assert.False(advert.OtherConfiguration);
        Assert.Equal(3, advert.Options.Count);
        Assert.Equal("02:00:00:00:00:fe", Assert.IsType<NdLinkLayerAddress>(advert.Options[0]).ToString());
        var mtu = Assert.IsType<NdMtu>(advert.Options[1]);
        Assert.Equal((1500u, (ushort)0), (mtu.Mtu, mtu.Reserved));
        var info = Assert.IsType<NdPrefixInformation>(advert.Options[2]);
        Assert.Equal((64, true, true, 86400u, 14400u), (info.PrefixLength, info.OnLink, info.Autonomous, info.ValidLifetime, info.PreferredLifetime));
        Assert.Equal(Ip("fd42:1::"), info.Prefix);
        Assert.Equal((0, 0u), (info.ReservedBits, info.Reserved2));
        AssertEmits(advert, src, dst, icmp);
    }

    [Fact]
    public void Neighbor_solicitation_names_its_target()
    {
        var (src, dst, icmp) = Split(Vectors.NeighborSolicitation);
        AssertEmits(new IcmpV6Message.NeighborSolicitation(Ip("fd42::2"), [new NdLinkLayerAddress(true, Mac(1))]), src, dst, icmp);
        var solicitation = Parse<IcmpV6Message.NeighborSolicitation>(icmp, src, dst);
        Assert.Equal(Ip("fd42::2"), solicitation.TargetAddress);
        Assert.True(Assert.IsType<NdLinkLayerAddress>(Assert.Single(solicitation.Options)).IsSource);
        AssertEmits(solicitation, src, dst, icmp);
    }

    [Fact]
    public void Neighbor_advertisement_flags_and_target_link_layer_option()
    {
        var (src, dst, icmp) = Split(Vectors.NeighborAdvertisement);
        Assert.True(IcmpV6Packet.TryRead(icmp, out var view, out _));
        Assert.Equal(0xc000_0000u, view.RestOfHeader);
        AssertEmits(new IcmpV6Message.NeighborAdvertisement(true, true, false, Ip("fd42::2"), [new NdLinkLayerAddress(false, Mac(2))]), src, dst, icmp);
        var advert = Parse<IcmpV6Message.NeighborAdvertisement>(icmp, src, dst);
        Assert.Equal((true, true, false), (advert.Router, advert.Solicited, advert.Override));
        Assert.Equal(Ip("fd42::2"), advert.TargetAddress);
        var target = Assert.IsType<NdLinkLayerAddress>(Assert.Single(advert.Options));
        Assert.False(target.IsSource);
        Assert.Equal(NdOption.TargetLinkLayerAddressType, target.Type);
        Assert.Equal("02:00:00:00:00:02", target.ToString());
        AssertEmits(advert, src, dst, icmp);
        // The O flag alone lands in bit 29.
        var only = new IcmpV6Message.NeighborAdvertisement(false, false, true, Ip("fd42::2"), []).ToArray();
        Assert.Equal(0x20, only[4]);
    }

    [Fact]
    public void Redirect_with_redirected_header_option()
    {
        var (src, dst, icmp) = Split(Vectors.Redirect);
        var redirected = icmp[^48..];
        AssertEmits(new IcmpV6Message.Redirect(Ip("fe80::2"), Ip("fd42:9::9"),
            [new NdLinkLayerAddress(false, Mac(2)), new NdRedirectedHeader(redirected)]), src, dst, icmp);
        var redirect = Parse<IcmpV6Message.Redirect>(icmp, src, dst);
        Assert.Equal(Ip("fe80::2"), redirect.TargetAddress);
        Assert.Equal(Ip("fd42:9::9"), redirect.DestinationAddress);
        Assert.Equal(2, redirect.Options.Count);
        var header = Assert.IsType<NdRedirectedHeader>(redirect.Options[1]);
        Assert.Equal(redirected, header.Packet.ToArray());
        Assert.Equal(new byte[6], header.Reserved.ToArray());
        var quote = Quoting.QuotedDatagram.Parse(header.Packet);
        Assert.Equal(Ip("fd42:9::9"), quote.IPv6!.Destination);
        AssertEmits(redirect, src, dst, icmp);
    }

    [Fact]
    public void Zero_length_option_is_kept_as_malformed_and_emitted_verbatim()
    {
        var (src, dst, icmp) = Split(Vectors.RouterSolicitation);
        icmp[9] = 0; // option length 0 (RFC 4861 §4.6: invalid)
        Assert.True(IcmpV6Message.TryParse(icmp, src, dst, out var message, out _));
        var option = Assert.IsType<NdMalformedOption>(Assert.Single(((IcmpV6Message.RouterSolicitation)message!).Options));
        Assert.Equal(WireErrorKind.BadOptionLength, option.Error.Kind);
        Assert.Equal(icmp[8..], message.ToArray(src, dst)[8..]);
    }

    [Fact]
    public void Option_overrunning_the_message_is_malformed()
    {
        var (src, dst, icmp) = Split(Vectors.NeighborSolicitation);
        icmp[25] = 2; // claims 16 bytes, 8 present
        Assert.True(IcmpV6Message.TryParse(icmp, src, dst, out var message, out _));
        var option = Assert.IsType<NdMalformedOption>(Assert.Single(((IcmpV6Message.NeighborDiscovery)message!).Options));
        Assert.Equal(new WireError(WireErrorKind.BadOptionLength, 1), option.Error);
    }

    [Theory]
    [InlineData(Vectors.RouterAdvertisement, 15)]
    [InlineData(Vectors.NeighborSolicitation, 23)]
    [InlineData(Vectors.NeighborAdvertisement, 23)]
    [InlineData(Vectors.Redirect, 39)]
    public void Fixed_fields_cut_short_are_truncated(string hex, int length)
    {
        var (src, dst, icmp) = Split(hex);
        Assert.False(IcmpV6Message.TryParse(icmp.AsSpan(0, length), src, dst, out var message, out var error));
        Assert.Null(message);
        Assert.Equal(WireErrorKind.Truncated, error.Kind);
    }
}
