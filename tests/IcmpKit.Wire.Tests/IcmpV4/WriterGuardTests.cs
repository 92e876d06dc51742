using System.Net;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;

namespace IcmpKit.Wire.Tests.IcmpV4;

/// <summary>Fields kept on round trips, and writers that refuse values their length fields cannot carry.</summary>
public class WriterGuardTests
{
    [Fact]
    public void Traceroute_unused_bits_are_kept()
    {
        var message = new IcmpV4Message.Traceroute(7, 3, 0xFFFF, 1_000_000, 1500) { Unused = 0xBEEF };
        byte[] bytes = message.ToArray();
        Assert.Equal(0xBE, bytes[6]);
        Assert.Equal(0xEF, bytes[7]);
        Assert.True(IcmpV4Message.TryParse(bytes, out var parsed, out _));
        Assert.Equal(0xBEEF, Assert.IsType<IcmpV4Message.Traceroute>(parsed).Unused);
        Assert.Equal(bytes, parsed!.ToArray());
    }

    [Fact]
    public void A_router_advertisement_with_more_than_255_entries_is_refused()
    {
        var entries = Enumerable.Range(0, 256).Select(i => new RouterAddressEntry(IPAddress.Loopback, i)).ToArray();
        var message = new IcmpV4Message.RouterAdvertisement(1800, entries);
        Assert.Throws<ArgumentOutOfRangeException>(() => message.ToArray());
    }

    [Fact]
    public void A_router_advertisement_entry_size_below_2_is_refused()
    {
        var message = new IcmpV4Message.RouterAdvertisement(1800, [new RouterAddressEntry(IPAddress.Loopback, 0)], AddressEntrySize: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => message.ToArray());
    }

    [Fact]
    public void A_neighbor_discovery_option_longer_than_2040_bytes_is_refused()
    {
        var option = new NdUnknownOption(200, new byte[2040]);
        Assert.Throws<ArgumentOutOfRangeException>(() => option.Write(new byte[option.EncodedLength]));
        var largest = new NdUnknownOption(200, new byte[2038]);
        Assert.Equal(2040, largest.Write(new byte[largest.EncodedLength]));
    }
}
