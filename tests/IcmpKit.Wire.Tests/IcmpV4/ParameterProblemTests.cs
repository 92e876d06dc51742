using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.Quoting;
using static IcmpKit.Wire.Tests.IcmpV4.V4Wire;

namespace IcmpKit.Wire.Tests.IcmpV4;

public class ParameterProblemTests
{
    // Pointer 20: the first option byte of the quoted header (a Router Alert).
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=12,code=0,ptr=20)/Raw(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=5,options=[IPOption_Router_Alert()])/UDP(sport=1000,dport=2000))[:32])).hex())"
    private static readonly byte[] Known = Hex("0c006c411400000046000020000500004011599cc6120001c61200029404000003e807d0000867fe");

    [Fact]
    public void Read_through_the_view()
    {
        Assert.True(IcmpV4Packet.TryRead(Known, out var icmp, out _));
        Assert.Equal(IcmpV4Type.ParameterProblem, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(0x6c41, icmp.Checksum);
        Assert.Equal(20, icmp.Pointer);
        Assert.Equal(0, icmp.LengthAttribute);
        Assert.True(icmp.IsChecksumValid);
    }

    [Fact]
    public void Write_from_a_value()
    {
        var message = new IcmpV4Message.ParameterProblem { Pointer = 20, OriginalDatagram = Known.AsMemory(8) };
        Assert.Equal(Known, Emit(message));
    }

    [Fact]
    public void Parse()
    {
        var m = Parse<IcmpV4Message.ParameterProblem>(Known);
        Assert.Equal(20, m.Pointer);
        Assert.Equal(0, m.Code);
        Assert.Equal(0x6c41, m.Checksum);
        Assert.Equal("ParameterProblem(pointer indicates the error)", m.DisplayName);
        var quote = m.Quote;
        Assert.False(quote.IsTruncated);
        var ip = quote.IPv4!;
        Assert.Equal(24, ip.HeaderLength);
        Assert.Equal(32, ip.TotalLength);
        Assert.True(ip.OptionsError.IsNone);
        Assert.Equal(new IPv4RouterAlert(0), Assert.Single(ip.Options));
        Assert.Equal(new QuotedUdp(1000, 2000, 8, 0x67fe), quote.Transport);
        Assert.Equal((byte)IPv4OptionType.RouterAlert, m.OriginalDatagram.Span[m.Pointer]);
    }

    [Fact]
    public void Emit_parsed_gives_the_same_bytes() => AssertRoundTrip(Known);
}
