using System.Net;
using IcmpKit.Trace.Probes;
using IcmpKit.Transport;

namespace IcmpKit.Trace;

/// <summary>
/// --multipath: the paths through load-balanced hops, found as Paris traceroute's MDA does, on one thread (as
/// <see cref="TraceRun"/>). Hop by hop, probes go out on flows 0, 1, 2, … (the fields a load balancer hashes: see
/// <see cref="IFlowProbeTransport"/>), each flow once per hop, until the hop has answered as many as the stopping rule
/// asks for the interfaces seen so far (6 for one, 11 for two, …): then another interface would have shown with 95%
/// probability. Every hop starts again from flow 0, so a flow's interfaces at consecutive hops are the links of one path.
/// The rule is applied to the hop as a whole, not to each interface of the hop before (MDA-Lite's assumption that flows
/// spread evenly: Vermeulen et al., "Multilevel MDA-Lite Paris Traceroute", IMC 2018); a load balancer that favours one
/// next hop can hide another. A silent probe's flow is not tried again: the next flow is, so silence costs probes, not
/// confidence, up to as many silent probes as answers asked for. The trace ends at the first hop whose answers all end
/// the path (the destination, or an unreachable error).
/// </summary>
internal sealed class MultipathRun
{
    /// <summary>traceroute's DEF_WAIT_PREC, as <see cref="TraceRun"/>.</summary>
    private static readonly TimeSpan WaitPrecision = TimeSpan.FromMilliseconds(1);

    private readonly IPAddress _target;
    private readonly TraceOptions _options;
    private readonly IFlowProbeTransport _transport;
    private readonly TimeProvider _time;
    private readonly Action<TraceEvent> _emit;
    private readonly List<ProbeResponse> _responses = [];
    private readonly bool _v6;
    private readonly int _flows;
    private long _sends;

    public MultipathRun(IPAddress target, TraceOptions options, IFlowProbeTransport transport, TimeProvider time, Action<TraceEvent> emit)
    {
        _target = target;
        _options = options;
        _transport = transport;
        _time = time;
        _emit = emit;
        _v6 = target.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        _flows = Math.Min(transport.FlowCount, MultipathStoppingRule.ProbesNeeded(MultipathStoppingRule.MaxNextHops) * 2);
    }

    public void Run(CancellationToken token)
    {
        _emit(new TraceStarted(_target, _options.Probe, _transport.Kind, _transport.PacketLength, _options.FirstTtl, _options.MaxTtl, 0)
        {
            WhyNotDatagram = _transport.WhyNotDatagram,
        });
        Dictionary<int, IPAddress> previous = [];
        for (int ttl = _options.FirstTtl; ttl <= _options.MaxTtl; ttl++)
        {
            var hop = new HopProbes(ttl);
            if (!Probe(hop, token))
            {
                if (hop.SendFailure is { } failure)
                {
                    _emit(failure);
                    _emit(new TraceCompleted(TraceEndReason.SendFailed, ttl - 1));
                }
                return; // cancelled
            }
            _emit(Settle(hop, previous));
            if (hop.Answers.Count > 0 && hop.Answers.Values.All(reply => reply.IsFinal))
            {
                bool reached = hop.Answers.Values.Any(reply => reply.ReachedDestination);
                _emit(new TraceCompleted(reached ? TraceEndReason.Reached : TraceEndReason.Unreachable, ttl));
                return;
            }
            previous = hop.Answers.Where(a => a.Value.From is not null).ToDictionary(a => a.Key, a => a.Value.From!);
        }
        _emit(new TraceCompleted(TraceEndReason.MaxTtl, _options.MaxTtl));
    }

    /// <summary>One hop's probes: those in flight by key, the answers by flow, how many went silent.</summary>
    private sealed class HopProbes(int ttl)
    {
        public int Ttl { get; } = ttl;

        public Dictionary<ushort, (int Flow, long SentTimestamp, long SentRealtime)> InFlight { get; } = [];

        public Dictionary<int, TraceReply> Answers { get; } = [];

        public int NextFlow { get; set; }

        public int Silent { get; set; }

        public TraceSendFailed? SendFailure { get; set; }

        public int Interfaces => Answers.Values.Select(a => a.From).OfType<IPAddress>().Distinct().Count();

        public int Needed => MultipathStoppingRule.ProbesNeeded(Math.Max(1, Interfaces));
    }

    /// <summary>Sends and waits until the hop meets the rule, runs out of flows, or is too silent. False when cancelled or a send failed.</summary>
    private bool Probe(HopProbes hop, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            // Silent probes are replaced by new flows, but no more of them than answers the rule asks for.
            while (hop.InFlight.Count < _options.EffectiveSimultaneousProbes && hop.Answers.Count + hop.InFlight.Count < hop.Needed
                && hop.NextFlow < _flows && hop.Silent < hop.Needed)
            {
                if (!Send(hop))
                {
                    return false;
                }
            }
            if (hop.InFlight.Count == 0)
            {
                return true;
            }
            if (!ReceiveAndMatch(hop, WaitMilliseconds(hop)))
            {
                return false;
            }
            Expire(hop);
        }
        return false;
    }

    private bool Send(HopProbes hop)
    {
        int flow = hop.NextFlow++;
        ushort key = (ushort)(1 + (_sends % 65534)); // never 0: a UDP probe's checksum is its key
        long realtime = 0;
        long sentAt = _time.GetTimestamp();
        int errno = _transport.Send(key, flow, hop.Ttl, ref realtime);
        if (errno != 0)
        {
            hop.SendFailure = new TraceSendFailed(hop.Ttl, flow, errno, Sockets.IcmpSocket.DescribeError(errno));
            return false;
        }
        _sends++;
        hop.InFlight[key] = (flow, sentAt, realtime);
        _emit(new TraceProbeSent(hop.Ttl, flow, 1, key));
        return true;
    }

    private bool ReceiveAndMatch(HopProbes hop, int timeoutMilliseconds)
    {
        int read = _transport.Receive(timeoutMilliseconds, _responses);
        if (read < 0)
        {
            return false; // woken: cancelled
        }
        foreach (var response in _responses)
        {
            if (!hop.InFlight.Remove(response.Key, out var probe))
            {
                continue; // another hop's, late, or a copy
            }
            bool kernelStamp = response.ReceivedAtNanoseconds != 0;
            long received = kernelStamp ? response.ReceivedAtNanoseconds : _transport.RealtimeNanoseconds();
            var (rtt, adjusted) = RoundTripClock.Measure(received, probe.SentRealtime, _time.GetElapsedTime(probe.SentTimestamp));
            var reply = new TraceReply(response.From, rtt, response.Kind, _v6, response.Type, response.Code)
            {
                ReplyTtl = response.ReplyTtl,
                Mtu = response.Mtu,
                Extensions = response.Extensions,
                ErrorNumber = response.ErrorNumber,
                TcpFlags = response.TcpFlags,
                FlowKey = response.Key,
                IsKernelTimestamp = kernelStamp,
                IsClockAdjusted = adjusted,
            };
            hop.Answers[probe.Flow] = reply;
            _emit(new TraceProbeAnswered(hop.Ttl, probe.Flow, reply));
        }
        _responses.Clear();
        return true;
    }

    /// <summary>Probes whose wait ran out are silent for good (what the kernel already holds was read just before).</summary>
    private void Expire(HopProbes hop)
    {
        long now = _time.GetTimestamp();
        var wait = Wait(hop);
        foreach (var (key, probe) in hop.InFlight.Where(p => _time.GetElapsedTime(p.Value.SentTimestamp, now) >= wait).ToList())
        {
            hop.InFlight.Remove(key);
            hop.Silent++;
            _emit(new TraceProbeTimedOut(hop.Ttl, probe.Flow, 1));
        }
    }

    /// <summary>traceroute's -w: at most MAX; once the hop has answered, HERE times its fastest answer (plus 1 ms).</summary>
    private TimeSpan Wait(HopProbes hop)
    {
        var wait = _options.Wait;
        if (wait.Here > 0 && hop.Answers.Count > 0)
        {
            var fastest = hop.Answers.Values.Min(a => a.RoundTripTime);
            var scaled = TimeSpan.FromTicks((long)Math.Min((fastest + WaitPrecision).Ticks * wait.Here, wait.Max.Ticks));
            return scaled < wait.Max ? scaled : wait.Max;
        }
        return wait.Max;
    }

    private int WaitMilliseconds(HopProbes hop)
    {
        long now = _time.GetTimestamp();
        var wait = Wait(hop);
        var left = hop.InFlight.Values.Min(p => wait - _time.GetElapsedTime(p.SentTimestamp, now));
        return left <= TimeSpan.Zero ? 0 : (int)Math.Min(int.MaxValue, Math.Ceiling(left.TotalMilliseconds));
    }

    private static TraceMultipathHop Settle(HopProbes hop, Dictionary<int, IPAddress> previous)
    {
        var interfaces = hop.Answers
            .Where(a => a.Value.From is not null)
            .GroupBy(a => a.Value.From!)
            .OrderBy(g => g.Key.GetAddressBytes(), AddressOrder.Instance)
            .Select(g => new TraceMultipathInterface(
                g.Key,
                g.First().Value.Kind,
                [.. g.Select(a => a.Key).Order()],
                g.Min(a => a.Value.RoundTripTime),
                [.. g.Select(a => previous.GetValueOrDefault(a.Key)).OfType<IPAddress>().Distinct()
                    .OrderBy(p => p.GetAddressBytes(), AddressOrder.Instance)]))
            .ToList();
        return new TraceMultipathHop(hop.Ttl, interfaces, hop.NextFlow, hop.Answers.Count, hop.Needed);
    }

    /// <summary>Addresses in numeric order (IPv4 before IPv6), so a hop's interfaces read the same in every run.</summary>
    private sealed class AddressOrder : IComparer<byte[]>
    {
        public static readonly AddressOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            return x.Length != y.Length ? x.Length.CompareTo(y.Length) : x.AsSpan().SequenceCompareTo(y);
        }
    }
}
