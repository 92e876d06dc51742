using System.Net;
using IcmpKit.Wire.IcmpV4;
using static IcmpKit.Wire.Tests.IcmpV4.V4Wire;

namespace IcmpKit.Wire.Tests.IcmpV4;

public class RouterDiscoveryTests
{
    // RFC 1256 §3: 2 addresses, entry size 2 words, lifetime 7200 s; preferences 10 and -5.
    // /usr/bin/python3 -c "from scapy.all import *; import struct, socket; print(bytes(ICMP(type=9,code=0,unused=0x02021c20)/Raw(socket.inet_aton('198.18.0.254')+struct.pack('!i',10)+socket.inet_aton('198.18.0.253')+struct.pack('!i',-5))).hex())"
    private static readonly byte[] Advertisement = Hex("09004ab702021c20c61200fe0000000ac61200fdfffffffb");

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=10)).hex())"
    private static readonly byte[] Solicitation = Hex("0a00f5ff00000000");

    private static readonly RouterAddressEntry[] Entries =
    [
        new(IPAddress.Parse("198.18.0.254"), 10),
        new(IPAddress.Parse("198.18.0.253"), -5),
    ];

    [Fact]
    public void Read_through_the_view()
    {
        Assert.True(IcmpV4Packet.TryRead(Advertisement, out var icmp, out _));
        Assert.Equal(IcmpV4Type.RouterAdvertisement, icmp.Type);
        Assert.Equal(0x4ab7, icmp.Checksum);
        Assert.Equal(0x02021c20u, icmp.RestOfHeader);
        Assert.Equal(16, icmp.Body.Length);
        Assert.True(icmp.IsChecksumValid);

        Assert.True(IcmpV4Packet.TryRead(Solicitation, out var sol, out _));
        Assert.Equal(IcmpV4Type.RouterSolicitation, sol.Type);
        Assert.Equal(0xf5ff, sol.Checksum);
        Assert.Equal(0u, sol.RestOfHeader);
    }

    [Fact]
    public void Write_from_values()
    {
        Assert.Equal(Advertisement, Emit(new IcmpV4Message.RouterAdvertisement(7200, Entries)));
        Assert.Equal(Solicitation, Emit(new IcmpV4Message.RouterSolicitation()));
    }

    [Fact]
    public void Parse_advertisement()
    {
        var m = Parse<IcmpV4Message.RouterAdvertisement>(Advertisement);
        Assert.Equal(7200, m.Lifetime);
        Assert.Equal(2, m.AddressEntrySize);
        Assert.Equal(Entries, m.Entries);
        Assert.Equal(0x4ab7, m.Checksum);
        Assert.Equal("RouterAdvertisement(normal router advertisement)", m.DisplayName);
    }

    [Fact]
    public void Parse_solicitation()
    {
        var m = Parse<IcmpV4Message.RouterSolicitation>(Solicitation);
        Assert.Equal(0u, m.Reserved);
        Assert.Equal(0xf5ff, m.Checksum);
        Assert.Equal("RouterSolicitation", m.DisplayName);
    }

    [Fact]
    public void Emit_parsed_gives_the_same_bytes()
    {
        AssertRoundTrip(Advertisement);
        AssertRoundTrip(Solicitation);
    }

    [Fact]
    public void Larger_entries_keep_address_and_preference()
    {
        // Entry size 3: the third word of each entry is not interpreted (RFC 1256 §3).
        var bytes = new IcmpV4Message.RouterAdvertisement(600, Entries, AddressEntrySize: 3).ToArray();
        Assert.Equal(8 + 2 * 12, bytes.Length);
        var m = Parse<IcmpV4Message.RouterAdvertisement>(bytes);
        Assert.Equal(3, m.AddressEntrySize);
        Assert.Equal(Entries, m.Entries);
        AssertRoundTrip(bytes);
    }
}
