using System.Buffers.Binary;
using IcmpKit.Wire.Checksum;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Responder;

public sealed partial class ResponderCore
{
    private DropReason? ProcessV4(ReadOnlySpan<byte> bytes, IResponderSink sink)
    {
        if (!IPv4Packet.TryRead(bytes, out var packet, out _))
        {
            return DropReason.Malformed;
        }
        if (!packet.IsHeaderChecksumValid)
        {
            return DropReason.BadChecksum; // RFC 1122 §3.2.1.2: silently discard
        }
        uint destination = BinaryPrimitives.ReadUInt32BigEndian(packet.DestinationAddressBytes);
        int target = _v4.Find(destination);
        bool broadcast = false;
        if (target == 0)
        {
            if (destination >> 28 == 0xE)
            {
                return DropReason.Multicast;
            }
            if (!IsBroadcastV4(destination) || !_v4.HasHost)
            {
                return DropReason.NotForUs;
            }
            broadcast = true;
            target = _v4.HostPosition;
        }
        // Linux's ip_options_compile: the first node to read the options (before any route or TTL decision) answers a
        // malformed one with parameter problem, the pointer on the octet at fault (RFC 792, RFC 1122 §3.2.2.5, RFC 1812 §4.3.3.5).
        int problem = packet.HeaderLength > 20 ? RouteRecorder.FindProblem(packet.Options) : -1;
        if (problem >= 0)
        {
            var first = _v4.At(1);
            return Lose(first.Loss) ? DropReason.Lost
                : SendErrorV4(first, IcmpV4Type.ParameterProblem, (byte)IcmpV4ParameterProblemCode.PointerIndicatesError, (uint)(20 + problem) << 24, packet, sink);
        }
        return Forward(_v4, target, packet.TimeToLive, packet.Bytes, packet.DontFragment, sink, out var node) switch
        {
            Transit.Lost => DropReason.Lost,
            Transit.TimeExceeded => SendErrorV4(node, IcmpV4Type.TimeExceeded, (byte)IcmpV4TimeExceededCode.TtlExceededInTransit, 0, packet, sink),
            Transit.Unreachable => SendErrorV4(node, IcmpV4Type.DestinationUnreachable, node.UnreachableCode!.Value, 0, packet, sink),
            Transit.TooBig => SendErrorV4(node, IcmpV4Type.DestinationUnreachable, (byte)IcmpV4UnreachableCode.FragmentationNeeded, (uint)node.Mtu!.Value, packet, sink),
            Transit.QueueFull => QueueOverflowV4(node, packet, sink),
            _ => DeliverV4(node, broadcast ? node.Address : destination, packet, broadcast, sink),
        };
    }

    /// <summary>The packet has reached the node it was addressed to, which answers as a host (RFC 1122).</summary>
    private DropReason? DeliverV4(PathNode node, UInt128 replySource, IPv4Packet packet, bool broadcast, IResponderSink sink)
    {
        if (node.Silent)
        {
            return DropReason.SilentHop;
        }
        if (packet.IsNonInitialFragment)
        {
            return DropReason.NonInitialFragment;
        }
        if (packet.MoreFragments)
        {
            return DropReason.FragmentNotReassembled;
        }
        switch (packet.Protocol)
        {
            case IPProtocol.Icmp:
                return AnswerIcmpV4(node, (uint)replySource, packet, broadcast, sink);
            case IPProtocol.Udp:
                if (!IsUdpIntactV4(packet))
                {
                    return packet.Payload.Length < 8 ? DropReason.Malformed : DropReason.BadChecksum;
                }
                // RFC 1122 §4.1.3.1: no listener on the port, so port unreachable.
                return SendErrorV4(node, IcmpV4Type.DestinationUnreachable, (byte)IcmpV4UnreachableCode.PortUnreachable, 0, packet, sink);
            case IPProtocol.Tcp:
                return AnswerTcpV4(node, (uint)replySource, packet, broadcast, sink);
            default:
                // RFC 1122 §3.2.2.1: a host SHOULD generate protocol unreachable for a protocol it does not speak.
                return SendErrorV4(node, IcmpV4Type.DestinationUnreachable, (byte)IcmpV4UnreachableCode.ProtocolUnreachable, 0, packet, sink);
        }
    }

    private DropReason? AnswerIcmpV4(PathNode node, uint replySource, IPv4Packet packet, bool broadcast, IResponderSink sink)
    {
        var request = packet.Payload;
        if (!IcmpV4Packet.TryRead(request, out var icmp, out _))
        {
            return DropReason.Malformed;
        }
        if (!icmp.IsChecksumValid)
        {
            return DropReason.BadChecksum;
        }
        if (!IsValidSourceV4(packet.SourceAddressBytes))
        {
            return DropReason.InvalidSource; // RFC 1122 §3.2.1.3: a reply could go nowhere sensible
        }
        bool isQuery = icmp.Type is IcmpV4Type.EchoRequest or IcmpV4Type.TimestampRequest
            or IcmpV4Type.InformationRequest or IcmpV4Type.AddressMaskRequest or IcmpV4Type.ExtendedEchoRequest;
        if (isQuery && broadcast && !_options.AnswerBroadcastEcho)
        {
            return DropReason.Broadcast; // RFC 1122 §3.2.2.6, §3.2.2.8: a host MAY discard queries to a broadcast address
        }
        switch (icmp.Type)
        {
            case IcmpV4Type.EchoRequest:
                // RFC 792 / RFC 1122 §3.2.2.6: the data returned whole, Record Route and Timestamp carried back (the
                // options were checked on arrival).
                var echo = BeginReplyV4(node, replySource, packet, request.Length, carryOptions: true, out int echoLength);
                request[4..].CopyTo(echo[4..]);
                return FinishReplyV4(node, echo, IcmpV4Type.EchoReply, echoLength, AnswerKind.EchoReply, sink);
            case IcmpV4Type.TimestampRequest:
                if (request.Length < IcmpV4Message.Timestamp.Length)
                {
                    return DropReason.Malformed;
                }
                // RFC 792: originate copied; receive and transmit in ms since midnight UT (one instant here).
                var stamp = BeginReplyV4(node, replySource, packet, IcmpV4Message.Timestamp.Length, carryOptions: true, out int stampLength);
                request[4..12].CopyTo(stamp[4..]);
                uint now = IcmpV4Message.Timestamp.MillisecondsSinceMidnightUtc(_time.GetUtcNow());
                BinaryPrimitives.WriteUInt32BigEndian(stamp[12..], now);
                BinaryPrimitives.WriteUInt32BigEndian(stamp[16..], now);
                return FinishReplyV4(node, stamp, IcmpV4Type.TimestampReply, stampLength, AnswerKind.TimestampReply, sink);
            case IcmpV4Type.InformationRequest:
                // RFC 792: identifier and sequence returned, addresses filled in.
                var information = BeginReplyV4(node, replySource, packet, 8, carryOptions: false, out int informationLength);
                request[4..8].CopyTo(information[4..]);
                return FinishReplyV4(node, information, IcmpV4Type.InformationReply, informationLength, AnswerKind.InformationReply, sink);
            case IcmpV4Type.AddressMaskRequest:
                if (_options.AddressMask is null)
                {
                    return DropReason.MaskNotConfigured; // RFC 1122 §3.2.2.9: only a host configured as an agent answers
                }
                if (request.Length < 12)
                {
                    return DropReason.Malformed;
                }
                var mask = BeginReplyV4(node, replySource, packet, 12, carryOptions: false, out int maskLength);
                request[4..8].CopyTo(mask[4..]);
                BinaryPrimitives.WriteUInt32BigEndian(mask[8..], (uint)PathNode.ToKey(_options.AddressMask));
                return FinishReplyV4(node, mask, IcmpV4Type.AddressMaskReply, maskLength, AnswerKind.AddressMaskReply, sink);
            case IcmpV4Type.ExtendedEchoRequest:
                return AnswerExtendedEchoV4(node, replySource, packet, sink);
            default:
                // RFC 1122 §3.2.2: unknown types are silently discarded; known ones that ask nothing need no answer.
                return Enum.IsDefined(icmp.Type) ? DropReason.NotARequest : DropReason.UnknownIcmpType;
        }
    }

    /// <summary>Writes the reply's IP header into the output buffer and returns its ICMP part, zeroed where not yet set.</summary>
    private Span<byte> BeginReplyV4(PathNode node, uint replySource, IPv4Packet request, int icmpLength, bool carryOptions, out int totalLength)
    {
        int headerLength = carryOptions ? request.HeaderLength : 20;
        totalLength = headerLength + icmpLength;
        var output = _output.AsSpan(0, totalLength);
        var writer = new IPv4PacketWriter(output);
        writer.SetVersionAndHeaderLength(headerLength);
        writer.SetTypeOfService(request.TypeOfService); // RFC 1812 §4.3.2.5: a reply keeps the request's TOS
        writer.SetTotalLength((ushort)totalLength);
        writer.SetIdentification(NextIdentification());
        writer.SetFlagsAndFragmentOffset(false, false, false, 0);
        writer.SetTimeToLive(ReplyTtl(node.Position));
        writer.SetProtocol(IPProtocol.Icmp);
        PathNode.WriteV4(replySource, output[12..]);
        writer.SetDestinationAddress(request.SourceAddressBytes);
        if (carryOptions && headerLength > 20)
        {
            Span<uint> recorders = stackalloc uint[RouteRecorder.MaxRecorders];
            int count = RoundTrip(node, replySource, recorders);
            uint now = IcmpV4Message.Timestamp.MillisecondsSinceMidnightUtc(_time.GetUtcNow());
            RouteRecorder.Carry(request.Options, writer.Options, recorders[..count], now);
        }
        writer.FillHeaderChecksum();
        var icmp = output[headerLength..];
        icmp.Clear();
        return icmp;
    }

    /// <summary>The nodes that record themselves in a round trip to <paramref name="node"/>: hops out, the node, hops back.</summary>
    private int RoundTrip(PathNode node, uint replySource, Span<uint> recorders)
    {
        int count = 0;
        for (int k = 1; k < node.Position && count < recorders.Length; k++)
        {
            recorders[count++] = (uint)_v4.At(k).Address;
        }
        if (count < recorders.Length)
        {
            recorders[count++] = replySource;
        }
        for (int k = node.Position - 1; k >= 1 && count < recorders.Length; k--)
        {
            recorders[count++] = (uint)_v4.At(k).Address;
        }
        return count;
    }

    private DropReason? FinishReplyV4(PathNode node, Span<byte> icmp, IcmpV4Type type, int totalLength, AnswerKind kind, IResponderSink sink, byte code = 0)
    {
        var writer = new IcmpV4PacketWriter(icmp);
        writer.SetType(type);
        writer.SetCode(code);
        writer.FillChecksum();
        Emit(_v4, node.Position, _output.AsSpan(0, totalLength), sink);
        Counters.Count(kind);
        return null;
    }

    /// <summary>RFC 1122 §3.2.1.3: not zero, loopback, class D/E or limited broadcast.</summary>
    private bool IsValidSourceV4(ReadOnlySpan<byte> source)
    {
        uint address = BinaryPrimitives.ReadUInt32BigEndian(source);
        return address != 0 && address >> 24 != 127 && address >> 28 < 0xE && !IsBroadcastV4(address);
    }

    /// <summary>The UDP header is whole and its checksum, when sent (RFC 768: zero means none), verifies.</summary>
    private static bool IsUdpIntactV4(IPv4Packet packet)
    {
        var udp = packet.Payload;
        if (udp.Length < 8)
        {
            return false;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        if (length < 8 || length > udp.Length)
        {
            return false;
        }
        if (BinaryPrimitives.ReadUInt16BigEndian(udp[6..]) == 0)
        {
            return true;
        }
        var sum = new InternetChecksum();
        sum.AddIPv4PseudoHeader(packet.SourceAddressBytes, packet.DestinationAddressBytes, IPProtocol.Udp, (ushort)length);
        sum.Add(udp[..length]);
        return sum.Finish() == 0;
    }
}
