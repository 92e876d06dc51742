using System.Runtime.InteropServices;

namespace IcmpKit.Responder;

/// <summary>
/// RFC 1812 §4.3.2.8 rate limiting of ICMP errors, as Linux does it: a token bucket per (answering node, source)
/// and one global bucket. An error goes out only when both buckets hold a token; then both pay. Each node brings its
/// own bucket size and rate (<see cref="ResponderHop.ErrorRateLimit"/>).
/// </summary>
internal sealed class ErrorRateLimiter
{
    /// <summary>A bound on remembered sources, so a spoofed flood cannot grow the table without limit.</summary>
    internal const int MaxTrackedSources = 65536;

    private readonly TimeProvider _time;
    private readonly long _globalCost;
    private readonly long _globalCapacity;
    private readonly Dictionary<(int Node, UInt128 Source), Bucket> _sources = [];
    private Bucket _global;

    public ErrorRateLimiter(int globalPerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(globalPerSecond, 1);
        _time = time;
        _globalCost = time.TimestampFrequency / globalPerSecond;
        _globalCapacity = _globalCost * globalPerSecond;
        _global = new Bucket(_time.GetTimestamp(), _globalCapacity);
    }

    /// <summary>
    /// Takes a token for an error from node <paramref name="node"/> to <paramref name="source"/>, whose bucket is
    /// <paramref name="perSource"/>, if both buckets allow.
    /// </summary>
    public bool TryTake(int node, UInt128 source, ErrorRateLimit perSource)
    {
        long now = _time.GetTimestamp();
        long sourceCost = (long)(_time.TimestampFrequency / perSource.PerSecond); // timestamp ticks one token costs
        long sourceCapacity = sourceCost * perSource.Burst;
        if (!_sources.ContainsKey((node, source)) && _sources.Count >= MaxTrackedSources)
        {
            // Forgetting every source gives each a fresh burst: harmless next to the global bucket, which still holds.
            _sources.Clear();
        }
        ref var bucket = ref CollectionsMarshal.GetValueRefOrAddDefault(_sources, (node, source), out bool known);
        if (!known)
        {
            bucket = new Bucket(now, sourceCapacity);
        }
        bucket.Refill(now, sourceCapacity);
        _global.Refill(now, _globalCapacity);
        if (bucket.Credit < sourceCost || _global.Credit < _globalCost)
        {
            return false;
        }
        bucket.Credit -= sourceCost;
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
