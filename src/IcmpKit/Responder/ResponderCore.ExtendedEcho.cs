using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Responder;

/// <summary>
/// RFC 8335 extended echo (PROBE): ICMP type 42 answered with 43, ICMPv6 160 with 161, over the host's interface table
/// (<see cref="ResponderOptions.Interfaces"/>). Only the host answers: a hop, like a router with PROBE off, discards the
/// request (RFC 8335 §4), and so does the host when <see cref="ResponderOptions.AnswerExtendedEcho"/> is off. As Linux
/// (icmp_build_probe), only local queries (L bit set) are answered, and the reply carries the request's identifier,
/// sequence number and query, from the address probed.
/// </summary>
public sealed partial class ResponderCore
{
    /// <summary>The L bit: the low bit of the second word (RFC 8335 §2).</summary>
    private const byte LocalBit = 0x01;

    private DropReason? AnswerExtendedEchoV4(PathNode node, uint replySource, IPv4Packet packet, IResponderSink sink)
    {
        var request = packet.Payload;
        var refusal = RefuseExtendedEcho(node, request);
        if (refusal is not null)
        {
            return refusal;
        }
        var (code, status) = _interfaces.Query(request[8..]);
        var reply = BeginReplyV4(node, replySource, packet, request.Length, carryOptions: true, out int length);
        request[4..].CopyTo(reply[4..]);
        reply[7] = status; // State, Res, A, 4, 6 in place of Reserved and L (RFC 8335 §3)
        return FinishReplyV4(node, reply, IcmpV4Type.ExtendedEchoReply, length, AnswerKind.ExtendedEchoReply, sink, (byte)code);
    }

    private DropReason? AnswerExtendedEchoV6(PathNode node, IPv6Packet packet, ReadOnlySpan<byte> request, IResponderSink sink)
    {
        var refusal = RefuseExtendedEcho(node, request);
        if (refusal is not null)
        {
            return refusal;
        }
        var (code, status) = _interfaces.Query(request[8..]);
        int total = 40 + request.Length;
        var output = _output.AsSpan(0, total);
        WriteHeaderV6(output, node, packet.SourceAddressBytes, request.Length);
        packet.DestinationAddressBytes.CopyTo(output[8..]);
        var reply = output[40..];
        request.CopyTo(reply);
        reply[0] = (byte)IcmpV6Type.ExtendedEchoReply;
        reply[1] = (byte)code;
        reply[7] = status;
        FillChecksumV6(output);
        Emit(_v6, node.Position, output, sink);
        Counters.Count(AnswerKind.ExtendedEchoReplyV6);
        return null;
    }

    /// <summary>Why the request gets no reply at all (RFC 8335 §4: silently discarded), or null when it gets one.</summary>
    private DropReason? RefuseExtendedEcho(PathNode node, ReadOnlySpan<byte> request)
    {
        if (!_options.AnswerExtendedEcho || !node.IsHost)
        {
            return DropReason.ExtendedEchoDisabled;
        }
        return (request[7] & LocalBit) == 0 ? DropReason.ExtendedEchoNotLocal : null;
    }
}
