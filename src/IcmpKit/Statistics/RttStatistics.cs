namespace IcmpKit.Statistics;

/// <summary>
/// Round-trip times kept exactly as iputils <c>ping</c> keeps them, so that the summary line
/// <c>rtt min/avg/max/mdev = …</c> and <c>ipg/ewma</c> come out digit for digit the same.
/// </summary>
/// <remarks>
/// <para>
/// The reference is Debian 12's iputils-ping 3:20221126-1+deb12u1 (amd64), iputils/iputils
/// <c>ping/ping_common.c</c>, <c>gather_statistics()</c> and <c>finish()</c>, with the field types of
/// <c>struct ping_rts</c> in <c>ping/ping.h</c>; the types were confirmed in the disassembly of that
/// build's <c>/usr/bin/ping</c>:
/// </para>
/// <list type="bullet">
/// <item>an RTT is a <c>long</c> of whole microseconds; a negative one is clamped to 0;</item>
/// <item><c>double tsum</c> and <c>double tsum2</c> add <c>(double)t</c> and
/// <c>(double)((long long)t * t)</c>; <c>long tmin</c>, <c>long tmax</c>;</item>
/// <item><c>int rtt</c> is 8 × the EWMA: the first sample sets <c>rtt = t * 8</c> (and so does any sample
/// that finds <c>rtt == 0</c>), the others <c>rtt += t - rtt / 8</c>, in 32-bit arithmetic;</item>
/// <item>every reply is summed, duplicates included, so <c>total = nreceived + nrepeats</c>;</item>
/// <item><c>finish()</c>: <c>tmavg = tsum / total</c> truncated to <c>long</c>; if <c>tsum &lt; INT_MAX</c>,
/// <c>tmvar = (tsum2 - tsum * tsum / total) / total</c> (in double, "this slightly clumsy computation
/// order is important to avoid integer rounding errors for small ping times"), else
/// <c>tmvar = tsum2 / total - tmavg * tmavg</c>; <c>tmvar</c> is truncated to <c>long long</c>, and
/// <c>mdev = llsqrt(tmvar)</c>, Newton's integer square root, which returns the iterate that ends the
/// descent (so ⌈√v⌉ for v = k² − 1: 15 gives 4) and returns its argument when that is ≤ 0.</item>
/// </list>
/// <para>
/// Where that build's mdev arithmetic overflows, IcmpKit keeps the true value instead (the class of CVE-2025-47268 and
/// CVE-2025-48964; later iputils caps each summed RTT at MAXWAIT, 10 s): the square is taken in double, not in a
/// 64-bit integer that wraps past 3,037,000,499 µs (50.6 minutes) and made mdev negative; a variance that rounding
/// leaves below 0 gives mdev 0, not a negative root; and one past 2⁶³ µs² (a spread of hours) is rooted in double.
/// Below those limits mdev is iputils' to the digit. The EWMA still wraps as iputils' <c>int</c> does past 268 s
/// (IputilsSummaryTests holds iputils' digits there).
/// </para>
/// <para>Not thread-safe: one owner adds and reads.</para>
/// </remarks>
public sealed class RttStatistics
{
    /// <summary><c>INT_MAX</c>: <c>finish()</c> chooses its variance formula by <c>tsum &lt; INT_MAX</c>.</summary>
    private const double ClumsyOrderLimit = int.MaxValue;

    private double _sumMicroseconds;
    private double _sumOfSquaresMicroseconds;
    private long _minimumMicroseconds = long.MaxValue;
    private Int128 _ewmaTimesEight;

    /// <summary>Samples added: iputils' <c>nreceived + nrepeats</c> (duplicates count).</summary>
    public long Count { get; private set; }

    /// <summary>Smallest RTT in whole microseconds (iputils <c>tmin</c>); 0 before the first sample.</summary>
    public long MinimumMicroseconds => Count == 0 ? 0 : _minimumMicroseconds;

    /// <summary>Largest RTT in whole microseconds (iputils <c>tmax</c>); 0 before the first sample.</summary>
    public long MaximumMicroseconds { get; private set; }

    /// <summary>iputils' average: <c>tsum / total</c> truncated to whole microseconds; 0 before the first sample.</summary>
    public long AverageMicroseconds => Count == 0 ? 0 : IputilsText.TruncateToInt64(_sumMicroseconds / Count);

    /// <summary>
    /// iputils' "mdev" in whole microseconds: the integer square root of the population variance,
    /// computed in iputils' order and with its truncations (see the remarks); 0 before the first sample.
    /// </summary>
    public long MeanDeviationMicroseconds
    {
        get
        {
            if (Count == 0)
            {
                return 0;
            }
            double total = Count;
            double variance;
            if (_sumMicroseconds < ClumsyOrderLimit)
            {
                variance = (_sumOfSquaresMicroseconds - (_sumMicroseconds * _sumMicroseconds / total)) / total;
            }
            else
            {
                long average = AverageMicroseconds;
                variance = (_sumOfSquaresMicroseconds / total) - ((double)average * average);
            }
            if (variance >= 9223372036854775808.0)
            {
                return IputilsText.TruncateToInt64(Math.Sqrt(variance)); // past long long: iputils' cast is undefined
            }
            // The exact variance is never negative: below 0 is rounding, and its root is 0, not iputils' negative value.
            long truncated = Math.Max(0, IputilsText.TruncateToInt64(variance));
            // finish() keeps the root in a double (tmdev) and prints it cast back to long.
            return IputilsText.TruncateToInt64(IntegerSquareRoot(truncated));
        }
    }

    /// <summary>
    /// iputils' EWMA of the RTT (weight 1/8) in whole microseconds: <c>rtt / 8</c> of its fixed-point
    /// <c>int rtt</c>, as printed after "ipg/ewma"; 0 before the first sample.
    /// </summary>
    public long EwmaMicroseconds => (long)(_ewmaTimesEight / 8);

    /// <summary>
    /// Adds one reply's RTT in whole microseconds, as <c>gather_statistics()</c> does; a negative RTT
    /// counts as 0 (iputils' answer to a clock that went back).
    /// </summary>
    public void Add(long microseconds)
    {
        long rtt = Math.Max(0, microseconds);
        unchecked
        {
            Count++;
            _sumMicroseconds += rtt;
            _sumOfSquaresMicroseconds += (double)rtt * rtt; // = (double)(rtt * rtt) whenever that long product does not wrap
            _minimumMicroseconds = Math.Min(_minimumMicroseconds, rtt);
            MaximumMicroseconds = Math.Max(MaximumMicroseconds, rtt);
            // iputils keeps this in an int, which wraps for RTTs over 268 s and prints nonsense ("-169762.-48"); like the
            // squares above, a wider integer gives iputils' digits wherever its int did not wrap, and the true EWMA where
            // it did (128 bits: 8 × any long RTT fits, and the EWMA stays between the smallest and largest RTT).
            _ewmaTimesEight = _ewmaTimesEight == 0
                ? (Int128)rtt * 8
                : _ewmaTimesEight + rtt - (_ewmaTimesEight / 8);
        }
    }

    /// <summary>
    /// Adds one reply's RTT, truncated to whole microseconds: iputils subtracts two <c>timeval</c>s,
    /// which carry whole microseconds, so it never rounds up.
    /// </summary>
    public void Add(TimeSpan roundTripTime) => Add(roundTripTime.Ticks / TimeSpan.TicksPerMicrosecond);

    /// <summary>
    /// The four numbers of iputils' <c>rtt min/avg/max/mdev = %ld.%03ld/%lu.%03ld/%ld.%03ld/%ld.%03ld ms</c>,
    /// e.g. <c>0.045/0.061/0.079/0.013</c>; null before the first sample (iputils prints no rtt line then).
    /// </summary>
    public string? FormatIputils() => Count == 0
        ? null
        : string.Join('/',
            IputilsText.FormatMilliseconds(MinimumMicroseconds),
            IputilsText.FormatUnsignedMilliseconds(AverageMicroseconds),
            IputilsText.FormatMilliseconds(MaximumMicroseconds),
            IputilsText.FormatMilliseconds(MeanDeviationMicroseconds));

    /// <summary>
    /// The EWMA as iputils prints it after "ipg/ewma" and in its SIGQUIT status line
    /// (<c>%d.%03d</c> of <c>rtt / 8000</c>, <c>(rtt / 8) % 1000</c>), e.g. <c>0.054</c>; null before the first sample.
    /// </summary>
    public string? FormatIputilsEwma() => Count == 0 ? null : IputilsText.FormatMilliseconds(EwmaMicroseconds);

    /// <summary>
    /// iputils' <c>llsqrt()</c>: Newton's method on integers, stopped when an iterate no longer decreases;
    /// that iterate is returned, so it can be one above the floor of the root. Returns its argument when it is ≤ 0.
    /// </summary>
    private static long IntegerSquareRoot(long value)
    {
        long previous = long.MaxValue;
        long root = value;
        if (root > 0)
        {
            while (root < previous)
            {
                previous = root;
                root = unchecked(root + (value / root)) / 2;
            }
        }
        return root;
    }
}
