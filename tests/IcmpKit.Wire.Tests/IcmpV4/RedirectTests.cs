using System.Net;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.Quoting;
using static IcmpKit.Wire.Tests.IcmpV4.V4Wire;

namespace IcmpKit.Wire.Tests.IcmpV4;

public class RedirectTests
{
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=5,code=1,gw='198.18.0.254')/Raw(bytes(IP(src='198.18.0.1',dst='198.18.5.5',id=3)/ICMP(type=8,id=0x77,seq=2)/b'abcdefgh')[:28])).hex())"
    private static readonly byte[] Known = Hex("0501c583c61200fe45000024000300004001e9abc6120001c6120505080065f100770002");

    [Fact]
    public void Read_through_the_view()
    {
        Assert.True(IcmpV4Packet.TryRead(Known, out var icmp, out _));
        Assert.Equal(IcmpV4Type.Redirect, icmp.Type);
        Assert.Equal((byte)IcmpV4RedirectCode.Host, icmp.Code);
        Assert.Equal(0xc583, icmp.Checksum);
        Assert.Equal(new byte[] { 198, 18, 0, 254 }, icmp.GatewayBytes.ToArray());
        Assert.True(icmp.IsError);
    }

    [Fact]
    public void Write_from_a_value()
    {
        var message = new IcmpV4Message.Redirect
        {
            Code = (byte)IcmpV4RedirectCode.Host,
            Gateway = IPAddress.Parse("198.18.0.254"),
            OriginalDatagram = Known.AsMemory(8),
        };
        Assert.Equal(Known, Emit(message));
    }

    [Fact]
    public void Parse()
    {
        var m = Parse<IcmpV4Message.Redirect>(Known);
        Assert.Equal(IPAddress.Parse("198.18.0.254"), m.Gateway);
        Assert.Equal(1, m.Code);
        Assert.Equal(0xc583, m.Checksum);
        Assert.True(m.ChecksumValid);
        Assert.Equal("Redirect(redirect for host)", m.DisplayName);
        Assert.Equal(0, m.LengthAttribute);
        var quote = m.Quote;
        Assert.Equal(IPAddress.Parse("198.18.5.5"), quote.IPv4!.Destination);
        Assert.Equal(new QuotedIcmp(8, 0, 0x65f1, 0x77, 2, false), quote.Transport);
        Assert.True(quote.IsTruncated);
    }

    [Fact]
    public void Emit_parsed_gives_the_same_bytes() => AssertRoundTrip(Known);
}
