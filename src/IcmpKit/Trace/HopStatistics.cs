namespace IcmpKit.Trace;

/// <summary>
/// One hop's statistics over a continuous trace, with mtr's definitions (mtr 0.95, ui/net.c net_process_ping() and the
/// net_* accessors) computed online in milliseconds at full precision, where mtr keeps whole microseconds in ints:
/// <list type="bullet">
/// <item>loss: unanswered probes over the probes settled (mtr's <c>xmit - transit</c>: a probe still in flight is neither);</item>
/// <item>last, best, worst: the latest, smallest and largest RTT;</item>
/// <item>average: the running mean (Welford, as mtr's <c>avg += (t - avg) / n</c>), standard deviation: the sample
/// standard deviation √(Σ(x − x̄)² / (n − 1)) (mtr's <c>ssd</c> and <c>net_stdev()</c>), 0 below two answers as in mtr;</item>
/// <item>jitter (mtr's Jttr): |this RTT − the previous RTT|, 0 for the first answer; mean jitter (Javg): the mean of
/// those over every answer, the first one's 0 included, as mtr's <c>javg += (jitter - javg) / n</c>; worst jitter
/// (Jmax); interarrival jitter: RFC 3550 §6.4.1's J += (|D| − J) / 16 over the same differences. mtr's Jint column is
/// RFC 1889 A.8's scaled form, 16 J (its <c>jinta += jitter - ((jinta + 8) &gt;&gt; 4)</c>, shown unscaled): see
/// <see cref="ScaledInterarrivalJitterMilliseconds"/>;</item>
/// <item>geometric mean (Gmean): mtr's running <c>gmean = gmean^((n−1)/n) · t^(1/n)</c>.</item>
/// </list>
/// Nothing is stored per probe, so a run that never ends stays small (which is why this is not
/// <see cref="Statistics.RttDistribution"/>, which keeps every sample for its percentiles). Not thread-safe: the run
/// that adds owns it; others read a <see cref="Snapshot"/>.
/// </summary>
public sealed class HopStatistics
{
    private double _sumOfSquaredDeviations;
    private double _jitterSum;

    /// <summary>Probes sent to the hop that count (<see cref="RateLimited"/> ones do not).</summary>
    public long Sent { get; private set; }

    /// <summary>Counted probes still waiting for an answer (neither received nor lost yet).</summary>
    public long InFlight { get; private set; }

    /// <summary>Counted probes answered within their wait.</summary>
    public long Received { get; private set; }

    /// <summary>Counted probes whose wait ran out with no answer.</summary>
    public long Lost { get; private set; }

    /// <summary>
    /// Probes that went unanswered while the hop was probed faster than its ICMP rate limit lets it answer: sent over
    /// its budget, they say nothing about loss, and are counted here instead of in <see cref="Sent"/> and <see cref="Lost"/>.
    /// </summary>
    public long RateLimited { get; private set; }

    /// <summary>Lost over settled (sent and not in flight) × 100; 0 before any probe settled (mtr's net_loss()).</summary>
    public double LossPercent => Sent - InFlight == 0 ? 0 : Lost * 100.0 / (Sent - InFlight);

    public double? LastMilliseconds { get; private set; }

    public double? BestMilliseconds { get; private set; }

    public double? WorstMilliseconds { get; private set; }

    /// <summary>The mean RTT (Welford); null without answers.</summary>
    public double? AverageMilliseconds { get; private set; }

    /// <summary>Sample standard deviation of the RTTs; 0 with one answer (as mtr prints it), null with none.</summary>
    public double? StandardDeviationMilliseconds => Received switch
    {
        0 => null,
        1 => 0,
        _ => Math.Sqrt(_sumOfSquaredDeviations / (Received - 1)),
    };

    /// <summary>mtr's geometric mean; null without answers.</summary>
    public double? GeometricMeanMilliseconds { get; private set; }

    /// <summary>mtr's current jitter (Jttr): |last − previous RTT|; 0 after the first answer, null without answers.</summary>
    public double? JitterMilliseconds { get; private set; }

    /// <summary>mtr's mean jitter (Javg): the jitters summed over every answer (the first one's 0 included) over the answers.</summary>
    public double? MeanJitterMilliseconds => Received == 0 ? null : _jitterSum / Received;

    /// <summary>mtr's worst jitter (Jmax).</summary>
    public double? WorstJitterMilliseconds { get; private set; }

    /// <summary>RFC 3550 §6.4.1 interarrival jitter J over successive RTTs, from J = 0 at the first answer.</summary>
    public double? InterarrivalJitterMilliseconds { get; private set; }

    /// <summary>16 J: what mtr shows as Jint (RFC 1889 A.8 keeps J scaled by 16, and mtr prints it unscaled).</summary>
    public double? ScaledInterarrivalJitterMilliseconds => InterarrivalJitterMilliseconds * 16;

    /// <summary>A probe went out to the hop.</summary>
    public void AddSent()
    {
        Sent++;
        InFlight++;
    }

    /// <summary>A counted probe was answered in time after <paramref name="roundTripTime"/> (negative counts as 0).</summary>
    public void AddReply(TimeSpan roundTripTime)
    {
        TakeInFlight();
        double rtt = Math.Max(0, roundTripTime.TotalMilliseconds);
        double jitter = LastMilliseconds is { } last ? Math.Abs(rtt - last) : 0;
        Received++;
        if (Received == 1)
        {
            BestMilliseconds = WorstMilliseconds = AverageMilliseconds = GeometricMeanMilliseconds = rtt;
            InterarrivalJitterMilliseconds = WorstJitterMilliseconds = 0;
        }
        else
        {
            BestMilliseconds = Math.Min(BestMilliseconds!.Value, rtt);
            WorstMilliseconds = Math.Max(WorstMilliseconds!.Value, rtt);
            double n = Received;
            double deviation = rtt - AverageMilliseconds!.Value;
            AverageMilliseconds += deviation / n;
            _sumOfSquaredDeviations += deviation * (rtt - AverageMilliseconds.Value);
            GeometricMeanMilliseconds = Math.Pow(GeometricMeanMilliseconds!.Value, (n - 1) / n) * Math.Pow(rtt, 1 / n);
            InterarrivalJitterMilliseconds += (jitter - InterarrivalJitterMilliseconds!.Value) / 16;
            WorstJitterMilliseconds = Math.Max(WorstJitterMilliseconds!.Value, jitter);
        }
        _jitterSum += jitter;
        JitterMilliseconds = jitter;
        LastMilliseconds = rtt;
    }

    /// <summary>A counted probe's wait ran out.</summary>
    public void AddLoss()
    {
        TakeInFlight();
        Lost++;
    }

    /// <summary>A probe in flight turned out to be over the hop's budget: it leaves the counts and joins <see cref="RateLimited"/>.</summary>
    public void AddRateLimitedInFlight()
    {
        TakeInFlight();
        Sent--;
        RateLimited++;
    }

    /// <summary>A probe already counted lost turned out to be over the hop's budget.</summary>
    public void ReclassifyLossAsRateLimited()
    {
        if (Lost == 0)
        {
            throw new InvalidOperationException("No loss to reclassify.");
        }
        Lost--;
        Sent--;
        RateLimited++;
    }

    /// <summary>The reverse: probes thought rate-limited were lost after all (the hop loses as many when paced).</summary>
    public void RestoreRateLimitedAsLoss(long count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, RateLimited);
        RateLimited -= count;
        Sent += count;
        Lost += count;
    }

    public HopStatisticsSnapshot Snapshot() => new()
    {
        Sent = Sent,
        InFlight = InFlight,
        Received = Received,
        Lost = Lost,
        RateLimited = RateLimited,
        LossPercent = LossPercent,
        LastMilliseconds = LastMilliseconds,
        BestMilliseconds = BestMilliseconds,
        WorstMilliseconds = WorstMilliseconds,
        AverageMilliseconds = AverageMilliseconds,
        StandardDeviationMilliseconds = StandardDeviationMilliseconds,
        GeometricMeanMilliseconds = GeometricMeanMilliseconds,
        JitterMilliseconds = JitterMilliseconds,
        MeanJitterMilliseconds = MeanJitterMilliseconds,
        WorstJitterMilliseconds = WorstJitterMilliseconds,
        InterarrivalJitterMilliseconds = InterarrivalJitterMilliseconds,
    };

    private void TakeInFlight()
    {
        if (InFlight == 0)
        {
            throw new InvalidOperationException("No probe of this hop is in flight.");
        }
        InFlight--;
    }
}

/// <summary>A hop's <see cref="HopStatistics"/> at one moment, safe to hand to another thread.</summary>
public sealed record HopStatisticsSnapshot
{
    public long Sent { get; init; }
    public long InFlight { get; init; }
    public long Received { get; init; }
    public long Lost { get; init; }
    public long RateLimited { get; init; }
    public double LossPercent { get; init; }
    public double? LastMilliseconds { get; init; }
    public double? BestMilliseconds { get; init; }
    public double? WorstMilliseconds { get; init; }
    public double? AverageMilliseconds { get; init; }
    public double? StandardDeviationMilliseconds { get; init; }
    public double? GeometricMeanMilliseconds { get; init; }
    public double? JitterMilliseconds { get; init; }
    public double? MeanJitterMilliseconds { get; init; }
    public double? WorstJitterMilliseconds { get; init; }
    public double? InterarrivalJitterMilliseconds { get; init; }

    /// <summary>16 J, mtr's Jint.</summary>
    public double? ScaledInterarrivalJitterMilliseconds => InterarrivalJitterMilliseconds * 16;
}
