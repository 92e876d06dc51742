using IcmpKit.Responder;
using IcmpKit.Wire.IcmpV4;
using Microsoft.Extensions.Time.Testing;
using static IcmpKit.Tests.Responder.ResponderTestPackets;

namespace IcmpKit.Tests.Responder;

/// <summary>Duplication and reordering along the path an answer takes (what netem's duplicate and reorder do).</summary>
public sealed class ResponderDuplicationTests
{
    private static ResponderOptions Path(ResponderHop? first = null, ResponderHop? second = null, double hostDuplicate = 0, double hostReorder = 0) => new()
    {
        Addresses = [Host, Host6],
        Delay = TimeSpan.FromMilliseconds(3),
        Duplicate = hostDuplicate,
        Reorder = hostReorder,
        ReorderDelay = TimeSpan.FromMilliseconds(40),
        RandomSeed = 7,
        Hops =
        [
            first ?? new ResponderHop { Address = Hop1, Delay = TimeSpan.FromMilliseconds(10) },
            second ?? new ResponderHop { Address = Hop2, Delay = TimeSpan.FromMilliseconds(20) },
        ],
    };

    private static (ResponderCore Core, RecordingSink Sink) Run(ResponderOptions options, params byte[][] packets)
    {
        var core = new ResponderCore(options, new FakeTimeProvider());
        var sink = new RecordingSink();
        foreach (var packet in packets)
        {
            core.Process(packet, sink);
        }
        return (core, sink);
    }

    [Fact]
    public void A_duplicating_host_sends_each_answer_twice_with_the_same_bytes_and_delay()
    {
        var (core, sink) = Run(Path(hostDuplicate: 1), Echo(sequence: 1), EchoV6(sequence: 2));
        Assert.Equal(4, sink.Sent.Count);
        Assert.Equal(sink.Sent[0].Packet, sink.Sent[1].Packet);
        Assert.Equal(sink.Sent[0].Delay, sink.Sent[1].Delay);
        Assert.Equal(TimeSpan.FromMilliseconds(33), sink.Sent[0].Delay);
        Assert.Equal(sink.Sent[2].Packet, sink.Sent[3].Packet);
        Assert.Equal(1, core.Counters.Answered(AnswerKind.EchoReply));
        Assert.Equal(2, core.Counters.Duplicated);
    }

    [Fact]
    public void A_duplicating_hop_duplicates_answers_from_it_and_beyond_but_not_from_before_it()
    {
        var second = new ResponderHop { Address = Hop2, Delay = TimeSpan.FromMilliseconds(20), Duplicate = 1 };
        var (_, sink) = Run(Path(second: second), Udp(ttl: 1), Udp(ttl: 2), Echo(), Echo(destination: Hop2));
        var sources = sink.Sent.Select(s => (ParseV4(s.Packet).Header.Source, ParseV4(s.Packet).Message.Type)).ToArray();
        Assert.Equal(
            [
                (Hop1, IcmpV4Type.TimeExceeded),
                (Hop2, IcmpV4Type.TimeExceeded), (Hop2, IcmpV4Type.TimeExceeded),
                (Host, IcmpV4Type.EchoReply), (Host, IcmpV4Type.EchoReply),
                (Hop2, IcmpV4Type.EchoReply), (Hop2, IcmpV4Type.EchoReply),
            ], sources);
    }

    [Fact]
    public void Duplication_probabilities_combine_along_the_path()
    {
        // Hop 1 duplicates with 0.2, the host with 0.25: an answer from the host is duplicated with 1 - 0.8 * 0.75 = 0.4.
        var first = new ResponderHop { Address = Hop1, Duplicate = 0.2 };
        var (core, sink) = Run(Path(first, hostDuplicate: 0.25), Enumerable.Range(0, 1000).Select(i => Echo((ushort)i)).ToArray());
        long duplicated = core.Counters.Duplicated;
        Assert.Equal(1000 + duplicated, sink.Sent.Count);
        Assert.InRange(duplicated, 322, 478); // binomial(1000, 0.4): ±5 standard deviations (15.5)
    }

    [Fact]
    public void A_reordering_hop_holds_answers_from_it_and_beyond_its_reorder_delay()
    {
        var first = new ResponderHop { Address = Hop1, Delay = TimeSpan.FromMilliseconds(10), Reorder = 1, ReorderDelay = TimeSpan.FromMilliseconds(25) };
        var (core, sink) = Run(Path(first), Udp(ttl: 1), Echo());
        Assert.Equal(TimeSpan.FromMilliseconds(10 + 25), sink.Sent[0].Delay);
        Assert.Equal(TimeSpan.FromMilliseconds(33 + 25), sink.Sent[1].Delay);
        Assert.Equal(2, core.Counters.Reordered);
    }

    [Fact]
    public void Reordering_at_half_the_answers_holds_about_half_by_exactly_the_reorder_delay()
    {
        var time = new FakeTimeProvider();
        var core = new ResponderCore(Path(hostReorder: 0.5), time);
        var sink = new RecordingSink();
        for (int i = 0; i < 400; i++)
        {
            core.Process(Echo((ushort)i), sink);
        }
        var delays = sink.Sent.Select(s => s.Delay.TotalMilliseconds).ToArray();
        Assert.All(delays, d => Assert.True(d is 33 or 73, $"delay {d} ms"));
        int held = delays.Count(d => d == 73);
        Assert.Equal(held, core.Counters.Reordered);
        Assert.InRange(held, 150, 250); // binomial(400, 0.5): ±5 standard deviations (10)
    }

    [Fact]
    public void The_same_seed_duplicates_and_reorders_the_same_answers()
    {
        var options = Path(hostDuplicate: 0.3, hostReorder: 0.3);
        var requests = Enumerable.Range(0, 100).Select(i => Echo((ushort)i)).ToArray();
        var first = Run(options, requests).Sink.Sent.Select(s => (s.Packet[26], s.Packet[27], s.Delay));
        var second = Run(options, requests).Sink.Sent.Select(s => (s.Packet[26], s.Packet[27], s.Delay));
        Assert.Equal(first, second);
    }
}
