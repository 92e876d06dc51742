using System.Net;
using IcmpKit.Wire.Capture;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;
using IcmpKit.Wire.Quoting;
using IcmpKit.Wire.Rules;

namespace IcmpKit.Wire.Tests.Properties;

/// <summary>Feeds bytes to every reader of IcmpKit.Wire and touches what each returns; any exception fails the caller.</summary>
internal static class EntryPoints
{
    private static readonly IPAddress A = IPAddress.Parse("fd42::1");
    private static readonly IPAddress B = IPAddress.Parse("fd42::2");

    public static void All(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        Ip(bytes);
        if (bytes.Length >= 20)
        {
            Ip(bytes.AsSpan(20).ToArray()); // as if after an IPv4 header
        }
        Icmp(bytes);
        _ = IcmpExtensionStructure.TryParse(bytes, out _, out _);
        Capture(bytes);
        Assert.Equal(copy, bytes); // readers never write into their input
    }

    public static void Ip(byte[] bytes)
    {
        if (IPv4Packet.TryRead(bytes, out var v4, out _))
        {
            Assert.True(v4.Bytes.Length <= bytes.Length);
            Icmp(v4.Payload.ToArray());
        }
        if (IPv4Packet.TryReadQuoted(bytes, out var quoted4, out _))
        {
            _ = IPv4Header.FromPacket(quoted4);
        }
        _ = IPv4Header.TryParse(bytes, out _, out _);
        if (IPv6Header.TryParse(bytes, out var header6, out _))
        {
            Assert.True(header6!.UpperLayerOffset <= bytes.Length);
            Icmp(bytes[Math.Min(header6.UpperLayerOffset, bytes.Length)..]);
        }
        if (IPv6Packet.TryReadQuoted(bytes, out var quoted6, out _))
        {
            _ = IPv6Header.FromPacket(quoted6);
        }
        Quote(bytes);
        foreach (var linkBroadcast in new[] { false, true })
        {
            _ = IcmpErrorGuard.CheckIPv4(bytes, linkBroadcast, a => a.Equals(IPAddress.Broadcast));
            _ = IcmpErrorGuard.CheckIPv6(bytes, IcmpV6Type.DestinationUnreachable, 0, linkBroadcast);
            _ = IcmpErrorGuard.CheckIPv6(bytes, IcmpV6Type.ParameterProblem, 2, linkBroadcast, optionHighBitsAre10: true);
        }
    }

    private static void Quote(ReadOnlyMemory<byte> bytes)
    {
        var quote = QuotedDatagram.Parse(bytes);
        _ = quote.Protocol;
        if (QuotedProbe.TryRead(bytes.Span, out var probe, out _))
        {
            _ = (probe.IcmpType, probe.IcmpIdentifier, probe.IcmpSequenceNumber, probe.SourcePort, probe.DestinationPort);
            Assert.Equal(8, probe.TransportHeader.Length);
        }
    }

    public static void Icmp(byte[] bytes)
    {
        if (IcmpV4Message.TryParse(bytes, out var m4, out _))
        {
            _ = m4!.DisplayName;
            if (m4 is IcmpV4Message.ErrorMessage error4)
            {
                Quote(error4.OriginalDatagram);
            }
            _ = m4.ToArray();
        }
        if (IcmpV6Message.TryParse(bytes, A, B, out var m6, out _))
        {
            _ = m6!.DisplayName;
            if (m6 is IcmpV6Message.ErrorMessage error6)
            {
                Quote(error6.OriginalDatagram);
            }
            _ = m6.ToArray(A, B);
        }
        _ = IcmpV6Message.TryParse(bytes, out _, out _);
    }

    public static void Capture(byte[] bytes)
    {
        var reader = new CaptureReader(bytes);
        foreach (var record in reader.Records())
        {
            Assert.True(record.Data.Length <= bytes.Length);
            if (LinkLayer.TryFindIPPacket(record.LinkType, record.Data.Span, out int offset, out _))
            {
                Assert.InRange(offset, 0, record.Data.Length - 1);
            }
        }
    }
}
