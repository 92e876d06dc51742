using System.Net;
using IcmpKit.Trace.Probes;
using IcmpKit.Transport;

namespace IcmpKit.Trace;

/// <summary>
/// One continuous trace (mtr), run on one thread that sends, waits in the transport's poll and matches, as
/// <see cref="TraceRun"/>. Round r starts at r × interval; its probes, one per hop from the first TTL to the destination
/// (to the maximum TTL until the destination answers), are spread evenly over the interval as mtr spreads them, so a
/// round in which the destination answers stops there. Each probe waits at most <see cref="TraceWait.Max"/>; an answer
/// the kernel received within that counts even when read later. A hop paced for its ICMP rate limit
/// (<see cref="HopPacer"/>) is skipped in the rounds that come before its next probe is due.
/// </summary>
internal sealed class ContinuousTraceRun
{
    /// <summary>mtr's MAX_PATH: the addresses remembered per hop (load-balanced paths, route changes).</summary>
    private const int MaxAddressesPerHop = 8;

    /// <summary>Rounds whose farthest answer is remembered, for telling whether the path went on past a silent hop.</summary>
    private const int RoundMemory = 256;

    private const int ENoBufs = 105;
    private const int EAgain = 11;
    private const int MaxTransientFailures = 100;
    private static readonly TimeSpan TransientRetry = TimeSpan.FromMilliseconds(10);

    private readonly IPAddress _target;
    private readonly ContinuousTraceOptions _options;
    private readonly TraceOptions _probes;
    private readonly IProbeTransport _transport;
    private readonly TimeProvider _time;
    private readonly Action<TraceEvent> _emit;
    private readonly bool _v6;
    private readonly Hop[] _hops;
    private readonly Dictionary<ushort, Flight> _flights = [];
    private readonly List<ProbeResponse> _responses = [];
    private readonly int[] _farthestRound = new int[RoundMemory];
    private readonly int[] _farthestTtl = new int[RoundMemory];
    private readonly long _intervalTicks;
    private readonly TimeSpan _wait;

    private int _round = -1;
    private long _roundStart;
    private double _spacingTicks;
    private int _nextTtl;
    private bool _roundsDone;
    private int? _finalTtl;
    private int _farthestAnswered;
    private bool _reached;
    private long _keyCounter;
    private long _retrySendAt;
    private int _transientFailures;

    public ContinuousTraceRun(IPAddress target, ContinuousTraceOptions options, IProbeTransport transport, TimeProvider time, Action<TraceEvent> emit)
    {
        _target = target;
        _options = options;
        _probes = options.Probes;
        _transport = transport;
        _time = time;
        _emit = emit;
        _v6 = target.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        _hops = [.. Enumerable.Range(_probes.FirstTtl, _probes.MaxTtl - _probes.FirstTtl + 1).Select(ttl => new Hop(ttl, time))];
        _intervalTicks = Ticks(options.Interval);
        _wait = _probes.Wait.Max;
        _farthestRound.AsSpan().Fill(-1);
        _farthestAnswered = _probes.FirstTtl - 1;
    }

    public void Run(CancellationToken token)
    {
        _emit(new TraceStarted(_target, _probes.Probe, _transport.Kind, _transport.PacketLength, _probes.FirstTtl, _probes.MaxTtl, 1)
        {
            WhyNotDatagram = _transport.WhyNotDatagram,
        });
        StartRound(_time.GetTimestamp());
        while (!token.IsCancellationRequested)
        {
            if (!SendDue())
            {
                Finish(ContinuousTraceEndReason.SendFailed);
                return;
            }
            // Read what the kernel already holds before calling a probe lost: a busy machine may be late to read it.
            if (MarkOverdue() && !ReceiveAndMatch(0))
            {
                break;
            }
            SettleOverdue();
            if (_roundsDone && _flights.Count == 0)
            {
                Finish(ContinuousTraceEndReason.RoundsDone);
                return;
            }
            if (!ReceiveAndMatch(WaitMilliseconds()))
            {
                break;
            }
        }
        Finish(ContinuousTraceEndReason.Interrupted);
    }

    /// <summary>The last TTL probed: the destination's (or the hop that said it cannot be reached), else the maximum.</summary>
    private int LastTtl => _finalTtl ?? _probes.MaxTtl;

    private void StartRound(long start)
    {
        _round++;
        _roundStart = start;
        _nextTtl = _probes.FirstTtl;
        _spacingTicks = _intervalTicks / (double)(LastTtl - _probes.FirstTtl + 1);
    }

    /// <summary>Sends the next probe if its time has come, starting rounds as their time comes. False when a send failed for good.</summary>
    private bool SendDue()
    {
        long now = _time.GetTimestamp();
        if (_retrySendAt != 0 && now < _retrySendAt)
        {
            return true;
        }
        _retrySendAt = 0;
        while (!_roundsDone)
        {
            if (_nextTtl > LastTtl)
            {
                long nextRound = _roundStart + _intervalTicks;
                if (now < nextRound)
                {
                    return true;
                }
                _emit(new ContinuousTraceRound(_round, Hops()));
                if (_options.Rounds is { } rounds && _round + 1 >= rounds)
                {
                    _roundsDone = true;
                    return true;
                }
                // After a stall (a stopped process, a starved thread) the rounds missed are not sent in a burst.
                StartRound(now - nextRound > _intervalTicks ? now : nextRound);
                continue;
            }
            if (now < _roundStart + (long)((_nextTtl - _probes.FirstTtl) * _spacingTicks))
            {
                return true;
            }
            var hop = _hops[_nextTtl - _probes.FirstTtl];
            if (hop.Pacer.Interval is not null && now < hop.NextSendAt)
            {
                _nextTtl++; // paced: this round goes without it
                continue;
            }
            int errno = Send(hop);
            if (errno == 0)
            {
                _transientFailures = 0;
                _nextTtl++;
                // One send per pass: when late (a busy or cold start), the answers that came meanwhile are read before the
                // next send, so the first round still stops at the destination.
                return true;
            }
            if (errno is ENoBufs or EAgain && ++_transientFailures < MaxTransientFailures)
            {
                _retrySendAt = _time.GetTimestamp() + Ticks(TransientRetry);
                return true;
            }
            _emit(new TraceSendFailed(hop.Ttl, _round, errno, Sockets.IcmpSocket.DescribeError(errno)));
            return false;
        }
        return true;
    }

    private int Send(Hop hop)
    {
        ushort key = NextKey();
        long realtime = 0;
        long sentAt = _time.GetTimestamp();
        int errno = _transport.Send(key, hop.Ttl, ref realtime);
        if (errno != 0)
        {
            return errno;
        }
        _flights[key] = new Flight(hop, _round, key, sentAt, realtime);
        hop.Statistics.AddSent();
        if (_options.Pacing)
        {
            hop.Pacer.Sent(sentAt);
        }
        if (hop.Pacer.Interval is { } paced)
        {
            hop.NextSendAt = sentAt + Ticks(paced);
        }
        _emit(new TraceProbeSent(hop.Ttl, _round, 1, key));
        return 0;
    }

    /// <summary>
    /// The next flow key not in flight: ICMP sequence numbers 1 to 65535 (traceroute starts at 1), UDP ports from the
    /// first port to 65535, round and round. A probe waits at most its wait, so a key comes back long after its last use.
    /// </summary>
    private ushort NextKey()
    {
        while (true)
        {
            long n = _keyCounter++;
            ushort key = _probes.Probe == TraceProbeKind.Udp
                ? (ushort)(_probes.FirstPort + (n % (65536 - _probes.FirstPort)))
                : (ushort)(1 + (n % 65535));
            if (!_flights.ContainsKey(key))
            {
                return key;
            }
        }
    }

    private bool ReceiveAndMatch(int timeoutMilliseconds)
    {
        int read = _transport.Receive(timeoutMilliseconds, _responses);
        if (read < 0)
        {
            return false; // woken: cancelled
        }
        foreach (var response in _responses)
        {
            Match(response);
        }
        _responses.Clear();
        return true;
    }

    private void Match(ProbeResponse response)
    {
        if (!_flights.TryGetValue(response.Key, out var flight))
        {
            return; // not ours, a copy, or settled already
        }
        bool kernelStamp = response.ReceivedAtNanoseconds != 0;
        long received = kernelStamp ? response.ReceivedAtNanoseconds : _transport.RealtimeNanoseconds();
        var (rtt, adjusted) = RoundTripClock.Measure(received, flight.SentRealtime, _time.GetElapsedTime(flight.SentAt));
        if (flight.AllowedWait is { } allowed && rtt > allowed)
        {
            return; // after its wait: it will be settled as lost
        }
        _flights.Remove(response.Key);
        var hop = flight.Hop;
        var reply = new TraceReply(response.From, rtt, response.Kind, _v6, response.Type, response.Code)
        {
            ReplyTtl = response.ReplyTtl,
            Mtu = response.Mtu,
            Extensions = response.Extensions,
            ErrorNumber = response.ErrorNumber,
            FlowKey = flight.Key,
            IsKernelTimestamp = kernelStamp,
            IsClockAdjusted = adjusted,
        };
        _emit(new TraceProbeAnswered(hop.Ttl, flight.Round, reply));
        hop.Remember(reply);
        if (reply.IsFinal && (_finalTtl is null || hop.Ttl < _finalTtl))
        {
            _finalTtl = hop.Ttl;
        }
        _reached |= reply.ReachedDestination && hop.Ttl <= LastTtl;
        _farthestAnswered = Math.Max(_farthestAnswered, hop.Ttl);
        int slot = flight.Round % RoundMemory;
        if (_farthestRound[slot] != flight.Round)
        {
            _farthestRound[slot] = flight.Round;
            _farthestTtl[slot] = 0;
        }
        _farthestTtl[slot] = Math.Max(_farthestTtl[slot], hop.Ttl);
        hop.Statistics.AddReply(rtt);
        Settled(flight, answered: true);
    }

    /// <summary>Probes whose wait ran out get it written down (an answer the kernel took within it still counts). True when any did.</summary>
    private bool MarkOverdue()
    {
        long now = _time.GetTimestamp();
        bool any = false;
        foreach (var flight in _flights.Values)
        {
            if (flight.AllowedWait is null && _time.GetElapsedTime(flight.SentAt, now) >= _wait)
            {
                flight.AllowedWait = _wait;
                any = true;
            }
        }
        return any;
    }

    private void SettleOverdue()
    {
        foreach (var flight in _flights.Values.Where(f => f.AllowedWait is not null).ToList())
        {
            _flights.Remove(flight.Key);
            _emit(new TraceProbeTimedOut(flight.Hop.Ttl, flight.Round, 1));
            Settled(flight, answered: false);
        }
    }

    /// <summary>Counts a settled probe, through the hop's pacer when pacing is on (which may change the hop's pace).</summary>
    private void Settled(Flight flight, bool answered)
    {
        var hop = flight.Hop;
        if (!_options.Pacing)
        {
            if (!answered)
            {
                hop.Statistics.AddLoss();
            }
            return;
        }
        int farthest = _farthestRound[flight.Round % RoundMemory] == flight.Round ? _farthestTtl[flight.Round % RoundMemory] : 0;
        var interval = hop.Pacer.Interval is { } paced && paced > _options.Interval ? paced : _options.Interval;
        var (verdict, change) = hop.Pacer.Settle(flight.SentAt, answered, pathWentOn: farthest > hop.Ttl, lastHop: hop.Ttl == LastTtl, interval);
        if (!answered)
        {
            if (verdict == PacingVerdict.RateLimited)
            {
                hop.Statistics.AddRateLimitedInFlight();
            }
            else
            {
                hop.Statistics.AddLoss();
            }
        }
        if (change is not { } pace)
        {
            return;
        }
        if (pace.GivenUp)
        {
            hop.Statistics.RestoreRateLimitedAsLoss(hop.Statistics.RateLimited);
            hop.PacedFromRound = null;
        }
        else
        {
            for (int i = 0; i < pace.Reclassify; i++)
            {
                hop.Statistics.ReclassifyLossAsRateLimited();
            }
            hop.PacedFromRound ??= _round;
            hop.NextSendAt = _time.GetTimestamp() + Ticks(pace.Interval!.Value);
        }
        _emit(new ContinuousHopPaced(hop.Ttl, hop.From, pace.Interval, _round, hop.Statistics.RateLimited));
    }

    /// <summary>Milliseconds until the next send, retry or wait running out, rounded up.</summary>
    private int WaitMilliseconds()
    {
        long now = _time.GetTimestamp();
        long? next = null;
        void Consider(long at) => next = next is null || at < next ? at : next;
        if (_retrySendAt != 0)
        {
            Consider(_retrySendAt);
        }
        else if (!_roundsDone)
        {
            Consider(_nextTtl > LastTtl
                ? _roundStart + _intervalTicks
                : _roundStart + (long)((_nextTtl - _probes.FirstTtl) * _spacingTicks));
        }
        long waitTicks = Ticks(_wait);
        foreach (var flight in _flights.Values)
        {
            Consider(flight.SentAt + waitTicks);
        }
        if (next is null)
        {
            return 100;
        }
        var left = _time.GetElapsedTime(now, next.Value);
        return left <= TimeSpan.Zero ? 0 : (int)Math.Min(int.MaxValue, Math.Ceiling(left.TotalMilliseconds));
    }

    /// <summary>
    /// The hops shown: up to the destination once it answered, else (as mtr's net_max()) up to one beyond the farthest
    /// hop that answered; the first hop at least.
    /// </summary>
    private List<ContinuousHop> Hops()
    {
        int last = _finalTtl ?? Math.Min(_probes.MaxTtl, Math.Max(_probes.FirstTtl, _farthestAnswered + 1));
        return [.. _hops.Where(h => h.Ttl <= last).Select(h => h.Snapshot())];
    }

    private void Finish(ContinuousTraceEndReason reason) =>
        _emit(new ContinuousTraceCompleted(reason, _round + 1, _reached, Hops()));

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <summary>One probe in flight.</summary>
    private sealed class Flight(Hop hop, int round, ushort key, long sentAt, long sentRealtime)
    {
        public Hop Hop { get; } = hop;
        public int Round { get; } = round;
        public ushort Key { get; } = key;
        public long SentAt { get; } = sentAt;
        public long SentRealtime { get; } = sentRealtime;

        /// <summary>Set when its wait ran out: an answer the kernel received within it still counts.</summary>
        public TimeSpan? AllowedWait { get; set; }
    }

    /// <summary>One TTL: its statistics, pacing, and who answered it.</summary>
    private sealed class Hop(int ttl, TimeProvider time)
    {
        private readonly List<IPAddress> _addresses = [];

        public int Ttl { get; } = ttl;
        public HopStatistics Statistics { get; } = new();
        public HopPacer Pacer { get; } = new(time);
        public long NextSendAt { get; set; }
        public int? PacedFromRound { get; set; }
        public IPAddress? From { get; private set; }
        public TraceReply? LastReply { get; private set; }

        public void Remember(TraceReply reply)
        {
            LastReply = reply;
            if (reply.From is not { } from)
            {
                return;
            }
            From = from;
            if (_addresses.Count < MaxAddressesPerHop && !_addresses.Contains(from))
            {
                _addresses.Add(from);
            }
        }

        public ContinuousHop Snapshot() => new(Ttl, From, [.. _addresses], Statistics.Snapshot())
        {
            LastReply = LastReply,
            PacedInterval = Pacer.Interval,
            PacedFromRound = Pacer.Interval is null ? null : PacedFromRound,
        };
    }
}
