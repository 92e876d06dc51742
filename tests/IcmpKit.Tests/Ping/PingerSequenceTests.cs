using IcmpKit.Ping;
using IcmpKit.Tests.Transport;

namespace IcmpKit.Tests.Ping;

/// <summary>Sequence numbers through the engine: more than 65,536 requests, wrap-around, duplicates far back.</summary>
public class PingerSequenceTests
{
    [Fact]
    public async Task More_than_65536_requests_wrap_from_65535_to_0_and_every_reply_counts_once()
    {
        const int Count = 70_000;
        byte[]? firstReply = null;
        // Interval zero sends as replies come back; the fake answers inside Send (as loopback can), so nothing waits.
        await using var run = PingRun.Start(
            new PingOptions { Count = Count, Interval = TimeSpan.Zero, ReportSends = false, Timeout = TimeSpan.FromSeconds(1) },
            setup: transport =>
            {
                transport.KeepSends = false;
                transport.OnSend = send =>
                {
                    var reply = Packets.ReplyTo(send);
                    firstReply ??= reply;
                    transport.DeliverIcmp(reply, PingRun.TargetV4);
                    if (send.Index == 65_000)
                    {
                        transport.DeliverIcmp(firstReply, PingRun.TargetV4); // seq 1 again, 64,999 requests later
                    }
                };
            });

        Assert.Equal(TimeSpan.Zero, await run.CompletionAsync());
        var replies = (await run.RestAsync()).Cast<PingReply>().ToArray();
        Assert.Equal(Count + 1, replies.Length);

        var duplicate = Assert.Single(replies, r => r.IsDuplicate);
        Assert.Equal(1, duplicate.SequenceNumber);
        Assert.Equal(65_000, Array.IndexOf(replies, duplicate));

        var unique = replies.Where(r => !r.IsDuplicate).ToArray();
        Assert.Equal(Enumerable.Range(1, Count).Select(i => unchecked((ushort)i)), unique.Select(r => r.SequenceNumber));
        Assert.Equal((ushort)65535, unique[65534].SequenceNumber);
        Assert.Equal((ushort)0, unique[65535].SequenceNumber);
        Assert.All(unique, r => Assert.False(r.IsLate || r.IsChecksumBad || r.WrongData is not null));
        Assert.Equal((Count, Count, 0), (run.Pinger.Transmitted, run.Pinger.Received, run.Pinger.Errors));
    }
}
