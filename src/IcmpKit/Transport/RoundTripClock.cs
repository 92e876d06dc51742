namespace IcmpKit.Transport;

/// <summary>The one way every operation turns its send time and a receive time into a round-trip time.</summary>
internal static class RoundTripClock
{
    /// <summary>
    /// Kernel receive time minus our send time, both CLOCK_REALTIME. The kernel stamped the reply before we read it, so
    /// that difference cannot exceed the monotonic time between send and read; when it does, or is negative, the wall
    /// clock was stepped and the monotonic figure is used instead (iputils only warns "time of day goes back").
    /// </summary>
    public static (TimeSpan Rtt, bool ClockAdjusted) Measure(long receivedRealtime, long sentRealtime, TimeSpan monotonic)
    {
        long nanoseconds = receivedRealtime - sentRealtime;
        long monotonicNanoseconds = (long)(monotonic.TotalMilliseconds * 1_000_000L);
        if (nanoseconds < 0 || nanoseconds > monotonicNanoseconds + 1_000_000L)
        {
            return (monotonic < TimeSpan.Zero ? TimeSpan.Zero : monotonic, true);
        }
        return (TimeSpan.FromTicks(nanoseconds / 100), false);
    }
}
