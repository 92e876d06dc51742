using System.Buffers.Binary;
using IcmpKit.Wire.Checksum;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Responder;

public sealed partial class ResponderCore
{
    /// <summary>RFC 8200 §3: the Next Header field's offset in the fixed header.</summary>
    private const int NextHeaderOffset = 6;

    private DropReason? ProcessV6(ReadOnlySpan<byte> bytes, IResponderSink sink)
    {
        if (!IPv6Packet.TryRead(bytes, out var packet, out _))
        {
            return DropReason.Malformed;
        }
        int target = _v6.Find(BinaryPrimitives.ReadUInt128BigEndian(packet.DestinationAddressBytes));
        if (target == 0)
        {
            return packet.DestinationAddressBytes[0] == 0xFF ? DropReason.Multicast : DropReason.NotForUs;
        }
        if (packet.NextHeader == IPProtocol.HopByHop)
        {
            // Linux's ipv6_rcv reads the Hop-by-Hop header at every node (RFC 8200 §4.3): the first node on the path
            // is the first to judge its options.
            var payload = packet.Payload;
            if (payload.Length < 2 || (payload[1] + 1) * 8 > payload.Length)
            {
                return DropReason.Malformed;
            }
            var verdict = IPv6OptionCheck.Check(payload[..((payload[1] + 1) * 8)], 40, packet.DestinationAddressBytes[0] == 0xFF, out uint pointer, out bool highBitsAre10);
            if (verdict != IPv6OptionVerdict.Accept)
            {
                var first = _v6.At(1);
                return Lose(first.Loss) ? DropReason.Lost : OptionProblemV6(first, verdict, pointer, highBitsAre10, packet, sink);
            }
        }
        // RFC 8200 §5: routers never fragment IPv6, so every packet over a link's MTU gets packet too big.
        return Forward(_v6, target, packet.HopLimit, packet.Bytes, dontFragment: true, sink, out var node) switch
        {
            Transit.Lost => DropReason.Lost,
            Transit.QueueFull => DropReason.QueueOverflow, // ICMPv6 has no source quench (RFC 4443)
            Transit.TimeExceeded => SendErrorV6(node, IcmpV6Type.TimeExceeded, 0, 0, packet, sink),
            Transit.Unreachable => SendErrorV6(node, IcmpV6Type.DestinationUnreachable, node.UnreachableCode!.Value, 0, packet, sink),
            Transit.TooBig => SendErrorV6(node, IcmpV6Type.PacketTooBig, 0, (uint)node.Mtu!.Value, packet, sink),
            _ => DeliverV6(node, packet, sink),
        };
    }

    private DropReason? DeliverV6(PathNode node, IPv6Packet packet, IResponderSink sink)
    {
        if (node.Silent)
        {
            return DropReason.SilentHop;
        }
        var source = packet.SourceAddressBytes;
        if (source[0] == 0xFF || source.IndexOfAnyExcept((byte)0) < 0)
        {
            return DropReason.InvalidSource; // RFC 4291 §2.7: never a multicast source; unspecified cannot be answered
        }
        var walker = new IPv6ExtensionWalker(packet.NextHeader, packet.Payload);
        int nextHeaderField = NextHeaderOffset;
        bool moreFragments = false;
        bool fragmented = false;
        while (walker.MoveNext())
        {
            if (walker.CurrentType == IPProtocol.HopByHop && walker.CurrentOffset != 0)
            {
                // RFC 8200 §4.3: Hop-by-Hop comes right after the IPv6 header; anywhere else Linux (ip6_input) finds no
                // handler for Next Header 0 and answers as for any unknown Next Header.
                return SendErrorV6(node, IcmpV6Type.ParameterProblem, 1, (uint)nextHeaderField, packet, sink);
            }
            if (walker.CurrentType == IPProtocol.DestinationOptions && !fragmented)
            {
                // RFC 8200 §4.2: the destination judges these options (past a fragment header, only after reassembly).
                var verdict = IPv6OptionCheck.Check(walker.CurrentBytes, 40 + walker.CurrentOffset, multicastDestination: false, out uint pointer, out bool highBitsAre10);
                if (verdict != IPv6OptionVerdict.Accept)
                {
                    return OptionProblemV6(node, verdict, pointer, highBitsAre10, packet, sink);
                }
            }
            // Each extension header starts with the Next Header field naming what follows it (RFC 8200 §4).
            nextHeaderField = 40 + walker.CurrentOffset;
            fragmented |= walker.CurrentType == IPProtocol.Fragment;
            moreFragments |= walker.CurrentType == IPProtocol.Fragment && (walker.CurrentBytes[3] & 1) != 0;
        }
        if (walker.NonInitialFragment)
        {
            return DropReason.NonInitialFragment;
        }
        if (!walker.Error.IsNone || walker.Truncated)
        {
            return DropReason.Malformed;
        }
        if (moreFragments)
        {
            return DropReason.FragmentNotReassembled;
        }
        var upper = packet.Payload[walker.Offset..];
        switch (walker.NextHeader)
        {
            case IPProtocol.IcmpV6:
                return AnswerIcmpV6(node, packet, upper, sink);
            case IPProtocol.Udp:
                if (upper.Length < 8)
                {
                    return DropReason.Malformed;
                }
                if (!IsUdpIntactV6(packet, upper))
                {
                    return DropReason.BadChecksum;
                }
                // RFC 4443 §3.1: code 4, port unreachable, when the transport has no listener.
                return SendErrorV6(node, IcmpV6Type.DestinationUnreachable, 4, 0, packet, sink);
            case IPProtocol.Tcp:
                return AnswerTcpV6(node, packet, upper, sink);
            case IPProtocol.NoNextHeader:
                return DropReason.NoNextHeader;
            default:
                // RFC 8200 §4 and RFC 4443 §3.4: an unrecognised Next Header gets parameter problem code 1, the
                // pointer naming the field that held it (IPv6 has no protocol unreachable).
                return SendErrorV6(node, IcmpV6Type.ParameterProblem, 1, (uint)nextHeaderField, packet, sink);
        }
    }

    private DropReason? AnswerIcmpV6(PathNode node, IPv6Packet packet, ReadOnlySpan<byte> request, IResponderSink sink)
    {
        if (!IcmpV6Packet.TryRead(request, out var icmp, out _))
        {
            return DropReason.Malformed;
        }
        if (!icmp.IsChecksumValid(packet.SourceAddressBytes, packet.DestinationAddressBytes))
        {
            return DropReason.BadChecksum;
        }
        if (icmp.Type == IcmpV6Type.ExtendedEchoRequest)
        {
            return AnswerExtendedEchoV6(node, packet, request, sink);
        }
        if (icmp.Type != IcmpV6Type.EchoRequest)
        {
            // RFC 4443 §2.4(b): unknown informational messages are silently discarded.
            return IcmpV6Message.IsErrorType(icmp.Type) || Enum.IsDefined(icmp.Type) ? DropReason.NotARequest : DropReason.UnknownIcmpType;
        }
        // RFC 4443 §4.2: identifier, sequence and data copied from the request; sent from the address it was sent to.
        int total = 40 + request.Length;
        var output = _output.AsSpan(0, total);
        WriteHeaderV6(output, node, packet.SourceAddressBytes, request.Length);
        packet.DestinationAddressBytes.CopyTo(output[8..]);
        var reply = output[40..];
        request.CopyTo(reply);
        reply[0] = (byte)IcmpV6Type.EchoReply;
        reply[1] = 0;
        FillChecksumV6(output);
        Emit(_v6, node.Position, output, sink);
        Counters.Count(AnswerKind.EchoReplyV6);
        return null;
    }

    /// <summary>What an options header's verdict means for the packet: parameter problem code 2 (RFC 8200 §4.2), or a drop.</summary>
    private DropReason? OptionProblemV6(PathNode node, IPv6OptionVerdict verdict, uint pointer, bool highBitsAre10, IPv6Packet packet, IResponderSink sink) => verdict switch
    {
        IPv6OptionVerdict.ParameterProblem => SendErrorV6(node, IcmpV6Type.ParameterProblem, 2, pointer, packet, sink, highBitsAre10),
        IPv6OptionVerdict.Discard => DropReason.UnrecognizedOption,
        _ => DropReason.Malformed,
    };

    /// <summary>An IPv6 header from <paramref name="node"/> to <paramref name="destination"/> carrying ICMPv6.</summary>
    private static void WriteHeaderV6(Span<byte> output, PathNode node, ReadOnlySpan<byte> destination, int payloadLength)
    {
        var writer = new IPv6PacketWriter(output);
        writer.SetVersionClassFlow(0, 0);
        writer.SetPayloadLength((ushort)payloadLength);
        writer.SetNextHeader(IPProtocol.IcmpV6);
        writer.SetHopLimit(ReplyTtl(node.Position));
        PathNode.WriteV6(node.Address, output[8..]);
        writer.SetDestinationAddress(destination);
    }

    /// <summary>RFC 4443 §2.3: the checksum covers the pseudo-header and the whole message.</summary>
    private static void FillChecksumV6(Span<byte> packet)
    {
        var message = packet[40..];
        message[2] = 0;
        message[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(message[2..], IcmpV6Packet.ComputeChecksum(packet[8..24], packet[24..40], message));
    }

    /// <summary>RFC 8200 §8.1: the UDP checksum is mandatory over IPv6; a zero checksum is discarded.</summary>
    private static bool IsUdpIntactV6(IPv6Packet packet, ReadOnlySpan<byte> udp)
    {
        int length = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        if (length < 8 || length > udp.Length || BinaryPrimitives.ReadUInt16BigEndian(udp[6..]) == 0)
        {
            return false;
        }
        var sum = new InternetChecksum();
        sum.AddIPv6PseudoHeader(packet.SourceAddressBytes, packet.DestinationAddressBytes, IPProtocol.Udp, (uint)length);
        sum.Add(udp[..length]);
        return sum.Finish() == 0;
    }
}
