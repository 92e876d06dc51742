using System.Net;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IPv4;
using static IcmpKit.Wire.Tests.IcmpV4.V4Wire;

namespace IcmpKit.Wire.Tests.IcmpV4;

public class EchoTests
{
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=1)/ICMP(type=8,id=0x1234,seq=1)/b'abcdefgh').hex())"
    private static readonly byte[] RequestDatagram = Hex("45000024000100004001eeb0c6120001c612000208005435123400016162636465666768");

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=0,id=0x1234,seq=1)/b'abcdefgh').hex())"
    private static readonly byte[] Reply = Hex("00005c35123400016162636465666768");

    private static byte[] Request => RequestDatagram[20..];

    [Fact]
    public void Read_request_through_the_views()
    {
        Assert.True(IPv4Packet.TryRead(RequestDatagram, out var ip, out var ipError));
        Assert.True(ipError.IsNone);
        Assert.Equal(1, ip.Protocol);
        Assert.True(IcmpV4Packet.TryRead(ip.Payload, out var icmp, out var error));
        Assert.True(error.IsNone);
        Assert.Equal(IcmpV4Type.EchoRequest, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(0x5435, icmp.Checksum);
        Assert.True(icmp.IsChecksumValid);
        Assert.Equal(0x1234, icmp.Identifier);
        Assert.Equal(1, icmp.SequenceNumber);
        Assert.Equal(0x12340001u, icmp.RestOfHeader);
        Assert.Equal("abcdefgh"u8.ToArray(), icmp.Body.ToArray());
        Assert.Equal(16, icmp.Bytes.Length);
        Assert.False(icmp.IsError);
    }

    [Fact]
    public void Read_reply_through_the_view()
    {
        Assert.True(IcmpV4Packet.TryRead(Reply, out var icmp, out _));
        Assert.Equal(IcmpV4Type.EchoReply, icmp.Type);
        Assert.Equal(0x5c35, icmp.Checksum);
        Assert.True(icmp.IsChecksumValid);
        Assert.Equal(0x1234, icmp.Identifier);
        Assert.Equal(1, icmp.SequenceNumber);
    }

    [Fact]
    public void Write_request_with_the_packet_writer()
    {
        var buffer = Poisoned(Request.Length + 4);
        var writer = new IcmpV4PacketWriter(buffer.AsSpan(0, Request.Length));
        writer.SetType(IcmpV4Type.EchoRequest);
        writer.SetCode(0);
        writer.SetIdentifier(0x1234);
        writer.SetSequenceNumber(1);
        "abcdefgh"u8.CopyTo(writer.Body);
        writer.FillChecksum();
        Assert.Equal(Request, buffer[..Request.Length]);
        Assert.All(buffer[Request.Length..], b => Assert.Equal(Poison, b));
    }

    [Fact]
    public void Write_request_and_reply_from_values()
    {
        Assert.Equal(Request, Emit(new IcmpV4Message.EchoRequest(0x1234, 1, "abcdefgh"u8.ToArray())));
        Assert.Equal(Reply, Emit(new IcmpV4Message.EchoReply(0x1234, 1, "abcdefgh"u8.ToArray())));
    }

    [Fact]
    public void Write_request_whole_datagram_with_header_value()
    {
        var header = new IPv4Header
        {
            TotalLength = 36,
            Identification = 1,
            TimeToLive = 64,
            Protocol = 1,
            Source = IPAddress.Parse("198.18.0.1"),
            Destination = IPAddress.Parse("198.18.0.2"),
        };
        var buffer = Poisoned(36);
        Assert.Equal(20, header.Write(buffer));
        Assert.True(new IcmpV4Message.EchoRequest(0x1234, 1, "abcdefgh"u8.ToArray()).TryWrite(buffer.AsSpan(20), out int n));
        Assert.Equal(16, n);
        Assert.Equal(RequestDatagram, buffer);
    }

    [Fact]
    public void Parse_request()
    {
        var echo = Parse<IcmpV4Message.EchoRequest>(Request);
        Assert.Equal(IcmpV4Type.EchoRequest, echo.Type);
        Assert.Equal(0, echo.Code);
        Assert.Equal(0x5435, echo.Checksum);
        Assert.True(echo.ChecksumValid);
        Assert.Equal(0x1234, echo.Identifier);
        Assert.Equal(1, echo.SequenceNumber);
        Assert.Equal("abcdefgh"u8.ToArray(), echo.Data.ToArray());
        Assert.Equal("EchoRequest", echo.DisplayName);
        Assert.Equal(16, echo.GetEncodedLength());
    }

    [Fact]
    public void Parse_reply()
    {
        var echo = Parse<IcmpV4Message.EchoReply>(Reply);
        Assert.Equal(IcmpV4Type.EchoReply, echo.Type);
        Assert.Equal(0x5c35, echo.Checksum);
        Assert.True(echo.ChecksumValid);
        Assert.Equal(0x1234, echo.Identifier);
        Assert.Equal(1, echo.SequenceNumber);
        Assert.Equal("abcdefgh"u8.ToArray(), echo.Data.ToArray());
        Assert.Equal("EchoReply", echo.DisplayName);
    }

    [Fact]
    public void Emit_parsed_gives_the_same_bytes()
    {
        AssertRoundTrip(Request);
        AssertRoundTrip(Reply);
    }

    [Fact]
    public void Parsed_message_does_not_alias_the_input()
    {
        var bytes = (byte[])Request.Clone();
        var echo = Parse<IcmpV4Message.EchoRequest>(bytes);
        bytes.AsSpan().Clear();
        Assert.Equal("abcdefgh"u8.ToArray(), echo.Data.ToArray());
    }

    [Fact]
    public void TryWrite_refuses_a_short_buffer_without_writing()
    {
        var message = new IcmpV4Message.EchoRequest(0x1234, 1, "abcdefgh"u8.ToArray());
        var buffer = Poisoned(15);
        Assert.False(message.TryWrite(buffer, out int written));
        Assert.Equal(0, written);
        Assert.All(buffer, b => Assert.Equal(Poison, b));
    }
}
