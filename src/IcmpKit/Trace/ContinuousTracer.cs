using System.Net;
using IcmpKit.Trace.Probes;
using IcmpKit.Transport;

namespace IcmpKit.Trace;

/// <summary>
/// Traces the path to a host continuously, as mtr does: every hop probed once per round, per-hop statistics
/// (<see cref="HopStatistics"/>: loss, last, average, best, worst, standard deviation, jitter), and hops that answer
/// only within an ICMP rate limit paced instead of reported as lossy (<see cref="ContinuousTraceOptions.Pacing"/>).
/// Reports every probe sent and settled, a <see cref="ContinuousTraceRound"/> with every hop's statistics as each round's
/// time ends, <see cref="ContinuousHopPaced"/> when a hop's pace changes, and <see cref="ContinuousTraceCompleted"/> last
/// (also when cancelled). Engines never print and resolve no names.
/// </summary>
public sealed class ContinuousTracer
{
    private readonly TimeProvider _time;
    private readonly Func<IPAddress, TraceOptions, IProbeTransport> _open;

    public ContinuousTracer()
        : this(TimeProvider.System, Tracer.OpenTransport)
    {
    }

    /// <summary>For tests: a clock and the probes' transport of one's own.</summary>
    internal ContinuousTracer(TimeProvider time, Func<IPAddress, TraceOptions, IProbeTransport> open)
    {
        _time = time;
        _open = open;
    }

    /// <summary>
    /// Traces <paramref name="target"/> until the rounds asked for are done and settled, or until cancelled; then the last
    /// event is <see cref="ContinuousTraceCompleted"/>. A socket that cannot be opened fails the first MoveNextAsync with
    /// <see cref="Sockets.IcmpSocketException"/>.
    /// </summary>
    public IAsyncEnumerable<TraceEvent> TraceAsync(IPAddress target, ContinuousTraceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Probes);
        Tracer.Validate(target, options.Probes);
        if (options.Interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Interval, "The interval is more than 0.");
        }
        if (options.Rounds is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Rounds, "Rounds are 1 or more (null: until cancelled).");
        }
        if (options.Probes.Wait.Max <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Probes.Wait.Max, "A continuous trace waits more than 0 for each probe.");
        }
        return EventStream.Read<TraceEvent>((emit, token) => RunAsync(target, options, emit, token), cancellationToken);
    }

    private Task RunAsync(IPAddress target, ContinuousTraceOptions options, Action<TraceEvent> emit, CancellationToken token)
    {
        var transport = _open(target, options.Probes);
        return Task.Factory.StartNew(() =>
        {
            using (transport)
            using (token.Register(transport.Wake))
            {
                new ContinuousTraceRun(target, options, transport, _time, emit).Run(token);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }
}
