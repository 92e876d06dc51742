using IcmpKit.Sockets.Native;

namespace IcmpKit.Sockets;

/// <summary>
/// The receive loop of a socket with IP_RECVERR that is not an <see cref="IcmpSocket"/> (the UDP and raw TCP probe
/// sockets): wait, take the error queue, then the receive queue with one recvmmsg.
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
            int fd = guard.Fd;
            int events = guard.WaitReadable(timeoutMilliseconds);
            if (events <= 0)
            {
                return events;
            }
            int filled = 0;
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
                if (filled == 0)
                {
                    // POLLERR with the queue already empty: reading SO_ERROR clears sk_err, or poll reports it forever.
                    int pending = 0;
                    uint size = sizeof(int);
                    LinuxSocketApi.GetSockOpt(fd, Levels.Socket, OptionNames.Error, &pending, &size);
                }
            }
            if ((events & PollEvents.In) != 0 && filled < batch.Capacity)
            {
                for (int i = filled; i < batch.Capacity; i++)
                {
                    batch.Reset(i);
                    batch.FromErrorQueue[i] = false;
                }
                // May fail once with the pending error (sk_err); its details are in the error queue, read next round.
                int count = LinuxSocketApi.RecvMMsg(fd, batch.Headers + filled, (uint)(batch.Capacity - filled), MessageFlags.DontWait, null);
                if (count > 0)
                {
                    filled += count;
                }
            }
            return filled;
        }
        finally
        {
            guard.Exit();
        }
    }
}
