using System.Net;
using IcmpKit.Responder;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IPv4;
using Microsoft.Extensions.Time.Testing;
using static IcmpKit.Tests.Responder.ResponderTestPackets;

namespace IcmpKit.Tests.Responder;

/// <summary>What a hop does to the packets it forwards: redirect (RFC 792, RFC 1812 §5.2.7.2) and an emulated queue with source quench.</summary>
public sealed class ResponderForwardingTests
{
    private static readonly IPAddress Gateway = IPAddress.Parse("198.18.1.254");

    private static ResponderOptions Path(ResponderHop first, ResponderHop? v6Hop = null) => new()
    {
        Addresses = [Host, Host6],
        Delay = TimeSpan.FromMilliseconds(3),
        Hops = v6Hop is null
            ? [first, new ResponderHop { Address = Hop2, Delay = TimeSpan.FromMilliseconds(20) }]
            : [first, new ResponderHop { Address = Hop2, Delay = TimeSpan.FromMilliseconds(20) }, v6Hop],
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

    private static ResponderHop Redirecting(ErrorRateLimit? limit = null) =>
        new() { Address = Hop1, Delay = TimeSpan.FromMilliseconds(10), RedirectGateway = Gateway, ErrorRateLimit = limit };

    [Fact]
    public void A_redirecting_hop_sends_a_host_redirect_and_still_forwards_the_packet()
    {
        var request = Echo(sequence: 5);
        var (core, sink) = Run(Path(Redirecting()), request);

        Assert.Equal(2, sink.Sent.Count);
        var (header, message) = ParseV4(sink.Sent[0].Packet);
        Assert.Equal((Hop1, Prober, 64), (header.Source, header.Destination, (int)header.TimeToLive));
        Assert.Equal(TimeSpan.FromMilliseconds(10), sink.Sent[0].Delay);
        var redirect = Assert.IsType<IcmpV4Message.Redirect>(message);
        Assert.Equal((byte)IcmpV4RedirectCode.Host, redirect.Code);
        Assert.Equal(Gateway, redirect.Gateway);
        // RFC 792: the internet header and 64 bits of data, as it left the forwarding code (TTL decremented).
        Assert.Equal(28, redirect.OriginalDatagram.Length);
        var quoted = redirect.Quote.IPv4!;
        Assert.Equal(63, quoted.TimeToLive);
        Assert.True(quoted.HeaderChecksumValid);
        Assert.Equal(request.AsSpan(12, 16).ToArray(), redirect.OriginalDatagram[12..].ToArray()); // addresses and 8 data bytes as sent
        Assert.Equal(Host, ParseV4(sink.Sent[1].Packet).Header.Source);
        Assert.IsType<IcmpV4Message.EchoReply>(ParseV4(sink.Sent[1].Packet).Message);
        Assert.Equal(1, core.Counters.Redirects);
        Assert.Equal(1, core.Counters.Answered(AnswerKind.EchoReply));
    }

    [Fact]
    public void No_redirect_for_packets_the_hop_does_not_forward()
    {
        // Addressed to the hop itself; expiring there; an ICMP error passing it (RFC 1122 §3.2.2: no error about one).
        var error = Icmp(new IcmpV4Message.DestinationUnreachable { OriginalDatagram = Udp() });
        var (_, sink) = Run(Path(Redirecting()), Echo(destination: Hop1), Udp(ttl: 1), error);
        Assert.Equal(
            [(Hop1, IcmpV4Type.EchoReply), (Hop1, IcmpV4Type.TimeExceeded)],
            sink.Sent.Select(s => (ParseV4(s.Packet).Header.Source, ParseV4(s.Packet).Message.Type)).ToArray());
    }

    [Fact]
    public void No_redirect_for_a_source_routed_packet()
    {
        var route = new IPv4RouteOption(IPv4OptionType.LooseSourceRoute, 4, [Host], ReadOnlyMemory<byte>.Empty);
        var (_, sink) = Run(Path(Redirecting()), Icmp(new IcmpV4Message.EchoRequest(1, 1, Data(8)), options: [route]));
        Assert.IsType<IcmpV4Message.EchoReply>(ParseV4(sink.Single().Packet).Message);
    }

    [Fact]
    public void Redirects_draw_on_the_hops_own_error_bucket()
    {
        var requests = Enumerable.Range(0, 5).Select(i => Echo((ushort)i)).ToArray();
        var (core, sink) = Run(Path(Redirecting(new ErrorRateLimit(2, 1))), requests);
        Assert.Equal(2, core.Counters.Redirects);
        Assert.Equal(5, core.Counters.Answered(AnswerKind.EchoReply));
        Assert.Equal(7, sink.Sent.Count);
        // A redirect goes beside the packet's own answer: each packet is still counted once, answered or dropped.
        var snapshot = core.Counters.Snapshot();
        Assert.Equal((5L, 5L, 0L, 2L), (snapshot.Received, snapshot.TotalAnswered, snapshot.TotalDropped, snapshot.Redirects));
    }

    [Fact]
    public void A_full_queue_drops_with_source_quench_and_queued_packets_wait_their_turn()
    {
        var time = new FakeTimeProvider();
        var hop = new ResponderHop { Address = Hop1, Delay = TimeSpan.FromMilliseconds(10), QueueLimit = 3, QueueRate = 100 };
        var core = new ResponderCore(Path(hop), time);
        var sink = new RecordingSink();
        var requests = Enumerable.Range(0, 5).Select(i => Echo((ushort)i)).ToArray();
        foreach (var request in requests)
        {
            core.Process(request, sink);
        }

        // 100 packets/s: each queued packet waits 10 ms per packet ahead of it; the 4th and 5th find 3 queued.
        var answers = sink.Sent.Select(s => (ParseV4(s.Packet).Header.Source, ParseV4(s.Packet).Message.Type, s.Delay.TotalMilliseconds)).ToArray();
        Assert.Equal(
            [
                (Host, IcmpV4Type.EchoReply, 33.0), (Host, IcmpV4Type.EchoReply, 43.0), (Host, IcmpV4Type.EchoReply, 53.0),
                (Hop1, IcmpV4Type.SourceQuench, 10.0), (Hop1, IcmpV4Type.SourceQuench, 10.0),
            ], answers);
        var quench = Assert.IsType<IcmpV4Message.SourceQuench>(ParseV4(sink.Sent[3].Packet).Message);
        Assert.Equal(0, quench.Code);
        Assert.Equal(28, quench.OriginalDatagram.Length); // RFC 792: header and 64 bits
        Assert.Equal(requests[3].AsSpan(0, 8).ToArray(), quench.OriginalDatagram[..8].ToArray());
        Assert.Equal(2, core.Counters.Answered(AnswerKind.SourceQuench));

        // 15 ms later 1.5 packets have left: the next one finds 1.5 ahead of it.
        time.Advance(TimeSpan.FromMilliseconds(15));
        core.Process(Echo(9), sink);
        Assert.Equal(TimeSpan.FromMilliseconds(33 + 15), sink.Sent[^1].Delay);
    }

    [Fact]
    public void The_queue_is_in_front_of_the_next_link_only()
    {
        // Packets to the hop itself do not pass its output queue.
        var hop = new ResponderHop { Address = Hop1, QueueLimit = 1, QueueRate = 1 };
        var (_, sink) = Run(Path(hop), Enumerable.Range(0, 5).Select(i => Echo((ushort)i, destination: Hop1)).ToArray());
        Assert.Equal(5, sink.Sent.Count(s => ParseV4(s.Packet).Message is IcmpV4Message.EchoReply));
    }

    [Fact]
    public void An_IPv6_queue_overflow_is_a_silent_drop()
    {
        var hop6 = new ResponderHop { Address = Hop6, QueueLimit = 1, QueueRate = 10 };
        var (core, sink) = Run(Path(new ResponderHop { Address = Hop1 }, hop6), EchoV6(1), EchoV6(2));
        var (header, _) = ParseV6(sink.Single().Packet);
        Assert.Equal(Host6, header.Source);
        Assert.Equal(1, core.Counters.Dropped(DropReason.QueueOverflow));
    }

    [Fact]
    public void Source_quench_is_rate_limited_like_any_error()
    {
        var hop = new ResponderHop { Address = Hop1, QueueLimit = 1, QueueRate = 1 };
        var (core, _) = Run(Path(hop), Enumerable.Range(0, 10).Select(i => Echo((ushort)i)).ToArray());
        Assert.Equal(1, core.Counters.Answered(AnswerKind.EchoReply));
        Assert.Equal(6, core.Counters.Answered(AnswerKind.SourceQuench));
        Assert.Equal(3, core.Counters.Dropped(DropReason.RateLimited));
    }
}
