using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.Tests.IcmpV6;

namespace IcmpKit.Wire.Tests.Extensions;

public class MultipartBodyTests
{
    [Fact]
    public void Length_attribute_beyond_the_body_makes_the_whole_body_the_datagram()
    {
        var body = new byte[40];
        var parsed = MultipartBody.Parse(body, lengthAttribute: 6, wordSize: 8);
        Assert.True(parsed.LengthAttributeInvalid);
        Assert.Null(parsed.Extensions);
        Assert.Equal(40, parsed.OriginalDatagram.Length);
    }

    [Theory]
    [InlineData(0x10)]
    [InlineData(0x30)]
    public void A_structure_of_another_version_than_2_is_not_an_extension_structure(byte versionByte)
    {
        // 128-byte datagram, then a 4-byte structure header whose checksum verifies but whose version is not 2.
        var body = new byte[132];
        body[128] = versionByte;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(130), IcmpKit.Wire.Checksum.InternetChecksum.Compute(body.AsSpan(128)));
        var parsed = MultipartBody.Parse(body, lengthAttribute: 32, wordSize: 4);
        Assert.Null(parsed.Extensions);
        Assert.True(parsed.LengthAttributeInvalid);
        Assert.Equal(132, parsed.OriginalDatagram.Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Bytes_after_the_datagram_too_short_for_a_structure_stay_in_the_datagram(int extra)
    {
        var body = Enumerable.Range(1, 8 + extra).Select(i => (byte)i).ToArray();
        var parsed = MultipartBody.Parse(body, lengthAttribute: 1, wordSize: 8);
        Assert.True(parsed.LengthAttributeInvalid);
        Assert.Null(parsed.Extensions);
        Assert.Equal(body, parsed.OriginalDatagram.ToArray());
    }

    [Fact]
    public void Length_attribute_exactly_at_the_end_is_valid_without_extensions()
    {
        var parsed = MultipartBody.Parse(new byte[16], lengthAttribute: 2, wordSize: 8);
        Assert.False(parsed.LengthAttributeInvalid);
        Assert.Null(parsed.Extensions);
        Assert.Equal(ExtensionLayout.None, parsed.Layout);
        Assert.Equal(16, parsed.OriginalDatagram.Length);
    }

    [Fact]
    public void Compatibility_layout_finds_a_structure_at_128_bytes_with_a_zero_length_attribute()
    {
        // RFC 4884 §5.5: the ICMPv6 time exceeded of ExtensionVectors with its length attribute cleared.
        var (src, dst, icmp) = V6Quartet.Split(ExtensionVectors.IcmpV6TimeExceededWithMpls);
        icmp[4] = 0;
        Assert.True(IcmpV6Message.TryParse(icmp, src, dst, out var message, out _));
        var exceeded = Assert.IsType<IcmpV6Message.TimeExceeded>(message);
        Assert.Equal(ExtensionLayout.Fixed128, exceeded.Layout);
        Assert.Equal(128, exceeded.OriginalDatagram.Length);
        Assert.IsType<MplsLabelStackObject>(Assert.Single(exceeded.Extensions!.Objects));
        Assert.Equal(0, exceeded.LengthAttribute);
        Assert.Equal(icmp[4..], exceeded.ToArray(src, dst)[4..]);
    }

    [Fact]
    public void Compatibility_layout_needs_a_verifying_checksum()
    {
        var (src, dst, icmp) = V6Quartet.Split(ExtensionVectors.IcmpV6TimeExceededWithBadStructureChecksum);
        icmp[4] = 0;
        Assert.True(IcmpV6Message.TryParse(icmp, src, dst, out var message, out _));
        var exceeded = Assert.IsType<IcmpV6Message.TimeExceeded>(message);
        Assert.Equal(ExtensionLayout.None, exceeded.Layout);
        Assert.Null(exceeded.Extensions);
        Assert.Equal(icmp.Length - 8, exceeded.OriginalDatagram.Length);
    }

    [Fact]
    public void Writing_pads_a_short_datagram_to_128_bytes_in_whole_words()
    {
        var multipart = new MultipartBody { OriginalDatagram = new byte[130], Extensions = new IcmpExtensionStructure() };
        Assert.Equal(136, multipart.OriginalFieldLength(8));
        Assert.Equal(17, multipart.LengthAttribute(8));
        Assert.Equal(132, multipart.OriginalFieldLength(4));
        Assert.Equal(33, multipart.LengthAttribute(4));
        Assert.Equal(128, (multipart with { OriginalDatagram = new byte[3] }).OriginalFieldLength(8));
        Assert.Equal(0, (multipart with { Extensions = null }).LengthAttribute(8));
    }
}
