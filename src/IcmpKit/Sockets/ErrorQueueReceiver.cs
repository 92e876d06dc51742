using IcmpKit.Sockets.Native;

namespace IcmpKit.Sockets;

/// <summary>
/// The receive loop of every socket with IP_RECVERR: wait, take the error queue, then the receive queue with one
/// recvmmsg (<see cref="Receive"/> for the UDP and raw TCP probe sockets; <see cref="IcmpSocket"/> polls itself, after
/// its recvmmsg-first fast path, and calls <see cref="Take"/>).
/// </summary>
internal static unsafe class ErrorQueueReceiver
{
    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1: forever) on the guarded descriptor, then fills
    /// <paramref name="batch"/>: error-queue entries first (flagged in <see cref="ReceiveBatch.FromErrorQueue"/>), then
    /// queued packets. Returns the slots filled, 0 on timeout, -1 once woken.
    /// </summary>
    public static int Receive(DescriptorGuard guard, ReceiveBatch batch, int timeoutMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(batch);
        if (!guard.Enter())
        {
            return -1;
        }
        try
        {
            int events = guard.WaitReadable(timeoutMilliseconds);
            return events <= 0 ? events : Take(guard.Fd, batch, events);
        }
        finally
        {
            guard.Exit();
        }
    }

    /// <summary>
    /// After poll reported <paramref name="events"/> on <paramref name="fd"/>: fills <paramref name="batch"/> with the
    /// error-queue entries first (POLLERR; flagged in <see cref="ReceiveBatch.FromErrorQueue"/>), then the queued packets
    /// with one recvmmsg (POLLIN). Returns the slots filled. Shared by <see cref="IcmpSocket"/> and the probe sockets.
    /// </summary>
    public static int Take(int fd, ReceiveBatch batch, int events)
    {
        int filled = 0;
        // POLLERR is reported whenever the error queue holds something, asked for or not.
        if ((events & PollEvents.Error) != 0)
        {
            while (filled < batch.Capacity)
            {
                batch.Reset(filled);
                nint length = LinuxSocketApi.RecvMsg(fd, &batch.Headers[filled].Header, MessageFlags.ErrorQueue | MessageFlags.DontWait);
                if (length < 0)
                {
                    break;
                }
                batch.Headers[filled].Length = (uint)length;
                batch.FromErrorQueue[filled] = true;
                filled++;
            }
        }
        if (filled == 0 && (events & PollEvents.In) == 0)
        {
            // POLLERR with an empty error queue: sk_err is set but its queue entry was already taken. Reading SO_ERROR
            // clears it; otherwise poll would report it forever and the reader would spin.
            int pending = 0;
            uint size = sizeof(int);
            LinuxSocketApi.GetSockOpt(fd, Levels.Socket, OptionNames.Error, &pending, &size);
        }
        if ((events & PollEvents.In) != 0 && filled < batch.Capacity)
        {
            for (int i = filled; i < batch.Capacity; i++)
            {
                batch.Reset(i);
                batch.FromErrorQueue[i] = false;
            }
            // A datagram socket may fail the call once with the pending error (sk_err, e.g. EHOSTUNREACH): its
            // details are in the error queue, read on the next round.
            int count = LinuxSocketApi.RecvMMsg(fd, batch.Headers + filled, (uint)(batch.Capacity - filled), MessageFlags.DontWait, null);
            if (count > 0)
            {
                filled += count;
            }
        }
        return filled;
    }
}
