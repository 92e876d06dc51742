using System.Runtime.InteropServices;

namespace IcmpKit.Responder;

/// <summary>
/// RFC 1812 §4.3.2.8 rate limiting of ICMP errors, as Linux does it: a token bucket per (answering node, source)
/// and one global bucket. An error goes out only when both buckets hold a token; then both pay.
/// </summary>
internal sealed class ErrorRateLimiter
{
    /// <summary>A bound on remembered sources, so a spoofed flood cannot grow the table without limit.</summary>
    internal const int MaxTrackedSources = 65536;

    private readonly TimeProvider _time;
    private readonly long _sourceCost;      // timestamp ticks one token costs
    private readonly long _sourceCapacity;  // Burst tokens, in ticks
    private readonly long _globalCost;
    private readonly long _globalCapacity;
    private readonly Dictionary<(int Node, UInt128 Source), Bucket> _sources = [];
    private Bucket _global;

    public ErrorRateLimiter(ErrorRateLimit perSource, int globalPerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSource.Burst, 1, nameof(perSource));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(perSource.PerSecond, 0, nameof(perSource));
        ArgumentOutOfRangeException.ThrowIfLessThan(globalPerSecond, 1);
        _time = time;
        _sourceCost = (long)(time.TimestampFrequency / perSource.PerSecond);
        _sourceCapacity = _sourceCost * perSource.Burst;
        _globalCost = time.TimestampFrequency / globalPerSecond;
        _globalCapacity = _globalCost * globalPerSecond;
        _global = new Bucket(_time.GetTimestamp(), _globalCapacity);
    }

    /// <summary>Takes a token for an error from <paramref name="node"/> to <paramref name="source"/>, if both buckets allow.</summary>
    public bool TryTake(int node, UInt128 source)
    {
        long now = _time.GetTimestamp();
        if (!_sources.ContainsKey((node, source)) && _sources.Count >= MaxTrackedSources)
        {
            // Forgetting every source gives each a fresh burst: harmless next to the global bucket, which still holds.
            _sources.Clear();
        }
        ref var perSource = ref CollectionsMarshal.GetValueRefOrAddDefault(_sources, (node, source), out bool known);
        if (!known)
        {
            perSource = new Bucket(now, _sourceCapacity);
        }
        perSource.Refill(now, _sourceCapacity);
        _global.Refill(now, _globalCapacity);
        if (perSource.Credit < _sourceCost || _global.Credit < _globalCost)
        {
            return false;
        }
        perSource.Credit -= _sourceCost;
        _global.Credit -= _globalCost;
        return true;
    }

    private struct Bucket(long last, long credit)
    {
        public long Last = last;
        public long Credit = credit;

        public void Refill(long now, long capacity)
        {
            Credit = Math.Min(capacity, Credit + Math.Max(0, now - Last));
            Last = now;
        }
    }
}
