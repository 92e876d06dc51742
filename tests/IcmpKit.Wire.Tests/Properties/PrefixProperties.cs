using System.Net;
using CsCheck;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Wire.Tests.Properties;

/// <summary>Every strict prefix of a valid packet is rejected by the whole-packet readers, and never throws anywhere.</summary>
public class PrefixProperties
{
    private static byte[] V4Packet(IcmpV4Message message, IPAddress source, IPAddress destination, byte ttl)
    {
        var icmp = message.ToArray();
        var header = new IPv4Header { Source = source, Destination = destination, Protocol = 1, TimeToLive = ttl, TotalLength = (ushort)(20 + icmp.Length) };
        var bytes = new byte[20 + icmp.Length];
        header.Write(bytes);
        icmp.CopyTo(bytes, 20);
        return bytes;
    }

    private static byte[] V6Packet(IcmpV6Message message, IPAddress source, IPAddress destination, byte hopLimit)
    {
        var icmp = message.ToArray(source, destination);
        var header = new IPv6Header { Source = source, Destination = destination, NextHeader = IPProtocol.IcmpV6, HopLimit = hopLimit, PayloadLength = (ushort)icmp.Length };
        var bytes = new byte[40 + icmp.Length];
        header.Write(bytes);
        icmp.CopyTo(bytes, 40);
        return bytes;
    }

    [Fact]
    public void Strict_prefixes_of_IPv4_ICMP_packets() =>
        Gen.Select(Generators.IcmpV4, Generators.IPv4Address, Generators.IPv4Address, Gen.Byte)
            .Sample((message, source, destination, ttl) =>
            {
                var packet = V4Packet(message, source, destination, ttl);
                Assert.True(IPv4Packet.TryRead(packet, out _, out _));
                for (int length = 0; length < packet.Length; length++)
                {
                    var prefix = packet[..length];
                    Assert.False(IPv4Packet.TryRead(prefix, out _, out var error));
                    Assert.False(error.IsNone);
                    Assert.False(IPv4Header.TryParse(prefix, out _, out _));
                    EntryPoints.Ip(prefix);
                    if (length >= 20)
                    {
                        EntryPoints.Icmp(prefix[20..]);
                    }
                }
            }, iter: 100);

    [Fact]
    public void Strict_prefixes_of_IPv6_ICMPv6_packets() =>
        Gen.Select(Generators.IcmpV6, Generators.IPv6Address, Generators.IPv6Address, Gen.Byte)
            .Sample((message, source, destination, hopLimit) =>
            {
                var packet = V6Packet(message, source, destination, hopLimit);
                Assert.True(IPv6Packet.TryRead(packet, out _, out _));
                for (int length = 0; length < packet.Length; length++)
                {
                    var prefix = packet[..length];
                    Assert.False(IPv6Packet.TryRead(prefix, out _, out var error));
                    Assert.False(error.IsNone);
                    Assert.False(IPv6Header.TryParse(prefix, out _, out _));
                    EntryPoints.Ip(prefix);
                    if (length >= 40)
                    {
                        EntryPoints.Icmp(prefix[40..]);
                    }
                }
            }, iter: 100);

    [Fact]
    public void Strict_prefixes_of_an_ICMPv6_message_below_its_fixed_fields_are_rejected() =>
        Generators.IcmpV6.Sample(message =>
        {
            var icmp = message.ToArray();
            for (int length = 0; length < 8 && length < icmp.Length; length++)
            {
                Assert.False(IcmpV6Message.TryParse(icmp.AsSpan(0, length), out _, out var error));
                Assert.Equal(new WireError(WireErrorKind.Truncated, length), error);
            }
        });
}
