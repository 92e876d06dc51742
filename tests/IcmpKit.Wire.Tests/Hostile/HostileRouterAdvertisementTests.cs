using IcmpKit.Wire.IcmpV4;

namespace IcmpKit.Wire.Tests.Hostile;

public class HostileRouterAdvertisementTests
{
    // /usr/bin/python3 -c "from scapy.all import *; import struct, socket; print(bytes(ICMP(type=9,code=0,unused=0x02021c20)/Raw(socket.inet_aton('198.18.0.254')+struct.pack('!i',10)+socket.inet_aton('198.18.0.253')+struct.pack('!i',-5))).hex())"
    private static byte[] Known() => Convert.FromHexString("09004ab702021c20c61200fe0000000ac61200fdfffffffb");

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Entry_size_below_2_is_rejected(byte size)
    {
        var bytes = Known();
        bytes[5] = size;
        Assert.False(IcmpV4Message.TryParse(bytes, out var m, out var error));
        Assert.Null(m);
        Assert.Equal(new WireError(WireErrorKind.BadField, 5), error);
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(255, 2)]
    [InlineData(255, 255)]
    [InlineData(1, 5)]
    public void Entries_beyond_the_message_are_rejected(byte count, byte size)
    {
        var bytes = Known();
        bytes[4] = count;
        bytes[5] = size;
        Assert.False(IcmpV4Message.TryParse(bytes, out var m, out var error));
        Assert.Null(m);
        Assert.Equal(new WireError(WireErrorKind.LengthBeyondBuffer, 4), error);
    }

    [Fact]
    public void Fewer_entries_than_bytes_parse()
    {
        var bytes = Known();
        bytes[4] = 1;
        Assert.True(IcmpV4Message.TryParse(bytes, out var m, out _));
        var ra = Assert.IsType<IcmpV4Message.RouterAdvertisement>(m);
        Assert.Single(ra.Entries);
        Assert.False(ra.ChecksumValid);
    }
}
