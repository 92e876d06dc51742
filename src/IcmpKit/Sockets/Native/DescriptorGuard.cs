using System.Runtime.InteropServices;

namespace IcmpKit.Sockets.Native;

/// <summary>
/// A file descriptor with a wake-up eventfd beside it, kept open while system calls use it: every call goes between
/// <see cref="Enter"/> and <see cref="Exit"/>, and after <see cref="Retire"/> the last call to leave closes both.
/// So a call racing Dispose can never reach a file that has reused the number, and a thread blocked in
/// <see cref="WaitReadable"/> is woken rather than left on a closed descriptor.
/// </summary>
internal sealed unsafe class DescriptorGuard
{
    private readonly int _wakeFd;
    private int _retired;
    private int _closed;
    private int _callsInProgress;

    private DescriptorGuard(int fd, int wakeFd)
    {
        Fd = fd;
        _wakeFd = wakeFd;
    }

    public int Fd { get; }

    public bool IsRetired => Volatile.Read(ref _retired) != 0;

    /// <summary>Guards <paramref name="fd"/>; closes it and throws with a one-line remedy when no eventfd can be made.</summary>
    public static DescriptorGuard Create(int fd)
    {
        int wake = LinuxSocketApi.EventFd(0, SocketTypes.CloseOnExec | SocketTypes.NonBlocking);
        if (wake < 0)
        {
            string why = LinuxSocketApi.Describe(Marshal.GetLastPInvokeError());
            LinuxSocketApi.Close(fd);
            throw new IcmpSocketException($"cannot create the wake-up eventfd: {why}; too many open files? (ulimit -n)");
        }
        return new DescriptorGuard(fd, wake);
    }

    /// <summary>False once retired: the descriptors may be closing, do not use them.</summary>
    public bool Enter()
    {
        Interlocked.Increment(ref _callsInProgress);
        if (Volatile.Read(ref _retired) != 0)
        {
            Exit();
            return false;
        }
        return true;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _callsInProgress) == 0 && Volatile.Read(ref _retired) != 0
            && Interlocked.Exchange(ref _closed, 1) == 0)
        {
            LinuxSocketApi.Close(Fd);
            LinuxSocketApi.Close(_wakeFd);
        }
    }

    /// <summary>
    /// Waits (inside an Enter/Exit pair) until the descriptor has events or <paramref name="timeoutMilliseconds"/>
    /// pass (-1: forever). Returns the descriptor's poll events, 0 on timeout or an interrupted wait, -1 once woken.
    /// </summary>
    public int WaitReadable(int timeoutMilliseconds)
    {
        PollFd* fds = stackalloc PollFd[2];
        fds[0] = new PollFd { Fd = Fd, Events = PollEvents.In };
        fds[1] = new PollFd { Fd = _wakeFd, Events = PollEvents.In };
        int ready = LinuxSocketApi.Poll(fds, 2, timeoutMilliseconds);
        if (ready < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == Errno.Interrupted ? 0 : throw new IcmpSocketException($"poll failed: {LinuxSocketApi.Describe(errno)}");
        }
        if (fds[1].ReturnedEvents != 0 || IsRetired)
        {
            return -1;
        }
        return ready == 0 ? 0 : fds[0].ReturnedEvents;
    }

    /// <summary>Makes every wait return -1, now and from now on (the eventfd is never drained): used to shut down.</summary>
    public void Wake()
    {
        if (!Enter())
        {
            return;
        }
        try
        {
            ulong one = 1;
            LinuxSocketApi.Write(_wakeFd, &one, sizeof(ulong));
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Wakes any waiter, refuses new calls; the descriptors close now if none is in progress, else when the last leaves.</summary>
    public void Retire()
    {
        if (IsRetired)
        {
            return;
        }
        Wake();
        Interlocked.Increment(ref _callsInProgress);
        Interlocked.Exchange(ref _retired, 1);
        Exit();
    }
}
