using System.Net;
using IcmpKit.Trace;
using IcmpKit.Trace.Probes;

namespace IcmpKit.Tests.Trace;

/// <summary>
/// --multipath (MDA) in the engine, on fake paths whose load-balanced hops pick an interface by flow: how many flows each
/// hop gets (the stopping rule), the interfaces and their links, silence, the end. The kernel's ECMP is
/// TraceMultipathTests in the integration tests.
/// </summary>
public class MultipathRunTests
{
    private static readonly IPAddress A = IPAddress.Parse("198.18.1.2");
    private static readonly IPAddress B = IPAddress.Parse("198.18.2.2");
    private static readonly IPAddress C = IPAddress.Parse("198.18.3.2");
    private static readonly IPAddress Merge = IPAddress.Parse("198.18.4.2");

    /// <summary>Hop 1 one router, hop 2 <paramref name="width"/> routers by flow (round robin), hop 3 one again, the target at 4.</summary>
    private static FakeFlowPath Diamond(int width)
    {
        IPAddress[] middle = [A, B, C];
        var path = new FakeFlowPath(destinationHop: 4);
        path.Path.Answer = probe => probe.Ttl switch
        {
            2 => FakeFlowPath.TimeExceededFrom(probe, middle[path.FlowOf(probe.Key) % width]),
            3 => FakeFlowPath.TimeExceededFrom(probe, Merge),
            _ => path.Path.Faithful(probe),
        };
        return path;
    }

    [Theory]
    [InlineData(1, 6)]
    [InlineData(2, 11)]
    [InlineData(3, 16)]
    public void A_hop_gets_as_many_flows_as_the_rule_asks_for_the_interfaces_it_shows(int width, int flows)
    {
        var path = Diamond(width);
        var hops = path.TraceMultipath(new TraceOptions()).OfType<TraceMultipathHop>().ToList();

        Assert.Equal([1, 2, 3, 4], hops.Select(h => h.Ttl));
        var middle = hops[1];
        Assert.Equal(width, middle.Interfaces.Count);
        Assert.Equal((flows, flows, flows, true), (middle.ProbesSent, middle.ProbesAnswered, middle.ProbesNeeded, middle.Complete));
        Assert.Equal(Enumerable.Range(0, flows), middle.Interfaces.SelectMany(i => i.Flows).Order());
        // One interface: n_1 = 6 probes, on flows 0 to 5.
        Assert.Equal((6, 6), (hops[0].ProbesSent, hops[2].ProbesSent));
    }

    [Fact]
    public void Every_hop_starts_from_flow_0_so_the_hop_after_knows_which_interfaces_led_to_it()
    {
        var path = Diamond(2);
        var events = path.TraceMultipath(new TraceOptions());
        var hops = events.OfType<TraceMultipathHop>().ToList();

        Assert.Equal([A, B], hops[1].Interfaces.Select(i => i.Address));
        Assert.All(hops[1].Interfaces, i => Assert.Equal([FakeProbePath.Router(1)], i.Predecessors));
        var merge = Assert.Single(hops[2].Interfaces);
        Assert.Equal([A, B], merge.Predecessors); // flows 0-5 met A on even flows, B on odd ones
        Assert.Equal(TraceReplyKind.EchoReply, Assert.Single(hops[3].Interfaces).Kind);
        Assert.Equal(new TraceCompleted(TraceEndReason.Reached, 4), events[^1]);
        Assert.All(path.Flows.GroupBy(f => f.Value), g => Assert.True(g.Count() <= 4, "a flow is used once per hop"));
    }

    [Fact]
    public void A_silent_hop_costs_one_round_of_the_first_rule_and_the_trace_goes_on()
    {
        var path = new FakeFlowPath(destinationHop: 3);
        path.Path.Answer = probe => probe.Ttl == 2 ? null : path.Path.Faithful(probe);
        var events = path.TraceMultipath(new TraceOptions());
        var hops = events.OfType<TraceMultipathHop>().ToList();

        Assert.Equal([1, 2, 3], hops.Select(h => h.Ttl));
        Assert.Empty(hops[1].Interfaces);
        Assert.Equal((6, 0, false), (hops[1].ProbesSent, hops[1].ProbesAnswered, hops[1].Complete));
        Assert.Equal(6, events.OfType<TraceProbeTimedOut>().Count());
        Assert.Equal(new TraceCompleted(TraceEndReason.Reached, 3), events[^1]);
    }

    [Fact]
    public void A_lossy_hop_replaces_silent_flows_with_new_ones_until_the_rule_is_met()
    {
        var path = new FakeFlowPath(destinationHop: 3);
        path.Path.Answer = probe => probe.Ttl == 2 && path.FlowOf(probe.Key) % 3 == 0 ? null : path.Path.Faithful(probe);
        var hop = path.TraceMultipath(new TraceOptions()).OfType<TraceMultipathHop>().Single(h => h.Ttl == 2);

        // Flows 0, 3, 6 silent: 6 answers took 9 flows.
        Assert.Equal((9, 6, true), (hop.ProbesSent, hop.ProbesAnswered, hop.Complete));
    }

    [Fact]
    public void An_unreachable_hop_ends_it_as_unreachable_and_the_max_ttl_bounds_it()
    {
        var path = new FakeFlowPath(destinationHop: 9);
        path.Path.Answer = probe => probe.Ttl < 2
            ? path.Path.Faithful(probe)
            : new FakeAnswer(new ProbeResponse(probe.Key, TraceReplyKind.Unreachable, FakeProbePath.Router(2), 0) { Type = 3, Code = 1 }, TimeSpan.FromMilliseconds(2));
        Assert.Equal(new TraceCompleted(TraceEndReason.Unreachable, 2), path.TraceMultipath(new TraceOptions()).Last());

        var far = new FakeFlowPath(destinationHop: 40);
        Assert.Equal(new TraceCompleted(TraceEndReason.MaxTtl, 3), far.TraceMultipath(new TraceOptions { MaxTtl = 3 }).Last());
    }
}
