namespace IcmpKit.Responder;

/// <summary>When held answers are due, for the adapters' wait loops.</summary>
internal static class HeldAnswerClock
{
    public static long Due(TimeProvider time, TimeSpan delay) =>
        time.GetTimestamp() + (long)(delay.TotalSeconds * time.TimestampFrequency);

    /// <summary>
    /// How long to wait for the next packet: until the next held answer is due, at most 100 ms. poll waits in whole
    /// milliseconds and wakes late, so the last 2 ms are not waited in poll but checked without waiting, round after
    /// round: an answer leaves within a few µs of its due time (issue 4: delay within 1 ms).
    /// </summary>
    public static int WaitMilliseconds<T>(PriorityQueue<T, long> held, TimeProvider time)
    {
        if (!held.TryPeek(out _, out long due))
        {
            return 100;
        }
        double left = (due - time.GetTimestamp()) * 1000.0 / time.TimestampFrequency;
        return left <= 2 ? 0 : (int)Math.Min(100, Math.Floor(left - 1));
    }
}
