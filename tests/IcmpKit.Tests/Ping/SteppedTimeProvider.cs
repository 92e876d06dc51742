using Microsoft.Extensions.Time.Testing;

namespace IcmpKit.Tests.Ping;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also tells which of its timers are still pending, so a test can wait until
/// the engine is blocked on one (a timer created after a given point) before moving the clock, and can move the
/// clock exactly to the next timer instead of past it.
/// </summary>
public sealed class SteppedTimeProvider : FakeTimeProvider, IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<TrackedTimer> _timers = [];
    private readonly SemaphoreSlim _changed = new(0, int.MaxValue);

    public SteppedTimeProvider()
        : base(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Timers created so far.</summary>
    public int TimersCreated
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        TrackedTimer tracked;
        lock (_gate)
        {
            tracked = new TrackedTimer(this, _timers.Count);
            _timers.Add(tracked);
            tracked.Arm(GetUtcNow(), dueTime, period);
        }
        tracked.Inner = base.CreateTimer(s =>
        {
            tracked.OnFired();
            callback(s);
        }, state, dueTime, period);
        Signal();
        return tracked;
    }

    /// <summary>The earliest due time among pending timers, if any.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_gate)
            {
                DateTimeOffset? next = null;
                foreach (var timer in _timers)
                {
                    if (timer.Due is { } due && (next is null || due < next))
                    {
                        next = due;
                    }
                }
                return next;
            }
        }
    }

    /// <summary>True when a timer created at or after <paramref name="mark"/> is pending.</summary>
    public bool HasPendingSince(int mark)
    {
        lock (_gate)
        {
            for (int i = mark; i < _timers.Count; i++)
            {
                if (_timers[i].Due is not null)
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>
    /// Waits (real time) until a timer created at or after <paramref name="mark"/> is pending and stays so a moment
    /// (the engine may create a timer and drop it at once when a wake-up was already due), or until
    /// <paramref name="done"/> completes.
    /// </summary>
    public async Task WaitForPendingSinceAsync(int mark, Task done, TimeSpan limit, Func<string> describe)
    {
        var until = DateTime.UtcNow + limit;
        while (!done.IsCompleted)
        {
            if (HasPendingSince(mark))
            {
                int created = TimersCreated;
                await Task.Delay(3).ConfigureAwait(false);
                if (done.IsCompleted || (created == TimersCreated && HasPendingSince(mark)))
                {
                    return;
                }
                continue;
            }
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"the engine never waited on a timer created after #{mark} nor finished: {describe()}");
            }
            await Task.WhenAny(_changed.WaitAsync(left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100)), done).ConfigureAwait(false);
        }
    }

    public string DescribeTimers()
    {
        lock (_gate)
        {
            return string.Join(", ", _timers.Select(t => t.ToString()));
        }
    }

    public void Dispose() => _changed.Dispose();

    private void Signal()
    {
        try
        {
            _changed.Release();
        }
        catch (ObjectDisposedException)
        {
            // a timer disposed after the test ended
        }
    }

    private sealed class TrackedTimer(SteppedTimeProvider owner, int index) : ITimer
    {
        private DateTimeOffset? _due;
        private TimeSpan _period;
        private bool _disposed;
        private string _fate = "pending";

        public ITimer? Inner { get; set; }

        /// <summary>When it fires next; null once fired (one-shot), disposed, or disarmed.</summary>
        public DateTimeOffset? Due
        {
            get
            {
                lock (owner._gate)
                {
                    return _disposed ? null : _due;
                }
            }
        }

        public void Arm(DateTimeOffset now, TimeSpan dueTime, TimeSpan period)
        {
            _due = dueTime == Timeout.InfiniteTimeSpan ? null : now + dueTime;
            _period = period;
        }

        public void OnFired()
        {
            lock (owner._gate)
            {
                _due = _period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan ? owner.GetUtcNow() + _period : null;
                _fate = "fired";
            }
            owner.Signal();
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                Arm(owner.GetUtcNow(), dueTime, period);
            }
            owner.Signal();
            return Inner!.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                _disposed = true;
                if (_fate == "pending")
                {
                    _fate = "dropped";
                }
            }
            Inner?.Dispose();
            owner.Signal();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        public override string ToString()
        {
            lock (owner._gate)
            {
                return $"#{index} {_fate}{(_due is { } due && !_disposed ? " due " + due.ToString("HH:mm:ss.fff", global::System.Globalization.CultureInfo.InvariantCulture) : "")}";
            }
        }
    }
}
