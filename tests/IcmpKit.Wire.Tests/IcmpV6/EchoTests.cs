using IcmpKit.Wire.IcmpV6;
using static IcmpKit.Wire.Tests.IcmpV6.V6Quartet;

namespace IcmpKit.Wire.Tests.IcmpV6;

public class EchoTests
{
    private static readonly byte[] Abcd = "abcd"u8.ToArray();

    [Fact]
    public void Echo_request_view_reads_scapy_bytes()
    {
        var (_, _, icmp) = Split(Vectors.EchoRequest);
        Assert.True(IcmpV6Packet.TryRead(icmp, out var view, out var error));
        Assert.True(error.IsNone);
        Assert.Equal(IcmpV6Type.EchoRequest, view.Type);
        Assert.Equal(0, view.Code);
        Assert.Equal(0xae34, view.Checksum);
        Assert.Equal(0x1234, view.Identifier);
        Assert.Equal(1, view.SequenceNumber);
        Assert.Equal(Abcd, view.Body.ToArray());
        Assert.True(view.IsChecksumValid(Ip("fd42::1").GetAddressBytes(), Ip("fd42::2").GetAddressBytes()));
        Assert.False(view.IsChecksumValid(Ip("fd42::1").GetAddressBytes(), Ip("fd42::3").GetAddressBytes()));
    }

    [Fact]
    public void Echo_request_constructed_writes_scapy_bytes()
    {
        var (src, dst, icmp) = Split(Vectors.EchoRequest);
        AssertEmits(new IcmpV6Message.EchoRequest(0x1234, 1, Abcd), src, dst, icmp);
    }

    [Fact]
    public void Echo_request_parses_and_emits_the_same_bytes()
    {
        var (src, dst, icmp) = Split(Vectors.EchoRequest);
        var echo = Parse<IcmpV6Message.EchoRequest>(icmp, src, dst);
        Assert.Equal(IcmpV6Type.EchoRequest, echo.Type);
        Assert.Equal(0x1234, echo.Identifier);
        Assert.Equal(1, echo.SequenceNumber);
        Assert.Equal(Abcd, echo.Data.ToArray());
        Assert.Equal("EchoRequest", echo.DisplayName);
        AssertEmits(echo, src, dst, icmp);
    }

    [Fact]
    public void Echo_reply_quartet()
    {
        var (src, dst, icmp) = Split(Vectors.EchoReply);
        Assert.True(IcmpV6Packet.TryRead(icmp, out var view, out _));
        Assert.Equal(IcmpV6Type.EchoReply, view.Type);
        Assert.Equal(0xad34, view.Checksum);
        AssertEmits(new IcmpV6Message.EchoReply(0x1234, 1, Abcd), src, dst, icmp);
        var reply = Parse<IcmpV6Message.EchoReply>(icmp, src, dst);
        Assert.Equal((0x1234, 1), (reply.Identifier, reply.SequenceNumber));
        Assert.Equal(Abcd, reply.Data.ToArray());
        AssertEmits(reply, src, dst, icmp);
    }

    [Fact]
    public void Without_addresses_the_checksum_is_left_zero_and_not_judged()
    {
        var (_, _, icmp) = Split(Vectors.EchoRequest);
        var bytes = new IcmpV6Message.EchoRequest(0x1234, 1, Abcd).ToArray();
        Assert.Equal(0, bytes[2] | bytes[3]);
        Assert.Equal(icmp[4..], bytes[4..]);
        Assert.True(IcmpV6Message.TryParse(icmp, out var message, out _));
        Assert.Null(message!.ChecksumValid);
    }

    [Fact]
    public void A_flipped_payload_byte_fails_the_checksum()
    {
        var (src, dst, icmp) = Split(Vectors.EchoRequest);
        icmp[^1] ^= 0x01;
        Assert.True(IcmpV6Message.TryParse(icmp, src, dst, out var message, out _));
        Assert.False(message!.ChecksumValid);
    }

    [Fact]
    public void Fewer_than_8_bytes_are_truncated()
    {
        Assert.False(IcmpV6Message.TryParse(new byte[] { 128, 0, 0, 0, 0, 0, 0 }, out var message, out var error));
        Assert.Null(message);
        Assert.Equal(new WireError(WireErrorKind.Truncated, 7), error);
    }

    [Fact]
    public void IPv4_pseudo_header_addresses_are_a_caller_bug()
    {
        var echo = new IcmpV6Message.EchoRequest(1, 1, Abcd);
        Assert.Throws<ArgumentException>(() => echo.TryWrite(new byte[64], Ip("198.18.0.1"), Ip("198.18.0.2"), out _));
    }

    [Fact]
    public void Parsing_with_ipv4_pseudo_header_addresses_is_a_caller_bug()
    {
        var (_, _, icmp) = Split(Vectors.EchoRequest);
        var v4 = System.Net.IPAddress.Parse("198.18.0.1");
        Assert.Throws<ArgumentException>(() => IcmpV6Message.TryParse(icmp, v4, v4, out _, out _));
    }
}
