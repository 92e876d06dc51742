using System.Collections.ObjectModel;

namespace IcmpKit.Responder;

/// <summary>
/// Counts of everything answered and dropped. Written by the thread that calls <see cref="ResponderCore.Process"/>,
/// read from any thread: every update is an interlocked increment, so no count is ever torn or lost.
/// </summary>
public sealed class ResponderCounters
{
    private readonly long[] _answered = new long[Enum.GetValues<AnswerKind>().Length];
    private readonly long[] _dropped = new long[Enum.GetValues<DropReason>().Length];
    private readonly long[] _unreachableV4 = new long[256];
    private readonly long[] _unreachableV6 = new long[256];
    private long _received;
    private long _duplicated;
    private long _reordered;
    private long _redirects;

    /// <summary>Packets given to <see cref="ResponderCore.Process"/>.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Answers sent a second time by emulated duplication (each counted once in <see cref="Answered"/>).</summary>
    public long Duplicated => Interlocked.Read(ref _duplicated);

    /// <summary>Answers held back by emulated reordering.</summary>
    public long Reordered => Interlocked.Read(ref _reordered);

    /// <summary>
    /// ICMPv4 redirects sent by hops with <see cref="ResponderHop.RedirectGateway"/>. A redirect goes beside the packet's
    /// own outcome (the packet is still forwarded), so it is counted here and not in <see cref="Answered"/>, which keeps
    /// every received packet counted once: answered or dropped.
    /// </summary>
    public long Redirects => Interlocked.Read(ref _redirects);

    public long Answered(AnswerKind kind) => Interlocked.Read(ref _answered[(int)kind]);

    public long Dropped(DropReason reason) => Interlocked.Read(ref _dropped[(int)reason]);

    /// <summary>ICMPv4 destination unreachable sent with <paramref name="code"/>.</summary>
    public long UnreachableV4(byte code) => Interlocked.Read(ref _unreachableV4[code]);

    /// <summary>ICMPv6 destination unreachable sent with <paramref name="code"/>.</summary>
    public long UnreachableV6(byte code) => Interlocked.Read(ref _unreachableV6[code]);

    /// <summary>A copy of every count, taken one count at a time (counts may advance between two reads).</summary>
    public ResponderCountersSnapshot Snapshot() => new()
    {
        Received = Received,
        Duplicated = Duplicated,
        Reordered = Reordered,
        Redirects = Redirects,
        Answered = Collect<AnswerKind>(_answered),
        Dropped = Collect<DropReason>(_dropped),
        UnreachableV4ByCode = CollectCodes(_unreachableV4),
        UnreachableV6ByCode = CollectCodes(_unreachableV6),
    };

    internal void CountReceived() => Interlocked.Increment(ref _received);

    internal void CountDuplicated() => Interlocked.Increment(ref _duplicated);

    internal void CountReordered() => Interlocked.Increment(ref _reordered);

    internal void CountRedirect() => Interlocked.Increment(ref _redirects);

    internal void Count(AnswerKind kind) => Interlocked.Increment(ref _answered[(int)kind]);

    internal void Count(DropReason reason) => Interlocked.Increment(ref _dropped[(int)reason]);

    internal void CountUnreachableV4(byte code) => Interlocked.Increment(ref _unreachableV4[code]);

    internal void CountUnreachableV6(byte code) => Interlocked.Increment(ref _unreachableV6[code]);

    private static ReadOnlyDictionary<TEnum, long> Collect<TEnum>(long[] counts)
        where TEnum : struct, Enum
    {
        var values = new Dictionary<TEnum, long>();
        foreach (var value in Enum.GetValues<TEnum>())
        {
            values[value] = Interlocked.Read(ref counts[Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)]);
        }
        return values.AsReadOnly();
    }

    private static ReadOnlyDictionary<byte, long> CollectCodes(long[] counts)
    {
        var values = new Dictionary<byte, long>();
        for (int code = 0; code < counts.Length; code++)
        {
            long count = Interlocked.Read(ref counts[code]);
            if (count != 0)
            {
                values[(byte)code] = count;
            }
        }
        return values.AsReadOnly();
    }
}

/// <summary>The counts at one moment: every answer kind and drop reason (zeros included), unreachable codes seen.</summary>
public sealed record ResponderCountersSnapshot
{
    public long Received { get; init; }
    /// <summary>Answers sent twice by emulated duplication.</summary>
    public long Duplicated { get; init; }
    /// <summary>Answers held back by emulated reordering.</summary>
    public long Reordered { get; init; }
    /// <summary>Redirects sent beside forwarded packets (not in <see cref="Answered"/>).</summary>
    public long Redirects { get; init; }
    public required IReadOnlyDictionary<AnswerKind, long> Answered { get; init; }
    public required IReadOnlyDictionary<DropReason, long> Dropped { get; init; }
    /// <summary>ICMPv4 destination unreachable per code, codes never sent left out.</summary>
    public required IReadOnlyDictionary<byte, long> UnreachableV4ByCode { get; init; }
    /// <summary>ICMPv6 destination unreachable per code, codes never sent left out.</summary>
    public required IReadOnlyDictionary<byte, long> UnreachableV6ByCode { get; init; }
    public long TotalAnswered => Answered.Values.Sum();
    public long TotalDropped => Dropped.Values.Sum();
}
