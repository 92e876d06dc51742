namespace IcmpKit.Responder;

/// <summary>
/// A hop's emulated output queue: a leaky bucket of <see cref="Limit"/> packets that drains <see cref="Rate"/> packets
/// per second, measured on the responder's clock. Only the thread that calls <see cref="ResponderCore.Process"/> uses it.
/// </summary>
internal sealed class OutputQueue(int limit, double rate)
{
    private double _level;   // packets queued, fractional while one is being sent
    private long _last;      // timestamp of the last update
    private bool _started;

    public int Limit { get; } = limit;

    public double Rate { get; } = rate;

    /// <summary>
    /// Offers a packet at <paramref name="now"/> (<paramref name="frequency"/> ticks a second). False when it finds
    /// <see cref="Limit"/> packets queued (it is dropped); otherwise it joins the queue and <paramref name="wait"/> is
    /// how long it waits behind the packets already there.
    /// </summary>
    public bool TryEnter(long now, long frequency, out TimeSpan wait)
    {
        if (_started)
        {
            double drained = Math.Max(0, now - _last) * Rate / frequency;
            _level = Math.Max(0, _level - drained);
        }
        _started = true;
        _last = now;
        if (_level >= Limit)
        {
            wait = TimeSpan.Zero;
            return false;
        }
        wait = TimeSpan.FromSeconds(_level / Rate);
        _level += 1;
        return true;
    }
}
