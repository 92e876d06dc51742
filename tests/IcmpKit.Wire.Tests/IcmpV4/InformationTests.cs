using IcmpKit.Wire.IcmpV4;
using static IcmpKit.Wire.Tests.IcmpV4.V4Wire;

namespace IcmpKit.Wire.Tests.IcmpV4;

public class InformationTests
{
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=15,id=0x99,seq=1)).hex())"
    private static readonly byte[] Request = Hex("0f00f06500990001");

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=16,id=0x99,seq=1)).hex())"
    private static readonly byte[] Reply = Hex("1000ef6500990001");

    [Fact]
    public void Read_through_the_view()
    {
        Assert.True(IcmpV4Packet.TryRead(Request, out var icmp, out _));
        Assert.Equal(IcmpV4Type.InformationRequest, icmp.Type);
        Assert.Equal(0xf065, icmp.Checksum);
        Assert.Equal(0x99, icmp.Identifier);
        Assert.Equal(1, icmp.SequenceNumber);
        Assert.True(icmp.Body.IsEmpty);
        Assert.True(icmp.IsChecksumValid);
    }

    [Fact]
    public void Write_from_values()
    {
        Assert.Equal(Request, Emit(new IcmpV4Message.Information(false, 0x99, 1)));
        Assert.Equal(Reply, Emit(new IcmpV4Message.Information(true, 0x99, 1)));
    }

    [Fact]
    public void Parse()
    {
        var request = Parse<IcmpV4Message.Information>(Request);
        Assert.False(request.IsReply);
        Assert.Equal(IcmpV4Type.InformationRequest, request.Type);
        Assert.Equal(0x99, request.Identifier);
        Assert.Equal(1, request.SequenceNumber);
        Assert.Equal(0xf065, request.Checksum);
        Assert.Equal("InformationRequest", request.DisplayName);
        var reply = Parse<IcmpV4Message.Information>(Reply);
        Assert.True(reply.IsReply);
        Assert.Equal(IcmpV4Type.InformationReply, reply.Type);
        Assert.Equal(0xef65, reply.Checksum);
        Assert.Equal(0x99, reply.Identifier);
        Assert.Equal(1, reply.SequenceNumber);
    }

    [Fact]
    public void Emit_parsed_gives_the_same_bytes()
    {
        AssertRoundTrip(Request);
        AssertRoundTrip(Reply);
    }
}
