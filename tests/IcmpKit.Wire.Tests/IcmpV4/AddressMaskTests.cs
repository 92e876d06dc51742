using System.Net;
using IcmpKit.Wire.IcmpV4;
using static IcmpKit.Wire.Tests.IcmpV4.V4Wire;

namespace IcmpKit.Wire.Tests.IcmpV4;

public class AddressMaskTests
{
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=17,id=0x55,seq=1,addr_mask='0.0.0.0')).hex())"
    private static readonly byte[] Request = Hex("1100eea90055000100000000");

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=18,id=0x55,seq=1,addr_mask='255.255.252.0')).hex())"
    private static readonly byte[] Reply = Hex("1200f1a800550001fffffc00");

    [Fact]
    public void Read_through_the_view()
    {
        Assert.True(IcmpV4Packet.TryRead(Reply, out var icmp, out _));
        Assert.Equal(IcmpV4Type.AddressMaskReply, icmp.Type);
        Assert.Equal(0xf1a8, icmp.Checksum);
        Assert.Equal(0x55, icmp.Identifier);
        Assert.Equal(1, icmp.SequenceNumber);
        Assert.Equal(new byte[] { 255, 255, 252, 0 }, icmp.Body.ToArray());
    }

    [Fact]
    public void Write_from_values()
    {
        Assert.Equal(Request, Emit(new IcmpV4Message.AddressMask(false, 0x55, 1, IPAddress.Any)));
        Assert.Equal(Reply, Emit(new IcmpV4Message.AddressMask(true, 0x55, 1, IPAddress.Parse("255.255.252.0"))));
    }

    [Fact]
    public void Parse()
    {
        var request = Parse<IcmpV4Message.AddressMask>(Request);
        Assert.False(request.IsReply);
        Assert.Equal(IcmpV4Type.AddressMaskRequest, request.Type);
        Assert.Equal(0xeea9, request.Checksum);
        Assert.Equal(IPAddress.Any, request.Mask);
        Assert.Equal(0, request.PrefixLength);
        Assert.Equal("AddressMaskRequest", request.DisplayName);

        var reply = Parse<IcmpV4Message.AddressMask>(Reply);
        Assert.True(reply.IsReply);
        Assert.Equal(IcmpV4Type.AddressMaskReply, reply.Type);
        Assert.Equal(0x55, reply.Identifier);
        Assert.Equal(1, reply.SequenceNumber);
        Assert.Equal(IPAddress.Parse("255.255.252.0"), reply.Mask);
        Assert.Equal(22, reply.PrefixLength);
    }

    [Theory]
    [InlineData("255.255.255.255", 32)]
    [InlineData("128.0.0.0", 1)]
    [InlineData("255.255.255.0", 24)]
    [InlineData("255.0.255.0", null)]
    [InlineData("0.0.0.1", null)]
    [InlineData("255.255.255.254", 31)]
    public void Prefix_length_only_for_contiguous_masks(string mask, int? prefix)
    {
        Assert.Equal(prefix, new IcmpV4Message.AddressMask(true, 0, 0, IPAddress.Parse(mask)).PrefixLength);
    }

    [Fact]
    public void Emit_parsed_gives_the_same_bytes()
    {
        AssertRoundTrip(Request);
        AssertRoundTrip(Reply);
    }

    [Fact]
    public void Missing_mask_is_truncated()
    {
        Assert.False(IcmpV4Message.TryParse(Reply.AsSpan(0, 10), out _, out var error));
        Assert.Equal(new WireError(WireErrorKind.Truncated, 10), error);
    }
}
