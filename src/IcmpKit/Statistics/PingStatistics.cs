using System.Globalization;

namespace IcmpKit.Statistics;

/// <summary>
/// The accounting of one ping run: requests, replies, duplicates and errors; iputils' numbers
/// exactly (<see cref="Rtt"/>, <see cref="LossPercent"/> and the <c>FormatIputils…</c> methods); and
/// more statistics over the unique replies, each named for what it computes.
/// </summary>
/// <remarks>
/// <para>
/// Counting follows iputils <c>ping/ping_common.c</c> (Debian 12, 20221126): <see cref="Received"/> is
/// unique replies (<c>nreceived</c>), <see cref="Duplicates"/> is <c>nrepeats</c>, and the iputils RTT
/// summary is fed every reply, duplicates included, as <c>gather_statistics()</c> does. The other RTT
/// statistics take unique replies only, in the order they are added, at full <see cref="TimeSpan"/>
/// precision, in milliseconds; a negative RTT counts as 0 everywhere, as in iputils.
/// </para>
/// <para>
/// Invariants: <see cref="Received"/> ≤ <see cref="Transmitted"/> (a unique reply needs a request:
/// call <see cref="AddSent"/> first, or <see cref="AddReply"/> throws), and a duplicate needs an
/// earlier unique reply. So <see cref="LossPercent"/> is in [0, 100]. Errors are counted apart and
/// are not tied to requests. Statistics without enough replies are null, never NaN or infinite.
/// </para>
/// <para>
/// Not thread-safe: the run that adds owns it. Hand <see cref="Snapshot"/> to other threads (e.g. a
/// SIGQUIT status line or the JSON writer).
/// </para>
/// </remarks>
public sealed class PingStatistics
{
    private readonly RttDistribution _unique = new();
    private readonly SortedDictionary<int, long> _replyTtlCounts = [];

    /// <summary>Echo requests sent (iputils <c>ntransmitted</c>).</summary>
    public long Transmitted { get; private set; }

    /// <summary>Unique echo replies (iputils <c>nreceived</c>): duplicates are not in it.</summary>
    public long Received { get; private set; }

    /// <summary>Replies to a request that had already been answered (iputils <c>nrepeats</c>, "+N duplicates").</summary>
    public long Duplicates { get; private set; }

    /// <summary>ICMP errors and local send errors (iputils <c>nerrors</c>, "+N errors").</summary>
    public long Errors { get; private set; }

    /// <summary>
    /// <c>(Transmitted - Received) × 100 / Transmitted</c> in double, iputils' "packet loss"; 0 before the
    /// first request. iputils narrows it to <c>float</c> before printing: see <see cref="FormatIputilsLossPercent"/>.
    /// </summary>
    public double LossPercent => Transmitted == 0 ? 0 : (Transmitted - Received) * 100.0 / Transmitted;

    /// <summary>iputils' exact RTT summary, fed every reply including duplicates, as iputils does.</summary>
    public RttStatistics Rtt { get; } = new();

    /// <summary>Smallest unique-reply RTT in milliseconds; null without replies.</summary>
    public double? MinimumMilliseconds => _unique.MinimumMilliseconds;

    /// <summary>Largest unique-reply RTT in milliseconds; null without replies.</summary>
    public double? MaximumMilliseconds => _unique.MaximumMilliseconds;

    /// <summary>Arithmetic mean of the unique-reply RTTs in milliseconds (Welford); null without replies.</summary>
    public double? MeanMilliseconds => _unique.MeanMilliseconds;

    /// <summary>
    /// Sample standard deviation of the unique-reply RTTs, √(Σ(x − x̄)² / (n − 1)), in milliseconds,
    /// by Welford's online method; null with fewer than 2 replies.
    /// </summary>
    public double? SampleStandardDeviationMilliseconds => _unique.SampleStandardDeviationMilliseconds;

    /// <summary>
    /// Population standard deviation of the unique-reply RTTs, √(Σ(x − x̄)² / n), in milliseconds: what
    /// iputils' mdev approximates, without its integer truncations and without duplicates; null without replies.
    /// </summary>
    public double? PopulationStandardDeviationMilliseconds => _unique.PopulationStandardDeviationMilliseconds;

    /// <summary>
    /// RFC 3550 §6.4.1 interarrival jitter, J += (|D| − J) / 16 from J = 0, with D the difference between
    /// successive unique-reply RTTs in arrival order, in milliseconds; null with fewer than 2 replies.
    /// </summary>
    public double? JitterMilliseconds => _unique.JitterMilliseconds;

    /// <summary>
    /// Mean absolute successive difference, Σ|xᵢ − xᵢ₋₁| / (n − 1), over unique-reply RTTs in arrival
    /// order, in milliseconds: the unsmoothed counterpart of <see cref="JitterMilliseconds"/>; null with fewer than 2 replies.
    /// </summary>
    public double? MeanAbsoluteSuccessiveDifferenceMilliseconds => _unique.MeanAbsoluteSuccessiveDifferenceMilliseconds;

    /// <summary>
    /// Exponentially weighted moving average of the unique-reply RTTs with weight 1/8, the weight of
    /// iputils' <c>rtt</c>: the first RTT, then e += (x − e) / 8; in milliseconds, unlike iputils' not
    /// truncated; null without replies.
    /// </summary>
    public double? EwmaMilliseconds => _unique.EwmaMilliseconds;

    /// <summary>Median of the unique-reply RTTs: <see cref="PercentileMilliseconds"/>(50).</summary>
    public double? P50Milliseconds => _unique.PercentileMilliseconds(50);

    /// <summary>90th percentile of the unique-reply RTTs: <see cref="PercentileMilliseconds"/>(90).</summary>
    public double? P90Milliseconds => _unique.PercentileMilliseconds(90);

    /// <summary>99th percentile of the unique-reply RTTs: <see cref="PercentileMilliseconds"/>(99).</summary>
    public double? P99Milliseconds => _unique.PercentileMilliseconds(99);

    /// <summary>Unique replies by reply TTL (IPv4 TTL or IPv6 hop limit), smallest TTL first; replies without a TTL are left out.</summary>
    public IReadOnlyDictionary<int, long> ReplyTtlCounts => _replyTtlCounts;

    /// <summary>The distinct TTLs seen on unique replies, smallest first: more than one hints at a path change or a second responder.</summary>
    public IReadOnlyCollection<int> DistinctReplyTtls => _replyTtlCounts.Keys;

    /// <summary>Counts one echo request sent.</summary>
    public void AddSent() => Transmitted++;

    /// <summary>Counts one ICMP error or send error.</summary>
    public void AddError() => Errors++;

    /// <summary>
    /// Counts one echo reply. Every reply goes into <see cref="Rtt"/> (iputils); a unique one also into
    /// the other statistics and <see cref="ReplyTtlCounts"/>.
    /// </summary>
    /// <param name="roundTripTime">The reply's RTT; a negative one counts as 0.</param>
    /// <param name="ttl">The reply's TTL or hop limit (0–255), when the socket reported it.</param>
    /// <param name="duplicate">Whether this request had already been answered.</param>
    /// <exception cref="InvalidOperationException">A unique reply with every request already answered, or a duplicate before any unique reply.</exception>
    public void AddReply(TimeSpan roundTripTime, int? ttl, bool duplicate)
    {
        if (ttl is < 0 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "A TTL or hop limit is 0 to 255.");
        }
        if (duplicate)
        {
            if (Received == 0)
            {
                throw new InvalidOperationException("A duplicate reply needs an earlier unique reply.");
            }
            Duplicates++;
        }
        else
        {
            if (Received >= Transmitted)
            {
                throw new InvalidOperationException($"A unique reply needs a request: {Received} replies for {Transmitted} requests. Call AddSent first.");
            }
            Received++;
            _unique.Add(roundTripTime);
            if (ttl is int knownTtl)
            {
                _replyTtlCounts[knownTtl] = _replyTtlCounts.GetValueOrDefault(knownTtl) + 1;
            }
        }
        Rtt.Add(roundTripTime);
    }

    /// <summary>
    /// Nearest-rank percentile of the unique-reply RTTs over every stored sample: the ⌈P/100 × n⌉-th
    /// smallest (the smallest for P = 0), so always an observed RTT; in milliseconds; null without replies.
    /// Exact percentiles cannot be had online: every unique RTT is kept (8 bytes each, about 3.5 MB a day
    /// at 5 requests a second), and sorted again on the first query after a new reply.
    /// </summary>
    /// <param name="percent">P, from 0 to 100.</param>
    public double? PercentileMilliseconds(double percent) => _unique.PercentileMilliseconds(percent);

    /// <summary>
    /// fping's <c>-o</c> "outage time": lost requests × the interval between requests
    /// (fping: <c>outage_ms = (num_sent - num_recv) * perhost_interval</c>); at most
    /// <see cref="TimeSpan.MaxValue"/>.
    /// </summary>
    /// <param name="interval">The time between two requests to this target.</param>
    public TimeSpan OutageTime(TimeSpan interval)
    {
        if (interval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "An interval is not negative.");
        }
        long lost = Transmitted - Received;
        return lost != 0 && interval.Ticks > long.MaxValue / lost ? TimeSpan.MaxValue : TimeSpan.FromTicks(lost * interval.Ticks);
    }

    /// <summary>
    /// The loss as iputils prints it: <c>printf("%g", (float)loss)</c>, e.g. <c>33.3333</c>; null before the
    /// first request (iputils prints no loss then).
    /// </summary>
    public string? FormatIputilsLossPercent() =>
        Transmitted == 0 ? null : IputilsText.FormatGeneral((float)LossPercent);

    /// <summary>
    /// The numbers of iputils' <c>rtt min/avg/max/mdev = … ms</c> line, e.g. <c>0.045/0.061/0.079/0.013</c>;
    /// null without unique replies (iputils prints the line only when <c>nreceived</c> is not 0).
    /// </summary>
    public string? FormatIputilsRtt() => Received == 0 ? null : Rtt.FormatIputils();

    /// <summary>
    /// The numbers of iputils' <c>ipg/ewma</c>, e.g. <c>0.113/0.054</c>: the mean gap between requests,
    /// <c>elapsed / (Transmitted − 1)</c> truncated to microseconds, and the EWMA. iputils prints them
    /// only with -f, -A or interval 0, when there are replies and more than one request; null otherwise.
    /// </summary>
    /// <param name="elapsed">From the first request to the last (iputils' <c>cur_time − start_time</c>).</param>
    public string? FormatIputilsIpgEwma(TimeSpan elapsed)
    {
        if (Received == 0 || Transmitted < 2)
        {
            return null;
        }
        // finish(): int ipg = (1000000 * (long long)tv.tv_sec + tv.tv_nsec / 1000) / (ntransmitted - 1);
        int gap = unchecked((int)(elapsed.Ticks / TimeSpan.TicksPerMicrosecond / (Transmitted - 1)));
        return IputilsText.FormatMilliseconds(gap) + "/" + Rtt.FormatIputilsEwma();
    }

    /// <summary>
    /// iputils' SIGQUIT status line without its leading <c>\r</c>:
    /// <c>2/3 packets, 33% loss, min/avg/ewma/max = 0.045/0.061/0.050/0.079 ms</c>
    /// (<c>status()</c>: the loss is an integer percentage, truncated; the RTTs appear once there are replies).
    /// </summary>
    public string FormatIputilsStatusLine()
    {
        long loss = Transmitted == 0 ? 0 : (Transmitted - Received) * 100 / Transmitted;
        string line = string.Create(CultureInfo.InvariantCulture, $"{Received}/{Transmitted} packets, {loss}% loss");
        if (Received == 0)
        {
            return line;
        }
        return line + ", min/avg/ewma/max = "
            + IputilsText.FormatMilliseconds(Rtt.MinimumMicroseconds) + "/"
            + IputilsText.FormatUnsignedMilliseconds(Rtt.AverageMicroseconds) + "/"
            + Rtt.FormatIputilsEwma() + "/"
            + IputilsText.FormatMilliseconds(Rtt.MaximumMicroseconds) + " ms";
    }

    /// <summary>Every number of this run as an immutable record, for interim reports and JSON.</summary>
    public PingStatisticsSnapshot Snapshot()
    {
        bool any = Received > 0;
        return new PingStatisticsSnapshot
        {
            Transmitted = Transmitted,
            Received = Received,
            Duplicates = Duplicates,
            Errors = Errors,
            LossPercent = LossPercent,
            IputilsMinimumMicroseconds = any ? Rtt.MinimumMicroseconds : null,
            IputilsAverageMicroseconds = any ? Rtt.AverageMicroseconds : null,
            IputilsMaximumMicroseconds = any ? Rtt.MaximumMicroseconds : null,
            IputilsMeanDeviationMicroseconds = any ? Rtt.MeanDeviationMicroseconds : null,
            IputilsEwmaMicroseconds = any ? Rtt.EwmaMicroseconds : null,
            MinimumMilliseconds = MinimumMilliseconds,
            MaximumMilliseconds = MaximumMilliseconds,
            MeanMilliseconds = MeanMilliseconds,
            SampleStandardDeviationMilliseconds = SampleStandardDeviationMilliseconds,
            PopulationStandardDeviationMilliseconds = PopulationStandardDeviationMilliseconds,
            JitterMilliseconds = JitterMilliseconds,
            MeanAbsoluteSuccessiveDifferenceMilliseconds = MeanAbsoluteSuccessiveDifferenceMilliseconds,
            EwmaMilliseconds = EwmaMilliseconds,
            P50Milliseconds = P50Milliseconds,
            P90Milliseconds = P90Milliseconds,
            P99Milliseconds = P99Milliseconds,
            ReplyTtlCounts = new SortedDictionary<int, long>(_replyTtlCounts),
        };
    }
}
