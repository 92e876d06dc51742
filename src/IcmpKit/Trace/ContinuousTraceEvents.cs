using System.Net;

namespace IcmpKit.Trace;

/// <summary>
/// One hop of a continuous trace at one moment: who answered it (the latest address first seen at that TTL is
/// <see cref="From"/>; every address seen, in order, in <see cref="Addresses"/>), its statistics, and its pacing.
/// </summary>
public sealed record ContinuousHop(int Ttl, IPAddress? From, IReadOnlyList<IPAddress> Addresses, HopStatisticsSnapshot Statistics)
{
    /// <summary>The latest answer (its kind, annotation, MTU and extensions); null when none came yet.</summary>
    public TraceReply? LastReply { get; init; }

    /// <summary>While the hop is paced for its ICMP rate limit: the least time between two of its probes.</summary>
    public TimeSpan? PacedInterval { get; init; }

    /// <summary>The round from which the hop was paced (0-based); null when it is not.</summary>
    public int? PacedFromRound { get; init; }
}

/// <summary>
/// A round's time is over (the next one starts): every hop shown so far, from the first TTL to the destination (or, until
/// it answers, one beyond the farthest hop that answered, as mtr). Probes of the round still waiting are in flight.
/// </summary>
public sealed record ContinuousTraceRound(int Round, IReadOnlyList<ContinuousHop> Hops) : TraceEvent;

/// <summary>
/// A hop's probes were paced to its ICMP rate limit (<paramref name="Interval"/> between them from round
/// <paramref name="Round"/>; <paramref name="RateLimited"/> probes sent over its budget are not counted as loss), or,
/// with <paramref name="Interval"/> null, the pacing was given up: the hop lost as many probes when paced, so they
/// were loss after all and count again.
/// </summary>
public sealed record ContinuousHopPaced(int Ttl, IPAddress? From, TimeSpan? Interval, int Round, long RateLimited) : TraceEvent;

/// <summary>The continuous trace is over: why, the rounds started, and every hop's final statistics.</summary>
public sealed record ContinuousTraceCompleted(ContinuousTraceEndReason Reason, int Rounds, bool Reached, IReadOnlyList<ContinuousHop> Hops) : TraceEvent;

public enum ContinuousTraceEndReason
{
    /// <summary>The rounds asked for were run and every probe settled.</summary>
    RoundsDone,

    /// <summary>Cancelled (Ctrl+C): the statistics are those of the probes settled by then.</summary>
    Interrupted,

    /// <summary>The kernel refused to send a probe (see <see cref="TraceSendFailed"/>).</summary>
    SendFailed,
}

/// <summary>
/// A one-shot trace (<see cref="Tracer"/>) took hop <paramref name="Ttl"/> for one out of ICMP tokens: a probe silent
/// twice while the path went on through it is sent once more when the hop has a token again, its paced probes
/// <paramref name="Interval"/> apart (<see cref="TraceOptions.PaceRateLimitedHops"/>). Reported once per hop.
/// </summary>
public sealed record TraceHopPaced(int Ttl, TimeSpan Interval) : TraceEvent;
