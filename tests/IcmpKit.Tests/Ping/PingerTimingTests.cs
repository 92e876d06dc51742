using IcmpKit.Ping;

namespace IcmpKit.Tests.Ping;

/// <summary>Intervals, the wait for each reply (-W), the count (-c) and the deadline (-w), as iputils has them.</summary>
public class PingerTimingTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Requests_go_out_one_interval_apart()
    {
        await using var run = PingRun.Start(new PingOptions { Count = 4, Interval = TimeSpan.FromMilliseconds(250), Timeout = Second });
        for (int i = 1; i <= 4; i++)
        {
            var send = await run.SentAsync(i);
            Assert.Equal(run.Started + (i - 1) * TimeSpan.FromMilliseconds(250), send.At);
            Assert.Equal((ushort)i, send.SequenceNumber);
            run.Reply(send);
            await run.AdvanceAsync(i < 4 ? TimeSpan.FromMilliseconds(250) : TimeSpan.Zero);
        }
        Assert.Equal(TimeSpan.FromMilliseconds(750), await run.CompletionAsync());
        Assert.Equal(4, run.Pinger.Received);
    }

    [Fact]
    public async Task Preload_sends_that_many_at_once_then_keeps_the_interval()
    {
        await using var run = PingRun.Start(new PingOptions { Count = 5, Preload = 3, Interval = Second, Timeout = Second });
        var third = await run.SentAsync(3);
        Assert.Equal(run.Started, third.At);
        Assert.Equal(3, run.Transport.SendCount);
        await run.AdvanceAsync(999 * Ms);
        Assert.Equal(3, run.Transport.SendCount);
        await run.AdvanceAsync(1 * Ms);
        Assert.Equal(run.Started + Second, (await run.SentAsync(4)).At);
    }

    [Fact]
    public async Task Without_a_deadline_it_stops_after_count_requests_and_lingers_at_most_the_timeout()
    {
        await using var run = PingRun.Start(new PingOptions { Count = 3, Interval = Second, Timeout = TimeSpan.FromSeconds(1.5) });
        Assert.Equal(TimeSpan.FromSeconds(3.5), await run.RunToEndAsync());
        Assert.Equal(3, run.Transport.SendCount);
        // Each timeout is reported when the engine next looks: after a send, or while it lingers.
        Assert.Equal(
            new PingEvent[] { new PingSent(1), new PingSent(2), new PingSent(3), new PingTimeout(1), new PingTimeout(2), new PingTimeout(3) },
            await run.RestAsync());
        Assert.Equal((3, 0, 0), (run.Pinger.Transmitted, run.Pinger.Received, run.Pinger.Errors));
    }

    [Fact]
    public async Task Timeouts_are_reported_in_order_each_after_its_own_wait()
    {
        await using var run = PingRun.Start(new PingOptions { Count = 3, Interval = Second, Timeout = TimeSpan.FromSeconds(1.5) });
        await run.SentAsync(1);
        await run.AdvanceAsync(2 * Second);
        await run.SentAsync(3);
        Assert.Equal(new PingEvent[] { new PingSent(1), new PingSent(2), new PingSent(3), new PingTimeout(1) }, await run.TakeAsync(4));
        await run.AdvanceAsync(TimeSpan.FromMilliseconds(499));
        Assert.DoesNotContain(new PingTimeout(2), run.Events);
        await run.AdvanceAsync(TimeSpan.FromMilliseconds(1));
        Assert.Equal(new PingTimeout(2), await run.NextAsync());
        Assert.Equal(TimeSpan.FromSeconds(3.5), await run.RunToEndAsync());
        Assert.Equal(new PingEvent[] { new PingTimeout(3) }, await run.RestAsync());
    }

    [Fact]
    public async Task The_linger_ends_as_soon_as_the_last_reply_is_in()
    {
        await using var run = PingRun.Start(new PingOptions { Count = 2, Interval = Second, Timeout = TimeSpan.FromSeconds(10) });
        var first = await run.SentAsync(1);
        await run.AdvanceAsync(Second);
        var second = await run.SentAsync(2);
        await run.AdvanceAsync(TimeSpan.FromSeconds(4));
        run.Reply(second);
        await run.AdvanceAsync(Ms);
        await run.WakeAsync(() => run.Reply(first));
        Assert.Equal(TimeSpan.FromSeconds(5) + Ms, await run.CompletionAsync());
        Assert.Equal(2, run.Pinger.Received);
    }

    [Fact]
    public async Task A_reply_after_its_timeout_is_late_and_still_counts()
    {
        await using var run = PingRun.Start(new PingOptions { Count = 3, Interval = Second, Timeout = TimeSpan.FromSeconds(1.5) });
        var first = await run.SentAsync(1);
        await run.AdvanceAsync(2 * Second);
        await run.SentAsync(3);
        Assert.Equal(new PingEvent[] { new PingSent(1), new PingSent(2), new PingSent(3), new PingTimeout(1) }, await run.TakeAsync(4));

        await run.AdvanceAsync(100 * Ms);
        await run.WakeAsync(() => run.Reply(first));
        await run.WakeAsync(() => run.Reply(first));
        var late = run.ExpectedReply(first, TimeSpan.FromSeconds(2.1)) with { IsLate = true };
        Assert.Equal(new PingEvent[] { late, late with { IsLate = false, IsDuplicate = true } }, await run.TakeAsync(2));
        Assert.Equal(1, run.Pinger.Received);

        Assert.Equal(TimeSpan.FromSeconds(3.5), await run.RunToEndAsync());
        Assert.Equal(new PingEvent[] { new PingTimeout(2), new PingTimeout(3) }, await run.RestAsync());
    }

    [Fact]
    public async Task A_timeout_shorter_than_the_interval_is_reported_at_the_next_send()
    {
        // As iputils -O reports "no answer yet": at the next send. Until then the request is outstanding, not late.
        await using var run = PingRun.Start(new PingOptions { Count = 3, Interval = Second, Timeout = TimeSpan.FromMilliseconds(500) });
        var first = await run.SentAsync(1);
        await run.AdvanceAsync(700 * Ms);
        run.Reply(first);
        await run.AdvanceAsync(300 * Ms);
        await run.SentAsync(2);
        await run.AdvanceAsync(Second);
        await run.SentAsync(3);
        Assert.Equal(TimeSpan.FromSeconds(2.5), await run.RunToEndAsync());
        Assert.Equal(
            new PingEvent[]
            {
                new PingSent(1), run.ExpectedReply(first, 700 * Ms) with { ReceivedAt = first.At + 700 * Ms },
                new PingSent(2), new PingSent(3), new PingTimeout(2), new PingTimeout(3),
            },
            await run.RestAsync());
    }

    [Fact]
    public async Task With_a_deadline_it_keeps_sending_past_the_count_until_count_replies()
    {
        await using var run = PingRun.Start(new PingOptions { Count = 2, Deadline = TimeSpan.FromSeconds(10), Interval = Second, Timeout = TimeSpan.FromSeconds(100) });
        await run.AdvanceAsync(3 * Second);
        var fourth = await run.SentAsync(4);
        run.Reply(fourth);
        await run.AdvanceAsync(Second);
        var fifth = await run.SentAsync(5);
        await run.AdvanceAsync(5 * Ms);
        run.Reply(fifth);

        await run.RunToEndAsync();
        Assert.Equal(5, run.Transport.SendCount);
        Assert.Equal(
            new PingEvent[]
            {
                new PingSent(1), new PingSent(2), new PingSent(3), new PingSent(4), run.ExpectedReply(fourth, TimeSpan.Zero) with { ReceivedAt = fourth.At },
                new PingSent(5), run.ExpectedReply(fifth, 5 * Ms) with { ReceivedAt = fifth.At + 5 * Ms },
            },
            await run.RestAsync());
    }

    [Fact]
    public async Task With_a_deadline_the_run_ends_when_the_count_th_reply_comes_not_at_the_next_interval()
    {
        // iputils -c 1 -w 10: exits as soon as the reply is in (main_loop checks nreceived after each packet).
        await using var run = PingRun.Start(new PingOptions { Count = 1, Deadline = TimeSpan.FromSeconds(10), Interval = Second, Timeout = TimeSpan.FromSeconds(10) });
        var first = await run.SentAsync(1);
        await run.AdvanceAsync(5 * Ms);
        run.Reply(first);

        Assert.Equal(5 * Ms, await run.RunToEndAsync());
        Assert.Equal(1, run.Transport.SendCount);
    }

    [Fact]
    public async Task With_a_deadline_and_no_replies_it_sends_until_the_deadline_without_forcing_timeouts()
    {
        await using var run = PingRun.Start(new PingOptions { Count = 2, Deadline = TimeSpan.FromSeconds(4.5), Interval = Second, Timeout = TimeSpan.FromSeconds(2) });
        Assert.Equal(TimeSpan.FromSeconds(4.5), await run.RunToEndAsync());
        Assert.Equal(
            new PingEvent[]
            {
                new PingSent(1), new PingSent(2), new PingSent(3), new PingTimeout(1), new PingSent(4), new PingTimeout(2), new PingSent(5), new PingTimeout(3),
            },
            await run.RestAsync());
        Assert.Equal(5, run.Pinger.Transmitted);
    }

    [Fact]
    public async Task Without_a_count_a_deadline_alone_bounds_the_run()
    {
        await using var run = PingRun.Start(new PingOptions { Deadline = TimeSpan.FromSeconds(3.5), Interval = Second, Timeout = Second });
        for (int i = 1; i <= 4; i++)
        {
            var send = await run.SentAsync(i);
            run.Reply(send);
            await run.AdvanceAsync(i < 4 ? Second : TimeSpan.Zero);
        }
        Assert.Equal(TimeSpan.FromSeconds(3.5), await run.RunToEndAsync());
        Assert.Equal((4, 4), (run.Pinger.Transmitted, run.Pinger.Received));
    }

    [Fact]
    public async Task Without_count_or_deadline_it_runs_until_cancelled_and_then_ends_quietly()
    {
        using var cancel = new CancellationTokenSource();
        var time = new SteppedTimeProvider();
        using var transport = new IcmpKit.Tests.Transport.FakeIcmpTransport(time) { TimerMark = () => time.TimersCreated };
        using var pinger = new Pinger(PingRun.TargetV4, new PingOptions { Interval = Second }, transport, time: time);
        var events = new List<PingEvent>();
        var consumer = Task.Run(async () =>
        {
            await foreach (var item in pinger.RunAsync(cancel.Token))
            {
                events.Add(item);
            }
        });
        for (int i = 1; i <= 3; i++)
        {
            var send = await transport.WaitForSendAsync(i);
            await time.WaitForPendingSinceAsync(send.TimerMark, consumer, TimeSpan.FromSeconds(20), () => "");
            if (i < 3)
            {
                time.Advance(Second);
            }
        }
        await cancel.CancelAsync();
        await consumer.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(new PingEvent[] { new PingSent(1), new PingSent(2), new PingSent(3) }, events);
        time.Dispose();
    }

    [Fact]
    public async Task Leaving_the_event_stream_early_stops_the_sending()
    {
        var time = new SteppedTimeProvider();
        using var transport = new IcmpKit.Tests.Transport.FakeIcmpTransport(time) { TimerMark = () => time.TimersCreated };
        using var pinger = new Pinger(PingRun.TargetV4, new PingOptions { Interval = Second }, transport, time: time);
        await foreach (var item in pinger.RunAsync())
        {
            Assert.Equal(new PingSent(1), item);
            break;
        }
        for (int i = 0; i < 5; i++)
        {
            if (time.NextDue is { } next)
            {
                time.Advance(next - time.GetUtcNow());
            }
            await Task.Delay(20);
        }
        Assert.Equal(1, transport.SendCount);
        time.Dispose();
    }

    [Fact]
    public async Task A_pinger_runs_once()
    {
        await using var run = PingRun.Start(new PingOptions { Count = 1, Timeout = Second });
        await run.SentAsync(1);
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var unused in run.Pinger.RunAsync())
            {
            }
        });
    }

    /// <summary>iputils -A: the interval is the RTT's EWMA (rounded to ms), at least 200 ms unless privileged.</summary>
    private static TimeSpan AdaptiveInterval(TimeSpan ewma) =>
        !Environment.IsPrivilegedProcess && ewma < TimeSpan.FromMilliseconds(200) ? TimeSpan.FromMilliseconds(200) : ewma;

    [Fact]
    public async Task The_adaptive_interval_follows_the_rtt()
    {
        await using var run = PingRun.Start(new PingOptions { Count = 3, Adaptive = true, Interval = Second, Timeout = TimeSpan.FromSeconds(5) });
        var first = await run.SentAsync(1);
        await run.AdvanceAsync(50 * Ms);
        run.Reply(first);
        var second = await run.AdvanceUntilSentAsync(2, 2 * Second);
        var third = await run.AdvanceUntilSentAsync(3, 2 * Second);
        Assert.Equal(AdaptiveInterval(50 * Ms), third.At - second.At);
    }

    [Fact]
    public async Task The_adaptive_interval_applies_from_the_first_reply_on()
    {
        // iputils -A recomputes the interval when a reply comes and sends as soon as it is due: here 50 ms after the
        // first request (200 ms unprivileged), not after the initial 1 s.
        await using var run = PingRun.Start(new PingOptions { Count = 3, Adaptive = true, Interval = Second, Timeout = TimeSpan.FromSeconds(5) });
        var first = await run.SentAsync(1);
        await run.AdvanceAsync(50 * Ms);
        run.Reply(first);
        var second = await run.AdvanceUntilSentAsync(2, 2 * Second);
        Assert.Equal(AdaptiveInterval(50 * Ms), second.At - first.At);
    }

    [Fact]
    public async Task A_transport_that_throws_ends_the_stream_with_its_exception()
    {
        await using var run = PingRun.Start(new PingOptions { Count = 3, Interval = Second },
            setup: t => t.SendResult = s => s.Index == 2 ? throw new IOException("the socket went away") : 0);
        await run.SentAsync(1);
        await run.AdvanceAsync(Second);
        var thrown = await Assert.ThrowsAsync<IOException>(() => run.CompletionAsync());
        Assert.Equal("the socket went away", thrown.Message);
    }

    [Fact]
    public async Task A_disposed_pinger_leaves_the_shared_transport()
    {
        var time = new SteppedTimeProvider();
        using var transport = new IcmpKit.Tests.Transport.FakeIcmpTransport(time, operations: 2);
        var pinger = new Pinger(PingRun.TargetV4, new PingOptions { Count = 1 }, transport, time: time);
        ushort identifier = pinger.Identifier;
        pinger.Dispose();
        transport.DeliverIcmp(IcmpKit.Tests.Transport.Packets.EchoReplyV4(identifier, 1, new byte[56]), PingRun.TargetV4);
        Assert.Equal(1L, transport.PacketsUnmatched);
        using var next = new Pinger(PingRun.TargetV4, new PingOptions { Count = 1 }, transport, time: time);
        Assert.NotEqual(identifier, next.Identifier);
        time.Dispose();
    }
}
