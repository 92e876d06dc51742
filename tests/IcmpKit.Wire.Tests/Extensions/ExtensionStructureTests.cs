using System.Net;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.Quoting;
using IcmpKit.Wire.Tests.IcmpV6;

namespace IcmpKit.Wire.Tests.Extensions;

public class ExtensionStructureTests
{
    private static IcmpExtensionStructure Parse(ReadOnlySpan<byte> bytes)
    {
        Assert.True(IcmpExtensionStructure.TryParse(bytes, out var structure, out var error), error.ToString());
        return structure!;
    }

    [Fact]
    public void IcmpV6_time_exceeded_with_length_attribute_in_64_bit_words()
    {
        var (src, dst, icmp) = V6Quartet.Split(ExtensionVectors.IcmpV6TimeExceededWithMpls);
        Assert.True(IcmpV6Packet.TryRead(icmp, out var view, out _));
        Assert.Equal(16, view.LengthAttribute); // 16 × 8 = 128 bytes of original datagram

        var quote = icmp.AsMemory(8, 40 + 13); // the quoted packet without its zero padding
        var mpls = new MplsLabelStackObject([new MplsLabelEntry(16000, 5, true, 1)]);
        V6Quartet.AssertEmits(new IcmpV6Message.TimeExceeded { OriginalDatagram = quote, Extensions = new() { Objects = [mpls] } }, src, dst, icmp);

        var exceeded = V6Quartet.Parse<IcmpV6Message.TimeExceeded>(icmp, src, dst);
        Assert.Equal(ExtensionLayout.LengthAttribute, exceeded.Layout);
        Assert.Equal(16, exceeded.LengthAttribute);
        Assert.Equal(128, exceeded.OriginalDatagram.Length);
        Assert.False(exceeded.LengthAttributeInvalid);
        var extensions = exceeded.Extensions!;
        Assert.Equal((2, (ushort)0xd00d, true), (extensions.Version, extensions.Checksum, extensions.ChecksumValid));
        Assert.True(extensions.ObjectError.IsNone);
        var entry = Assert.Single(Assert.IsType<MplsLabelStackObject>(Assert.Single(extensions.Objects)).Entries);
        Assert.Equal(new MplsLabelEntry(16000, 5, true, 1), entry);
        var transport = Assert.IsType<QuotedIcmp>(exceeded.Quote.Transport);
        Assert.Equal((0x4242, 7), (transport.Identifier, transport.SequenceNumber));
        V6Quartet.AssertEmits(exceeded, src, dst, icmp);
    }

    [Fact]
    public void Corrupted_structure_checksum_is_reported_and_objects_still_read()
    {
        var (src, dst, icmp) = V6Quartet.Split(ExtensionVectors.IcmpV6TimeExceededWithBadStructureChecksum);
        var exceeded = V6Quartet.Parse<IcmpV6Message.TimeExceeded>(icmp, src, dst);
        Assert.False(exceeded.Extensions!.ChecksumValid);
        Assert.Equal(0xdfff, exceeded.Extensions.Checksum);
        Assert.IsType<MplsLabelStackObject>(Assert.Single(exceeded.Extensions.Objects));
        // Re-emitting writes a fresh, correct structure checksum.
        var fixedBytes = exceeded.ToArray(src, dst);
        var good = V6Quartet.Split(ExtensionVectors.IcmpV6TimeExceededWithMpls).Icmp;
        Assert.Equal(good, fixedBytes);
    }

    [Fact]
    public void Flipping_one_object_byte_fails_the_structure_checksum()
    {
        var icmp = V6Quartet.Split(ExtensionVectors.IcmpV6TimeExceededWithMpls).Icmp;
        var structure = icmp[(8 + 128)..];
        Assert.True(Parse(structure).ChecksumValid);
        structure[^1] ^= 0x40;
        Assert.False(Parse(structure).ChecksumValid);
    }

    [Fact]
    public void IcmpV4_mpls_and_interface_information_objects()
    {
        var packet = Convert.FromHexString(ExtensionVectors.IcmpV4TimeExceededWithInterfaceInformation);
        var icmp = packet[20..];
        Assert.True(IcmpV4Message.TryParse(icmp, out var message, out _));
        var exceeded = Assert.IsType<IcmpV4Message.TimeExceeded>(message);
        Assert.True(exceeded.ChecksumValid);
        Assert.Equal(ExtensionLayout.LengthAttribute, exceeded.Layout);
        var extensions = exceeded.Extensions!;
        Assert.True(extensions.ChecksumValid);
        Assert.Equal(3, extensions.Objects.Count);

        var mpls = Assert.IsType<MplsLabelStackObject>(extensions.Objects[0]);
        Assert.Equal([new MplsLabelEntry(24001, 0, false, 255), new MplsLabelEntry(16, 7, true, 1)], mpls.Entries);

        var incoming = Assert.IsType<InterfaceInformationObject>(extensions.Objects[1]);
        Assert.Equal((InterfaceRole.IncomingIPInterface, 7u, "eth0", 1500u), (incoming.Role, incoming.InterfaceIndex, incoming.Name, incoming.Mtu));
        Assert.Equal(IPAddress.Parse("198.18.0.254"), incoming.Address);
        Assert.Equal(0x0f, incoming.ClassType);

        var outgoing = Assert.IsType<InterfaceInformationObject>(extensions.Objects[2]);
        Assert.Equal((InterfaceRole.OutgoingIPInterface, (uint?)3, (string?)null, (uint?)null), (outgoing.Role, outgoing.InterfaceIndex, outgoing.Name, outgoing.Mtu));
        Assert.Equal(IPAddress.Parse("fd42::fe"), outgoing.Address);
        Assert.Equal(0x8c, outgoing.ClassType);

        // Construct: the same objects written from values give the same structure, checksum included.
        var built = new IcmpExtensionStructure
        {
            Objects =
            [
                new MplsLabelStackObject([new MplsLabelEntry(24001, 0, false, 255), new MplsLabelEntry(16, 7, true, 1)]),
                new InterfaceInformationObject(InterfaceRole.IncomingIPInterface, 7, IPAddress.Parse("198.18.0.254"), "eth0", 1500),
                new InterfaceInformationObject(InterfaceRole.OutgoingIPInterface, 3, IPAddress.Parse("fd42::fe"), null, null),
            ],
        };
        var expected = icmp[(8 + 128)..];
        var buffer = new byte[expected.Length + 4];
        buffer.AsSpan().Fill(0xA5);
        Assert.Equal(expected.Length, built.Write(buffer));
        Assert.Equal(expected, buffer[..expected.Length]);
        Assert.Equal(exceeded.ToArray(), icmp);
    }

    [Fact]
    public void Interface_identification_by_name_index_and_address_round_trip()
    {
        IcmpExtensionObject[] objects =
        [
            InterfaceIdentificationObject.ForName("eth0.100"),
            InterfaceIdentificationObject.ForName("lo"),
            InterfaceIdentificationObject.ForIndex(0xdeadbeef),
            InterfaceIdentificationObject.ForAddress(IPAddress.Parse("198.18.0.1")),
            InterfaceIdentificationObject.ForAddress(IPAddress.Parse("fd42::2")),
        ];
        var bytes = new byte[new IcmpExtensionStructure { Objects = objects }.EncodedLength];
        new IcmpExtensionStructure { Objects = objects }.Write(bytes);
        // name "lo" padded to 4 bytes; IPv4 address: AFI 1, length 4.
        Assert.Equal("000C0301657468302E313030", Convert.ToHexString(bytes, 4, 12));
        Assert.Equal("000803016C6F0000", Convert.ToHexString(bytes, 16, 8));
        Assert.Equal("00080302DEADBEEF", Convert.ToHexString(bytes, 24, 8));
        Assert.Equal("000C030300010400C6120001", Convert.ToHexString(bytes, 32, 12));
        Assert.Equal("0018030300021000FD42", Convert.ToHexString(bytes, 44, 10));
        var parsed = Parse(bytes);
        Assert.True(parsed.ChecksumValid);
        var ids = parsed.Objects.Cast<InterfaceIdentificationObject>().ToArray();
        Assert.Equal(["eth0.100", "lo"], ids[..2].Select(i => i.Name));
        Assert.Equal(0xdeadbeefu, ids[2].Index);
        Assert.Equal(IPAddress.Parse("198.18.0.1"), ids[3].Address);
        Assert.Equal(IPAddress.Parse("fd42::2"), ids[4].Address);
        Assert.Equal(InterfaceIdentificationKind.ByAddress, ids[4].Kind);
        var again = new byte[bytes.Length];
        parsed.Write(again);
        Assert.Equal(bytes, again);
    }

    [Fact]
    public void Unknown_class_is_kept_raw_and_written_back()
    {
        byte[] bytes = [0x20, 0, 0, 0, 0, 9, 200, 5, 1, 2, 3, 4, 5];
        var structure = Parse(bytes);
        var unknown = Assert.IsType<UnknownExtensionObject>(Assert.Single(structure.Objects));
        Assert.Equal((200, 5, false), (unknown.ClassNum, unknown.ClassType, unknown.Invalid));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, unknown.Payload.ToArray());
        var written = new byte[structure.EncodedLength];
        structure.Write(written);
        Assert.Equal(bytes[4..], written[4..]);
        Assert.True(Parse(written).ChecksumValid);
    }

    [Theory]
    [InlineData(1, 1, "000000")]          // MPLS payload not a multiple of 4
    [InlineData(2, 0x08, "0000")]         // ifIndex flag but 2 bytes
    [InlineData(2, 0x04, "00030000")]     // address with AFI 3
    [InlineData(2, 0x02, "03657468")]     // name length 3 (< 4)
    [InlineData(3, 2, "000000")]          // index of 3 bytes
    [InlineData(3, 3, "00010400c612")]    // IPv4 address cut short
    [InlineData(3, 9, "00")]              // unknown C-Type of a known class
    public void Known_class_with_a_bad_payload_is_kept_as_invalid(byte classNum, byte classType, string payloadHex)
    {
        var payload = Convert.FromHexString(payloadHex);
        var bytes = new byte[8 + payload.Length];
        bytes[0] = 0x20;
        bytes[5] = (byte)(4 + payload.Length);
        bytes[6] = classNum;
        bytes[7] = classType;
        payload.CopyTo(bytes, 8);
        var unknown = Assert.IsType<UnknownExtensionObject>(Assert.Single(Parse(bytes).Objects));
        Assert.True(unknown.Invalid);
        Assert.Equal(payload, unknown.Payload.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(200)]
    public void Object_length_below_4_or_beyond_the_end_stops_the_walk_keeping_earlier_objects(int badLength)
    {
        // header, one good MPLS object (8 bytes), then an object whose length is bad.
        byte[] bytes = [0x20, 0, 0, 0, 0, 8, 1, 1, 0x03, 0xe8, 0x0b, 0x01, 0, (byte)badLength, 1, 1, 0, 0, 0, 0];
        var structure = Parse(bytes);
        Assert.IsType<MplsLabelStackObject>(Assert.Single(structure.Objects));
        Assert.Equal(new WireError(WireErrorKind.BadOptionLength, 12), structure.ObjectError);
    }

    [Fact]
    public void Object_header_cut_short_is_truncated()
    {
        byte[] bytes = [0x20, 0, 0, 0, 0, 4, 9, 9, 0, 8];
        var structure = Parse(bytes);
        Assert.Single(structure.Objects);
        Assert.Equal(new WireError(WireErrorKind.Truncated, 8), structure.ObjectError);
        Assert.False(IcmpExtensionStructure.TryParse(bytes.AsSpan(0, 3), out var none, out var error));
        Assert.Null(none);
        Assert.Equal(new WireError(WireErrorKind.Truncated, 3), error);
    }

    [Fact]
    public void Zero_checksum_counts_as_unverified()
    {
        byte[] bytes = [0x20, 0, 0, 0];
        Assert.False(Parse(bytes).ChecksumValid);
    }

    [Theory]
    [InlineData(0x000, 0, false, 0, 0x00000000u)]
    [InlineData(0xFFFFF, 7, true, 255, 0xFFFFFFFFu)]
    [InlineData(16000, 5, true, 1, 0x03e80b01u)]
    [InlineData(3, 0, false, 64, 0x00003040u)]
    public void Mpls_label_entry_bits(int label, int tc, bool bottom, byte ttl, uint word)
    {
        var entry = new MplsLabelEntry(label, tc, bottom, ttl);
        Assert.Equal(word, entry.Encode());
        Assert.Equal(entry, MplsLabelEntry.Decode(word));
    }
}
