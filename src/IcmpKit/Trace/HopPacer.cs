namespace IcmpKit.Trace;

/// <summary>What became of a probe's silence.</summary>
internal enum PacingVerdict
{
    /// <summary>Counted as it came: an answer, or a loss.</summary>
    Counted,

    /// <summary>The probe was sent while the hop was probed over its budget: its silence is not loss.</summary>
    RateLimited,
}

/// <summary>
/// A change of pace: the new interval (null: pacing given up, the rate-limited probes count as loss again), and how
/// many probes counted as lost are to move to rate-limited.
/// </summary>
internal readonly record struct PaceChange(TimeSpan? Interval, int Reclassify, bool GivenUp);

/// <summary>
/// Tells a hop that answers within an ICMP rate limit from one that loses probes, and paces the first.
/// <para>
/// A router limits the ICMP errors it sends to one source with a token bucket (RFC 1812 §4.3.2.8; Linux: a burst of 6,
/// then one per <c>net.ipv4.icmp_ratelimit</c> = 1000 ms, per destination of the errors). Probed faster than that, it
/// answers the burst, then only as tokens come back, and the probes between go unanswered though nothing was lost.
/// From silences alone that cannot be told from loss; from a change of pace it can: a rate limit answers the same
/// number of probes a second whatever the pace, loss the same share of them.
/// </para>
/// <para>
/// So the hop is suspected once <see cref="MinimumSilences"/> of its last <see cref="Window"/> probes (taken in the order
/// they were sent, settled without a gap: a silence settles when its wait runs out, long after later answers) went
/// unanswered while the path went on through it (a farther hop answered a probe of the same round; the last hop needs
/// none). It is then paced: probed no faster than it answered since its first silence (the mean time between those
/// answers, plus 10%), never more often than every <see cref="MinimumInterval"/> (≤ 1/s: Linux's refill, plus the same
/// 10% so that a probe never arrives just before its token), and when fewer than two answers came, at half its pace or
/// slower. The silences of the probes sent from its first silence until then are counted as rate-limited, not lost.
/// </para>
/// <para>
/// Once <see cref="Judged"/> probes sent at the new pace have settled, the pace is judged: all answered, it was a rate
/// limit, and the pace is kept for good (every silence from then on counts as loss); else the hop is slowed once more,
/// to the rate it answered at meanwhile (a bucket slower than the first pace), and judged again; and if that does not
/// answer them all either, slowing down did not help: the silences were loss, the pacing is given up for good and the
/// rate-limited probes count as loss again. Random loss of 30% at the hop passes a judgement by chance when all
/// <see cref="Judged"/> probes are answered, 0.7^12 ≈ 1.4% of the time per judgement (and then only the silences before
/// the pacing are not counted); a rate-limited hop that also loses a probe in twelve is given up, as mtr would show it.
/// </para>
/// </summary>
internal sealed class HopPacer
{
    public const int Window = 12;
    public const int MinimumSilences = 4;
    public const int Judged = 12;
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(1100);
    public static readonly TimeSpan MaximumInterval = TimeSpan.FromSeconds(60);
    private const double Slack = 1.1;
    public const int Stages = 2;

    private readonly List<Outcome> _window = [];
    private readonly List<Pending> _pending = [];
    private readonly TimeProvider _time;

    /// <summary>Probes sent from here until the pace last changed (that instant included) that go unanswered are rate-limited.</summary>
    private long _overBudgetFrom = long.MaxValue;
    private long _overBudgetUntil = long.MinValue;

    /// <summary>Paces tried so far.</summary>
    private int _stage;

    public HopPacer(TimeProvider time) => _time = time;

    /// <summary>The least time between two probes of the hop; null while it is not paced.</summary>
    public TimeSpan? Interval { get; private set; }

    /// <summary>The pace was judged right: it stays, and silences count as loss.</summary>
    public bool Confirmed { get; private set; }

    /// <summary>Pacing was tried and given up: the hop loses probes whatever the pace.</summary>
    public bool GivenUp { get; private set; }

    /// <summary>A probe of the hop went out at <paramref name="sentAt"/> (a <see cref="TimeProvider"/> timestamp).</summary>
    public void Sent(long sentAt) => _pending.Add(new Pending(sentAt));

    /// <summary>
    /// The probe sent at <paramref name="sentAt"/> settled: answered or not; <paramref name="pathWentOn"/> when a farther
    /// hop answered a probe of its round; <paramref name="lastHop"/> when nothing farther is probed.
    /// <paramref name="probeInterval"/> is the hop's pace now. Returns how to count it, and a change of pace, if any.
    /// </summary>
    public (PacingVerdict Verdict, PaceChange? Change) Settle(long sentAt, bool answered, bool pathWentOn, bool lastHop, TimeSpan probeInterval)
    {
        var verdict = !answered && sentAt >= _overBudgetFrom && sentAt <= _overBudgetUntil ? PacingVerdict.RateLimited : PacingVerdict.Counted;
        int at = _pending.FindIndex(p => p.SentAt == sentAt && p.Outcome is null);
        if (at >= 0)
        {
            _pending[at] = _pending[at] with { Outcome = new Outcome(sentAt, answered, pathWentOn || lastHop), Excluded = verdict == PacingVerdict.RateLimited };
        }
        PaceChange? change = null;
        while (_pending.Count > 0 && _pending[0].Outcome is { } outcome)
        {
            bool excluded = _pending[0].Excluded;
            _pending.RemoveAt(0);
            // Over the budget, or sent at an earlier pace: says nothing of the pace now.
            if (!excluded && !GivenUp && !Confirmed && outcome.SentAt > _overBudgetUntil && Add(outcome, probeInterval) is { } changed)
            {
                change = changed;
            }
        }
        return (verdict, change);
    }

    private PaceChange? Add(Outcome outcome, TimeSpan probeInterval)
    {
        _window.Add(outcome);
        if (_window.Count > Window)
        {
            _window.RemoveAt(0);
        }
        if (Interval is null)
        {
            int first = _window.FindIndex(o => !o.Answered && o.PathWentOn);
            return _window.Count(o => !o.Answered && o.PathWentOn) >= MinimumSilences ? SlowDown(first, probeInterval) : null;
        }
        return _window.Count >= Judged ? Judge(probeInterval) : null;
    }

    /// <summary>Rate limit or loss, from the answers at the new pace (see the class remarks).</summary>
    private PaceChange? Judge(TimeSpan probeInterval)
    {
        if (_window.All(o => o.Answered))
        {
            Confirmed = true;
            _window.Clear();
            return null;
        }
        if (++_stage < Stages)
        {
            return SlowDown(0, probeInterval);
        }
        Interval = null;
        GivenUp = true;
        _overBudgetFrom = long.MaxValue;
        _overBudgetUntil = long.MinValue;
        _window.Clear();
        return new PaceChange(null, 0, GivenUp: true);
    }

    private PaceChange SlowDown(int first, TimeSpan probeInterval)
    {
        var tail = _window.Skip(first).ToList();
        var answeredAt = tail.Where(o => o.Answered).Select(o => o.SentAt).ToList();
        var next = probeInterval * 2;
        if (answeredAt.Count >= 2)
        {
            var gap = _time.GetElapsedTime(answeredAt[0], answeredAt[^1]) / (answeredAt.Count - 1);
            next = gap * Slack > probeInterval ? gap * Slack : next;
        }
        next = next < MinimumInterval ? MinimumInterval : next > MaximumInterval ? MaximumInterval : next;
        int silences = tail.Count(o => !o.Answered);
        // Silences settled (and counted) behind a probe still in flight were over the budget too.
        for (int i = 0; i < _pending.Count; i++)
        {
            if (_pending[i] is { Outcome: { Answered: false }, Excluded: false } settled && settled.SentAt >= tail[0].SentAt)
            {
                _pending[i] = settled with { Excluded = true };
                silences++;
            }
        }
        _overBudgetFrom = Math.Min(_overBudgetFrom, tail[0].SentAt);
        _overBudgetUntil = _time.GetTimestamp();
        Interval = next;
        _window.Clear();
        return new PaceChange(next, silences, GivenUp: false);
    }

    private readonly record struct Outcome(long SentAt, bool Answered, bool PathWentOn);

    private readonly record struct Pending(long SentAt, Outcome? Outcome = null, bool Excluded = false);
}
