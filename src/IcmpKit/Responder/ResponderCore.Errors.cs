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

    /// <summary>
    /// Sends an ICMPv4 error of <paramref name="type"/>/<paramref name="code"/> from <paramref name="node"/> about
    /// <paramref name="offending"/>, unless the rules or the rate limit forbid it. <paramref name="word"/> is the second
    /// header word (next-hop MTU, pointer in the high byte, gateway); the RFC 4884 length attribute is added to it.
    /// </summary>
    private DropReason? SendErrorV4(PathNode node, IcmpV4Type type, byte code, uint word, IPv4Packet offending, IResponderSink sink)
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
        if (!_limiter.TryTake(node.LimiterKey, BinaryPrimitives.ReadUInt32BigEndian(offending.SourceAddressBytes), node.ErrorLimit))
        {
            return DropReason.RateLimited;
        }
        const int HeaderLength = 20;
        // Redirect and source quench concern a packet being forwarded: its TTL is already decremented (Linux quotes its
        // redirects so), and RFC 792 quotes the IP header and the first 64 bits of data.
        bool forwarded = type is IcmpV4Type.Redirect or IcmpV4Type.SourceQuench;
        // RFC 4884 §4.1 extends types 3, 11 and 12; the MPLS (RFC 4950) and interface (RFC 5837) objects go on 3 and 11.
        bool extensible = type is IcmpV4Type.DestinationUnreachable or IcmpV4Type.TimeExceeded;
        ReadOnlySpan<byte> extensions = extensible ? node.Extensions : [];
        int room = MaxErrorLengthV4 - HeaderLength - 8 - extensions.Length;
        if (forwarded)
        {
            room = Math.Min(room, offending.HeaderLength + 8);
        }
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
        writer.SetRestOfHeader(word | ((uint)lengthAttribute << 16));
        var body = writer.Body;
        body[..field].Clear();
        datagram[..quoted].CopyTo(body);
        QuoteTtlAsSeen(body, offending.TimeToLive, forwarded ? node.Position + 1 : node.Position);
        extensions.CopyTo(body[field..]);
        writer.FillChecksum();

        Emit(_v4, node.Position, output, sink);
        switch (type)
        {
            case IcmpV4Type.TimeExceeded:
                Counters.Count(AnswerKind.TimeExceeded);
                break;
            case IcmpV4Type.ParameterProblem:
                Counters.Count(AnswerKind.ParameterProblem);
                break;
            case IcmpV4Type.Redirect:
                Counters.CountRedirect(); // beside the packet's own answer, which is counted on its own
                break;
            case IcmpV4Type.SourceQuench:
                Counters.Count(AnswerKind.SourceQuench);
                break;
            default:
                Counters.Count(code == (byte)IcmpV4UnreachableCode.FragmentationNeeded ? AnswerKind.FragmentationNeeded : AnswerKind.DestinationUnreachable);
                Counters.CountUnreachableV4(code);
                break;
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
    /// The quoted header shows the TTL the node at <paramref name="position"/> saw: the prober's, less one per hop before
    /// it. Patched with the RFC 1624 incremental update so the quoted header checksum stays valid.
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

    /// <summary>
    /// Sends an ICMPv6 error from <paramref name="node"/> about <paramref name="offending"/>, unless RFC 4443 §2.4(e) or the
    /// rate limit forbid it; <paramref name="optionHighBitsAre10"/> lets parameter problem code 2 go about a packet to a
    /// multicast address (RFC 8200 §4.2).
    /// </summary>
    private DropReason? SendErrorV6(PathNode node, IcmpV6Type type, byte code, uint word, IPv6Packet offending, IResponderSink sink, bool optionHighBitsAre10 = false)
    {
        if (node.Silent)
        {
            return DropReason.SilentHop;
        }
        var datagram = offending.Bytes;
        var suppression = IcmpErrorGuard.CheckIPv6(datagram, type, code, optionHighBitsAre10: optionHighBitsAre10);
        if (suppression != ErrorSuppression.None)
        {
            return ToDropReason(suppression);
        }
        if (!_limiter.TryTake(node.LimiterKey, BinaryPrimitives.ReadUInt128BigEndian(offending.SourceAddressBytes), node.ErrorLimit))
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

        Emit(_v6, node.Position, output, sink);
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
