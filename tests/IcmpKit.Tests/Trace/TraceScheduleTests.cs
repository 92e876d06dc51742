using IcmpKit.Trace;
using IcmpKit.Trace.Probes;

namespace IcmpKit.Tests.Trace;

/// <summary>
/// The trace engine's schedule on a fake path in virtual time: answers matched by flow key whatever their order, hops
/// reported in TTL order, the window of probes in flight, the final hop cutting the trace, refused sends.
/// </summary>
public class TraceScheduleTests
{
    [Fact]
    public void Answers_that_come_back_in_reverse_order_are_matched_by_key_and_hops_are_reported_in_order()
    {
        var path = new FakeProbePath(destinationHop: 4);
        // The nearer the router, the slower its answer: the last probes are answered first.
        path.Answer = probe => path.Faithful(probe) with { Delay = TimeSpan.FromMilliseconds(20 - probe.Ttl) };
        var events = FakeTrace.Run(path, new TraceOptions());

        var hops = events.Hops();
        Assert.Equal([1, 2, 3, 4], hops.Select(h => h.Ttl));
        foreach (var hop in hops)
        {
            foreach (var probe in hop.Probes)
            {
                var reply = Assert.IsType<TraceReply>(probe.Reply);
                Assert.Equal(hop.Ttl < 4 ? FakeProbePath.Router(hop.Ttl) : FakeProbePath.Target, reply.From);
                Assert.Equal(TimeSpan.FromMilliseconds(20 - hop.Ttl), reply.RoundTripTime);
                Assert.Equal(1, probe.Attempts);
            }
        }
        Assert.Equal(TraceReplyKind.EchoReply, hops[^1].Probes[0].Reply!.Kind);
        Assert.Equal(new TraceCompleted(TraceEndReason.Reached, 4), events.Completed());
        Assert.IsType<TraceStarted>(events[0].Event);
        Assert.IsType<TraceCompleted>(events[^1].Event);
    }

    [Fact]
    public void No_more_than_N_probes_are_in_flight_and_the_window_is_used_whole()
    {
        var path = new FakeProbePath(destinationHop: 8);
        var events = FakeTrace.Run(path, new TraceOptions { SimultaneousProbes = 4 });

        Assert.Equal(4, path.Sends.Count(s => s.At == TimeSpan.Zero));
        int inFlight = 0, most = 0;
        foreach (var (item, _) in events)
        {
            inFlight += item switch { TraceProbeSent => 1, TraceProbeAnswered or TraceProbeTimedOut => -1, _ => 0 };
            most = Math.Max(most, inFlight);
        }
        Assert.Equal(4, most);
        Assert.Equal(new TraceCompleted(TraceEndReason.Reached, 8), events.Completed());
        Assert.All(events.Hops(), hop => Assert.All(hop.Probes, p => Assert.NotNull(p.Reply)));
    }

    [Fact]
    public void Probes_beyond_the_hop_that_reached_the_target_are_never_reported()
    {
        var path = new FakeProbePath(destinationHop: 3);
        var events = FakeTrace.Run(path, new TraceOptions { SimultaneousProbes = 16 }); // traceroute's window

        // 16 probes at once (hops 1 to 6), 3 more as hop 1 answered (1 ms) and 3 as hop 2 did (2 ms); at 3 ms the target
        // answered hop 3, and nothing more went out. It answered hops 3 to 7; only hop 3 is reported.
        Assert.Equal(22, path.Sends.Count);
        Assert.DoesNotContain(path.Sends, s => s.At > TimeSpan.FromMilliseconds(2));
        Assert.Equal([1, 2, 3], events.Hops().Select(h => h.Ttl));
        Assert.DoesNotContain(events, e => e.Event is TraceProbeAnswered { Ttl: > 3 } or TraceProbeTimedOut);
        Assert.Equal(new TraceCompleted(TraceEndReason.Reached, 3), events.Completed());
    }

    [Fact]
    public void An_unreachable_error_ends_the_trace_at_its_hop_as_unreachable()
    {
        var path = new FakeProbePath(destinationHop: 6);
        path.Answer = probe => probe.Ttl < 2
            ? path.Faithful(probe)
            : new FakeAnswer(new ProbeResponse(probe.Key, TraceReplyKind.Unreachable, FakeProbePath.Router(2), 0) { Type = 3, Code = 1 }, TimeSpan.FromMilliseconds(2));
        var events = FakeTrace.Run(path, new TraceOptions());

        var last = events.Hops()[^1];
        Assert.Equal(2, last.Ttl);
        Assert.All(last.Probes, p => Assert.Equal((TraceReplyKind.Unreachable, (byte)3, (byte)1), (p.Reply!.Kind, p.Reply.IcmpType, p.Reply.IcmpCode)));
        Assert.Equal(new TraceCompleted(TraceEndReason.Unreachable, 2), events.Completed());
    }

    [Fact]
    public void A_path_that_never_reaches_the_target_ends_at_the_max_ttl()
    {
        var path = new FakeProbePath(destinationHop: 40);
        var events = FakeTrace.Run(path, new TraceOptions { FirstTtl = 3, MaxTtl = 7 });

        Assert.Equal([3, 4, 5, 6, 7], events.Hops().Select(h => h.Ttl));
        Assert.Equal(new TraceCompleted(TraceEndReason.MaxTtl, 7), events.Completed());
        Assert.DoesNotContain(path.Sends, s => s.Ttl is < 3 or > 7);
    }

    [Fact]
    public void Flow_keys_are_icmp_sequence_numbers_from_1_or_udp_ports_from_the_first_port_each_used_once()
    {
        var icmp = new FakeProbePath(destinationHop: 3);
        FakeTrace.Run(icmp, new TraceOptions());
        Assert.Equal(Enumerable.Range(1, icmp.Sends.Count).Select(i => (ushort)i), icmp.Sends.Select(s => s.Key));

        var udp = new FakeProbePath(destinationHop: 3);
        FakeTrace.Run(udp, new TraceOptions { Probe = TraceProbeKind.Udp });
        Assert.Equal(Enumerable.Range(33434, udp.Sends.Count).Select(i => (ushort)i), udp.Sends.Select(s => s.Key));
    }

    [Fact]
    public void A_duplicate_answer_is_counted_once()
    {
        var path = new FakeProbePath(destinationHop: 2);
        path.Answer = probe => path.Faithful(probe) with { Copies = 2 };
        var events = FakeTrace.Run(path, new TraceOptions());

        var answered = events.Select(e => e.Event).OfType<TraceProbeAnswered>().Where(a => a.Ttl <= 2).ToList();
        Assert.Equal(6, answered.Count);
        Assert.Equal(6, answered.Select(a => (a.Ttl, a.Probe)).Distinct().Count());
    }

    [Fact]
    public void A_send_the_kernel_refuses_ends_the_trace_with_its_errno()
    {
        var path = new FakeProbePath(destinationHop: 6) { SendResult = probe => probe.Ttl >= 3 ? 101 : 0 }; // ENETUNREACH
        var events = FakeTrace.Run(path, new TraceOptions());

        var failed = Assert.Single(events.Select(e => e.Event).OfType<TraceSendFailed>());
        Assert.Equal((3, 0, 101), (failed.Ttl, failed.Probe, failed.ErrorNumber));
        Assert.Equal(TraceEndReason.SendFailed, events.Completed().Reason);
    }

    [Fact]
    public void No_buffer_space_is_tried_again_a_little_later()
    {
        int refusals = 0;
        var path = new FakeProbePath(destinationHop: 2) { SendResult = _ => refusals++ < 3 ? 105 : 0 }; // ENOBUFS, three times
        var events = FakeTrace.Run(path, new TraceOptions());

        Assert.Equal(new TraceCompleted(TraceEndReason.Reached, 2), events.Completed());
        Assert.Equal(TimeSpan.FromMilliseconds(30), path.Sends[0].At); // 10 ms after each refusal
    }

    [Fact]
    public async Task Through_the_public_api_events_stream_and_leaving_early_stops_the_trace()
    {
        var path = new FakeProbePath(destinationHop: 5);
        var tracer = new Tracer(path.Time, (_, _) => path);
        var all = new List<TraceEvent>();
        await foreach (var item in tracer.TraceAsync(FakeProbePath.Target, new TraceOptions()))
        {
            all.Add(item);
        }
        Assert.IsType<TraceStarted>(all[0]);
        Assert.Equal(new TraceCompleted(TraceEndReason.Reached, 5), all[^1]);

        using var silent = new FakeProbePath(destinationHop: 5) { Answer = _ => null, BlockWhenIdle = true };
        await foreach (var item in new Tracer(silent.Time, (_, _) => silent).TraceAsync(FakeProbePath.Target, new TraceOptions()))
        {
            if (item is TraceProbeSent)
            {
                break; // leaving the loop cancels the run, which wakes the transport and ends
            }
        }
        Assert.True(silent.Woken);
        Assert.Equal(TraceOptions.DefaultSimultaneousProbes, silent.Sends.Count);
    }
}
