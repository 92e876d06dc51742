using System.Net;
using System.Net.Sockets;
using IcmpKit.Ping;
using IcmpKit.Sockets;
using IcmpKit.Tests.Transport;

namespace IcmpKit.Tests.Ping;

/// <summary>
/// One <see cref="Pinger"/> run on a <see cref="FakeIcmpTransport"/> and a <see cref="SteppedTimeProvider"/>: collects
/// its events, and moves the fake clock only while the engine is blocked on a timer, one timer at a time, so what
/// happens when is exact.
/// </summary>
public sealed class PingRun : IAsyncDisposable
{
    public static readonly IPAddress TargetV4 = IPAddress.Parse("198.18.1.1");
    public static readonly IPAddress TargetV6 = IPAddress.Parse("fd42::1:1");
    public static readonly IPAddress RouterV4 = IPAddress.Parse("198.18.0.1");
    public static readonly IPAddress RouterV6 = IPAddress.Parse("fd42::1");

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _cancel = new();
    private readonly Lock _gate = new();
    private readonly List<PingEvent> _events = [];
    private readonly SemaphoreSlim _arrived = new(0, int.MaxValue);
    private int _taken;
    private Task _pump = Task.CompletedTask;

    private PingRun(PingOptions options, IcmpSocketKind kind, bool v6, int operations)
    {
        Time = new SteppedTimeProvider();
        Transport = new FakeIcmpTransport(Time, kind, v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, operations: operations);
        Transport.TimerMark = () => Time.TimersCreated;
        Target = v6 ? TargetV6 : TargetV4;
        Options = options;
        Pinger = new Pinger(Target, options, Transport, ownsTransport: false, Time);
        Started = Time.GetUtcNow();
    }

    public SteppedTimeProvider Time { get; }

    public FakeIcmpTransport Transport { get; }

    public Pinger Pinger { get; }

    public IPAddress Target { get; }

    public PingOptions Options { get; }

    public DateTimeOffset Started { get; }

    /// <summary>The fake time at which the event stream ended.</summary>
    public DateTimeOffset? CompletedAt { get; private set; }

    public bool IsCompleted => _pump.IsCompleted;

    /// <summary>Fake time since the start.</summary>
    public TimeSpan Elapsed => Time.GetUtcNow() - Started;

    /// <summary>Creates the run; <paramref name="setup"/> configures the transport before anything is sent.</summary>
    public static PingRun Start(PingOptions options, IcmpSocketKind kind = IcmpSocketKind.Raw, bool v6 = false, Action<FakeIcmpTransport>? setup = null,
        int operations = 1)
    {
        var run = new PingRun(options, kind, v6, operations);
        setup?.Invoke(run.Transport);
        run._pump = Task.Run(run.PumpAsync);
        return run;
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var item in Pinger.RunAsync(_cancel.Token).ConfigureAwait(false))
            {
                lock (_gate)
                {
                    _events.Add(item);
                }
                _arrived.Release();
            }
        }
        finally
        {
            CompletedAt = Time.GetUtcNow();
            _arrived.Release();
        }
    }

    public IReadOnlyList<PingEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>
    /// Waits for the <paramref name="index"/>-th send, then until the engine blocks on a timer or finishes: after
    /// this, moving the clock or delivering a packet races with nothing.
    /// </summary>
    public async Task<FakeSend> SentAsync(int index)
    {
        var send = await Transport.WaitForSendAsync(index, Patience);
        await Time.WaitForPendingSinceAsync(send.TimerMark, _pump, Patience, Describe);
        return send;
    }

    /// <summary>
    /// The first request goes out at once, on the engine's thread: the clock must not move before the engine waits on
    /// its first timer, or that timer would start late.
    /// </summary>
    private Task<FakeSend> StartedAsync() => SentAsync(1);

    /// <summary>Waits until the engine blocks on a timer created after <paramref name="mark"/>, or finishes.</summary>
    public Task SettleAsync(int mark) => Time.WaitForPendingSinceAsync(mark, _pump, Patience, Describe);

    /// <summary>
    /// Delivers something that wakes the engine while it lingers (a reply or an error it reports) and waits until it
    /// blocks again or finishes.
    /// </summary>
    public async Task WakeAsync(Action deliver)
    {
        int mark = Time.TimersCreated;
        deliver();
        await SettleAsync(mark);
    }

    /// <summary>Moves the clock by <paramref name="by"/>, stopping at each timer on the way and letting the engine settle.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        await StartedAsync();
        var target = Time.GetUtcNow() + by;
        while (true)
        {
            var now = Time.GetUtcNow();
            var next = IsCompleted ? null : Time.NextDue;
            if (next is null || next > target)
            {
                if (target > now)
                {
                    Time.Advance(target - now);
                }
                return;
            }
            int mark = Time.TimersCreated;
            Time.Advance(next.Value > now ? next.Value - now : TimeSpan.Zero);
            await SettleAsync(mark);
        }
    }

    /// <summary>Moves the clock timer by timer until the <paramref name="index"/>-th send (at most <paramref name="limit"/> of fake time).</summary>
    public async Task<FakeSend> AdvanceUntilSentAsync(int index, TimeSpan limit)
    {
        await StartedAsync();
        var until = Time.GetUtcNow() + limit;
        while (Transport.SendCount < index)
        {
            var now = Time.GetUtcNow();
            if (IsCompleted || Time.NextDue is not { } next || next > until)
            {
                throw new InvalidOperationException($"send #{index} did not come within {limit}: {Describe()}");
            }
            int mark = Time.TimersCreated;
            Time.Advance(next > now ? next - now : TimeSpan.Zero);
            await SettleAsync(mark);
        }
        return await SentAsync(index);
    }

    /// <summary>Moves the clock timer by timer until the run ends (at most <paramref name="limit"/> of fake time); returns when it ended.</summary>
    public async Task<TimeSpan> RunToEndAsync(TimeSpan? limit = null)
    {
        await StartedAsync();
        var until = Time.GetUtcNow() + (limit ?? TimeSpan.FromMinutes(10));
        while (!IsCompleted)
        {
            var now = Time.GetUtcNow();
            var next = Time.NextDue;
            if (next is null)
            {
                await SettleAsync(Time.TimersCreated);
                if (!IsCompleted && Time.NextDue is null)
                {
                    throw new InvalidOperationException($"the run waits on nothing the clock can move: {Describe()}");
                }
                continue;
            }
            if (next > until)
            {
                throw new InvalidOperationException($"the run did not end within {limit}: {Describe()}");
            }
            int mark = Time.TimersCreated;
            Time.Advance(next.Value > now ? next.Value - now : TimeSpan.Zero);
            await SettleAsync(mark);
        }
        await _pump;
        return CompletedAt!.Value - Started;
    }

    /// <summary>Waits (real time) for the run to end without moving the clock; returns the fake time it ended at.</summary>
    public async Task<TimeSpan> CompletionAsync()
    {
        await _pump.WaitAsync(Patience);
        return CompletedAt!.Value - Started;
    }

    /// <summary>The next <paramref name="count"/> events not taken yet, waiting (real time) for them.</summary>
    public async Task<PingEvent[]> TakeAsync(int count)
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            lock (_gate)
            {
                if (_events.Count - _taken >= count)
                {
                    var taken = _events.GetRange(_taken, count).ToArray();
                    _taken += count;
                    return taken;
                }
            }
            if (IsCompleted && _arrived.CurrentCount == 0)
            {
                lock (_gate)
                {
                    if (_events.Count - _taken < count)
                    {
                        throw new InvalidOperationException($"the run ended with {_events.Count - _taken} events left, {count} expected: {Describe()}");
                    }
                }
            }
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{count} more events did not come: {Describe()}");
            }
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    public async Task<PingEvent> NextAsync() => (await TakeAsync(1))[0];

    /// <summary>After the run ended: every event not taken yet.</summary>
    public async Task<PingEvent[]> RestAsync()
    {
        await _pump.WaitAsync(Patience);
        lock (_gate)
        {
            var rest = _events.GetRange(_taken, _events.Count - _taken).ToArray();
            _taken = _events.Count;
            return rest;
        }
    }

    /// <summary>Delivers the faithful reply to <paramref name="send"/> (or one with other data) from the target.</summary>
    public void Reply(FakeSend send, byte[]? data = null, long kernelStamp = -1, IPAddress? from = null, byte ttl = 61, byte tos = 0) =>
        Transport.DeliverIcmp(Packets.ReplyTo(send, data), from ?? Target, kernelStamp, ttl, tos);

    /// <summary>The event a faithful reply to <paramref name="send"/> delivered now should produce, with the defaults of <see cref="Reply"/>.</summary>
    public PingReply ExpectedReply(FakeSend send, TimeSpan rtt, long? kernelStamp = null) => new(send.SequenceNumber, Target, send.Message.Length, rtt)
    {
        TimeToLive = 61,
        TrafficClass = 0,
        IsKernelTimestamp = true,
        ReceivedAt = DateTimeOffset.UnixEpoch.AddTicks((kernelStamp ?? Transport.RealtimeNanoseconds()) / 100),
    };

    /// <summary>The run's state, for failure messages.</summary>
    public string Describe() =>
        $"at +{Elapsed.TotalMilliseconds} ms, {Transport.SendCount} sends, completed={IsCompleted}, events=[{string.Join("; ", Events)}], timers=[{Time.DescribeTimers()}]";

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync();
        try
        {
            await _pump.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // the test has already failed or asserted what it wanted
        }
        Pinger.Dispose();
        Transport.Dispose();
        Time.Dispose();
        _cancel.Dispose();
        _arrived.Dispose();
    }
}
