using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using static IcmpKit.Wire.Tests.IcmpV6.V6Quartet;

namespace IcmpKit.Wire.Tests.IcmpV6;

public class ExtendedEchoTests
{
    private static IcmpExtensionStructure With(IcmpExtensionObject obj) => new() { Objects = [obj] };

    [Fact]
    public void Request_by_name_quartet()
    {
        var (src, dst, icmp) = Split(Vectors.ExtendedEchoByName);
        Assert.True(IcmpV6Packet.TryRead(icmp, out var view, out _));
        Assert.Equal((IcmpV6Type.ExtendedEchoRequest, (ushort)0x0abc), (view.Type, view.Identifier));
        AssertEmits(new IcmpV6Message.ExtendedEchoRequest(0x0abc, 1, true, With(InterfaceIdentificationObject.ForName("eth0"))), src, dst, icmp);
        var request = Parse<IcmpV6Message.ExtendedEchoRequest>(icmp, src, dst);
        Assert.Equal((0x0abc, 1, true, 0), (request.Identifier, request.SequenceNumber, request.Local, request.Reserved));
        Assert.True(request.Extensions!.ChecksumValid);
        Assert.Equal(0x0f52, request.Extensions.Checksum);
        var id = request.InterfaceIdentification!;
        Assert.Equal((InterfaceIdentificationKind.ByName, "eth0"), (id.Kind, id.Name));
        Assert.True(request.Trailing.IsEmpty);
        AssertEmits(request, src, dst, icmp);
    }

    [Fact]
    public void Request_by_index_quartet()
    {
        var (src, dst, icmp) = Split(Vectors.ExtendedEchoByIndex);
        AssertEmits(new IcmpV6Message.ExtendedEchoRequest(0x0abc, 2, true, With(InterfaceIdentificationObject.ForIndex(2))), src, dst, icmp);
        var request = Parse<IcmpV6Message.ExtendedEchoRequest>(icmp, src, dst);
        Assert.Equal((InterfaceIdentificationKind.ByIndex, 2u), (request.InterfaceIdentification!.Kind, request.InterfaceIdentification.Index));
        AssertEmits(request, src, dst, icmp);
    }

    [Fact]
    public void Request_by_address_quartet()
    {
        var (src, dst, icmp) = Split(Vectors.ExtendedEchoByAddress);
        AssertEmits(new IcmpV6Message.ExtendedEchoRequest(0x0abc, 3, false, With(InterfaceIdentificationObject.ForAddress(Ip("fd42::2")))), src, dst, icmp);
        var request = Parse<IcmpV6Message.ExtendedEchoRequest>(icmp, src, dst);
        Assert.False(request.Local);
        Assert.Equal(InterfaceIdentificationKind.ByAddress, request.InterfaceIdentification!.Kind);
        Assert.Equal(Ip("fd42::2"), request.InterfaceIdentification.Address);
        AssertEmits(request, src, dst, icmp);
    }

    [Fact]
    public void Reply_reachable_with_active_and_ipv6_bits()
    {
        var (src, dst, icmp) = Split(Vectors.ExtendedEchoReplyReachable);
        AssertEmits(new IcmpV6Message.ExtendedEchoReply(0x0abc, 3, ExtendedEchoState.Reachable, Active: true, IPv4: false, IPv6: true), src, dst, icmp);
        var reply = Parse<IcmpV6Message.ExtendedEchoReply>(icmp, src, dst);
        Assert.Equal((0x0abc, 3, ExtendedEchoState.Reachable), (reply.Identifier, reply.SequenceNumber, reply.State));
        Assert.Equal((true, false, true, 0), (reply.Active, reply.IPv4, reply.IPv6, reply.Reserved));
        Assert.Equal(ExtendedEchoReplyCode.NoError, reply.ReplyCode);
        Assert.Equal("ExtendedEchoReply(no error)", reply.DisplayName);
        AssertEmits(reply, src, dst, icmp);
    }

    [Fact]
    public void Reply_no_such_interface()
    {
        var (src, dst, icmp) = Split(Vectors.ExtendedEchoReplyNoSuchInterface);
        AssertEmits(new IcmpV6Message.ExtendedEchoReply(0x0abc, 1, ExtendedEchoState.Reserved, false, false, false) { Code = 2 }, src, dst, icmp);
        var reply = Parse<IcmpV6Message.ExtendedEchoReply>(icmp, src, dst);
        Assert.Equal(ExtendedEchoReplyCode.NoSuchInterface, reply.ReplyCode);
        Assert.Equal((false, false, false), (reply.Active, reply.IPv4, reply.IPv6));
        Assert.Equal("ExtendedEchoReply(no such interface)", reply.DisplayName);
        AssertEmits(reply, src, dst, icmp);
    }

    [Fact]
    public void Request_body_too_short_for_a_structure_is_kept_as_trailing()
    {
        var bytes = new byte[] { 160, 0, 0, 0, 0x0a, 0xbc, 1, 1, 0x20, 0 };
        Assert.True(IcmpV6Message.TryParse(bytes, out var message, out _));
        var request = Assert.IsType<IcmpV6Message.ExtendedEchoRequest>(message);
        Assert.Null(request.Extensions);
        Assert.Equal(new byte[] { 0x20, 0 }, request.Trailing.ToArray());
        Assert.Equal(bytes, request.ToArray());
    }
}
