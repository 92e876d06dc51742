using IcmpKit.Wire.IcmpV4;
using static IcmpKit.Wire.Tests.IcmpV4.V4Wire;

namespace IcmpKit.Wire.Tests.IcmpV4;

public class TimestampTests
{
    // 45296789 ms = 12:34:56.789 UT.
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=13,id=0x4d2,seq=3,ts_ori=45296789,ts_rx=0,ts_tx=0)).hex())"
    private static readonly byte[] Request = Hex("0d00bee204d2000302b32c950000000000000000");

    // Receive time with the high-order bit set: a non-standard value (RFC 792).
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=14,id=0x4d2,seq=3,ts_ori=45296789,ts_rx=0x80000001,ts_tx=45296790)).hex())"
    private static readonly byte[] Reply = Hex("0e000e9804d2000302b32c958000000102b32c96");

    [Fact]
    public void Read_through_the_view()
    {
        Assert.True(IcmpV4Packet.TryRead(Reply, out var icmp, out _));
        Assert.Equal(IcmpV4Type.TimestampReply, icmp.Type);
        Assert.Equal(0x0e98, icmp.Checksum);
        Assert.Equal(0x4d2, icmp.Identifier);
        Assert.Equal(3, icmp.SequenceNumber);
        Assert.Equal(12, icmp.Body.Length);
        Assert.False(icmp.IsError);
        Assert.True(icmp.IsChecksumValid);
    }

    [Fact]
    public void Write_from_values()
    {
        Assert.Equal(Request, Emit(new IcmpV4Message.Timestamp(false, 0x4d2, 3, 45296789, 0, 0)));
        Assert.Equal(Reply, Emit(new IcmpV4Message.Timestamp(true, 0x4d2, 3, 45296789, 0x80000001, 45296790)));
    }

    [Fact]
    public void Parse_request()
    {
        var m = Parse<IcmpV4Message.Timestamp>(Request);
        Assert.False(m.IsReply);
        Assert.Equal(IcmpV4Type.TimestampRequest, m.Type);
        Assert.Equal(0xbee2, m.Checksum);
        Assert.Equal(0x4d2, m.Identifier);
        Assert.Equal(3, m.SequenceNumber);
        Assert.Equal(45296789u, m.Originate);
        Assert.Equal(0u, m.Receive);
        Assert.Equal(0u, m.Transmit);
        Assert.Equal("TimestampRequest", m.DisplayName);
    }

    [Fact]
    public void Parse_reply_with_a_non_standard_value()
    {
        var m = Parse<IcmpV4Message.Timestamp>(Reply);
        Assert.True(m.IsReply);
        Assert.Equal(IcmpV4Type.TimestampReply, m.Type);
        Assert.Equal(45296789u, m.Originate);
        Assert.Equal(0x80000001u, m.Receive);
        Assert.Equal(45296790u, m.Transmit);
        Assert.True(IcmpV4Message.Timestamp.IsNonStandard(m.Receive));
        Assert.False(IcmpV4Message.Timestamp.IsNonStandard(m.Transmit));
        Assert.Equal("TimestampReply", m.DisplayName);
    }

    [Fact]
    public void Emit_parsed_gives_the_same_bytes()
    {
        AssertRoundTrip(Request);
        AssertRoundTrip(Reply);
    }

    [Fact]
    public void Milliseconds_since_midnight_ut()
    {
        var t = new DateTimeOffset(2024, 5, 6, 14, 34, 56, 789, TimeSpan.FromHours(2));
        Assert.Equal(45296789u, IcmpV4Message.Timestamp.MillisecondsSinceMidnightUtc(t));
    }

    [Fact]
    public void Short_body_is_truncated()
    {
        Assert.False(IcmpV4Message.TryParse(Request.AsSpan(0, 19), out var m, out var error));
        Assert.Null(m);
        Assert.Equal(new WireError(WireErrorKind.Truncated, 19), error);
    }
}
