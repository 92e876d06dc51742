using System.Buffers.Binary;
using IcmpKit.Wire.Checksum;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;
using IcmpKit.Wire.Rules;

namespace IcmpKit.Responder;

public sealed partial class ResponderCore
{
    /// <summary>RFC 1812 §4.3.2.3: an ICMPv4 error, IP header included, is at most 576 bytes.</summary>
    internal const int MaxErrorLengthV4 = 576;

    /// <summary>RFC 4443 §2.4(c): an ICMPv6 error must not exceed the minimum IPv6 MTU, 1280 bytes.</summary>
    internal const int MaxErrorLengthV6 = 1280;

    /// <summary>RFC 4884 §4.1/§4.2: with extensions, the original datagram field is padded to at least 128 bytes.</summary>
    private const int MinimumOriginalField = 128;

    private DropReason? SendErrorV4(PathNode node, IcmpV4Type type, byte code, ushort nextHopMtu, IPv4Packet offending, IResponderSink sink)
    {
        if (node.Silent)
        {
            return DropReason.SilentHop;
        }
        var datagram = offending.Bytes;
        var suppression = IcmpErrorGuard.CheckIPv4(datagram, isDirectedBroadcast: _isDirectedBroadcast);
        if (suppression != ErrorSuppression.None)
        {
            return ToDropReason(suppression);
        }
        if (!_limiter.TryTake(node.Position, BinaryPrimitives.ReadUInt32BigEndian(offending.SourceAddressBytes)))
        {
            return DropReason.RateLimited;
        }
        const int HeaderLength = 20;
        ReadOnlySpan<byte> extensions = node.Extensions; // RFC 4884 §4.1 extends types 3, 11 and 12; all are 3 or 11 here
        int room = MaxErrorLengthV4 - HeaderLength - 8 - extensions.Length;
        var (quoted, field, lengthAttribute) = Layout(datagram.Length, room, extensions.Length, wordSize: 4);
        int total = HeaderLength + 8 + field + extensions.Length;
        var output = _output.AsSpan(0, total);
        var ip = new IPv4PacketWriter(output);
        ip.SetVersionAndHeaderLength(HeaderLength);
        // RFC 1812 §4.3.2.5 lets an error keep the TOS; like Linux, precedence becomes internetwork control (6).
        ip.SetTypeOfService((byte)((offending.TypeOfService & 0x1C) | 0xC0));
        ip.SetTotalLength((ushort)total);
        ip.SetIdentification(NextIdentification());
        ip.SetFlagsAndFragmentOffset(false, false, false, 0);
        ip.SetTimeToLive(ReplyTtl(node.Position));
        ip.SetProtocol(IPProtocol.Icmp);
        PathNode.WriteV4(node.Address, output[12..]);
        ip.SetDestinationAddress(offending.SourceAddressBytes);
        ip.FillHeaderChecksum();

        var icmp = output[HeaderLength..];
        var writer = new IcmpV4PacketWriter(icmp);
        writer.SetType(type);
        writer.SetCode(code);
        // RFC 4884 §4.1: the length attribute is byte 5; RFC 1191 §4: the next-hop MTU is the low 16 bits.
        writer.SetRestOfHeader(((uint)lengthAttribute << 16) | nextHopMtu);
        var body = writer.Body;
        body[..field].Clear();
        datagram[..quoted].CopyTo(body);
        QuoteTtlAsSeen(body, offending.TimeToLive, node.Position);
        extensions.CopyTo(body[field..]);
        writer.FillChecksum();

        sink.Emit(output, DelayTo(_v4, node.Position));
        if (type == IcmpV4Type.TimeExceeded)
        {
            Counters.Count(AnswerKind.TimeExceeded);
        }
        else
        {
            Counters.Count(code == (byte)IcmpV4UnreachableCode.FragmentationNeeded ? AnswerKind.FragmentationNeeded : AnswerKind.DestinationUnreachable);
            Counters.CountUnreachableV4(code);
        }
        return null;
    }

    /// <summary>
    /// How much to quote: as much as fits in <paramref name="room"/> (RFC 1812 §4.3.2.3, RFC 4443 §2.4(c)); with
    /// extensions the field is whole words, at least 128 bytes, and its length in words is the length attribute (RFC 4884 §4).
    /// </summary>
    private static (int Quoted, int Field, byte LengthAttribute) Layout(int datagramLength, int room, int extensionLength, int wordSize)
    {
        if (extensionLength == 0)
        {
            int quoted = Math.Min(datagramLength, room);
            return (quoted, quoted, 0);
        }
        int whole = Math.Min(datagramLength, room / wordSize * wordSize);
        int field = Math.Max(MinimumOriginalField, (whole + wordSize - 1) / wordSize * wordSize);
        return (whole, field, (byte)(field / wordSize));
    }

    /// <summary>
    /// The quoted header shows the TTL the node saw: the prober's, less one per hop before it. Patched with the RFC 1624
    /// incremental update so the quoted header checksum stays valid.
    /// </summary>
    private static void QuoteTtlAsSeen(Span<byte> quote, byte sentTtl, int position)
    {
        byte seen = (byte)Math.Max(0, sentTtl - (position - 1));
        ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(quote[8..]);
        quote[8] = seen;
        ushort newWord = BinaryPrimitives.ReadUInt16BigEndian(quote[8..]);
        ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(quote[10..]);
        BinaryPrimitives.WriteUInt16BigEndian(quote[10..], InternetChecksum.Update(checksum, oldWord, newWord));
    }

    private DropReason? SendErrorV6(PathNode node, IcmpV6Type type, byte code, uint word, IPv6Packet offending, IResponderSink sink)
    {
        if (node.Silent)
        {
            return DropReason.SilentHop;
        }
        var datagram = offending.Bytes;
        var suppression = IcmpErrorGuard.CheckIPv6(datagram, type, code);
        if (suppression != ErrorSuppression.None)
        {
            return ToDropReason(suppression);
        }
        if (!_limiter.TryTake(node.Position, BinaryPrimitives.ReadUInt128BigEndian(offending.SourceAddressBytes)))
        {
            return DropReason.RateLimited;
        }
        const int HeaderLength = 40;
        // RFC 4884 §4.2: only destination unreachable and time exceeded carry a length attribute and extensions.
        bool extensible = type is IcmpV6Type.DestinationUnreachable or IcmpV6Type.TimeExceeded;
        ReadOnlySpan<byte> extensions = extensible ? node.Extensions : [];
        int room = MaxErrorLengthV6 - HeaderLength - 8 - extensions.Length;
        var (quoted, field, lengthAttribute) = Layout(datagram.Length, room, extensions.Length, wordSize: 8);
        int icmpLength = 8 + field + extensions.Length;
        var output = _output.AsSpan(0, HeaderLength + icmpLength);
        WriteHeaderV6(output, node, offending.SourceAddressBytes, icmpLength);

        var icmp = output[HeaderLength..];
        icmp[0] = (byte)type;
        icmp[1] = code;
        BinaryPrimitives.WriteUInt32BigEndian(icmp[4..], extensible ? (uint)lengthAttribute << 24 : word);
        var body = icmp[8..];
        body[..field].Clear();
        datagram[..quoted].CopyTo(body);
        body[7] = (byte)Math.Max(0, offending.HopLimit - (node.Position - 1)); // the hop limit the node saw
        extensions.CopyTo(body[field..]);
        FillChecksumV6(output);

        sink.Emit(output, DelayTo(_v6, node.Position));
        switch (type)
        {
            case IcmpV6Type.TimeExceeded:
                Counters.Count(AnswerKind.TimeExceededV6);
                break;
            case IcmpV6Type.PacketTooBig:
                Counters.Count(AnswerKind.PacketTooBig);
                break;
            case IcmpV6Type.ParameterProblem:
                Counters.Count(AnswerKind.ParameterProblemV6);
                break;
            default:
                Counters.Count(AnswerKind.DestinationUnreachableV6);
                Counters.CountUnreachableV6(code);
                break;
        }
        return null;
    }
}
