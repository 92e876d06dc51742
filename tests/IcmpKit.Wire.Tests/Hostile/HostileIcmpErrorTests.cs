using IcmpKit.Wire.Checksum;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.Quoting;

namespace IcmpKit.Wire.Tests.Hostile;

public class HostileIcmpErrorTests
{
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=11,code=0)).hex())"
    private static readonly byte[] NoQuote = Convert.FromHexString("0b00f4ff00000000");

    // CVE-2022-23093 (FreeBSD ping): a quoted header with IHL 15 and 40 NOP options, then an echo request.
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=11,code=0)/IP(src='198.18.0.1',dst='198.18.9.9',ttl=1,id=0x4444,options=[IPOption_NOP()]*40)/ICMP(type=8,id=0x1234,seq=9)).hex())"
    private static readonly byte[] Nop40 = Convert.FromHexString(
        "0b00f4ff000000004f000044444400000101c232c6120001c6120909" + string.Concat(Enumerable.Repeat("01", 40)) + "0800e5c212340009");

    // The same header quoted alone (no transport bytes).
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=11,code=0)/Raw(bytes(IP(src='198.18.0.1',dst='198.18.9.9',ttl=1,id=0x4444,options=[IPOption_NOP()]*40)/ICMP(type=8,id=0x1234,seq=9))[:60])).hex())"
    private static readonly byte[] Nop40HeaderOnly = Convert.FromHexString(
        "0b00f4ff000000004f000044444400000101c232c6120001c6120909" + string.Concat(Enumerable.Repeat("01", 40)));

    // The same quote cut at 28 bytes: IHL 15 claims more header than was quoted.
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=11,code=0)/Raw(bytes(IP(src='198.18.0.1',dst='198.18.9.9',ttl=1,id=0x4444,options=[IPOption_NOP()]*40)/ICMP(type=8,id=0x1234,seq=9))[:28])).hex())"
    private static readonly byte[] Nop40Cut28 = Convert.FromHexString("0b000510000000004f000044444400000101c232c6120001c61209090101010101010101");

    // Only 4 bytes of the UDP header quoted.
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=11,code=0)/Raw(bytes(IP(src='198.18.0.1',dst='198.18.9.9',ttl=1,id=0x5555)/UDP(sport=54321,dport=33434))[:24])).hex())"
    private static readonly byte[] Short24 = Convert.FromHexString("0b009e33000000004500001c555500000111cf4dc6120001c6120909d431829a");

    private static IcmpV4Message.TimeExceeded ParseTimeExceeded(byte[] bytes)
    {
        Assert.True(IcmpV4Message.TryParse(bytes, out var m, out var error), error.ToString());
        return Assert.IsType<IcmpV4Message.TimeExceeded>(m);
    }

    /// <summary>An ICMP message from its bytes with the checksum filled in.</summary>
    private static byte[] WithChecksum(byte[] bytes)
    {
        new IcmpV4PacketWriter(bytes).FillChecksum();
        return bytes;
    }

    /// <summary>A time exceeded with length attribute 32, a 128-byte quote and the given structure (checksum filled in).</summary>
    private static byte[] WithStructure(params byte[] objects)
    {
        var structure = new byte[4 + objects.Length];
        structure[0] = 0x20;
        objects.CopyTo(structure, 4);
        var sum = InternetChecksum.Compute(structure);
        structure[2] = (byte)(sum >> 8);
        structure[3] = (byte)sum;
        var message = new byte[8 + 128 + structure.Length];
        message[0] = 11;
        message[5] = 32;
        Short24.AsSpan(8).CopyTo(message.AsSpan(8));
        structure.CopyTo(message, 136);
        return WithChecksum(message);
    }

    [Fact]
    public void Error_without_a_quoted_datagram()
    {
        var m = ParseTimeExceeded(NoQuote);
        Assert.True(m.ChecksumValid);
        Assert.True(m.OriginalDatagram.IsEmpty);
        Assert.Null(m.Extensions);
        Assert.False(m.LengthAttributeInvalid);
        var quote = m.Quote;
        Assert.Equal(new WireError(WireErrorKind.Truncated, 0), quote.Error);
        Assert.Null(quote.IPv4);
        Assert.Null(quote.IPv6);
        Assert.Null(quote.Transport);
        Assert.Null(quote.Protocol);
        Assert.False(QuotedProbe.TryRead(m.OriginalDatagram.Span, out _, out var error));
        Assert.Equal(new WireError(WireErrorKind.Truncated, 0), error);
        Assert.Equal(NoQuote, m.ToArray());
    }

    [Fact]
    public void Quote_with_ihl_15_and_40_nops_cve_2022_23093()
    {
        var m = ParseTimeExceeded(Nop40);
        Assert.True(m.ChecksumValid);
        var quote = m.Quote;
        Assert.True(quote.Error.IsNone);
        var ip = quote.IPv4!;
        Assert.Equal(60, ip.HeaderLength);
        Assert.Equal(68, ip.TotalLength);
        Assert.True(ip.HeaderChecksumValid);
        Assert.True(ip.OptionsError.IsNone);
        Assert.Equal(40, ip.Options.Count);
        Assert.All(ip.Options, o => Assert.IsType<IPv4NoOperation>(o));
        Assert.Equal(new QuotedIcmp(8, 0, 0xe5c2, 0x1234, 9, false), quote.Transport);

        Assert.True(QuotedProbe.TryRead(m.OriginalDatagram.Span, out var probe, out var error));
        Assert.True(error.IsNone);
        Assert.Equal(0x1234, probe.IcmpIdentifier);
        Assert.Equal(9, probe.IcmpSequenceNumber);
        Assert.Equal(Nop40, m.ToArray());
    }

    [Fact]
    public void Quote_with_ihl_15_and_no_transport_bytes()
    {
        var m = ParseTimeExceeded(Nop40HeaderOnly);
        var quote = m.Quote;
        Assert.True(quote.Error.IsNone);
        Assert.True(quote.IsTruncated);
        Assert.Equal(40, quote.IPv4!.Options.Count);
        Assert.Null(quote.Transport);
        Assert.True(quote.TransportBytes.IsEmpty);
        Assert.False(QuotedProbe.TryRead(m.OriginalDatagram.Span, out _, out var error));
        Assert.Equal(new WireError(WireErrorKind.Truncated, 60), error);
    }

    [Fact]
    public void Quote_with_ihl_15_cut_inside_the_header()
    {
        var m = ParseTimeExceeded(Nop40Cut28);
        Assert.True(m.ChecksumValid);
        var quote = m.Quote;
        Assert.Equal(new WireError(WireErrorKind.Truncated, 28), quote.Error);
        Assert.Null(quote.IPv4);
        Assert.Null(quote.Transport);
        Assert.Equal(28, quote.Bytes.Length);
        Assert.False(QuotedProbe.TryRead(m.OriginalDatagram.Span, out _, out var error));
        Assert.Equal(new WireError(WireErrorKind.Truncated, 28), error);
    }

    [Fact]
    public void Quoted_data_shorter_than_28_bytes()
    {
        var m = ParseTimeExceeded(Short24);
        var quote = m.Quote;
        Assert.True(quote.Error.IsNone);
        Assert.Equal(0x5555, quote.IPv4!.Identification);
        Assert.Null(quote.Transport); // fewer than 8 transport bytes: nothing guessed
        Assert.Equal(4, quote.TransportBytes.Length);
        Assert.False(QuotedProbe.TryRead(m.OriginalDatagram.Span, out _, out var error));
        Assert.Equal(new WireError(WireErrorKind.Truncated, 24), error);

        for (int n = 0; n < 20; n++)
        {
            var cut = WithChecksum(Short24[..(8 + n)]);
            var q = ParseTimeExceeded(cut).Quote;
            Assert.Equal(new WireError(WireErrorKind.Truncated, n), q.Error);
            Assert.Null(q.IPv4);
        }
    }

    [Fact]
    public void Quote_of_a_later_fragment_has_no_transport()
    {
        var bytes = (byte[])Short24.Clone();
        Array.Resize(ref bytes, 8 + 28);
        bytes[8 + 6] = 0x00;
        bytes[8 + 7] = 0xb9; // fragment offset 185
        var m = ParseTimeExceeded(WithChecksum(bytes));
        Assert.Equal(185, m.Quote.IPv4!.FragmentOffset);
        Assert.Null(m.Quote.Transport);
        Assert.False(QuotedProbe.TryRead(m.OriginalDatagram.Span, out _, out var error));
        Assert.Equal(new WireError(WireErrorKind.Truncated, 28), error);
    }

    [Fact]
    public void Quote_that_is_not_ipv4()
    {
        var bytes = (byte[])Short24.Clone();
        bytes[8] = 0x55;
        var m = ParseTimeExceeded(WithChecksum(bytes));
        Assert.Equal(new WireError(WireErrorKind.BadVersion, 0), m.Quote.Error);
        Assert.False(QuotedProbe.TryRead(m.OriginalDatagram.Span, out _, out var error));
        Assert.Equal(new WireError(WireErrorKind.BadVersion, 0), error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    public void Extension_object_length_below_4_is_flagged(int length)
    {
        var m = ParseTimeExceeded(WithStructure(0, (byte)length, 1, 1, 0, 0, 0, 0));
        Assert.Equal(ExtensionLayout.LengthAttribute, m.Layout);
        Assert.False(m.LengthAttributeInvalid);
        var ext = m.Extensions!;
        Assert.True(ext.ChecksumValid);
        Assert.Empty(ext.Objects);
        Assert.Equal(new WireError(WireErrorKind.BadOptionLength, 4), ext.ObjectError);
    }

    [Fact]
    public void Extension_object_beyond_the_packet_is_flagged()
    {
        var m = ParseTimeExceeded(WithStructure(0, 0x40, 1, 1, 0, 0, 0x11, 0x01));
        Assert.Empty(m.Extensions!.Objects);
        Assert.Equal(new WireError(WireErrorKind.BadOptionLength, 4), m.Extensions.ObjectError);
    }

    [Fact]
    public void Bad_object_after_a_good_one_keeps_the_good_one()
    {
        var m = ParseTimeExceeded(WithStructure(0, 8, 1, 1, 0x03, 0xe8, 0x51, 0x01, 0, 12, 1, 1, 0, 0, 0, 0));
        var ext = m.Extensions!;
        var mpls = Assert.IsType<MplsLabelStackObject>(Assert.Single(ext.Objects));
        Assert.Equal(new MplsLabelEntry(16005, 0, true, 1), Assert.Single(mpls.Entries));
        Assert.Equal(new WireError(WireErrorKind.BadOptionLength, 12), ext.ObjectError);
    }

    [Fact]
    public void Object_header_cut_short_is_flagged()
    {
        var m = ParseTimeExceeded(WithStructure(0, 8, 1, 1, 0x03, 0xe8, 0x51, 0x01, 0, 4));
        Assert.Single(m.Extensions!.Objects);
        Assert.Equal(new WireError(WireErrorKind.Truncated, 12), m.Extensions.ObjectError);
    }

    [Fact]
    public void Bad_structure_checksum_is_reported()
    {
        var bytes = WithStructure(0, 8, 1, 1, 0x03, 0xe8, 0x51, 0x01);
        bytes[8 + 128 + 2] ^= 0x40;
        var m = ParseTimeExceeded(WithChecksum(bytes));
        Assert.Equal(ExtensionLayout.LengthAttribute, m.Layout);
        Assert.False(m.Extensions!.ChecksumValid);
        Assert.Single(m.Extensions.Objects);
    }

    [Theory]
    [InlineData(36)]
    [InlineData(255)]
    public void Length_attribute_beyond_the_packet_is_flagged(byte words)
    {
        var bytes = WithStructure(0, 8, 1, 1, 0x03, 0xe8, 0x51, 0x01);
        bytes[5] = words;
        var m = ParseTimeExceeded(WithChecksum(bytes));
        Assert.True(m.ChecksumValid);
        Assert.True(m.LengthAttributeInvalid);
        Assert.Null(m.Extensions);
        Assert.Equal(ExtensionLayout.None, m.Layout);
        Assert.Equal(bytes.Length - 8, m.OriginalDatagram.Length);
        Assert.Equal(0x5555, m.Quote.IPv4!.Identification);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Length_attribute_leaving_too_few_bytes_for_a_structure_is_flagged(int extra)
    {
        var bytes = new byte[8 + 28 + extra];
        Short24.AsSpan(8).CopyTo(bytes.AsSpan(8));
        bytes[0] = 11;
        bytes[5] = 7;
        var m = ParseTimeExceeded(WithChecksum(bytes));
        Assert.True(m.LengthAttributeInvalid);
        Assert.Null(m.Extensions);
        Assert.Equal(ExtensionLayout.None, m.Layout);
        Assert.Equal(28 + extra, m.OriginalDatagram.Length); // bytes that are not a structure stay in the datagram
        Assert.Equal(0x5555, m.Quote.IPv4!.Identification);
    }

    [Fact]
    public void Bad_icmp_checksum_is_reported_not_fatal()
    {
        var bytes = (byte[])Nop40.Clone();
        bytes[3] ^= 0x01;
        var m = ParseTimeExceeded(bytes);
        Assert.False(m.ChecksumValid);
        Assert.Equal(0xf4fe, m.Checksum);
        Assert.Equal(40, m.Quote.IPv4!.Options.Count);

        // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=0,id=0x1234,seq=1)/b'abcdefgh').hex())"
        var reply = Convert.FromHexString("00005c35123400016162636465666768");
        reply[12] ^= 0x20; // a flipped payload byte
        Assert.True(IcmpV4Message.TryParse(reply, out var r, out _));
        Assert.False(r!.ChecksumValid);
        Assert.IsType<IcmpV4Message.EchoReply>(r);
        Assert.True(IcmpV4Packet.TryRead(reply, out var view, out _));
        Assert.False(view.IsChecksumValid);
    }
}
