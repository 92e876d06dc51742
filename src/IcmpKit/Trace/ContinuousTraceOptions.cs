namespace IcmpKit.Trace;

/// <summary>
/// How to trace continuously, as mtr does: every hop probed once per round, a round every <see cref="Interval"/>, for
/// <see cref="Rounds"/> rounds or until cancelled. The probes themselves (kind, TTLs, size, TOS, source, interface,
/// socket) are described by <see cref="Probes"/>; of its wait only <see cref="TraceWait.Max"/> applies, and its
/// per-hop count and window do not (one probe per hop per round).
/// </summary>
public sealed record ContinuousTraceOptions
{
    /// <summary>mtr's default interval between rounds.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    public TraceOptions Probes { get; init; } = new();

    /// <summary>Time from the start of one round to the start of the next (mtr -i). The sends of a round are spread over it.</summary>
    public TimeSpan Interval { get; init; } = DefaultInterval;

    /// <summary>Rounds to run (mtr -c); null runs until cancelled.</summary>
    public int? Rounds { get; init; }

    /// <summary>
    /// Recognises hops that answer only within an ICMP rate limit (a burst, then about one a second) and probes them no
    /// faster than they answer, counting the probes they left unanswered over their budget apart from loss (see
    /// <see cref="HopStatistics.RateLimited"/>). Off: every hop every round, every silence a loss, as mtr.
    /// </summary>
    public bool Pacing { get; init; } = true;
}
