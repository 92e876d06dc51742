using System.Net;
using IcmpKit.Trace;
using IcmpKit.Trace.Probes;

namespace IcmpKit.Tests.Trace;

/// <summary>
/// --mtu in the engine, on a fake path whose links after router 1 and router 3 carry 1300 and 1280 bytes: the routers
/// report fragmentation needed (RFC 1191 §4) for probes too big for their next link, the probes shrink and are sent again,
/// and each MTU shows once, on the first hop that needed it. The kernel path (real routers, a 1300-byte link) is
/// TraceMtuTests in the integration tests.
/// </summary>
public class TracePathMtuTests
{
    private static readonly IPAddress Host = FakeProbePath.Target;

    /// <summary>Link MTU after router r (1-based); the client's own link is 1500.</summary>
    private static int LinkMtu(int router) => router switch { 1 or 2 => 1300, >= 3 => 1280, _ => 1500 };

    /// <summary>What a faithful path with those links answers: the first router whose next link is too small says so.</summary>
    private static FakeAnswer? Answer(FakeFlowPath path, FakeProbe probe)
    {
        int size = path.SizeOf(probe.Key);
        for (int router = 1; router < probe.Ttl && router < path.Path.DestinationHop; router++)
        {
            if (size > LinkMtu(router))
            {
                return new FakeAnswer(new ProbeResponse(probe.Key, TraceReplyKind.Unreachable, FakeProbePath.Router(router), 0)
                {
                    Type = 3,
                    Code = 4,
                    Mtu = LinkMtu(router),
                }, FakeProbePath.RoundTrip(router));
            }
        }
        return path.Path.Faithful(probe);
    }

    [Fact]
    public void Each_mtu_shows_once_on_the_first_hop_that_needed_it_and_every_hop_is_answered()
    {
        var path = new FakeFlowPath(destinationHop: 6);
        path.Path.Answer = probe => Answer(path, probe);
        var events = path.Trace(new TraceOptions { DiscoverPathMtu = true });

        var hops = events.Hops();
        Assert.Equal([1, 2, 3, 4, 5, 6], hops.Select(h => h.Ttl));
        Assert.All(hops, hop => Assert.All(hop.Probes, p => Assert.NotNull(p.Reply)));
        Assert.Equal(TraceReplyKind.EchoReply, hops[^1].Probes[0].Reply!.Kind);
        // Hop 1: the interface MTU the probes started from (this host's: no reporter). Hop 2: router 1's 1300 (its next
        // link), hop 4: router 3's 1280. Nowhere else.
        Assert.Equal(
            [(1, (int?)1500, (IPAddress?)null), (2, 1300, FakeProbePath.Router(1)), (3, null, null), (4, 1280, FakeProbePath.Router(3)), (5, null, null), (6, null, null)],
            hops.Select(h => (h.Ttl, h.PathMtu, h.PathMtuFrom)));
        Assert.Equal(1280, path.PacketLength);
        Assert.Equal(new TraceCompleted(TraceEndReason.Reached, 6), events.Completed());
    }

    [Fact]
    public void A_probe_told_it_is_too_big_is_sent_again_smaller_and_says_so()
    {
        var path = new FakeFlowPath(destinationHop: 3);
        path.Path.Answer = probe => Answer(path, probe);
        var events = path.Trace(new TraceOptions { DiscoverPathMtu = true, ProbesPerHop = 1, SimultaneousProbes = 1 });

        // One probe at a time: hop 2's 1500-byte probe is told 1300 by router 1, and its second send gets through.
        var tooBig = Assert.Single(events.Select(e => e.Event).OfType<TraceProbeTooBig>());
        Assert.Equal(new TraceProbeTooBig(2, 0, 1, 1300, FakeProbePath.Router(1)), tooBig);
        var hop2 = events.Hops().Single(h => h.Ttl == 2);
        Assert.Equal(2, hop2.Probes[0].Attempts);
        Assert.Equal(1300, path.SizeOf(hop2.Probes[0].Reply!.FlowKey));
    }

    [Fact]
    public void A_second_copy_of_a_report_is_not_a_reason_to_send_the_probe_a_third_time()
    {
        var path = new FakeFlowPath(destinationHop: 3);
        path.Path.Answer = probe => Answer(path, probe) is { Response.Mtu: not null } tooBig ? tooBig with { Copies = 2 } : path.Path.Faithful(probe);
        var events = path.Trace(new TraceOptions { DiscoverPathMtu = true, ProbesPerHop = 1, SimultaneousProbes = 1 });

        Assert.Single(events.Select(e => e.Event).OfType<TraceProbeTooBig>());
        Assert.Equal(2, events.Hops().Single(h => h.Ttl == 2).Probes[0].Attempts);
        Assert.Equal(4, path.Path.Sends.Count); // hop 1, hop 2 twice, hop 3
    }

    [Fact]
    public void Without_mtu_a_fragmentation_needed_ends_the_trace_as_in_traceroute()
    {
        var path = new FakeFlowPath(destinationHop: 4);
        path.Path.Answer = probe => Answer(path, probe);
        var events = path.Trace(new TraceOptions());

        Assert.Equal(new TraceCompleted(TraceEndReason.Unreachable, 2), events.Completed());
        Assert.All(events.Hops(), hop => Assert.Null(hop.PathMtu));
        Assert.Equal(1500, path.PacketLength);
    }

    [Theory]
    [InlineData(1500)] // no smaller than the probe: a router that cannot be believed
    [InlineData(40)]   // below RFC 791's 68
    public void A_report_the_probes_cannot_shrink_to_is_an_ordinary_answer(int reported)
    {
        var path = new FakeFlowPath(destinationHop: 4);
        path.Path.Answer = probe => probe.Ttl < 2
            ? path.Path.Faithful(probe)
            : new FakeAnswer(new ProbeResponse(probe.Key, TraceReplyKind.Unreachable, FakeProbePath.Router(1), 0) { Type = 3, Code = 4, Mtu = reported }, TimeSpan.FromMilliseconds(1));
        var events = path.Trace(new TraceOptions { DiscoverPathMtu = true });

        Assert.Equal(new TraceCompleted(TraceEndReason.Unreachable, 2), events.Completed());
        Assert.Empty(events.Select(e => e.Event).OfType<TraceProbeTooBig>());
        Assert.Equal(reported, events.Hops()[^1].Probes[0].Reply!.Mtu);
    }

    [Fact]
    public void An_ipv6_packet_too_big_shrinks_the_probes_likewise()
    {
        var path = new FakeFlowPath(destinationHop: 3);
        path.Path.Answer = probe => probe.Ttl >= 2 && path.SizeOf(probe.Key) > 1400
            ? new FakeAnswer(new ProbeResponse(probe.Key, TraceReplyKind.Unreachable, FakeProbePath.Router(1), 0) { IsV6 = true, Type = 2, Mtu = 1400 }, TimeSpan.FromMilliseconds(1))
            : path.Path.Faithful(probe);
        var events = new List<TraceEvent>();
        new TraceRun(IPAddress.Parse("fd42:0:9::2"), new TraceOptions { DiscoverPathMtu = true }, path, path.Path.Time, events.Add).Run(CancellationToken.None);

        var hops = events.OfType<TraceHop>().ToList();
        Assert.Equal([1500, 1400], hops.Select(h => h.PathMtu).OfType<int>());
        Assert.Equal(new TraceCompleted(TraceEndReason.Reached, 3), Assert.Single(events.OfType<TraceCompleted>()));
        _ = Host;
    }
}
