using System.Buffers.Binary;
using IcmpKit.Responder;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;
using Microsoft.Extensions.Time.Testing;
using static IcmpKit.Tests.Responder.ResponderTestPackets;

namespace IcmpKit.Tests.Responder;

/// <summary>RFC 9293 §3.10.7.1: every port of the host is closed, and it answers as Linux does.</summary>
public sealed class ResponderTcpTests
{
    private const byte Fin = 0x01;
    private const byte Syn = 0x02;
    private const byte Rst = 0x04;
    private const byte Psh = 0x08;
    private const byte Ack = 0x10;

    private static (ResponderCore Core, RecordingSink Sink) Run(TcpSynAnswer answer, params byte[][] packets)
    {
        var core = new ResponderCore(new ResponderOptions
        {
            Addresses = [Host, Host6],
            TcpSyn = answer,
            Hops = [new ResponderHop { Address = Hop1, Delay = TimeSpan.FromMilliseconds(4) }],
        }, new FakeTimeProvider());
        var sink = new RecordingSink();
        foreach (var packet in packets)
        {
            core.Process(packet, sink);
        }
        return (core, sink);
    }

    /// <summary>The reset's fields: ports, sequence, acknowledgment, flags, data offset, window.</summary>
    private static (ushort SourcePort, ushort DestinationPort, uint Sequence, uint Acknowledgment, byte Flags, int DataOffset, ushort Window) Segment(ReadOnlySpan<byte> tcp) =>
        (BinaryPrimitives.ReadUInt16BigEndian(tcp), BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]), BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]),
         BinaryPrimitives.ReadUInt32BigEndian(tcp[8..]), tcp[13], tcp[12] >> 4, BinaryPrimitives.ReadUInt16BigEndian(tcp[14..]));

    [Fact]
    public void Syn_gets_rst_ack_with_sequence_0_and_the_syn_acknowledged()
    {
        var (core, sink) = Run(TcpSynAnswer.Reset, Tcp(Syn, sequence: 1000));

        var (packet, delay) = sink.Single();
        Assert.True(IPv4Packet.TryRead(packet, out var ip, out _));
        Assert.True(ip.IsHeaderChecksumValid);
        Assert.Equal(packet.Length, ip.TotalLength);
        Assert.Equal(IPProtocol.Tcp, ip.Protocol);
        Assert.Equal((Host, Prober), (ip.SourceAddress, ip.DestinationAddress));
        Assert.Equal(63, ip.TimeToLive); // one hop back
        Assert.True(ip.DontFragment);
        Assert.Equal(TimeSpan.FromMilliseconds(4), delay);
        Assert.True(IsTcpChecksumValid(packet));
        Assert.Equal((80, 40000, 0u, 1001u, (byte)(Rst | Ack), 5, (ushort)0), Segment(ip.Payload));
        Assert.Equal(20, ip.Payload.Length);
        Assert.Equal(1, core.Counters.Answered(AnswerKind.TcpReset));
    }

    public static TheoryData<string, byte, uint, uint, int, uint, uint, byte> Segments() => new()
    {
        // name, flags, their SEQ, their ACK, data bytes -> our SEQ, our ACK, our flags
        { "SYN with data: SYN and data both count", Syn, 1000, 0, 10, 0, 1011, Rst | Ack },
        { "SYN wraps the sequence space", Syn, uint.MaxValue, 0, 0, 0, 0, Rst | Ack },
        { "FIN without ACK", Fin, 500, 0, 0, 0, 501, Rst | Ack },
        { "a null segment with data (no flags)", 0, 77, 0, 5, 0, 82, Rst | Ack },
        { "ACK: SEQ is their ACK, no ACK flag", Ack, 1000, 123456, 0, 123456, 0, Rst },
        { "PSH+ACK with data", Psh | Ack, 1000, 999, 40, 999, 0, Rst },
        { "SYN+ACK: has ACK", Syn | Ack, 1000, 42, 0, 42, 0, Rst },
        { "FIN+ACK", Fin | Ack, 1000, 7, 0, 7, 0, Rst },
    };

    [Theory]
    [MemberData(nameof(Segments))]
    public void Every_segment_but_a_reset_gets_the_closed_port_reset(string name, byte flags, uint sequence, uint acknowledgment, int data, uint replySequence, uint replyAcknowledgment, byte replyFlags)
    {
        foreach (var destination in new[] { Host, Host6 })
        {
            var (_, sink) = Run(TcpSynAnswer.Reset, Tcp(flags, sequence, acknowledgment, data, destination));
            var packet = sink.Single().Packet;
            Assert.True(IsTcpChecksumValid(packet), name);
            var tcp = packet.AsSpan(packet[0] >> 4 == 4 ? 20 : 40);
            Assert.Equal((80, 40000, replySequence, replyAcknowledgment, replyFlags, 5, (ushort)0), Segment(tcp));
        }
    }

    [Fact]
    public void IPv6_syn_gets_rst_ack_from_the_address_probed()
    {
        var (core, sink) = Run(TcpSynAnswer.Reset, Tcp(Syn, sequence: 9, destination: Host6));
        var packet = sink.Single().Packet;
        Assert.True(IPv6Packet.TryRead(packet, out var ip, out _));
        Assert.Equal(IPProtocol.Tcp, ip.NextHeader);
        Assert.Equal(20, ip.PayloadLength);
        Assert.Equal(packet.Length, 40 + ip.PayloadLength);
        Assert.Equal((Host6, Prober6, 64), (ip.SourceAddress, ip.DestinationAddress, (int)ip.HopLimit));
        Assert.True(IsTcpChecksumValid(packet));
        Assert.Equal((80, 40000, 0u, 10u, (byte)(Rst | Ack), 5, (ushort)0), Segment(ip.Payload));
        Assert.Equal(1, core.Counters.Answered(AnswerKind.TcpResetV6));
    }

    [Fact]
    public void A_reset_is_never_answered()
    {
        var (core, sink) = Run(TcpSynAnswer.Reset, Tcp(Rst, acknowledgment: 1), Tcp(Rst | Ack, acknowledgment: 1), Tcp(Rst, destination: Host6));
        Assert.Empty(sink.Sent);
        Assert.Equal(3, core.Counters.Dropped(DropReason.TcpReset));
    }

    [Fact]
    public void Silent_answers_no_segment_at_all()
    {
        var (core, sink) = Run(TcpSynAnswer.Silent, Tcp(Syn), Tcp(Ack, acknowledgment: 5), Tcp(Fin), Tcp(Syn, destination: Host6));
        Assert.Empty(sink.Sent);
        Assert.Equal(4, core.Counters.Dropped(DropReason.TcpSilent));
    }

    [Fact]
    public void A_hop_answers_tcp_to_its_own_address_and_expires_tcp_passing_it()
    {
        var (_, sink) = Run(TcpSynAnswer.Reset, Tcp(Syn, destination: Hop1), Tcp(Syn, ttl: 1));
        Assert.Equal(2, sink.Sent.Count);
        Assert.True(IPv4Packet.TryRead(sink.Sent[0].Packet, out var reset, out _));
        Assert.Equal((Hop1, IPProtocol.Tcp), (reset.SourceAddress, reset.Protocol));
        var (header, message) = ParseV4(sink.Sent[1].Packet);
        Assert.Equal(Hop1, header.Source);
        Assert.Equal(Wire.IcmpV4.IcmpV4Type.TimeExceeded, message.Type);
    }
}
