using System.Buffers.Binary;
using IcmpKit.Wire.Checksum;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Responder;

/// <summary>
/// TCP, answered as every port is closed (RFC 9293 §3.10.7.1, "If the connection does not exist (CLOSED)"), the way
/// Linux's tcp_v4_send_reset / tcp_v6_send_reset answer: a reset is never answered; a segment with ACK gets
/// &lt;SEQ=SEG.ACK&gt;&lt;CTL=RST&gt;; any other (a SYN, a FIN, a null segment) gets
/// &lt;SEQ=0&gt;&lt;ACK=SEG.SEQ+SEG.LEN&gt;&lt;CTL=RST,ACK&gt;, SYN and FIN each counting one in SEG.LEN.
/// </summary>
public sealed partial class ResponderCore
{
    private const int TcpHeaderLength = 20;
    private const byte TcpFin = 0x01;
    private const byte TcpSyn = 0x02;
    private const byte TcpRst = 0x04;
    private const byte TcpAck = 0x10;

    private DropReason? AnswerTcpV4(PathNode node, uint replySource, IPv4Packet packet, bool broadcast, IResponderSink sink)
    {
        if (broadcast)
        {
            return DropReason.Broadcast; // TCP is unicast only (RFC 1122 §4.2.3.10): Linux drops it before any socket lookup
        }
        if (!IsValidSourceV4(packet.SourceAddressBytes))
        {
            return DropReason.InvalidSource;
        }
        var segment = packet.Payload;
        var sum = new InternetChecksum();
        sum.AddIPv4PseudoHeader(packet.SourceAddressBytes, packet.DestinationAddressBytes, IPProtocol.Tcp, (ushort)segment.Length);
        var verdict = CheckSegment(segment, sum);
        if (verdict is not null)
        {
            return verdict;
        }
        const int HeaderLength = 20;
        int total = HeaderLength + TcpHeaderLength;
        var output = _output.AsSpan(0, total);
        var ip = new IPv4PacketWriter(output);
        ip.SetVersionAndHeaderLength(HeaderLength);
        ip.SetTypeOfService((byte)(packet.TypeOfService & 0xFC)); // the request's DSCP; ECN is not for a reset
        ip.SetTotalLength((ushort)total);
        ip.SetIdentification(NextIdentification());
        ip.SetFlagsAndFragmentOffset(false, true, false, 0); // Linux sends resets with DF (IP_PMTUDISC_DO on its control socket)
        ip.SetTimeToLive(ReplyTtl(node.Position));
        ip.SetProtocol(IPProtocol.Tcp);
        PathNode.WriteV4(replySource, output[12..]);
        ip.SetDestinationAddress(packet.SourceAddressBytes);
        ip.FillHeaderChecksum();

        var reset = output[HeaderLength..];
        WriteReset(segment, reset);
        var replySum = new InternetChecksum();
        replySum.AddIPv4PseudoHeader(output[12..16], output[16..20], IPProtocol.Tcp, TcpHeaderLength);
        replySum.Add(reset);
        BinaryPrimitives.WriteUInt16BigEndian(reset[16..], replySum.Finish());
        Emit(_v4, node.Position, output, sink);
        Counters.Count(AnswerKind.TcpReset);
        return null;
    }

    private DropReason? AnswerTcpV6(PathNode node, IPv6Packet packet, ReadOnlySpan<byte> segment, IResponderSink sink)
    {
        var sum = new InternetChecksum();
        sum.AddIPv6PseudoHeader(packet.SourceAddressBytes, packet.DestinationAddressBytes, IPProtocol.Tcp, (uint)segment.Length);
        var verdict = CheckSegment(segment, sum);
        if (verdict is not null)
        {
            return verdict;
        }
        int total = 40 + TcpHeaderLength;
        var output = _output.AsSpan(0, total);
        WriteHeaderV6(output, node, packet.SourceAddressBytes, TcpHeaderLength);
        new IPv6PacketWriter(output).SetNextHeader(IPProtocol.Tcp);
        packet.DestinationAddressBytes.CopyTo(output[8..]); // from the address probed
        var reset = output[40..];
        WriteReset(segment, reset);
        var replySum = new InternetChecksum();
        replySum.AddIPv6PseudoHeader(output[8..24], output[24..40], IPProtocol.Tcp, TcpHeaderLength);
        replySum.Add(reset);
        BinaryPrimitives.WriteUInt16BigEndian(reset[16..], replySum.Finish());
        Emit(_v6, node.Position, output, sink);
        Counters.Count(AnswerKind.TcpResetV6);
        return null;
    }

    /// <summary>
    /// Null when the segment deserves a reset; otherwise why not: a header shorter than its data offset (RFC 9293 §3.1),
    /// a wrong checksum (<paramref name="sum"/> holds the pseudo-header), a reset, or a silent configuration.
    /// </summary>
    private DropReason? CheckSegment(ReadOnlySpan<byte> segment, InternetChecksum sum)
    {
        if (segment.Length < TcpHeaderLength || segment[12] >> 4 < 5 || (segment[12] >> 4) * 4 > segment.Length)
        {
            return DropReason.Malformed;
        }
        sum.Add(segment);
        if (sum.Finish() != 0)
        {
            return DropReason.BadChecksum;
        }
        if ((segment[13] & TcpRst) != 0)
        {
            return DropReason.TcpReset;
        }
        return _options.TcpSyn == TcpSynAnswer.Silent ? DropReason.TcpSilent : null;
    }

    /// <summary>Writes the 20-byte reset for <paramref name="segment"/>, checksum zero (RFC 9293 §3.10.7.1).</summary>
    private static void WriteReset(ReadOnlySpan<byte> segment, Span<byte> reset)
    {
        reset.Clear();
        segment[2..4].CopyTo(reset);        // source port: the port probed
        segment[..2].CopyTo(reset[2..]);    // destination port: the prober's
        byte flags = segment[13];
        if ((flags & TcpAck) != 0)
        {
            segment[8..12].CopyTo(reset[4..]); // SEQ = SEG.ACK, no ACK
            reset[13] = TcpRst;
        }
        else
        {
            int dataLength = segment.Length - (segment[12] >> 4) * 4;
            uint length = (uint)dataLength + ((flags & TcpSyn) != 0 ? 1u : 0) + ((flags & TcpFin) != 0 ? 1u : 0);
            BinaryPrimitives.WriteUInt32BigEndian(reset[8..], BinaryPrimitives.ReadUInt32BigEndian(segment[4..]) + length);
            reset[13] = TcpRst | TcpAck;
        }
        reset[12] = 5 << 4; // data offset 5 words, no options; window, urgent pointer 0
    }
}
