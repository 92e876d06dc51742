using System.Net;
using IcmpKit.Trace.Probes;
using IcmpKit.Transport;

namespace IcmpKit.Trace;

/// <summary>
/// One trace, run on one thread that sends, waits in the transport's poll and matches (as ping's pumped loop): no lock,
/// and events leave in the order things happen. The schedule is traceroute's do_it(): probes go out in TTL order, at most
/// <see cref="TraceOptions.EffectiveSimultaneousProbes"/> in flight, each waiting as <see cref="TraceWait"/> says; an answer that
/// ends the path cuts off every probe beyond its hop. Unlike traceroute, answers are matched by flow key only (never by
/// the order they come in), an answer the kernel received within the wait counts even when this thread reads it late,
/// and a silent probe of a hop that does lead somewhere is sent once more (see <see cref="DecideOverdue"/>).
/// </summary>
internal sealed partial class TraceRun
{
    /// <summary>traceroute's DEF_WAIT_PREC: added to an RTT before it is multiplied, so that a 0.01 ms hop still waits.</summary>
    private static readonly TimeSpan WaitPrecision = TimeSpan.FromMilliseconds(1);

    /// <summary>After ENOBUFS / EAGAIN: try sending again this much later (traceroute: "have chances later").</summary>
    private static readonly TimeSpan TransientRetry = TimeSpan.FromMilliseconds(10);

    /// <summary>ENOBUFS / EAGAIN this many times in a row (a second of them) is a failure.</summary>
    private const int MaxTransientFailures = 100;

    private const int ENoBufs = 105;
    private const int EAgain = 11;

    private readonly IPAddress _target;
    private readonly TraceOptions _options;
    private readonly IProbeTransport _transport;
    private readonly TimeProvider _time;
    private readonly Action<TraceEvent> _emit;
    private readonly ProbeSlot[] _probes;
    private readonly Dictionary<ushort, ProbeAttempt> _attempts = [];
    private readonly List<ProbeResponse> _responses = [];
    private readonly int _perHop;
    private readonly bool _v6;
    private int _end;
    private int _nextHop;
    private int _inFlight;
    private long _sends;
    private int _transientFailures;
    private long _retrySendAt;
    private int _lastReportedTtl;

    public TraceRun(IPAddress target, TraceOptions options, IProbeTransport transport, TimeProvider time, Action<TraceEvent> emit)
    {
        _target = target;
        _options = options;
        _transport = transport;
        _time = time;
        _emit = emit;
        _v6 = target.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        _perHop = options.ProbesPerHop;
        _probes = new ProbeSlot[(options.MaxTtl - options.FirstTtl + 1) * _perHop];
        for (int i = 0; i < _probes.Length; i++)
        {
            _probes[i] = new ProbeSlot(i, options.FirstTtl + (i / _perHop), i % _perHop);
        }
        _end = _probes.Length;
        _lastReportedTtl = options.FirstTtl - 1;
    }

    public void Run(CancellationToken token)
    {
        _emit(new TraceStarted(_target, _options.Probe, _transport.Kind, _transport.PacketLength, _options.FirstTtl, _options.MaxTtl, _perHop)
        {
            WhyNotDatagram = _transport.WhyNotDatagram,
        });
        while (!token.IsCancellationRequested)
        {
            // Read what the kernel already holds before calling anything silent: a busy machine may be late to read an
            // answer that came in time.
            if (MarkOverdue() && !ReceiveAndMatch(0))
            {
                return;
            }
            DecideOverdue();
            if (ReportSettledHops() || !SendWhatFits())
            {
                return;
            }
            if (!ReceiveAndMatch(WaitMilliseconds()))
            {
                return;
            }
        }
    }

    /// <summary>Sends the lowest probes not sent yet (probes to send again come first, being lower), while the window has room.</summary>
    private bool SendWhatFits()
    {
        if (_retrySendAt != 0 && _time.GetTimestamp() < _retrySendAt)
        {
            return true;
        }
        _retrySendAt = 0;
        while (_inFlight < _options.EffectiveSimultaneousProbes && NextToSend() is { } slot)
        {
            if (!Send(slot, earlier: null, out bool failed))
            {
                return !failed;
            }
            _inFlight++;
        }
        return SendDueRechecks();
    }

    /// <summary>
    /// Sends one attempt of <paramref name="slot"/> (a recheck when <paramref name="earlier"/> is its first send, still
    /// waiting). False when it did not go: after ENOBUFS / EAGAIN it is tried again shortly; any other error
    /// (<paramref name="failed"/>) ends the trace.
    /// </summary>
    private bool Send(ProbeSlot slot, ProbeAttempt? earlier, out bool failed)
    {
        failed = false;
        ushort key = KeyFor(_sends);
        long realtime = 0;
        long sentAt = _time.GetTimestamp();
        int errno = _transport.Send(key, slot.Ttl, ref realtime);
        if (errno == 0)
        {
            var attempt = new ProbeAttempt(slot.Index, slot.Attempts + 1, key, _sends, sentAt, realtime)
            {
                PacketLength = SentPacketLength(),
                Earlier = earlier,
            };
            _sends++;
            _attempts[key] = attempt;
            slot.Current = attempt;
            slot.State = ProbeState.InFlight;
            _transientFailures = 0;
            _emit(new TraceProbeSent(slot.Ttl, slot.Place, attempt.Number, key));
            return true;
        }
        if (errno is ENoBufs or EAgain && ++_transientFailures < MaxTransientFailures)
        {
            _retrySendAt = _time.GetTimestamp() + (long)(TransientRetry.TotalSeconds * _time.TimestampFrequency);
            return false;
        }
        _emit(new TraceSendFailed(slot.Ttl, slot.Place, errno, Sockets.IcmpSocket.DescribeError(errno)));
        _emit(new TraceCompleted(TraceEndReason.SendFailed, _lastReportedTtl));
        failed = true;
        return false;
    }

    private ProbeSlot? NextToSend()
    {
        for (int i = _nextHop * _perHop; i < _end; i++)
        {
            if (_probes[i].State == ProbeState.Unsent && IsDue(_probes[i]))
            {
                return _probes[i];
            }
        }
        return null;
    }

    /// <summary>
    /// The flow key of the <paramref name="send"/>-th probe: ICMP sequence numbers from 1 (traceroute), UDP ports from
    /// <see cref="TraceOptions.FirstPort"/>. 255 hops × 10 probes, each sent at most three times, stay below 65536: no key is reused.
    /// </summary>
    private ushort KeyFor(long send) => _options.Probe == TraceProbeKind.Udp
        ? (ushort)(_options.FirstPort + send)
        : (ushort)(1 + send);

    private bool ReceiveAndMatch(int timeoutMilliseconds)
    {
        int read = _transport.Receive(timeoutMilliseconds, _responses);
        if (read < 0)
        {
            return false; // woken: the trace was cancelled
        }
        foreach (var response in _responses)
        {
            Match(response);
        }
        _responses.Clear();
        return true;
    }

    /// <summary>An answer names its probe by flow key; the first answer of a probe counts, a copy or a late one does not.</summary>
    private void Match(ProbeResponse response)
    {
        if (!_attempts.TryGetValue(response.Key, out var attempt))
        {
            return;
        }
        var slot = _probes[attempt.Probe];
        if (slot.State is ProbeState.Answered or ProbeState.Lost or ProbeState.Abandoned)
        {
            return;
        }
        bool kernelStamp = response.ReceivedAtNanoseconds != 0;
        long received = kernelStamp ? response.ReceivedAtNanoseconds : _transport.RealtimeNanoseconds();
        var (rtt, adjusted) = RoundTripClock.Measure(received, attempt.SentRealtime, _time.GetElapsedTime(attempt.SentTimestamp));
        if (attempt.AllowedWait is { } allowed && rtt > allowed)
        {
            return; // it came after its wait ran out: traceroute drops it too
        }
        if (ShrinkForPathMtu(slot, attempt, response))
        {
            return; // --mtu: too big for a link on the way; sent again smaller
        }
        if (slot.State == ProbeState.InFlight)
        {
            _inFlight--; // its current attempt (or the one before it, answered in time after all)
        }
        slot.State = ProbeState.Answered;
        slot.Reply = new TraceReply(response.From, rtt, response.Kind, _v6, response.Type, response.Code)
        {
            ReplyTtl = response.ReplyTtl,
            Mtu = response.Mtu,
            Extensions = response.Extensions,
            ErrorNumber = response.ErrorNumber,
            TcpFlags = response.TcpFlags,
            Attempt = attempt.Number,
            FlowKey = attempt.Key,
            IsKernelTimestamp = kernelStamp,
            IsClockAdjusted = adjusted,
        };
        _emit(new TraceProbeAnswered(slot.Ttl, slot.Place, slot.Reply));
        if (slot.Reply.IsFinal)
        {
            CutAfterHop(slot.Index / _perHop);
        }
    }

    /// <summary>A hop ended the path: nothing beyond it is sent, waited for or reported.</summary>
    private void CutAfterHop(int hop)
    {
        int end = (hop + 1) * _perHop;
        for (int i = end; i < _end; i++)
        {
            if (_probes[i].State == ProbeState.InFlight)
            {
                _inFlight--;
            }
            _probes[i].State = ProbeState.Abandoned;
        }
        _end = Math.Min(_end, end);
    }

    /// <summary>Milliseconds until the next wait runs out (or a send may be tried again), rounded up.</summary>
    private int WaitMilliseconds()
    {
        long now = _time.GetTimestamp();
        TimeSpan? next = null;
        foreach (var slot in InFlight())
        {
            var timeout = Timeout(slot);
            var left = timeout - _time.GetElapsedTime(WaitOrigin(slot, timeout), now);
            next = next is null || left < next ? left : next;
        }
        if (_retrySendAt != 0)
        {
            var left = _time.GetElapsedTime(now, _retrySendAt);
            next = next is null || left < next ? left : next;
        }
        if (UntilNextPacedSend(now) is { } paced)
        {
            next = next is null || paced < next ? paced : next;
        }
        if (_retrySendAt == 0 && UntilNextRecheck(now) is { } recheck) // a due recheck waits for the retry too
        {
            next = next is null || recheck < next ? recheck : next;
        }
        // Nothing in flight and nothing to wait for cannot last (the next round reports or sends); poll briefly anyway.
        var wait = next ?? TimeSpan.FromMilliseconds(100);
        return wait <= TimeSpan.Zero ? 0 : (int)Math.Min(int.MaxValue, Math.Ceiling(wait.TotalMilliseconds));
    }

    private IEnumerable<ProbeSlot> InFlight()
    {
        for (int i = _nextHop * _perHop; i < _end; i++)
        {
            if (_probes[i].State == ProbeState.InFlight)
            {
                yield return _probes[i];
            }
        }
    }
}
