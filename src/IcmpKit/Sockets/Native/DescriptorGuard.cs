namespace IcmpKit.Sockets.Native;

/// <summary>
/// Keeps a set of file descriptors open while system calls use them: every call goes between <see cref="Enter"/>
/// and <see cref="Exit"/>, and after <see cref="Retire"/> the last call to leave closes them. So a call racing
/// Dispose can never reach a file that has reused the number.
/// </summary>
internal sealed class DescriptorGuard(params int[] descriptors)
{
    private int _retired;
    private int _closed;
    private int _callsInProgress;

    public bool IsRetired => Volatile.Read(ref _retired) != 0;

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
        if (Interlocked.Decrement(ref _callsInProgress) == 0 && Volatile.Read(ref _retired) != 0)
        {
            CloseOnce();
        }
    }

    /// <summary>Refuses new calls; the descriptors close now if none is in progress, else when the last one leaves.</summary>
    public void Retire()
    {
        Interlocked.Increment(ref _callsInProgress);
        Interlocked.Exchange(ref _retired, 1);
        Exit();
    }

    private void CloseOnce()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            foreach (int fd in descriptors)
            {
                LinuxSocketApi.Close(fd);
            }
        }
    }
}
