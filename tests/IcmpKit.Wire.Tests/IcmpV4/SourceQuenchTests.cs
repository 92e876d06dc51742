using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.Quoting;
using static IcmpKit.Wire.Tests.IcmpV4.V4Wire;

namespace IcmpKit.Wire.Tests.IcmpV4;

public class SourceQuenchTests
{
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=4)/Raw(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=9)/TCP(sport=40001,dport=80,seq=1000))[:28])).hex())"
    private static readonly byte[] Known = Hex("04005b860000000045000028000900004006ee9fc6120001c61200029c410050000003e8");

    [Fact]
    public void Read_through_the_view()
    {
        Assert.True(IcmpV4Packet.TryRead(Known, out var icmp, out _));
        Assert.Equal(IcmpV4Type.SourceQuench, icmp.Type);
        Assert.Equal(0x5b86, icmp.Checksum);
        Assert.Equal(0u, icmp.RestOfHeader);
        Assert.True(icmp.IsError);
        Assert.True(icmp.IsChecksumValid);
    }

    [Fact]
    public void Write_from_a_value()
    {
        Assert.Equal(Known, Emit(new IcmpV4Message.SourceQuench { OriginalDatagram = Known.AsMemory(8) }));
    }

    [Fact]
    public void Parse()
    {
        var m = Parse<IcmpV4Message.SourceQuench>(Known);
        Assert.Equal(0u, m.Unused);
        Assert.Equal(0x5b86, m.Checksum);
        Assert.Equal("SourceQuench", m.DisplayName);
        Assert.Equal(0, m.LengthAttribute);
        Assert.Equal(new QuotedTcp(40001, 80, 1000), m.Quote.Transport);
        Assert.Equal((byte)6, m.Quote.Protocol);
        Assert.Equal(9, m.Quote.IPv4!.Identification);
    }

    [Fact]
    public void Emit_parsed_gives_the_same_bytes() => AssertRoundTrip(Known);

    [Fact]
    public void Unused_word_is_kept()
    {
        var bytes = new IcmpV4Message.SourceQuench { Unused = 0xDEADBEEF, OriginalDatagram = Known.AsMemory(8) }.ToArray();
        Assert.Equal(0xDEADBEEF, Parse<IcmpV4Message.SourceQuench>(bytes).Unused);
        AssertRoundTrip(bytes);
    }
}
