using System.Buffers.Binary;
using System.Net;
using IcmpKit.Responder;
using IcmpKit.Wire.Checksum;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Tests.Responder;

/// <summary>Keeps a copy of every packet the responder emits, with its delay.</summary>
internal sealed class RecordingSink : IResponderSink
{
    public List<(byte[] Packet, TimeSpan Delay)> Sent { get; } = [];

    public void Emit(ReadOnlySpan<byte> ipPacket, TimeSpan delay) => Sent.Add((ipPacket.ToArray(), delay));

    public (byte[] Packet, TimeSpan Delay) Single() => Assert.Single(Sent);
}

/// <summary>Counts emits and keeps nothing, so that it allocates nothing.</summary>
internal sealed class CountingSink : IResponderSink
{
    public int Count { get; private set; }

    public void Emit(ReadOnlySpan<byte> ipPacket, TimeSpan delay) => Count++;
}

/// <summary>Request packets built with the Wire writers.</summary>
internal static class ResponderTestPackets
{
    public static readonly IPAddress Prober = IPAddress.Parse("198.18.0.1");
    public static readonly IPAddress Host = IPAddress.Parse("198.19.0.10");
    public static readonly IPAddress Hop1 = IPAddress.Parse("198.18.1.1");
    public static readonly IPAddress Hop2 = IPAddress.Parse("198.18.2.1");
    public static readonly IPAddress Prober6 = IPAddress.Parse("fd42::1");
    public static readonly IPAddress Host6 = IPAddress.Parse("fd42:1::10");
    public static readonly IPAddress Hop6 = IPAddress.Parse("fd42:2::1");

    public static byte[] IPv4(IPAddress source, IPAddress destination, byte protocol, ReadOnlySpan<byte> payload, byte ttl = 64,
        bool dontFragment = false, bool moreFragments = false, int fragmentOffset = 0, IReadOnlyList<IPv4Option>? options = null)
    {
        var header = new IPv4Header
        {
            Source = source, Destination = destination, Protocol = protocol, TimeToLive = ttl, Identification = 0x1234,
            DontFragment = dontFragment, MoreFragments = moreFragments, FragmentOffset = fragmentOffset, Options = options ?? [],
        };
        header = header with { TotalLength = (ushort)(header.HeaderLength + payload.Length) };
        var bytes = new byte[header.TotalLength];
        int length = header.Write(bytes);
        payload.CopyTo(bytes.AsSpan(length));
        return bytes;
    }

    public static byte[] Icmp(IcmpV4Message message, IPAddress? destination = null, byte ttl = 64, bool dontFragment = false,
        IReadOnlyList<IPv4Option>? options = null, IPAddress? source = null) =>
        IPv4(source ?? Prober, destination ?? Host, IPProtocol.Icmp, message.ToArray(), ttl, dontFragment, options: options);

    public static byte[] Echo(ushort sequence = 1, int dataLength = 56, IPAddress? destination = null, byte ttl = 64) =>
        Icmp(new IcmpV4Message.EchoRequest(0xBEEF, sequence, Data(dataLength)), destination, ttl);

    public static byte[] Data(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 + 1)).ToArray();

    public static byte[] Udp(IPAddress? destination = null, byte ttl = 64, int dataLength = 32, IPAddress? source = null, ushort port = 33434, bool dontFragment = false)
    {
        source ??= Prober;
        destination ??= Host;
        var udp = new byte[8 + dataLength];
        BinaryPrimitives.WriteUInt16BigEndian(udp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), port);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        Data(dataLength).CopyTo(udp, 8);
        var sum = new InternetChecksum();
        if (source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            sum.AddIPv4PseudoHeader(source.GetAddressBytes(), destination.GetAddressBytes(), IPProtocol.Udp, (ushort)udp.Length);
            sum.Add(udp);
            BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(6), sum.Finish());
            return IPv4(source, destination, IPProtocol.Udp, udp, ttl, dontFragment);
        }
        sum.AddIPv6PseudoHeader(source.GetAddressBytes(), destination.GetAddressBytes(), IPProtocol.Udp, (uint)udp.Length);
        sum.Add(udp);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(6), sum.Finish());
        return IPv6(source, destination, IPProtocol.Udp, udp, ttl);
    }

    public static byte[] IPv6(IPAddress source, IPAddress destination, byte nextHeader, ReadOnlySpan<byte> payload, byte hopLimit = 64)
    {
        var header = new IPv6Header { Source = source, Destination = destination, NextHeader = nextHeader, HopLimit = hopLimit, PayloadLength = (ushort)payload.Length };
        var bytes = new byte[40 + payload.Length];
        header.Write(bytes);
        payload.CopyTo(bytes.AsSpan(40));
        return bytes;
    }

    public static byte[] EchoV6(ushort sequence = 1, int dataLength = 56, IPAddress? destination = null, byte hopLimit = 64, IPAddress? source = null)
    {
        source ??= Prober6;
        destination ??= Host6;
        var message = new IcmpV6Message.EchoRequest(0xCAFE, sequence, Data(dataLength)).ToArray(source, destination);
        return IPv6(source, destination, IPProtocol.IcmpV6, message, hopLimit);
    }

    /// <summary>An IPv4 packet whose options area is <paramref name="options"/> verbatim (a multiple of 4 bytes), for malformed options.</summary>
    public static byte[] IPv4RawOptions(ReadOnlySpan<byte> options, byte protocol, ReadOnlySpan<byte> payload, IPAddress? destination = null, byte ttl = 64)
    {
        Assert.Equal(0, options.Length % 4);
        int headerLength = 20 + options.Length;
        var bytes = new byte[headerLength + payload.Length];
        var writer = new IPv4PacketWriter(bytes);
        writer.SetVersionAndHeaderLength(headerLength);
        writer.SetTotalLength((ushort)bytes.Length);
        writer.SetIdentification(0x1234);
        writer.SetTimeToLive(ttl);
        writer.SetProtocol(protocol);
        writer.SetSourceAddress(Prober.GetAddressBytes());
        writer.SetDestinationAddress((destination ?? Host).GetAddressBytes());
        options.CopyTo(bytes.AsSpan(20));
        payload.CopyTo(bytes.AsSpan(headerLength));
        writer.FillHeaderChecksum();
        return bytes;
    }

    /// <summary>A Hop-by-Hop or Destination Options header (RFC 8200 §4.3, §4.6): the options, padded with PadN to 8 bytes.</summary>
    public static byte[] OptionsHeader(byte nextHeader, params byte[] options)
    {
        int length = (2 + options.Length + 7) / 8 * 8;
        var header = new byte[length];
        header[0] = nextHeader;
        header[1] = (byte)(length / 8 - 1);
        options.CopyTo(header, 2);
        int padding = length - 2 - options.Length;
        if (padding == 1)
        {
            header[^1] = 0; // Pad1
        }
        else if (padding > 1)
        {
            header[2 + options.Length] = 1; // PadN
            header[3 + options.Length] = (byte)(padding - 2);
        }
        return header;
    }

    /// <summary>A TCP segment from <paramref name="source"/> (default: the prober of that family), checksum filled in.</summary>
    public static byte[] Tcp(byte flags, uint sequence = 1000, uint acknowledgment = 0, int dataLength = 0, IPAddress? destination = null,
        IPAddress? source = null, byte dataOffsetWords = 5, byte ttl = 64)
    {
        destination ??= source?.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? Host6 : Host;
        source ??= destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? Prober6 : Prober;
        var segment = new byte[20 + dataLength];
        BinaryPrimitives.WriteUInt16BigEndian(segment, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), 80);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(4), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(8), acknowledgment);
        segment[12] = (byte)(dataOffsetWords << 4);
        segment[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(14), 64240);
        Data(dataLength).CopyTo(segment, 20);
        var sum = new InternetChecksum();
        bool v6 = source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (v6)
        {
            sum.AddIPv6PseudoHeader(source.GetAddressBytes(), destination.GetAddressBytes(), IPProtocol.Tcp, (uint)segment.Length);
        }
        else
        {
            sum.AddIPv4PseudoHeader(source.GetAddressBytes(), destination.GetAddressBytes(), IPProtocol.Tcp, (ushort)segment.Length);
        }
        sum.Add(segment);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(16), sum.Finish());
        return v6 ? IPv6(source, destination, IPProtocol.Tcp, segment, ttl) : IPv4(source, destination, IPProtocol.Tcp, segment, ttl);
    }

    /// <summary>True when the TCP checksum of an emitted IPv4 or IPv6 packet verifies over its pseudo-header.</summary>
    public static bool IsTcpChecksumValid(byte[] packet)
    {
        var sum = new InternetChecksum();
        ReadOnlySpan<byte> segment;
        if (packet[0] >> 4 == 4)
        {
            Assert.True(IPv4Packet.TryRead(packet, out var view, out _));
            segment = view.Payload;
            sum.AddIPv4PseudoHeader(view.SourceAddressBytes, view.DestinationAddressBytes, IPProtocol.Tcp, (ushort)segment.Length);
        }
        else
        {
            Assert.True(IPv6Packet.TryRead(packet, out var view, out _));
            segment = view.Payload;
            sum.AddIPv6PseudoHeader(view.SourceAddressBytes, view.DestinationAddressBytes, IPProtocol.Tcp, (uint)segment.Length);
        }
        sum.Add(segment);
        return sum.Finish() == 0;
    }

    /// <summary>An RFC 8335 extended echo request carrying <paramref name="query"/> (none: no extension structure).</summary>
    public static byte[] ExtendedEcho(IcmpExtensionObject? query, bool local = true, IPAddress? destination = null, ushort identifier = 0x4242, byte sequence = 7)
    {
        var structure = query is null ? null : new IcmpExtensionStructure { Objects = [query] };
        destination ??= Host;
        if (destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            var message = new IcmpV6Message.ExtendedEchoRequest(identifier, sequence, local, structure).ToArray(Prober6, destination);
            return IPv6(Prober6, destination, IPProtocol.IcmpV6, message);
        }
        return Icmp(new IcmpV4Message.ExtendedEchoRequest(identifier, sequence, local, structure), destination);
    }

    /// <summary>Parses an emitted IPv4 packet: header checksum must verify, ICMP checksum must verify.</summary>
    public static (IPv4Header Header, IcmpV4Message Message) ParseV4(byte[] packet)
    {
        Assert.True(IPv4Packet.TryRead(packet, out var view, out var error), error.ToString());
        Assert.Equal(packet.Length, view.TotalLength);
        Assert.True(view.IsHeaderChecksumValid);
        var header = IPv4Header.FromPacket(view);
        Assert.True(IcmpV4Message.TryParse(view.Payload, out var message, out error), error.ToString());
        Assert.True(message!.ChecksumValid);
        return (header, message);
    }

    /// <summary>Parses an emitted IPv6 packet, verifying the ICMPv6 checksum over the pseudo-header.</summary>
    public static (IPv6Header Header, IcmpV6Message Message) ParseV6(byte[] packet)
    {
        Assert.True(IPv6Packet.TryRead(packet, out var view, out var error), error.ToString());
        Assert.Equal(packet.Length, 40 + view.PayloadLength);
        var header = IPv6Header.FromPacket(view);
        Assert.Equal(IPProtocol.IcmpV6, header.NextHeader);
        Assert.True(IcmpV6Message.TryParse(view.Payload, header.Source, header.Destination, out var message, out error), error.ToString());
        Assert.True(message!.ChecksumValid);
        return (header, message);
    }
}
