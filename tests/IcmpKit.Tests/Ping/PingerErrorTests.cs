using System.Net;
using IcmpKit.Ping;
using IcmpKit.Sockets;
using IcmpKit.Tests.Transport;

namespace IcmpKit.Tests.Ping;

/// <summary>ICMP errors about our requests: matched through the quote, reported once, and settling the request.</summary>
public class PingerErrorTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    private static PingOptions Options(int? count = 1) => new()
    {
        Count = count,
        Interval = TimeSpan.FromSeconds(1),
        Timeout = TimeSpan.FromSeconds(2),
    };

    [Fact]
    public async Task Time_exceeded_quoting_our_request_is_reported_from_the_router()
    {
        await using var run = PingRun.Start(Options());
        var send = await run.SentAsync(1);
        await run.AdvanceAsync(2 * Ms);
        await run.WakeAsync(() => run.Transport.DeliverIcmp(Packets.TimeExceededV4(Packets.QuoteV4(send)), PingRun.RouterV4));

        Assert.Equal(new PingEvent[] { new PingSent(1), new PingError(1, PingRun.RouterV4, false, 11, 0, null) }, await run.RestAsync());
        Assert.Equal(2 * Ms, await run.CompletionAsync()); // the only request is settled: no linger
        Assert.Equal((1, 0, 1), (run.Pinger.Transmitted, run.Pinger.Received, run.Pinger.Errors));
    }

    [Fact]
    public async Task Fragmentation_needed_carries_the_next_hop_mtu()
    {
        await using var run = PingRun.Start(Options() with { PayloadSize = 1472 });
        var send = await run.SentAsync(1);
        await run.AdvanceAsync(1 * Ms);
        await run.WakeAsync(() => run.Transport.DeliverIcmp(Packets.UnreachableV4(Packets.QuoteV4(send, 28), 4, nextHopMtu: 1400), PingRun.RouterV4));

        Assert.Equal(new PingEvent[] { new PingSent(1), new PingError(1, PingRun.RouterV4, false, 3, 4, 1400) }, await run.RestAsync());
    }

    [Fact]
    public async Task Other_unreachable_codes_carry_no_mtu()
    {
        await using var run = PingRun.Start(Options());
        var send = await run.SentAsync(1);
        await run.WakeAsync(() => run.Transport.DeliverIcmp(Packets.UnreachableV4(Packets.QuoteV4(send), 1, nextHopMtu: 1400), PingRun.RouterV4));

        Assert.Equal(new PingEvent[] { new PingSent(1), new PingError(1, PingRun.RouterV4, false, 3, 1, null) }, await run.RestAsync());
    }

    [Theory]
    [InlineData(8)]  // RFC 792: the IP header and 8 bytes, no data at all
    [InlineData(12)] // half a cookie
    public async Task An_error_whose_quote_is_shorter_than_the_cookie_still_matches_by_identifier(int icmpBytes)
    {
        await using var run = PingRun.Start(Options());
        var send = await run.SentAsync(1);
        await run.WakeAsync(() => run.Transport.DeliverIcmp(Packets.TimeExceededV4(Packets.QuoteV4(send, icmpBytes)), PingRun.RouterV4));

        Assert.Equal(new PingEvent[] { new PingSent(1), new PingError(1, PingRun.RouterV4, false, 11, 0, null) }, await run.RestAsync());
    }

    [Fact]
    public async Task Errors_quoting_another_destination_another_cookie_or_an_unsent_sequence_are_ignored()
    {
        await using var run = PingRun.Start(Options());
        var send = await run.SentAsync(1);
        var otherCookie = Packets.Flip(send.Message, 8 + 5);
        var unsent = (byte[])send.Message.Clone();
        unsent[7] = 9; // sequence 9
        var sameSend = send with { Message = otherCookie };

        run.Transport.DeliverIcmp(Packets.TimeExceededV4(Packets.QuoteV4(send, destination: IPAddress.Parse("198.18.1.2"))), PingRun.RouterV4);
        run.Transport.DeliverIcmp(Packets.TimeExceededV4(Packets.QuoteV4(sameSend)), PingRun.RouterV4);
        run.Transport.DeliverIcmp(Packets.TimeExceededV4(Packets.QuoteV4(send with { Message = unsent })), PingRun.RouterV4);
        Assert.Equal(0, run.Pinger.Errors);
        // All three reached the operation (its identifier), so the transport counts none as unmatched.
        Assert.Equal((3L, 0L, 0L), (run.Transport.PacketsReceived, run.Transport.PacketsUnmatched, run.Transport.PacketsMalformed));

        await run.AdvanceAsync(1 * Ms);
        await run.WakeAsync(() => run.Reply(send));
        Assert.Equal(new PingEvent[] { new PingSent(1), run.ExpectedReply(send, 1 * Ms) }, await run.RestAsync());
    }

    [Fact]
    public async Task An_error_with_a_bad_checksum_is_malformed_and_ignored()
    {
        await using var run = PingRun.Start(Options());
        var send = await run.SentAsync(1);
        run.Transport.DeliverIcmp(Packets.Flip(Packets.TimeExceededV4(Packets.QuoteV4(send)), 2), PingRun.RouterV4);
        Assert.Equal((1L, 0L, 1L), (run.Transport.PacketsReceived, run.Transport.PacketsUnmatched, run.Transport.PacketsMalformed));

        await run.WakeAsync(() => run.Reply(send));
        Assert.Equal(new PingEvent[] { new PingSent(1), run.ExpectedReply(send, TimeSpan.Zero) }, await run.RestAsync());
    }

    [Fact]
    public async Task An_error_quoting_another_identifier_is_unmatched()
    {
        await using var run = PingRun.Start(Options());
        var send = await run.SentAsync(1);
        var foreign = (byte[])send.Message.Clone();
        foreign[4] ^= 0x80;
        run.Transport.DeliverIcmp(Packets.TimeExceededV4(Packets.QuoteV4(send with { Message = foreign })), PingRun.RouterV4);
        Assert.Equal((1L, 1L, 0L), (run.Transport.PacketsReceived, run.Transport.PacketsUnmatched, run.Transport.PacketsMalformed));
        Assert.Equal(0, run.Pinger.Errors);
    }

    [Fact]
    public async Task An_error_settles_its_request_so_no_timeout_follows_for_it()
    {
        await using var run = PingRun.Start(Options(count: 2) with { Timeout = TimeSpan.FromSeconds(1.5) });
        var first = await run.SentAsync(1);
        await run.AdvanceAsync(500 * Ms);
        run.Transport.DeliverIcmp(Packets.TimeExceededV4(Packets.QuoteV4(first)), PingRun.RouterV4);
        await run.AdvanceAsync(500 * Ms);
        await run.SentAsync(2);

        Assert.Equal(TimeSpan.FromSeconds(2.5), await run.RunToEndAsync());
        Assert.Equal(
            new PingEvent[] { new PingSent(1), new PingError(1, PingRun.RouterV4, false, 11, 0, null), new PingSent(2), new PingTimeout(2) },
            await run.RestAsync());
    }

    [Fact]
    public async Task Errors_on_a_datagram_socket_come_from_the_error_queue()
    {
        await using var run = PingRun.Start(Options(), kind: IcmpSocketKind.Datagram);
        var send = await run.SentAsync(1);
        await run.WakeAsync(() => run.Transport.DeliverQueuedError(send.Message, run.Target, ErrorOrigin.IcmpV4, 3, 4, errno: 90, info: 1280,
            offender: PingRun.RouterV4));

        Assert.Equal(new PingEvent[] { new PingSent(1), new PingError(1, PingRun.RouterV4, false, 3, 4, 1280) { ErrorNumber = 90 } }, await run.RestAsync());
    }

    [Fact]
    public async Task A_queued_error_about_another_destination_is_ignored()
    {
        await using var run = PingRun.Start(Options(), kind: IcmpSocketKind.Datagram);
        var send = await run.SentAsync(1);
        run.Transport.DeliverQueuedError(send.Message, IPAddress.Parse("198.18.1.2"), ErrorOrigin.IcmpV4, 11, 0, errno: 113, offender: PingRun.RouterV4);
        Assert.Equal(0, run.Pinger.Errors);
        await run.WakeAsync(() => run.Reply(send));
        Assert.Equal(new PingEvent[] { new PingSent(1), run.ExpectedReply(send, TimeSpan.Zero) }, await run.RestAsync());
    }

    [Fact]
    public async Task Message_too_long_is_reported_by_the_local_stack_with_the_mtu()
    {
        // sendto fails with EMSGSIZE under -M do; the error queue then brings the MTU, without the request.
        await using var run = PingRun.Start(Options() with { PayloadSize = 2000 }, setup: t => t.SendResult = _ => 90);
        var send = await run.SentAsync(1);
        await run.WakeAsync(() => run.Transport.Inject(new ReceivedPacket
        {
            FromErrorQueue = true,
            HasErrorReport = true,
            ErrorOrigin = ErrorOrigin.Local,
            ErrorNumber = 90,
            ErrorInfo = 1500,
            SourceAddress = run.Target.GetAddressBytes(),
            TimeToLive = -1,
            TrafficClass = -1,
        }));

        Assert.Equal(new PingEvent[] { new PingSent(1), new PingError(1, null, false, 0, 0, 1500) { IsLocal = true, ErrorNumber = 90 } }, await run.RestAsync());
        Assert.Equal((1, 0, 1), (run.Pinger.Transmitted, run.Pinger.Received, run.Pinger.Errors));
    }

    [Fact]
    public async Task A_failed_send_is_reported_counted_as_sent_and_never_times_out()
    {
        await using var run = PingRun.Start(Options(count: 2), setup: t => t.SendResult = s => s.Index == 1 ? 101 : 0);
        await run.SentAsync(1);
        await run.AdvanceAsync(TimeSpan.FromSeconds(1));
        var second = await run.SentAsync(2);
        await run.WakeAsync(() => run.Reply(second));

        Assert.Equal(
            new PingEvent[] { new PingSent(1), new PingSendFailed(1, 101, IcmpSocket.DescribeError(101)), new PingSent(2), run.ExpectedReply(second, TimeSpan.Zero) },
            await run.RestAsync());
        Assert.Equal((2, 1, 0), (run.Pinger.Transmitted, run.Pinger.Received, run.Pinger.Errors));
    }

    [Fact]
    public async Task Ipv6_packet_too_big_carries_the_mtu()
    {
        await using var run = PingRun.Start(Options() with { PayloadSize = 1452 }, v6: true);
        var send = await run.SentAsync(1);
        await run.WakeAsync(() => run.Transport.DeliverIcmp(Packets.PacketTooBigV6(Packets.QuoteV6(send, 1232 - 40), 1280), PingRun.RouterV6));

        Assert.Equal(new PingEvent[] { new PingSent(1), new PingError(1, PingRun.RouterV6, true, 2, 0, 1280) }, await run.RestAsync());
    }

    [Fact]
    public async Task Ipv6_time_exceeded_about_another_destination_is_ignored()
    {
        await using var run = PingRun.Start(Options(), v6: true);
        var send = await run.SentAsync(1);
        run.Transport.DeliverIcmp(Packets.TimeExceededV6(Packets.QuoteV6(send, destination: IPAddress.Parse("fd42::1:2"))), PingRun.RouterV6);
        await run.WakeAsync(() => run.Transport.DeliverIcmp(Packets.TimeExceededV6(Packets.QuoteV6(send)), PingRun.RouterV6));

        Assert.Equal(new PingEvent[] { new PingSent(1), new PingError(1, PingRun.RouterV6, true, 3, 0, null) }, await run.RestAsync());
        Assert.Equal(1, run.Pinger.Errors);
    }

    [Fact]
    public async Task With_a_deadline_an_error_counts_towards_the_count_like_a_reply()
    {
        // iputils: finished when received + errors reach -c.
        await using var run = PingRun.Start(Options(count: 2) with { Deadline = TimeSpan.FromSeconds(30), Timeout = TimeSpan.FromSeconds(10) });
        var first = await run.SentAsync(1);
        run.Reply(first);
        await run.AdvanceAsync(TimeSpan.FromSeconds(1));
        var second = await run.SentAsync(2);
        await run.AdvanceAsync(3 * Ms);
        run.Transport.DeliverIcmp(Packets.UnreachableV4(Packets.QuoteV4(second), 1), PingRun.RouterV4);

        await run.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.True(run.IsCompleted, run.Describe());
        Assert.Equal(2, run.Transport.SendCount);
        Assert.Equal(
            new PingEvent[] { new PingSent(1), run.ExpectedReply(first, TimeSpan.Zero) with { ReceivedAt = run.Started }, new PingSent(2), new PingError(2, PingRun.RouterV4, false, 3, 1, null) },
            await run.RestAsync());
    }

    [Fact]
    public async Task Rfc4884_extensions_of_an_error_are_passed_on()
    {
        await using var run = PingRun.Start(Options());
        var send = await run.SentAsync(1);
        var mpls = new IcmpKit.Wire.Extensions.MplsLabelStackObject([new IcmpKit.Wire.Extensions.MplsLabelEntry(16001, 0, true, 1)]);
        var error = new IcmpKit.Wire.IcmpV4.IcmpV4Message.TimeExceeded
        {
            OriginalDatagram = Packets.QuoteV4(send),
            Extensions = new IcmpKit.Wire.Extensions.IcmpExtensionStructure { Objects = [mpls] },
        }.ToArray();
        await run.WakeAsync(() => run.Transport.DeliverIcmp(error, PingRun.RouterV4));

        var events = await run.RestAsync();
        var reported = Assert.IsType<PingError>(events[1]);
        Assert.Equal(new PingError(1, PingRun.RouterV4, false, 11, 0, null), reported with { Extensions = null });
        var stack = Assert.IsType<IcmpKit.Wire.Extensions.MplsLabelStackObject>(Assert.Single(reported.Extensions!.Objects));
        Assert.Equal(mpls.Entries, stack.Entries);
    }

    private static byte[] Advice(int type, FakeSend send) => type == 5
        ? new IcmpKit.Wire.IcmpV4.IcmpV4Message.Redirect { Code = 1, Gateway = IPAddress.Parse("198.18.0.3"), OriginalDatagram = Packets.QuoteV4(send) }.ToArray()
        : new IcmpKit.Wire.IcmpV4.IcmpV4Message.SourceQuench { OriginalDatagram = Packets.QuoteV4(send) }.ToArray();

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    public async Task A_redirect_or_source_quench_neither_settles_the_request_nor_counts_as_an_error(int type)
    {
        // iputils ping4_parse_reply: error_pkt = type != REDIRECT && type != SOURCE_QUENCH; only error packets are
        // acknowledged and counted in nerrors. A redirect is advice: the router forwarded the request, the reply follows.
        await using var run = PingRun.Start(Options() with { Timeout = TimeSpan.FromSeconds(5) });
        var send = await run.SentAsync(1);
        await run.AdvanceAsync(1 * Ms);
        await run.WakeAsync(() => run.Transport.DeliverIcmp(Advice(type, send), PingRun.RouterV4));
        Assert.False(run.IsCompleted, $"the run ended on an ICMP type {type}: {run.Describe()}");

        await run.AdvanceAsync(1 * Ms);
        await run.WakeAsync(() => run.Reply(send));
        await run.CompletionAsync();
        Assert.Equal((1, 1, 0), (run.Pinger.Transmitted, run.Pinger.Received, run.Pinger.Errors));
    }
}
