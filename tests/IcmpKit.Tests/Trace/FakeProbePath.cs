using System.Net;
using IcmpKit.Sockets;
using IcmpKit.Trace;
using IcmpKit.Trace.Probes;
using Microsoft.Extensions.Time.Testing;

namespace IcmpKit.Tests.Trace;

/// <summary>One probe the engine sent through the fake path.</summary>
internal sealed record FakeProbe(int Index, ushort Key, int Ttl, TimeSpan At);

/// <summary>
/// What the path does with one probe: answer with <see cref="Response"/> after <see cref="Delay"/> (the kernel's receive
/// timestamp), readable by the engine <see cref="ReadDelay"/> later still (a busy machine reads late).
/// </summary>
internal sealed record FakeAnswer(ProbeResponse Response, TimeSpan Delay, TimeSpan ReadDelay = default)
{
    /// <summary>How many times the answer arrives (2: a duplicate).</summary>
    public int Copies { get; init; } = 1;
}

/// <summary>
/// A path for the trace engine with no sockets and no real time: a chain of routers then the target, on a
/// <see cref="FakeTimeProvider"/>. Each probe sent is handed to <see cref="Answer"/>; <see cref="Receive"/> moves the
/// clock to the next answer that becomes readable within its timeout (or by the whole timeout when none does), so a
/// trace runs in virtual time, deterministically and at once.
/// </summary>
internal sealed class FakeProbePath : IProbeTransport
{
    public static readonly IPAddress Target = IPAddress.Parse("198.18.9.2");

    /// <summary>Virtual time after which the path gives up (a test whose engine never ends fails instead of hanging).</summary>
    private static readonly TimeSpan Horizon = TimeSpan.FromHours(1);

    private readonly List<(DateTimeOffset Readable, ProbeResponse Response)> _pending = [];
    private readonly List<FakeProbe> _sends = [];
    private readonly DateTimeOffset _start;
    private readonly ManualResetEventSlim _woken = new();

    /// <param name="destinationHop">The TTL at which probes reach the target (routers answer below it).</param>
    public FakeProbePath(int destinationHop)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        _start = Time.GetUtcNow();
        DestinationHop = destinationHop;
        Answer = Faithful;
    }

    public FakeTimeProvider Time { get; }

    public int DestinationHop { get; }

    /// <summary>Decides each probe's fate; <see cref="Faithful"/> unless a test says otherwise (null: silence).</summary>
    public Func<FakeProbe, FakeAnswer?> Answer { get; set; }

    /// <summary>errno for a send (0: sent); null: every send succeeds.</summary>
    public Func<FakeProbe, int>? SendResult { get; set; }

    public IReadOnlyList<FakeProbe> Sends => _sends;

    /// <summary>
    /// When nothing is pending, <see cref="Receive"/> blocks in real time until <see cref="Wake"/> (at most 20 s) instead of
    /// moving the clock: a trace that can only end by being stopped.
    /// </summary>
    public bool BlockWhenIdle { get; init; }

    public bool Woken => _woken.IsSet;

    /// <summary>Virtual time since the path was made.</summary>
    public TimeSpan Elapsed => Time.GetUtcNow() - _start;

    public IcmpSocketKind Kind => IcmpSocketKind.Datagram;

    public string WhyNotDatagram => "";

    public int PacketLength => 60;

    /// <summary>Router <paramref name="ttl"/> answers from 198.18.(ttl-1).2.</summary>
    public static IPAddress Router(int ttl) => IPAddress.Parse($"198.18.{ttl - 1}.2");

    /// <summary>RTT of a faithful answer from TTL <paramref name="ttl"/>: a millisecond per hop.</summary>
    public static TimeSpan RoundTrip(int ttl) => TimeSpan.FromMilliseconds(ttl);

    /// <summary>Routers send time exceeded, the target an echo reply; a millisecond per hop each way and back.</summary>
    public FakeAnswer Faithful(FakeProbe probe) => probe.Ttl < DestinationHop
        ? TimeExceeded(probe)
        : new FakeAnswer(new ProbeResponse(probe.Key, TraceReplyKind.EchoReply, Target, 0) { Type = 0, ReplyTtl = 64 - DestinationHop + 1 }, RoundTrip(DestinationHop));

    public static FakeAnswer TimeExceeded(FakeProbe probe) =>
        new(new ProbeResponse(probe.Key, TraceReplyKind.TimeExceeded, Router(probe.Ttl), 0) { Type = 11, ReplyTtl = 64 - probe.Ttl + 1 }, RoundTrip(probe.Ttl));

    public long RealtimeNanoseconds() => (Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    public int Send(ushort key, int ttl, ref long sentAtNanoseconds)
    {
        sentAtNanoseconds = RealtimeNanoseconds();
        var probe = new FakeProbe(_sends.Count, key, ttl, Elapsed);
        int errno = SendResult?.Invoke(probe) ?? 0;
        if (errno != 0)
        {
            return errno;
        }
        _sends.Add(probe);
        if (Answer(probe) is { } answer)
        {
            // The engine reads the kernel's stamp: the send time plus the path's delay.
            var response = answer.Response with { ReceivedAtNanoseconds = sentAtNanoseconds + (answer.Delay.Ticks * 100) };
            for (int copy = 0; copy < answer.Copies; copy++)
            {
                _pending.Add((Time.GetUtcNow() + answer.Delay + answer.ReadDelay, response));
            }
        }
        return 0;
    }

    public int Receive(int timeoutMilliseconds, List<ProbeResponse> responses)
    {
        if (_woken.IsSet || Elapsed > Horizon)
        {
            return -1;
        }
        if (BlockWhenIdle && _pending.Count == 0)
        {
            return _woken.Wait(TimeSpan.FromSeconds(20)) ? -1 : 0;
        }
        var now = Time.GetUtcNow();
        var until = now + TimeSpan.FromMilliseconds(timeoutMilliseconds);
        var next = _pending.Count == 0 ? (DateTimeOffset?)null : _pending.Min(p => p.Readable);
        if (next is null || next > until)
        {
            Time.Advance(until - now);
            return 0;
        }
        if (next > now)
        {
            Time.Advance(next.Value - now);
        }
        now = Time.GetUtcNow();
        var ready = _pending.Where(p => p.Readable <= now).OrderBy(p => p.Readable).ToList();
        foreach (var item in ready)
        {
            _pending.Remove(item);
            responses.Add(item.Response);
        }
        return ready.Count;
    }

    public void Wake() => _woken.Set();

    public void Dispose() => _woken.Dispose();
}

/// <summary>Runs the engine on a fake path, on the test's thread, and notes the virtual time of every event.</summary>
internal static class FakeTrace
{
    public static List<(TraceEvent Event, TimeSpan At)> Run(FakeProbePath path, TraceOptions options)
    {
        var events = new List<(TraceEvent, TimeSpan)>();
        new TraceRun(FakeProbePath.Target, options, path, path.Time, e => events.Add((e, path.Elapsed))).Run(CancellationToken.None);
        return events;
    }

    public static List<TraceHop> Hops(this List<(TraceEvent Event, TimeSpan At)> events) => [.. events.Select(e => e.Event).OfType<TraceHop>()];

    public static TraceCompleted Completed(this List<(TraceEvent Event, TimeSpan At)> events) =>
        Assert.Single(events.Select(e => e.Event).OfType<TraceCompleted>());
}
