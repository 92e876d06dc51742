namespace IcmpKit.Statistics;

/// <summary>
/// The statistics IcmpKit adds to iputils' over a series of RTTs, in milliseconds at the full
/// precision of <see cref="TimeSpan"/> (100 ns). <see cref="PingStatistics"/> feeds it unique replies
/// only, in the order they arrive. Every result is null until there are enough samples for it, and
/// finite otherwise. Not thread-safe.
/// </summary>
internal sealed class RttDistribution
{
    private readonly List<long> _ticks = [];
    private long[]? _sortedTicks;

    private double _meanMilliseconds;
    private double _sumOfSquaredDeviations;
    private double _previousMilliseconds;
    private double _jitterMilliseconds;
    private double _sumOfAbsoluteDifferences;
    private double _ewmaMilliseconds;
    private long _minimumTicks = long.MaxValue;
    private long _maximumTicks;

    public long Count => _ticks.Count;

    public double? MinimumMilliseconds => Count == 0 ? null : ToMilliseconds(_minimumTicks);

    public double? MaximumMilliseconds => Count == 0 ? null : ToMilliseconds(_maximumTicks);

    /// <summary>Welford's running mean, held inside [minimum, maximum] against rounding.</summary>
    public double? MeanMilliseconds => Count == 0
        ? null
        : Math.Clamp(_meanMilliseconds, ToMilliseconds(_minimumTicks), ToMilliseconds(_maximumTicks));

    public double? SampleStandardDeviationMilliseconds => Count < 2 ? null : Math.Sqrt(_sumOfSquaredDeviations / (Count - 1));

    public double? PopulationStandardDeviationMilliseconds => Count == 0 ? null : Math.Sqrt(_sumOfSquaredDeviations / Count);

    public double? JitterMilliseconds => Count < 2 ? null : _jitterMilliseconds;

    public double? MeanAbsoluteSuccessiveDifferenceMilliseconds => Count < 2 ? null : _sumOfAbsoluteDifferences / (Count - 1);

    public double? EwmaMilliseconds => Count == 0 ? null : _ewmaMilliseconds;

    public void Add(TimeSpan roundTripTime)
    {
        long ticks = Math.Max(0, roundTripTime.Ticks);
        double milliseconds = ToMilliseconds(ticks);
        _ticks.Add(ticks);
        _sortedTicks = null;
        _minimumTicks = Math.Min(_minimumTicks, ticks);
        _maximumTicks = Math.Max(_maximumTicks, ticks);

        // Welford (Knuth, TAOCP vol. 2, §4.2.2): each added term is ≥ 0, so the sum never goes negative.
        double deviation = milliseconds - _meanMilliseconds;
        _meanMilliseconds += deviation / Count;
        _sumOfSquaredDeviations += deviation * (milliseconds - _meanMilliseconds);

        if (Count == 1)
        {
            _ewmaMilliseconds = milliseconds;
        }
        else
        {
            double difference = Math.Abs(milliseconds - _previousMilliseconds);
            // RFC 3550 §6.4.1: J(i) = J(i-1) + (|D(i-1,i)| - J(i-1)) / 16, J starting at 0.
            _jitterMilliseconds += (difference - _jitterMilliseconds) / 16;
            _sumOfAbsoluteDifferences += difference;
            // The weight of iputils' rtt (and of RFC 6298's SRTT): 1/8.
            _ewmaMilliseconds += (milliseconds - _ewmaMilliseconds) / 8;
        }
        _previousMilliseconds = milliseconds;
    }

    /// <summary>
    /// Nearest-rank percentile over every sample: the smallest sample with at least
    /// <paramref name="percent"/>% of the samples at or below it, i.e. the ⌈P/100 × N⌉-th smallest
    /// (the minimum for P = 0). Always one of the samples, so inside [minimum, maximum].
    /// </summary>
    public double? PercentileMilliseconds(double percent)
    {
        if (!double.IsFinite(percent) || percent < 0 || percent > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "A percentile is between 0 and 100.");
        }
        if (Count == 0)
        {
            return null;
        }
        if (_sortedTicks is null)
        {
            _sortedTicks = [.. _ticks];
            Array.Sort(_sortedTicks);
        }
        // decimal keeps 90 × N / 100 exact, where double could land a hair above an integer.
        long rank = (long)Math.Ceiling((decimal)percent * Count / 100m);
        return ToMilliseconds(_sortedTicks[Math.Max(rank, 1) - 1]);
    }

    private static double ToMilliseconds(long ticks) => ticks / (double)TimeSpan.TicksPerMillisecond;
}
