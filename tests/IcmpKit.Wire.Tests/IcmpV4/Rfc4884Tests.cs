using System.Net;
using IcmpKit.Wire.Checksum;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.Quoting;
using static IcmpKit.Wire.Tests.IcmpV4.V4Wire;

namespace IcmpKit.Wire.Tests.IcmpV4;

public class Rfc4884Tests
{
    // A 60-byte UDP probe padded to the 128-byte original datagram field, length attribute 32 words, then an
    // RFC 4950 MPLS label stack object with two entries. ICMPExtensionHeader of scapy.contrib sums only its own
    // 4 bytes, so the structure checksum is recomputed over the whole structure; tshark 4.x decodes the packet
    // with "Length: 32", both checksums "[correct]" and labels 24001 (S=0) and 16005 (Exp 5, S=1).
    // /usr/bin/python3 -c "from scapy.all import *; from scapy.contrib.icmp_extensions import *; import struct, socket; q=bytes(IP(src='198.18.0.1',dst='198.18.9.9',ttl=1,id=0x3333)/UDP(sport=54321,dport=33434)/(b'\x00'*32)).ljust(128,b'\x00'); s=bytes(ICMPExtensionHeader(chksum=0)/ICMPExtensionMPLS(stack=[MPLS(label=24001,cos=0,s=0,ttl=1),MPLS(label=16005,cos=5,s=1,ttl=1)])); s=s[:2]+struct.pack('!H',checksum(s))+s[4:]; print(bytes(ICMP(type=11,code=0,length=32)/Raw(q)/s).hex())"
    private static readonly byte[] WithLength = Hex(
        "0b008a48002000004500003c333300000111f14fc6120001c6120909d431829a002813a3" + new string('0', 2 * (128 - 28))
        + "20006a2c000c010105dc100103e85b01");

    // The same, length attribute 0: the non-compliant layout of RFC 4884 §5.5 (structure at offset 128).
    // /usr/bin/python3 -c "from scapy.all import *; from scapy.contrib.icmp_extensions import *; import struct, socket; q=bytes(IP(src='198.18.0.1',dst='198.18.9.9',ttl=1,id=0x3333)/UDP(sport=54321,dport=33434)/(b'\x00'*32)).ljust(128,b'\x00'); s=bytes(ICMPExtensionHeader(chksum=0)/ICMPExtensionMPLS(stack=[MPLS(label=16005,cos=0,s=1,ttl=1)])); s=s[:2]+struct.pack('!H',checksum(s))+s[4:]; print(bytes(ICMP(type=11,code=0,length=0)/Raw(q)/s).hex())"
    private static readonly byte[] Fixed128 = Hex(
        "0b008a68000000004500003c333300000111f14fc6120001c6120909d431829a002813a3" + new string('0', 2 * (128 - 28))
        + "20008a0d0008010103e85101");

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=11,code=0,length=60)/Raw(bytes(IP(src='198.18.0.1',dst='198.18.9.9',ttl=1,id=0x6666)/UDP(sport=54321,dport=33434))[:28])).hex())"
    private static readonly byte[] LengthPastPacket = Hex("0b008a0c003c00004500001c666600000111be3cc6120001c6120909d431829a000813e3");

    private static readonly MplsLabelEntry[] TwoLabels = [new(24001, 0, false, 1), new(16005, 5, true, 1)];

    private static byte[] Probe => WithLength[8..68];

    [Fact]
    public void Read_through_the_view()
    {
        Assert.Equal(8 + 128 + 16, WithLength.Length);
        Assert.True(IcmpV4Packet.TryRead(WithLength, out var icmp, out _));
        Assert.Equal(32, icmp.LengthAttribute);
        Assert.Equal(0x8a48, icmp.Checksum);
        Assert.True(icmp.IsChecksumValid);
        Assert.True(InternetChecksum.Verify(icmp.Body[128..]));

        Assert.True(IcmpV4Packet.TryRead(Fixed128, out var legacy, out _));
        Assert.Equal(0, legacy.LengthAttribute);
        Assert.True(legacy.IsChecksumValid);
        Assert.True(InternetChecksum.Verify(legacy.Body[128..]));
    }

    [Fact]
    public void Write_with_length_attribute_pads_the_original_datagram_to_128_bytes()
    {
        var message = new IcmpV4Message.TimeExceeded
        {
            OriginalDatagram = Probe,
            Extensions = new IcmpExtensionStructure { Objects = [new MplsLabelStackObject(TwoLabels)] },
            Layout = ExtensionLayout.LengthAttribute,
        };
        Assert.Equal(32, message.LengthAttribute);
        Assert.Equal(WithLength, Emit(message));
    }

    [Fact]
    public void Write_fixed_128_layout()
    {
        var message = new IcmpV4Message.TimeExceeded
        {
            OriginalDatagram = Probe,
            Extensions = new IcmpExtensionStructure { Objects = [new MplsLabelStackObject([new(16005, 0, true, 1)])] },
            Layout = ExtensionLayout.Fixed128,
        };
        Assert.Equal(0, message.LengthAttribute);
        Assert.Equal(Fixed128, Emit(message));
    }

    [Fact]
    public void Parse_with_length_attribute()
    {
        var m = Parse<IcmpV4Message.TimeExceeded>(WithLength);
        Assert.Equal(ExtensionLayout.LengthAttribute, m.Layout);
        Assert.False(m.LengthAttributeInvalid);
        Assert.Equal(32, m.LengthAttribute);
        Assert.Equal(0u, m.Unused);
        Assert.Equal(128, m.OriginalDatagram.Length);
        var ext = m.Extensions!;
        Assert.Equal(2, ext.Version);
        Assert.Equal(0x6a2c, ext.Checksum);
        Assert.True(ext.ChecksumValid);
        Assert.True(ext.ObjectError.IsNone);
        var mpls = Assert.IsType<MplsLabelStackObject>(Assert.Single(ext.Objects));
        Assert.Equal(TwoLabels, mpls.Entries);

        var quote = m.Quote;
        Assert.True(quote.Error.IsNone);
        Assert.False(quote.IsTruncated);
        Assert.Equal(60, quote.IPv4!.TotalLength);
        Assert.Equal(IPAddress.Parse("198.18.9.9"), quote.IPv4.Destination);
        Assert.Equal(new QuotedUdp(54321, 33434, 40, 0x13a3), quote.Transport);
        Assert.Equal(40, quote.TransportBytes.Length); // cut at the quoted Total Length, not at the padding
    }

    [Fact]
    public void Parse_fixed_128_layout()
    {
        var m = Parse<IcmpV4Message.TimeExceeded>(Fixed128);
        Assert.Equal(ExtensionLayout.Fixed128, m.Layout);
        Assert.False(m.LengthAttributeInvalid);
        Assert.Equal(0, m.LengthAttribute);
        Assert.Equal(128, m.OriginalDatagram.Length);
        Assert.True(m.Extensions!.ChecksumValid);
        var mpls = Assert.IsType<MplsLabelStackObject>(Assert.Single(m.Extensions.Objects));
        Assert.Equal(new MplsLabelEntry(16005, 0, true, 1), Assert.Single(mpls.Entries));
        Assert.Equal(new QuotedUdp(54321, 33434, 40, 0x13a3), m.Quote.Transport);
    }

    [Fact]
    public void Fixed_offset_without_valid_checksum_is_plain_datagram()
    {
        var bytes = (byte[])Fixed128.Clone();
        bytes[^1] ^= 0x01; // breaks the structure checksum (and the ICMP checksum)
        Assert.True(IcmpV4Message.TryParse(bytes, out var parsed, out _));
        var m = Assert.IsType<IcmpV4Message.TimeExceeded>(parsed);
        Assert.Equal(ExtensionLayout.None, m.Layout);
        Assert.Null(m.Extensions);
        Assert.Equal(bytes.Length - 8, m.OriginalDatagram.Length);
        Assert.False(m.ChecksumValid);
    }

    [Fact]
    public void Length_attribute_past_the_packet_is_flagged_not_fatal()
    {
        var m = Parse<IcmpV4Message.TimeExceeded>(LengthPastPacket);
        Assert.True(m.ChecksumValid);
        Assert.True(m.LengthAttributeInvalid);
        Assert.Null(m.Extensions);
        Assert.Equal(ExtensionLayout.None, m.Layout);
        Assert.Equal(28, m.OriginalDatagram.Length);
        Assert.Equal(new QuotedUdp(54321, 33434, 8, 0x13e3), m.Quote.Transport);
    }

    [Fact]
    public void Destination_unreachable_and_parameter_problem_carry_the_length_attribute()
    {
        var ext = new IcmpExtensionStructure { Objects = [new MplsLabelStackObject(TwoLabels)] };
        var unreachable = new IcmpV4Message.DestinationUnreachable
        {
            Code = 4, NextHopMtu = 1280, OriginalDatagram = Probe, Extensions = ext, Layout = ExtensionLayout.LengthAttribute,
        }.ToArray();
        Assert.Equal(32, unreachable[5]);
        Assert.Equal(new byte[] { 0x05, 0x00 }, unreachable[6..8]);
        var u = Parse<IcmpV4Message.DestinationUnreachable>(unreachable);
        Assert.Equal(1280, u.NextHopMtu);
        Assert.Equal(ExtensionLayout.LengthAttribute, u.Layout);
        Assert.Equal(TwoLabels, Assert.IsType<MplsLabelStackObject>(Assert.Single(u.Extensions!.Objects)).Entries);
        AssertRoundTrip(unreachable);

        var problem = new IcmpV4Message.ParameterProblem
        {
            Pointer = 9, OriginalDatagram = Probe, Extensions = ext, Layout = ExtensionLayout.LengthAttribute,
        }.ToArray();
        Assert.Equal(9, problem[4]);
        Assert.Equal(32, problem[5]);
        var p = Parse<IcmpV4Message.ParameterProblem>(problem);
        Assert.Equal(9, p.Pointer);
        Assert.Equal(ExtensionLayout.LengthAttribute, p.Layout);
        AssertRoundTrip(problem);
    }

    [Fact]
    public void Emit_parsed_gives_the_same_bytes()
    {
        AssertRoundTrip(WithLength);
        AssertRoundTrip(Fixed128);
    }
}
