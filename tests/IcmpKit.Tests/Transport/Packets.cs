using System.Net;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Tests.Transport;

/// <summary>Builds the packets a peer would send, with the IcmpKit.Wire writers.</summary>
public static class Packets
{
    /// <summary>An IPv4 datagram carrying <paramref name="payload"/> (protocol ICMP unless told), with a valid header checksum.</summary>
    public static byte[] IPv4(IPAddress source, IPAddress destination, ReadOnlySpan<byte> payload, byte ttl = 64, byte tos = 0,
        byte[]? options = null, byte protocol = 1, int? totalLength = null, bool moreFragments = false, int fragmentOffset = 0)
    {
        int headerLength = 20 + (options?.Length ?? 0);
        var bytes = new byte[headerLength + payload.Length];
        var writer = new IPv4PacketWriter(bytes);
        writer.SetVersionAndHeaderLength(headerLength);
        writer.SetTypeOfService(tos);
        writer.SetTotalLength((ushort)(totalLength ?? bytes.Length));
        writer.SetIdentification(0x1234);
        writer.SetFlagsAndFragmentOffset(false, false, moreFragments, fragmentOffset);
        writer.SetTimeToLive(ttl);
        writer.SetProtocol(protocol);
        writer.SetSourceAddress(source.GetAddressBytes());
        writer.SetDestinationAddress(destination.GetAddressBytes());
        options?.CopyTo(writer.Options);
        writer.FillHeaderChecksum();
        payload.CopyTo(bytes.AsSpan(headerLength));
        return bytes;
    }

    public static byte[] EchoReplyV4(ushort identifier, ushort sequence, ReadOnlyMemory<byte> data, byte code = 0) =>
        new IcmpV4Message.EchoReply(identifier, sequence, data) { Code = code }.ToArray();

    public static byte[] EchoReplyV6(ushort identifier, ushort sequence, ReadOnlyMemory<byte> data) =>
        new IcmpV6Message.EchoReply(identifier, sequence, data).ToArray(FakeIcmpTransport.LocalV6, FakeIcmpTransport.LocalV6);

    /// <summary>The reply a faithful peer sends to <paramref name="send"/> (its data echoed whole), or with other data.</summary>
    public static byte[] ReplyTo(FakeSend send, byte[]? data = null, ushort? identifier = null, ushort? sequence = null)
    {
        var body = data ?? send.Data;
        ushort id = identifier ?? send.Identifier;
        ushort seq = sequence ?? send.SequenceNumber;
        return send.Target.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? EchoReplyV6(id, seq, body)
            : EchoReplyV4(id, seq, body);
    }

    /// <summary>
    /// What a router quotes of <paramref name="send"/>: our IPv4 header (TTL 1, destination the target) and the first
    /// <paramref name="icmpBytes"/> bytes of our ICMP message (all of it when null).
    /// </summary>
    public static byte[] QuoteV4(FakeSend send, int? icmpBytes = null, IPAddress? destination = null)
    {
        var icmp = send.Message.AsSpan(0, Math.Min(icmpBytes ?? send.Message.Length, send.Message.Length));
        return IPv4(FakeIcmpTransport.LocalV4, destination ?? send.Target, icmp, ttl: 1, totalLength: 20 + send.Message.Length);
    }

    public static byte[] QuoteV6(FakeSend send, int? icmpBytes = null, IPAddress? destination = null)
    {
        var icmp = send.Message.AsSpan(0, Math.Min(icmpBytes ?? send.Message.Length, send.Message.Length));
        var header = new IPv6Header
        {
            PayloadLength = (ushort)send.Message.Length,
            NextHeader = 58,
            UpperLayerProtocol = 58,
            HopLimit = 1,
            Source = FakeIcmpTransport.LocalV6,
            Destination = destination ?? send.Target,
        };
        var bytes = new byte[header.HeaderLength + icmp.Length];
        int at = header.Write(bytes);
        icmp.CopyTo(bytes.AsSpan(at));
        return bytes;
    }

    public static byte[] TimeExceededV4(byte[] quote, byte code = 0) =>
        new IcmpV4Message.TimeExceeded { Code = code, OriginalDatagram = quote }.ToArray();

    public static byte[] UnreachableV4(byte[] quote, byte code, ushort nextHopMtu = 0) =>
        new IcmpV4Message.DestinationUnreachable { Code = code, NextHopMtu = nextHopMtu, OriginalDatagram = quote }.ToArray();

    public static byte[] PacketTooBigV6(byte[] quote, uint mtu) =>
        new IcmpV6Message.PacketTooBig { Mtu = mtu, OriginalDatagram = quote }.ToArray(FakeIcmpTransport.LocalV6, FakeIcmpTransport.LocalV6);

    public static byte[] TimeExceededV6(byte[] quote) =>
        new IcmpV6Message.TimeExceeded { OriginalDatagram = quote }.ToArray(FakeIcmpTransport.LocalV6, FakeIcmpTransport.LocalV6);

    /// <summary>Flips the low bit of byte <paramref name="index"/> of a copy (a corrupted checksum when index is 2 or 3).</summary>
    public static byte[] Flip(byte[] bytes, int index)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] ^= 0x01;
        return copy;
    }
}
