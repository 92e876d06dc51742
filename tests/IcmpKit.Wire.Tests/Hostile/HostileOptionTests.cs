using System.Net;
using IcmpKit.Wire.IPv4;

namespace IcmpKit.Wire.Tests.Hostile;

public class HostileOptionTests
{
    /// <summary>A valid 20-byte header (from the scapy echo request) with the given options area appended and IHL, total length and checksum fixed.</summary>
    private static byte[] Datagram(params byte[] options)
    {
        var bytes = new byte[20 + options.Length + 8];
        Convert.FromHexString("45000024000100004001eeb0c6120001c6120002").CopyTo(bytes, 0);
        options.CopyTo(bytes, 20);
        var w = new IPv4PacketWriter(bytes);
        w.SetVersionAndHeaderLength(20 + options.Length);
        w.SetTotalLength((ushort)bytes.Length);
        w.FillHeaderChecksum();
        return bytes;
    }

    private static IPv4Header Parse(byte[] datagram)
    {
        Assert.True(IPv4Header.TryParse(datagram, out var header, out var error), error.ToString());
        Assert.True(header!.HeaderChecksumValid);
        int length = header.HeaderLength;
        Assert.Equal((datagram[0] & 0x0F) * 4, length);
        var written = new byte[length];
        header.Write(written);
        Assert.Equal(Convert.ToHexString(datagram[..length]), Convert.ToHexString(written)); // kept byte for byte
        return header;
    }

    [Theory]
    [InlineData(new byte[] { 0x07, 0x00, 0x00, 0x00 }, 1)]           // length 0
    [InlineData(new byte[] { 0x44, 0x01, 0x00, 0x00 }, 1)]           // length 1
    [InlineData(new byte[] { 0x83, 0x07, 0x04, 0x00 }, 1)]           // overruns the header
    [InlineData(new byte[] { 0x94, 0xFF, 0x00, 0x00 }, 1)]           // length 255
    [InlineData(new byte[] { 0x01, 0x89, 0x0b, 0x04 }, 2)]           // after a NOP
    [InlineData(new byte[] { 0x94, 0x04, 0x00, 0x00, 0x07, 0x01, 0x00, 0x00 }, 5)]
    public void Unwalkable_option_length_is_kept_raw(byte[] options, int errorOffset)
    {
        var header = Parse(Datagram(options));
        var expected = new WireError(WireErrorKind.BadOptionLength, errorOffset);
        Assert.Equal(expected.Shift(20), header.OptionsError);
        var malformed = Assert.IsType<IPv4MalformedOption>(header.Options[^1]);
        Assert.Equal(expected, malformed.Error);
        Assert.Equal(options[(errorOffset - 1)..], malformed.Bytes.ToArray());
        Assert.Equal((IPv4OptionType)options[errorOffset - 1], malformed.Type);

        var reader = new IPv4OptionReader(options);
        while (reader.MoveNext())
        {
        }
        Assert.Equal(expected, reader.Error);
        Assert.False(reader.MoveNext()); // stays stopped
    }

    [Fact]
    public void Option_type_in_the_last_byte_has_no_length()
    {
        var header = Parse(Datagram(0x01, 0x01, 0x01, 0x07));
        Assert.Equal(new WireError(WireErrorKind.Truncated, 24), header.OptionsError);
        Assert.Equal(4, header.Options.Count);
        var malformed = Assert.IsType<IPv4MalformedOption>(header.Options[3]);
        Assert.Equal(new byte[] { 0x07 }, malformed.Bytes.ToArray());
        Assert.Equal(new WireError(WireErrorKind.Truncated, 4), malformed.Error);
    }

    [Fact]
    public void Eol_swallows_whatever_follows()
    {
        var header = Parse(Datagram(0x00, 0x07, 0x00, 0xFF));
        Assert.True(header.OptionsError.IsNone);
        var eol = Assert.IsType<IPv4EndOfOptionList>(Assert.Single(header.Options));
        Assert.Equal(new byte[] { 0x07, 0x00, 0xFF }, eol.Padding.ToArray());
    }

    [Fact]
    public void Forty_nops_are_walked()
    {
        var header = Parse(Datagram(Enumerable.Repeat((byte)1, 40).ToArray()));
        Assert.Equal(60, header.HeaderLength);
        Assert.Equal(40, header.Options.Count);
        Assert.True(header.OptionsError.IsNone);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 0)]
    [InlineData(7, 0)]
    [InlineData(255, 1)]
    [InlineData(3, 0)]
    public void Record_route_with_an_invalid_pointer(byte pointer, int recorded)
    {
        var header = Parse(Datagram(0x07, 0x07, pointer, 198, 18, 0, 1, 0x00));
        var rr = Assert.IsType<IPv4RouteOption>(header.Options[0]);
        Assert.Equal(pointer, rr.Pointer);
        Assert.False(rr.IsPointerValid);
        Assert.Equal(recorded, rr.Recorded.Count());
        Assert.Equal(IPAddress.Parse("198.18.0.1"), Assert.Single(rr.Slots));
    }

    [Theory]
    [InlineData(4, true)]
    [InlineData(8, true)]
    [InlineData(12, false)]
    public void Record_route_pointer_may_point_just_past_the_last_slot(byte pointer, bool valid)
    {
        var rr = Assert.IsType<IPv4RouteOption>(Parse(Datagram(0x07, 0x07, pointer, 198, 18, 0, 1, 0x00)).Options[0]);
        Assert.Equal(valid, rr.IsPointerValid);
    }

    [Fact]
    public void Route_option_with_a_partial_slot_keeps_the_rest()
    {
        var header = Parse(Datagram(0x83, 0x05, 0x04, 0xAA, 0xBB, 0x01, 0x01, 0x00));
        var lsrr = Assert.IsType<IPv4RouteOption>(header.Options[0]);
        Assert.Empty(lsrr.Slots);
        Assert.Equal(new byte[] { 0xAA, 0xBB }, lsrr.Trailing.ToArray());
    }

    [Theory]
    [InlineData(0x02)]
    [InlineData(0xF2)]
    [InlineData(0x0F)]
    public void Timestamp_with_an_undefined_flag_keeps_its_data(byte overflowAndFlag)
    {
        byte[] options = [0x44, 0x0c, 0x05, overflowAndFlag, 198, 18, 0, 2, 0, 0, 0, 0];
        var header = Parse(Datagram(options));
        var ts = Assert.IsType<IPv4TimestampOption>(Assert.Single(header.Options));
        Assert.Equal((IPv4TimestampFlag)(overflowAndFlag & 0x0F), ts.Flag);
        Assert.Equal(overflowAndFlag >> 4, ts.Overflow);
        Assert.Empty(ts.Slots);
        Assert.Empty(ts.Recorded);
        Assert.Equal(options[4..], ts.Trailing.ToArray());
        Assert.Equal(12, ts.EncodedLength);
    }

    [Fact]
    public void Timestamp_with_a_partial_slot_and_pointer_zero()
    {
        var header = Parse(Datagram(0x44, 0x0a, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 0x01, 0x00));
        var ts = Assert.IsType<IPv4TimestampOption>(header.Options[0]);
        Assert.Empty(ts.Slots);
        Assert.Empty(ts.Recorded);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, ts.Trailing.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x07, 0x02, 0x01, 0x00 }, 0x07, 0)]           // record route too short to type
    [InlineData(new byte[] { 0x44, 0x03, 0x05, 0x00 }, 0x44, 1)]           // timestamp too short to type
    [InlineData(new byte[] { 0x94, 0x06, 0, 0, 0, 0, 0x00, 0x00 }, 0x94, 4)] // router alert of the wrong length
    [InlineData(new byte[] { 0x94, 0x02, 0x00, 0x00 }, 0x94, 0)]
    public void Known_options_of_odd_lengths_stay_data(byte[] options, byte type, int dataLength)
    {
        var header = Parse(Datagram(options));
        Assert.True(header.OptionsError.IsNone);
        var unknown = Assert.IsType<IPv4UnknownOption>(header.Options[0]);
        Assert.Equal((IPv4OptionType)type, unknown.Type);
        Assert.Equal(dataLength, unknown.Data.Length);
    }
}
