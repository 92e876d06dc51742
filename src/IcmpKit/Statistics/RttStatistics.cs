namespace IcmpKit.Statistics;

/// <summary>
/// Round-trip times, accumulated online. <see cref="MeanDeviation"/> is iputils' "mdev": the population
/// standard deviation sqrt(Σx²/n − mean²), computed as iputils does so the numbers match it.
/// </summary>
public sealed class RttStatistics
{
    private double _sum;
    private double _sumOfSquares;

    public int Count { get; private set; }
    public double MinimumMilliseconds { get; private set; } = double.PositiveInfinity;
    public double MaximumMilliseconds { get; private set; } = double.NegativeInfinity;

    public double AverageMilliseconds => Count == 0 ? 0 : _sum / Count;

    public double MeanDeviation
    {
        get
        {
            if (Count == 0)
            {
                return 0;
            }
            double average = AverageMilliseconds;
            return Math.Sqrt(Math.Max(0, (_sumOfSquares / Count) - (average * average)));
        }
    }

    public void Add(double milliseconds)
    {
        if (!double.IsFinite(milliseconds) || milliseconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(milliseconds), milliseconds, "An RTT is finite and not negative.");
        }
        Count++;
        _sum += milliseconds;
        _sumOfSquares += milliseconds * milliseconds;
        MinimumMilliseconds = Math.Min(MinimumMilliseconds, milliseconds);
        MaximumMilliseconds = Math.Max(MaximumMilliseconds, milliseconds);
    }
}
