using System.Net;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Wire.Tests.IcmpV6;

/// <summary>Helpers for the smoltcp quartet over whole IPv6 packets captured from scapy.</summary>
internal static class V6Quartet
{
    /// <summary>The IPv6 packet, its addresses (for the pseudo-header) and the ICMPv6 message it carries.</summary>
    public static (IPAddress Source, IPAddress Destination, byte[] Icmp) Split(string packetHex)
    {
        var packet = Convert.FromHexString(packetHex);
        Assert.True(IPv6Packet.TryRead(packet, out var view, out var error), error.ToString());
        Assert.Equal(IPProtocol.IcmpV6, view.NextHeader);
        return (view.SourceAddress, view.DestinationAddress, view.Payload.ToArray());
    }

    /// <summary>Parses with both addresses, so the checksum is verified, and checks the type.</summary>
    public static T Parse<T>(byte[] icmp, IPAddress source, IPAddress destination)
        where T : IcmpV6Message
    {
        Assert.True(IcmpV6Message.TryParse(icmp, source, destination, out var message, out var error), error.ToString());
        Assert.NotNull(message);
        Assert.True(message.ChecksumValid);
        Assert.Equal((ushort)((icmp[2] << 8) | icmp[3]), message.Checksum);
        Assert.Equal(icmp[1], message.Code);
        return Assert.IsType<T>(message);
    }

    /// <summary>Writes into a buffer pre-filled with 0xA5 (so a forgotten field shows) and compares byte for byte.</summary>
    public static void AssertEmits(IcmpV6Message message, IPAddress source, IPAddress destination, byte[] expected)
    {
        Assert.Equal(expected.Length, message.GetEncodedLength());
        var buffer = new byte[expected.Length + 8];
        buffer.AsSpan().Fill(0xA5);
        Assert.True(message.TryWrite(buffer, source, destination, out int written));
        Assert.Equal(expected.Length, written);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(buffer, 0, written));
        Assert.All(buffer[written..], b => Assert.Equal(0xA5, b));
        Assert.False(message.TryWrite(new byte[expected.Length - 1], source, destination, out int none));
        Assert.Equal(0, none);
    }

    public static IPAddress Ip(string text) => IPAddress.Parse(text);
}
