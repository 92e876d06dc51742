using IcmpKit.Wire.IcmpV4;
using static IcmpKit.Wire.Tests.IcmpV4.V4Wire;

namespace IcmpKit.Wire.Tests.IcmpV4;

public class TracerouteTests
{
    // Scapy has no type-30 fields: its 32-bit "unused" word carries ID Number 0x42 and the unused 16 bits,
    // and Raw carries RFC 1393 §2.2's outbound hop count 3, return hop count 0xFFFF, link speed
    // 1 250 000 bytes/s and MTU 1500.
    // /usr/bin/python3 -c "from scapy.all import *; import struct, socket; print(bytes(ICMP(type=30,code=0,unused=0x00420000)/Raw(struct.pack('!HHII',3,0xffff,1250000,1500))).hex())"
    private static readonly byte[] Known = Hex("1e00c8fb004200000003ffff001312d0000005dc");

    [Fact]
    public void Read_through_the_view()
    {
        Assert.True(IcmpV4Packet.TryRead(Known, out var icmp, out _));
        Assert.Equal(IcmpV4Type.Traceroute, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(0xc8fb, icmp.Checksum);
        Assert.Equal(0x42, icmp.Identifier);
        Assert.Equal(12, icmp.Body.Length);
        Assert.True(icmp.IsChecksumValid);
        Assert.False(icmp.IsError);
    }

    [Fact]
    public void Write_from_a_value()
    {
        Assert.Equal(Known, Emit(new IcmpV4Message.Traceroute(0x42, 3, 0xffff, 1250000, 1500)));
    }

    [Fact]
    public void Parse()
    {
        var m = Parse<IcmpV4Message.Traceroute>(Known);
        Assert.Equal(0x42, m.IdNumber);
        Assert.Equal(3, m.OutboundHopCount);
        Assert.Equal(0xffff, m.ReturnHopCount);
        Assert.Equal(1250000u, m.OutputLinkSpeed);
        Assert.Equal(1500u, m.OutputLinkMtu);
        Assert.Equal(0xc8fb, m.Checksum);
        Assert.Equal("Traceroute(outbound packet successfully forwarded)", m.DisplayName);
        Assert.Equal("Traceroute(no route for outbound packet; packet discarded)", (m with { Code = 1 }).DisplayName);
    }

    [Fact]
    public void Emit_parsed_gives_the_same_bytes() => AssertRoundTrip(Known);

    [Fact]
    public void Short_body_is_truncated()
    {
        Assert.False(IcmpV4Message.TryParse(Known.AsSpan(0, 16), out _, out var error));
        Assert.Equal(new WireError(WireErrorKind.Truncated, 16), error);
    }
}
