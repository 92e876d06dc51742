using System.Net;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.Quoting;
using static IcmpKit.Wire.Tests.IcmpV4.V4Wire;

namespace IcmpKit.Wire.Tests.IcmpV4;

public class DestinationUnreachableTests
{
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=3,code=3)/IP(src='198.18.0.1',dst='198.18.0.2',id=0x4242)/UDP(sport=40000,dport=33434)/b'probe').hex())"
    private static readonly byte[] PortUnreachable =
        Hex("030389430000000045000021424200004011ac62c6120001c61200029c40829a000d0ffc70726f6265");

    // RFC 792 quotes 28 bytes of a 1500-byte DF datagram; RFC 1191 puts the next-hop MTU in the low 16 bits.
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=3,code=4,nexthopmtu=1280)/Raw(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=7,flags='DF')/UDP(sport=5000,dport=6000)/(b'Z'*1472))[:28])).hex())"
    private static readonly byte[] FragmentationNeeded =
        Hex("03044dc100000500450005dc000740004011a8e2c6120001c61200021388177005c8797a");

    [Fact]
    public void Read_through_the_view()
    {
        Assert.True(IcmpV4Packet.TryRead(FragmentationNeeded, out var icmp, out _));
        Assert.Equal(IcmpV4Type.DestinationUnreachable, icmp.Type);
        Assert.Equal((byte)IcmpV4UnreachableCode.FragmentationNeeded, icmp.Code);
        Assert.Equal(0x4dc1, icmp.Checksum);
        Assert.True(icmp.IsChecksumValid);
        Assert.Equal(1280, icmp.NextHopMtu);
        Assert.Equal(0, icmp.LengthAttribute);
        Assert.True(icmp.IsError);
        Assert.Equal(28, icmp.Body.Length);
        Assert.Equal(0x45, icmp.Body[0]);
    }

    [Fact]
    public void Write_port_unreachable_from_a_value()
    {
        var message = new IcmpV4Message.DestinationUnreachable
        {
            Code = (byte)IcmpV4UnreachableCode.PortUnreachable,
            OriginalDatagram = PortUnreachable.AsMemory(8),
        };
        Assert.Equal(PortUnreachable, Emit(message));
    }

    [Fact]
    public void Write_fragmentation_needed_from_a_value()
    {
        var message = new IcmpV4Message.DestinationUnreachable
        {
            Code = (byte)IcmpV4UnreachableCode.FragmentationNeeded,
            NextHopMtu = 1280,
            OriginalDatagram = FragmentationNeeded.AsMemory(8),
        };
        Assert.Equal(FragmentationNeeded, Emit(message));
    }

    [Fact]
    public void Parse_port_unreachable()
    {
        var m = Parse<IcmpV4Message.DestinationUnreachable>(PortUnreachable);
        Assert.Equal(IcmpV4UnreachableCode.PortUnreachable, m.UnreachableCode);
        Assert.Equal(0x8943, m.Checksum);
        Assert.True(m.ChecksumValid);
        Assert.Equal(0, m.NextHopMtu);
        Assert.Equal(0, m.Unused);
        Assert.Equal(0, m.LengthAttribute);
        Assert.Null(m.Extensions);
        Assert.Equal(ExtensionLayout.None, m.Layout);
        Assert.False(m.LengthAttributeInvalid);
        Assert.Equal(PortUnreachable[8..], m.OriginalDatagram.ToArray());
        Assert.Equal("DestinationUnreachable(port unreachable)", m.DisplayName);

        var quote = m.Quote;
        Assert.True(quote.Error.IsNone);
        Assert.False(quote.IsTruncated);
        Assert.Equal((byte)17, quote.Protocol);
        var ip = Assert.IsType<IcmpKit.Wire.IPv4.IPv4Header>(quote.IPv4);
        Assert.Equal(33, ip.TotalLength);
        Assert.Equal(0x4242, ip.Identification);
        Assert.Equal(IPAddress.Parse("198.18.0.1"), ip.Source);
        Assert.Equal(IPAddress.Parse("198.18.0.2"), ip.Destination);
        Assert.True(ip.HeaderChecksumValid);
        var udp = Assert.IsType<QuotedUdp>(quote.Transport);
        Assert.Equal(new QuotedUdp(40000, 33434, 13, 0x0ffc), udp);
        Assert.Equal(13, quote.TransportBytes.Length);
        Assert.Equal("probe"u8.ToArray(), quote.TransportBytes[8..].ToArray());
    }

    [Fact]
    public void Parse_fragmentation_needed()
    {
        var m = Parse<IcmpV4Message.DestinationUnreachable>(FragmentationNeeded);
        Assert.Equal(IcmpV4UnreachableCode.FragmentationNeeded, m.UnreachableCode);
        Assert.Equal(4, m.Code);
        Assert.Equal(1280, m.NextHopMtu);
        Assert.Equal(0, m.Unused);
        Assert.Equal("DestinationUnreachable(fragmentation needed and DF set)", m.DisplayName);
        var quote = m.Quote;
        Assert.True(quote.IsTruncated);
        Assert.NotNull(quote.IPv4);
        Assert.True(quote.IPv4.DontFragment);
        Assert.False(quote.IPv4.MoreFragments);
        Assert.Equal(1500, quote.IPv4.TotalLength);
        Assert.Equal(7, quote.IPv4.Identification);
        Assert.Equal(new QuotedUdp(5000, 6000, 1480, 0x797a), quote.Transport);

        Assert.True(QuotedProbe.TryRead(m.OriginalDatagram.Span, out var probe, out var error));
        Assert.True(error.IsNone);
        Assert.Equal(17, probe.Protocol);
        Assert.Equal(5000, probe.SourcePort);
        Assert.Equal(6000, probe.DestinationPort);
        Assert.Equal(new byte[] { 198, 18, 0, 2 }, probe.DestinationAddress.ToArray());
    }

    [Fact]
    public void Emit_parsed_gives_the_same_bytes()
    {
        AssertRoundTrip(PortUnreachable);
        AssertRoundTrip(FragmentationNeeded);
    }
}
