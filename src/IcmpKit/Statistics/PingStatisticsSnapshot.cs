namespace IcmpKit.Statistics;

/// <summary>
/// The numbers of a <see cref="PingStatistics"/> at one moment, immutable: for an interim report
/// (SIGQUIT) or the JSON summary. Each member means what the <see cref="PingStatistics"/> member of
/// the same name means; the <c>Iputils…</c> ones are <see cref="PingStatistics.Rtt"/>'s and are null
/// without unique replies, as iputils then prints no RTTs. Equality compares
/// <see cref="ReplyTtlCounts"/> by reference.
/// </summary>
public sealed record PingStatisticsSnapshot
{
    public required long Transmitted { get; init; }
    public required long Received { get; init; }
    public required long Duplicates { get; init; }
    public required long Errors { get; init; }
    public required double LossPercent { get; init; }

    public required long? IputilsMinimumMicroseconds { get; init; }
    public required long? IputilsAverageMicroseconds { get; init; }
    public required long? IputilsMaximumMicroseconds { get; init; }
    public required long? IputilsMeanDeviationMicroseconds { get; init; }
    public required long? IputilsEwmaMicroseconds { get; init; }

    public required double? MinimumMilliseconds { get; init; }
    public required double? MaximumMilliseconds { get; init; }
    public required double? MeanMilliseconds { get; init; }
    public required double? SampleStandardDeviationMilliseconds { get; init; }
    public required double? PopulationStandardDeviationMilliseconds { get; init; }
    public required double? JitterMilliseconds { get; init; }
    public required double? MeanAbsoluteSuccessiveDifferenceMilliseconds { get; init; }
    public required double? EwmaMilliseconds { get; init; }
    public required double? P50Milliseconds { get; init; }
    public required double? P90Milliseconds { get; init; }
    public required double? P99Milliseconds { get; init; }

    public required IReadOnlyDictionary<int, long> ReplyTtlCounts { get; init; }
}
