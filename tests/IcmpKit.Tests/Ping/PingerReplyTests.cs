using System.Buffers.Binary;
using System.Net;
using IcmpKit.Ping;
using IcmpKit.Sockets;
using IcmpKit.Tests.Transport;

namespace IcmpKit.Tests.Ping;

/// <summary>Replies: matched by identifier, sequence and cookie, timed from the transport's stamps only.</summary>
public class PingerReplyTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    private static PingOptions Options(int? count = 3) => new()
    {
        Count = count,
        Interval = TimeSpan.FromSeconds(1),
        Timeout = TimeSpan.FromSeconds(5),
    };

    [Fact]
    public async Task Replies_are_matched_by_sequence_and_timed_from_the_transport_stamps()
    {
        await using var run = PingRun.Start(Options(count: 2));
        var first = await run.SentAsync(1);
        Assert.Equal(new PingEvent[] { new PingSent(1) }, await run.TakeAsync(1));
        Assert.Equal((byte)8, first.Type);
        Assert.Equal(run.Pinger.Identifier, first.Identifier);
        Assert.Equal(run.Transport.FirstIdentifier, first.Identifier);
        Assert.Equal(64, first.Message.Length);

        await run.AdvanceAsync(3 * Ms);
        run.Reply(first);
        Assert.Equal(run.ExpectedReply(first, 3 * Ms), await run.NextAsync());

        await run.AdvanceAsync(997 * Ms);
        var second = await run.SentAsync(2);
        Assert.Equal(run.Started + TimeSpan.FromSeconds(1), second.At);
        await run.AdvanceAsync(TimeSpan.FromMilliseconds(12.345));
        await run.WakeAsync(() => run.Reply(second));

        Assert.Equal(new PingEvent[] { new PingSent(2), run.ExpectedReply(second, TimeSpan.FromMilliseconds(12.345)) }, await run.RestAsync());
        Assert.Equal(TimeSpan.FromMilliseconds(1012.345), await run.CompletionAsync());
        Assert.Equal((2, 2, 0), (run.Pinger.Transmitted, run.Pinger.Received, run.Pinger.Errors));
    }

    [Fact]
    public async Task Replies_out_of_order_each_find_their_own_request()
    {
        await using var run = PingRun.Start(Options(count: 3) with { Preload = 3 });
        var sends = new[] { await run.SentAsync(1), await run.SentAsync(2), await run.SentAsync(3) };
        Assert.Equal(new ushort[] { 1, 2, 3 }, sends.Select(s => s.SequenceNumber));
        Assert.All(sends, s => Assert.Equal(run.Started, s.At));

        await run.AdvanceAsync(2 * Ms);
        await run.WakeAsync(() => run.Reply(sends[2]));
        var third = run.ExpectedReply(sends[2], 2 * Ms);
        await run.AdvanceAsync(5 * Ms);
        await run.WakeAsync(() => run.Reply(sends[0]));
        var first = run.ExpectedReply(sends[0], 7 * Ms);
        await run.AdvanceAsync(1 * Ms);
        await run.WakeAsync(() => run.Reply(sends[1]));
        var second = run.ExpectedReply(sends[1], 8 * Ms);

        Assert.Equal(new PingEvent[] { new PingSent(1), new PingSent(2), new PingSent(3), third, first, second }, await run.RestAsync());
        Assert.Equal(8 * Ms, await run.CompletionAsync());
    }

    [Fact]
    public async Task The_rtt_is_from_the_send_time_the_transport_wrote_not_the_provisional_one()
    {
        // The socket stamps CLOCK_REALTIME just before sendto; the engine's own stamp (in the payload) is earlier.
        await using var run = PingRun.Start(Options(count: 1), setup: t => t.SendStampSkewNanoseconds = 250_000);
        var send = await run.SentAsync(1);
        Assert.Equal(send.ProvisionalStamp + 250_000, send.SentAtNanoseconds);
        Assert.Equal(send.ProvisionalStamp, BinaryPrimitives.ReadInt64BigEndian(send.Data.AsSpan(8)));

        await run.AdvanceAsync(2 * Ms);
        await run.WakeAsync(() => run.Reply(send));

        Assert.Equal(new PingEvent[] { new PingSent(1), run.ExpectedReply(send, TimeSpan.FromMilliseconds(1.75)) }, await run.RestAsync());
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(long.MaxValue)]
    [InlineData(-1L)]
    public async Task An_echoed_timestamp_is_never_used_for_the_rtt_and_a_forged_one_is_flagged(long forged)
    {
        // CVE-2025-47268 / CVE-2025-48964: a peer that rewrites bytes 8-15 must not be able to change the RTT.
        await using var run = PingRun.Start(Options(count: 1));
        var send = await run.SentAsync(1);
        var data = send.Data;
        BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(8), forged);
        int firstDifferent = Enumerable.Range(8, 8).First(i => data[i] != send.Data[i]);

        await run.AdvanceAsync(4 * Ms);
        await run.WakeAsync(() => run.Reply(send, data));

        var expected = run.ExpectedReply(send, 4 * Ms) with { WrongData = new WrongDataByte(firstDifferent, send.Data[firstDifferent], data[firstDifferent]) };
        Assert.Equal(new PingEvent[] { new PingSent(1), expected }, await run.RestAsync());
        Assert.Equal(1, run.Pinger.Received);
    }

    [Fact]
    public async Task A_flipped_payload_byte_is_reported_and_the_reply_still_counts()
    {
        await using var run = PingRun.Start(Options(count: 1));
        var send = await run.SentAsync(1);
        var data = Packets.Flip(send.Data, 40);

        await run.AdvanceAsync(1 * Ms);
        await run.WakeAsync(() => run.Reply(send, data));

        var expected = run.ExpectedReply(send, 1 * Ms) with { WrongData = new WrongDataByte(40, send.Data[40], data[40]) };
        Assert.Equal(new PingEvent[] { new PingSent(1), expected }, await run.RestAsync());
        Assert.Equal(1, run.Pinger.Received);
    }

    [Fact]
    public async Task A_truncated_echo_differs_at_its_end()
    {
        await using var run = PingRun.Start(Options(count: 1));
        var send = await run.SentAsync(1);
        var data = send.Data[..20];

        await run.AdvanceAsync(1 * Ms);
        await run.WakeAsync(() => run.Reply(send, data));

        var expected = run.ExpectedReply(send, 1 * Ms) with { Bytes = 28, WrongData = new WrongDataByte(20, send.Data[20], 0) };
        Assert.Equal(new PingEvent[] { new PingSent(1), expected }, await run.RestAsync());
    }

    [Fact]
    public async Task The_same_reply_twice_is_a_duplicate_and_counts_once()
    {
        await using var run = PingRun.Start(Options(count: 2));
        var first = await run.SentAsync(1);
        await run.AdvanceAsync(3 * Ms);
        run.Reply(first);
        await run.AdvanceAsync(1 * Ms);
        run.Reply(first);
        run.Reply(first);

        Assert.Equal(
            new PingEvent[]
            {
                new PingSent(1),
                run.ExpectedReply(first, 3 * Ms) with { ReceivedAt = first.At + 3 * Ms },
                run.ExpectedReply(first, 4 * Ms) with { IsDuplicate = true },
                run.ExpectedReply(first, 4 * Ms) with { IsDuplicate = true },
            },
            await run.TakeAsync(4));
        Assert.Equal(1, run.Pinger.Received);
    }

    [Fact]
    public async Task A_reply_from_another_address_counts_and_says_where_it_came_from()
    {
        var other = IPAddress.Parse("198.18.1.255");
        await using var run = PingRun.Start(Options(count: 1));
        var send = await run.SentAsync(1);
        await run.AdvanceAsync(1 * Ms);
        await run.WakeAsync(() => run.Reply(send, from: other));

        var expected = run.ExpectedReply(send, 1 * Ms) with { From = other, IsFromOtherAddress = true };
        Assert.Equal(new PingEvent[] { new PingSent(1), expected }, await run.RestAsync());
        Assert.Equal(1, run.Pinger.Received);
    }

    [Fact]
    public async Task Ttl_tos_and_ip_options_come_from_the_reply_header_on_a_raw_socket()
    {
        byte[] recordRoute = [7, 7, 8, 198, 18, 0, 1, 0]; // RR, length 7, pointer 8, one slot filled; then EOL
        await using var run = PingRun.Start(Options(count: 1));
        var send = await run.SentAsync(1);
        await run.AdvanceAsync(1 * Ms);
        await run.WakeAsync(() => run.Transport.DeliverIcmp(Packets.ReplyTo(send), run.Target, ttl: 47, tos: 0xB8, ipOptions: recordRoute));

        var events = await run.RestAsync();
        var reply = Assert.IsType<PingReply>(events[1]);
        Assert.Equal((47, 0xB8), (reply.TimeToLive, reply.TrafficClass));
        Assert.Equal(recordRoute, reply.IPv4Options.ToArray());
    }

    [Fact]
    public async Task A_bad_checksum_on_a_raw_socket_is_reported_and_not_counted()
    {
        await using var run = PingRun.Start(Options(count: 1));
        var send = await run.SentAsync(1);
        await run.AdvanceAsync(1 * Ms);
        await run.WakeAsync(() => run.Transport.DeliverIcmp(Packets.Flip(Packets.ReplyTo(send), 3), run.Target));
        Assert.Equal(0, run.Pinger.Received);
        Assert.False(run.IsCompleted);

        await run.AdvanceAsync(1 * Ms);
        await run.WakeAsync(() => run.Reply(send));

        Assert.Equal(
            new PingEvent[]
            {
                new PingSent(1),
                run.ExpectedReply(send, 1 * Ms) with { IsChecksumBad = true, ReceivedAt = send.At + 1 * Ms },
                run.ExpectedReply(send, 2 * Ms), // not a duplicate: the corrupted copy did not answer the request
            },
            await run.RestAsync());
        Assert.Equal(1, run.Pinger.Received);
    }

    [Fact]
    public async Task A_bad_checksum_never_settles_the_request_which_then_times_out()
    {
        await using var run = PingRun.Start(Options(count: 1) with { Timeout = TimeSpan.FromSeconds(1) });
        var send = await run.SentAsync(1);
        await run.AdvanceAsync(1 * Ms);
        await run.WakeAsync(() => run.Transport.DeliverIcmp(Packets.Flip(Packets.ReplyTo(send), 2), run.Target));

        Assert.Equal(TimeSpan.FromSeconds(1), await run.RunToEndAsync());
        Assert.Equal(
            new PingEvent[] { new PingSent(1), run.ExpectedReply(send, 1 * Ms) with { IsChecksumBad = true, ReceivedAt = send.At + 1 * Ms }, new PingTimeout(1) },
            await run.RestAsync());
    }

    [Fact]
    public async Task Without_a_kernel_timestamp_the_time_of_reading_is_used()
    {
        await using var run = PingRun.Start(Options(count: 1));
        var send = await run.SentAsync(1);
        await run.AdvanceAsync(6 * Ms);
        await run.WakeAsync(() => run.Reply(send, kernelStamp: 0));

        Assert.Equal(new PingEvent[] { new PingSent(1), run.ExpectedReply(send, 6 * Ms) with { IsKernelTimestamp = false } }, await run.RestAsync());
    }

    [Fact]
    public async Task On_a_datagram_socket_replies_are_matched_by_cookie_and_ttl_comes_from_the_control_message()
    {
        await using var run = PingRun.Start(Options(count: 1), kind: IcmpSocketKind.Datagram);
        var send = await run.SentAsync(1);
        Assert.Equal((ushort)0x4B1D, send.Identifier);
        Assert.Equal((ushort)0x4B1D, run.Pinger.Identifier);
        Assert.Equal(IcmpSocketKind.Datagram, run.Pinger.SocketKind);

        await run.AdvanceAsync(2 * Ms);
        await run.WakeAsync(() => run.Reply(send, ttl: 64, tos: 4));

        Assert.Equal(new PingEvent[] { new PingSent(1), run.ExpectedReply(send, 2 * Ms) with { TimeToLive = 64, TrafficClass = 4 } }, await run.RestAsync());
    }

    [Fact]
    public async Task Ipv6_replies_are_matched_and_timed_the_same_way()
    {
        await using var run = PingRun.Start(Options(count: 1), kind: IcmpSocketKind.Datagram, v6: true);
        var send = await run.SentAsync(1);
        Assert.Equal((byte)128, send.Type);
        Assert.Equal(run.Target, send.Target);

        await run.AdvanceAsync(9 * Ms);
        await run.WakeAsync(() => run.Reply(send, ttl: 63));

        Assert.Equal(new PingEvent[] { new PingSent(1), run.ExpectedReply(send, 9 * Ms) with { TimeToLive = 63 } }, await run.RestAsync());
    }

    [Fact]
    public async Task A_timestamp_reply_reports_the_three_times_and_when_it_arrived()
    {
        await using var run = PingRun.Start(Options(count: 1) with { RequestType = PingRequestType.Timestamp });
        var send = await run.SentAsync(1);
        Assert.Equal((byte)13, send.Type);
        uint originate = BinaryPrimitives.ReadUInt32BigEndian(send.Data);
        Assert.Equal((uint)(12 * 3_600_000), originate); // the fake clock starts at 12:00:00 UT

        await run.AdvanceAsync(5 * Ms);
        var reply = new IcmpKit.Wire.IcmpV4.IcmpV4Message.Timestamp(true, send.Identifier, send.SequenceNumber, originate, originate + 2, originate + 3).ToArray();
        await run.WakeAsync(() => run.Transport.DeliverIcmp(reply, run.Target));

        var expected = run.ExpectedReply(send, 5 * Ms) with { Timestamps = new IcmpTimestamps(originate, originate + 2, originate + 3, originate + 5) };
        Assert.Equal(new PingEvent[] { new PingSent(1), expected }, await run.RestAsync());
    }

    [Fact]
    public async Task Foreign_identifier_foreign_cookie_wrong_type_or_code_and_unsent_sequences_are_ignored()
    {
        await using var run = PingRun.Start(Options(count: 1));
        var send = await run.SentAsync(1);
        var transport = run.Transport;
        var foreignCookie = Packets.Flip(send.Data, 3);
        var timestampReply = new IcmpKit.Wire.IcmpV4.IcmpV4Message.Timestamp(true, send.Identifier, 1, 1, 2, 3).ToArray();

        transport.DeliverIcmp(Packets.ReplyTo(send, identifier: (ushort)(send.Identifier + 1)), run.Target); // another operation's
        Assert.Equal(1L, transport.PacketsUnmatched);
        transport.DeliverIcmp(Packets.ReplyTo(send, foreignCookie), run.Target);                            // another run's, same identifier
        transport.DeliverIcmp(Packets.ReplyTo(send, send.Data[..7]), run.Target);                            // too short to carry our cookie
        transport.DeliverIcmp(timestampReply, run.Target);                                                   // a reply of the wrong type
        transport.DeliverIcmp(Packets.EchoReplyV4(send.Identifier, 1, send.Data, code: 1), run.Target);      // echo reply with a code
        transport.DeliverIcmp(Packets.ReplyTo(send, sequence: 2), run.Target);                              // never sent
        transport.DeliverIcmp(Packets.ReplyTo(send, sequence: 0), run.Target);
        Assert.Equal(0, run.Pinger.Received);
        // These reached the operation that owns the identifier, which dropped them: the transport does not count them.
        Assert.Equal((7L, 1L, 0L), (transport.PacketsReceived, transport.PacketsUnmatched, transport.PacketsMalformed));

        await run.AdvanceAsync(1 * Ms);
        await run.WakeAsync(() => run.Reply(send));
        Assert.Equal(new PingEvent[] { new PingSent(1), run.ExpectedReply(send, 1 * Ms) }, await run.RestAsync());
    }

    [Fact]
    public async Task On_a_shared_datagram_socket_another_operations_cookie_is_unmatched()
    {
        await using var run = PingRun.Start(Options(count: 1), kind: IcmpSocketKind.Datagram, operations: 4);
        var send = await run.SentAsync(1);
        run.Transport.DeliverIcmp(Packets.ReplyTo(send, Packets.Flip(send.Data, 0)), run.Target);
        Assert.Equal((1L, 1L), (run.Transport.PacketsReceived, run.Transport.PacketsUnmatched));
        await run.WakeAsync(() => run.Reply(send));
        Assert.Equal(new PingEvent[] { new PingSent(1), run.ExpectedReply(send, TimeSpan.Zero) }, await run.RestAsync());
    }

    /// <summary>
    /// Pinger.RoundTrip (internal, so tested through the engine): the kernel's receive time minus the transport's send
    /// time, unless that cannot be (negative, or more than the monotonic time between send and read plus 1 ms): then
    /// the wall clock was stepped, and the monotonic time is the RTT.
    /// </summary>
    [Theory]
    [InlineData(-10_000_000_000L, true)]    // stepped back 10 s
    [InlineData(-1L, true)]                 // 1 ns before the send
    [InlineData(0L, false)]                 // the same nanosecond: 0
    [InlineData(3_000_000L, false)]         // 3 ms, less than the 4 ms that passed
    [InlineData(5_000_000L, false)]         // monotonic + 1 ms: still believed
    [InlineData(5_000_001L, true)]          // 1 ns more: not
    [InlineData(3_600_000_000_000L, true)]  // stepped forward an hour
    public async Task A_stepped_wall_clock_falls_back_to_the_monotonic_time(long receivedAfterSend, bool adjusted)
    {
        await using var run = PingRun.Start(Options(count: 1));
        var send = await run.SentAsync(1);
        await run.AdvanceAsync(4 * Ms);
        long stamp = send.SentAtNanoseconds + receivedAfterSend;
        await run.WakeAsync(() => run.Reply(send, kernelStamp: stamp));

        var rtt = adjusted ? 4 * Ms : TimeSpan.FromTicks(receivedAfterSend / 100);
        var expected = run.ExpectedReply(send, rtt, stamp) with { IsClockAdjusted = adjusted };
        Assert.Equal(new PingEvent[] { new PingSent(1), expected }, await run.RestAsync());
    }
}
