using System.Buffers.Binary;
using System.Net;
using IcmpKit.Trace;
using IcmpKit.Trace.Probes;
using IcmpKit.Wire.Checksum;

namespace IcmpKit.Tests.Trace;

/// <summary>
/// What Paris mode and TCP probes put on the wire: a chosen checksum that verifies (RFC 1071) whoever recomputes it, the
/// TCP SYN header and how an answer names its probe, and the MDA stopping rule's table.
/// </summary>
public class FlowProbeTests
{
    private static readonly IPAddress Source = IPAddress.Parse("198.18.0.1");
    private static readonly IPAddress Target = IPAddress.Parse("198.18.5.2");
    private static readonly IPAddress SourceV6 = IPAddress.Parse("fd42::1");
    private static readonly IPAddress TargetV6 = IPAddress.Parse("fd42:0:5::2");

    private static byte[] Echo(bool v6, ushort identifier, ushort sequence, int dataLength = 32)
    {
        var message = new byte[8 + dataLength];
        message[0] = (byte)(v6 ? 128 : 8);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), identifier);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), sequence);
        for (int i = 8; i < message.Length; i++)
        {
            message[i] = (byte)(0x40 + (i & 0x3f));
        }
        return message;
    }

    [Theory]
    [InlineData(0x33ae, 0)]
    [InlineData(0x0001, 2)]
    [InlineData(0xfffe, 0)]
    public void Paris_icmp_keeps_its_checksum_whatever_the_sequence_and_it_verifies_as_a_kernel_recomputes_it(int checksum, int dataLength)
    {
        for (ushort sequence = 1; sequence < 2000; sequence += 7)
        {
            var message = Echo(v6: false, identifier: 0x4d2, sequence, Math.Max(2, dataLength));
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)checksum);
            FlowChecksums.Compensate(message, checksumOffset: 2, compensationOffset: 8, pseudoHeader: null);
            Assert.Equal((ushort)checksum, BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(2)));
            Assert.True(InternetChecksum.Verify(message));
            // A datagram ICMP socket zeroes the field and computes it again (ping_v4_push_pending_frames()).
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 0);
            Assert.Equal((ushort)checksum, InternetChecksum.Compute(message));
        }
    }

    [Fact]
    public void Paris_icmpv6_checksum_holds_over_the_pseudo_header_the_kernel_adds()
    {
        var pseudo = new FlowChecksums.PseudoHeader(SourceV6, TargetV6, 58);
        foreach (ushort sequence in (ushort[])[1, 2, 3, 500, 65535])
        {
            var message = Echo(v6: true, identifier: 7, sequence);
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 0xb414);
            FlowChecksums.Compensate(message, 2, 8, pseudo);
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 0);
            Assert.Equal(0xb414, pseudo.Checksum(message)); // what the kernel writes (RFC 4443 §2.3)
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_raw_udp_probe_carries_its_key_as_a_checksum_that_verifies(bool v6)
    {
        var pseudo = new FlowChecksums.PseudoHeader(v6 ? SourceV6 : Source, v6 ? TargetV6 : Target, 17);
        var datagram = new byte[40];
        BinaryPrimitives.WriteUInt16BigEndian(datagram, 43263);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), 33434);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), 40);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(6), 33440);
        FlowChecksums.Compensate(datagram, 6, 8, pseudo);
        Assert.Equal(33440, BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(6)));
        var copy = (byte[])datagram.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(6), 0);
        Assert.Equal(33440, pseudo.Checksum(copy)); // RFC 768: the receiver's computation gives the same value
    }

    [Theory]
    [InlineData(0)]
    [InlineData(0xffff)]
    public void A_checksum_a_kernel_would_rewrite_cannot_be_chosen(int checksum)
    {
        var message = Echo(false, 1, 1);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)checksum);
        Assert.Throws<ArgumentOutOfRangeException>(() => FlowChecksums.Compensate(message, 2, 8, null));
    }

    [Fact]
    public void Flow_checksums_are_distinct_per_flow_and_never_0_or_ffff()
    {
        foreach (ushort traceBase in (ushort[])[0, 1, 0x7fff, 0xfffc, 0xfffd, 0xfffe, 0xffff])
        {
            var values = Enumerable.Range(0, 4096).Select(flow => FlowChecksums.IcmpFlowChecksum(traceBase, flow)).ToList();
            Assert.Equal(values.Count, values.Distinct().Count());
            Assert.DoesNotContain((ushort)0, values);
            Assert.DoesNotContain((ushort)0xffff, values);
        }
    }

    [Fact]
    public void A_tcp_syn_is_traceroutes_40_byte_header_with_a_checksum_that_verifies()
    {
        var segment = new byte[40];
        segment.AsSpan().Fill(0xA5);
        uint sequence = TcpSegments.Sequence(0xbeef, 7);
        TcpSegments.WriteSyn(segment, 40000, 80, sequence, 1460, 0x01020304);
        var pseudo = new FlowChecksums.PseudoHeader(Source, Target, 6);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(16), pseudo.Checksum(segment));

        Assert.Equal(
            "9c400050" + "beef0007" + "00000000" + "a002" + "faf0" + "????" + "0000"
            + "020405b4" + "0402" + "080a" + "01020304" + "00000000" + "01" + "030307",
            Convert.ToHexStringLower(segment).Remove(32, 4).Insert(32, "????"));
        var sum = new InternetChecksum();
        pseudo.AddTo(ref sum, segment.Length);
        sum.Add(segment);
        Assert.Equal(0, sum.Finish());
    }

    [Fact]
    public void A_partial_checksum_is_what_offload_completes_into_a_checksum_that_verifies()
    {
        // Linux's CHECKSUM_PARTIAL: the sender leaves the pseudo-header's sum in the field, and the device (or loopback's
        // software fallback) sums the segment over it and writes the complement. So the field must hold exactly the
        // value that makes that completion verify against the pseudo-header.
        var segment = new byte[41]; // a SYN and one byte of data: an odd length, as offload must handle too
        TcpSegments.WriteSyn(segment, 40000, 80, TcpSegments.Sequence(0xbeef, 3), 1460, 0);
        segment[40] = 0x5A;
        var pseudo = new FlowChecksums.PseudoHeader(Source, Target, 6);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(16), pseudo.PartialChecksum(segment.Length));
        var offload = new InternetChecksum();
        offload.Add(segment);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(16), offload.Finish());

        Assert.Equal(0, pseudo.Checksum(segment));
    }

    [Fact]
    public void An_answer_names_its_probe_by_acknowledgement_only_when_it_is_a_syn_ack_or_a_reset_with_ack()
    {
        static byte[] Answer(byte flags, uint ack)
        {
            var segment = new byte[20];
            BinaryPrimitives.WriteUInt16BigEndian(segment, 80);
            BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), 40000);
            BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(8), ack);
            segment[12] = 0x50;
            segment[13] = flags;
            return segment;
        }

        Assert.Equal(((ushort)80, (ushort)40000, 0xbeef0008u, (byte)0x12), TcpSegments.ReadAnswer(Answer(0x12, 0xbeef0008)));
        Assert.Equal((byte)0x14, TcpSegments.ReadAnswer(Answer(0x14, 1))!.Value.Flags);
        Assert.Null(TcpSegments.ReadAnswer(Answer(0x04, 1)));  // RST without ACK: answers no SYN of ours
        Assert.Null(TcpSegments.ReadAnswer(Answer(0x02, 1)));  // a bare SYN
        Assert.Null(TcpSegments.ReadAnswer(Answer(0x10, 1)));  // a bare ACK
        Assert.Null(TcpSegments.ReadAnswer(Answer(0x12, 1).AsSpan(0, 19)));
        // RFC 9293 §3.1: a data offset below the 5-word header, or beyond the segment, is no header at all.
        var shortOffset = Answer(0x14, 1);
        shortOffset[12] = 0x40;
        Assert.Null(TcpSegments.ReadAnswer(shortOffset));
        var longOffset = Answer(0x14, 1);
        longOffset[12] = 0x60; // 24 bytes of header in a 20-byte segment
        Assert.Null(TcpSegments.ReadAnswer(longOffset));
        longOffset[12] = 0x50;
        Assert.NotNull(TcpSegments.ReadAnswer(longOffset));
        Assert.Equal((ushort)7, TcpSegments.KeyOfSequence(0xbeef0007, 0xbeef));
        Assert.Null(TcpSegments.KeyOfSequence(0xbeee0007, 0xbeef)); // another trace's cookie
    }

    [Fact]
    public void The_stopping_rule_is_the_papers_table_at_95_percent()
    {
        Assert.Equal([6, 11, 16, 21, 27, 33], Enumerable.Range(1, 6).Select(MultipathStoppingRule.ProbesNeeded));
        Assert.Equal(1.0 / 32, MultipathStoppingRule.MissProbability(2, 6), 12);
        // The rule's own definition: n_k is the first n at or below alpha, n_k - 1 is above it.
        for (int k = 1; k <= MultipathStoppingRule.MaxNextHops; k++)
        {
            int n = MultipathStoppingRule.ProbesNeeded(k);
            Assert.True(MultipathStoppingRule.MissProbability(k + 1, n) <= 0.05);
            Assert.True(MultipathStoppingRule.MissProbability(k + 1, n - 1) > 0.05);
        }
    }
}
