using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.Quoting;

namespace IcmpKit.Wire.Tests.Hostile;

public class HostileOuterHeaderTests
{
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=1)/ICMP(type=8,id=0x1234,seq=1)/b'abcdefgh').hex())"
    private static byte[] Echo() => Convert.FromHexString("45000024000100004001eeb0c6120001c612000208005435123400016162636465666768");

    private static void AssertRejected(byte[] bytes, WireError expected)
    {
        Assert.False(IPv4Packet.TryRead(bytes, out var packet, out var error));
        Assert.Equal(expected, error);
        Assert.True(packet.Bytes.IsEmpty);
        Assert.False(IPv4Header.TryParse(bytes, out var header, out var headerError));
        Assert.Null(header);
        Assert.Equal(expected, headerError);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void Ihl_below_5_is_rejected(int ihl)
    {
        var bytes = Echo();
        bytes[0] = (byte)(0x40 | ihl);
        AssertRejected(bytes, new WireError(WireErrorKind.BadHeaderLength, 0));
        Assert.False(IPv4Packet.TryReadQuoted(bytes, out _, out var quoted));
        Assert.Equal(new WireError(WireErrorKind.BadHeaderLength, 0), quoted);
        Assert.Equal(new WireError(WireErrorKind.BadHeaderLength, 0), QuotedDatagram.Parse(bytes).Error);
    }

    [Fact]
    public void Ihl_15_with_only_24_bytes_is_truncated()
    {
        var bytes = Echo()[..24];
        bytes[0] = 0x4F;
        AssertRejected(bytes, new WireError(WireErrorKind.Truncated, 24));
        Assert.False(IPv4Packet.TryReadQuoted(bytes, out _, out var quoted));
        Assert.Equal(new WireError(WireErrorKind.Truncated, 24), quoted);
        Assert.False(QuotedProbe.TryRead(bytes, out _, out var probe));
        Assert.Equal(new WireError(WireErrorKind.Truncated, 24), probe);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x65)]
    [InlineData(0xF5)]
    public void Wrong_version_is_rejected(byte first)
    {
        var bytes = Echo();
        bytes[0] = first;
        AssertRejected(bytes, new WireError(WireErrorKind.BadVersion, 0));
    }

    [Fact]
    public void Fewer_than_20_bytes_are_truncated()
    {
        var echo = Echo();
        for (int n = 0; n < 20; n++)
        {
            AssertRejected(echo[..n], new WireError(WireErrorKind.Truncated, n));
        }
    }

    [Theory]
    [InlineData(0x45, 19)]
    [InlineData(0x45, 0)]
    [InlineData(0x46, 20)]
    [InlineData(0x46, 23)]
    public void Total_length_below_header_length_is_rejected(byte versionIhl, int totalLength)
    {
        var bytes = Echo();
        bytes[0] = versionIhl;
        bytes[2] = (byte)(totalLength >> 8);
        bytes[3] = (byte)totalLength;
        AssertRejected(bytes, new WireError(WireErrorKind.BadTotalLength, 2));
        Assert.False(IPv4Packet.TryReadQuoted(bytes, out _, out var quoted));
        Assert.Equal(new WireError(WireErrorKind.BadTotalLength, 2), quoted);
    }

    [Theory]
    [InlineData(37)]
    [InlineData(1500)]
    [InlineData(65535)]
    public void Total_length_beyond_the_bytes_received(int totalLength)
    {
        var bytes = Echo();
        bytes[2] = (byte)(totalLength >> 8);
        bytes[3] = (byte)totalLength;
        AssertRejected(bytes, new WireError(WireErrorKind.LengthBeyondBuffer, 2));

        // Inside an ICMP error the same datagram is a normal, truncated quote.
        Assert.True(IPv4Packet.TryReadQuoted(bytes, out var quoted, out var error));
        Assert.True(error.IsNone);
        Assert.True(quoted.IsTruncated);
        Assert.Equal(totalLength, quoted.TotalLength);
        Assert.Equal(16, quoted.Payload.Length);
    }

    [Fact]
    public void Trailing_link_padding_is_accepted_and_cut_at_total_length()
    {
        var padded = Echo().Concat(new byte[24]).ToArray(); // e.g. Ethernet minimum frame padding
        Assert.True(IPv4Packet.TryRead(padded, out var p, out var error));
        Assert.True(error.IsNone);
        Assert.False(p.IsTruncated);
        Assert.Equal(36, p.Bytes.Length);
        Assert.Equal(16, p.Payload.Length);
        Assert.True(IcmpV4Message.TryParse(p.Payload, out var m, out _));
        var echo = Assert.IsType<IcmpV4Message.EchoRequest>(m);
        Assert.True(echo.ChecksumValid);
        Assert.Equal(8, echo.Data.Length);
    }

    [Fact]
    public void Bad_header_checksum_is_reported_not_fatal()
    {
        var bytes = Echo();
        bytes[11] ^= 0x01;
        Assert.True(IPv4Packet.TryRead(bytes, out var p, out _));
        Assert.False(p.IsHeaderChecksumValid);
        Assert.True(IPv4Header.TryParse(bytes, out var h, out _));
        Assert.False(h!.HeaderChecksumValid);
        Assert.Equal(0xeeb1, h.HeaderChecksum);
    }

    [Fact]
    public void Readers_never_write_into_their_input()
    {
        var bytes = Echo();
        var copy = (byte[])bytes.Clone();
        Assert.True(IPv4Header.TryParse(bytes, out _, out _));
        Assert.True(IcmpV4Message.TryParse(bytes.AsSpan(20), out _, out _));
        _ = QuotedDatagram.Parse(bytes);
        _ = QuotedProbe.TryRead(bytes, out _, out _);
        Assert.Equal(copy, bytes);
    }
}
