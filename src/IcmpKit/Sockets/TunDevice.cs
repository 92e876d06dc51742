using System.Runtime.InteropServices;
using System.Text;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Sockets;

/// <summary>
/// A TUN device: the kernel hands over every IP packet routed to it, and takes the packets written back as if they
/// had arrived on it (issue 4: the responder's adapter). Not persistent: the device disappears when this is disposed,
/// also when the process dies. Created in the network namespace of the calling thread.
/// </summary>
public sealed unsafe class TunDevice : IDisposable
{
    private readonly int _fd;
    private readonly DescriptorGuard _guard;

    private TunDevice(int fd, string name)
    {
        _fd = fd;
        _guard = DescriptorGuard.Create(fd);
        Name = name;
    }

    /// <summary>The interface name the kernel gave the device.</summary>
    public string Name { get; }

    /// <summary>
    /// Creates the device <paramref name="name"/> (at most 15 bytes) and sets it up. Throws <see cref="IcmpSocketException"/>
    /// with a one-line remedy: no /dev/net/tun, no CAP_NET_ADMIN, a name in use.
    /// </summary>
    public static TunDevice Create(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        if (bytes.Length >= TunApi.InterfaceNameSize || name.Contains('/', StringComparison.Ordinal) || name.Any(char.IsWhiteSpace))
        {
            throw new IcmpSocketException($"bad device name '{name}': give at most 15 bytes, no '/' or spaces");
        }
        // Non-blocking, so that Read can take every queued packet before it polls again (see Read).
        int fd = TunApi.Open("/dev/net/tun", TunApi.ReadWrite | TunApi.NonBlocking | TunApi.CloseOnExec);
        if (fd < 0)
        {
            throw new IcmpSocketException($"cannot open /dev/net/tun: {LastError()}; load the tun module (modprobe tun) and run as root");
        }
        var request = TunApi.InterfaceRequest.For(bytes);
        request.Flags = TunApi.Tun | TunApi.NoPacketInformation;
        if (TunApi.IoControl(fd, TunApi.SetInterface, &request) != 0)
        {
            string why = LastError();
            LinuxSocketApi.Close(fd);
            throw new IcmpSocketException($"cannot create TUN device {name}: {why}; it needs CAP_NET_ADMIN, and the name must be free");
        }
        var device = new TunDevice(fd, name);
        try
        {
            device.BringUp();
            return device;
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a thread that has joined the network namespace at
    /// <paramref name="namespacePath"/> (e.g. /var/run/netns/NAME): a device created there belongs to that namespace.
    /// </summary>
    public static T InNamespace<T>(string namespacePath, Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            int ns = TunApi.Open(namespacePath, 0 | TunApi.CloseOnExec);
            if (ns < 0)
            {
                failure = new IcmpSocketException($"cannot open network namespace {namespacePath}: {LastError()}");
                return;
            }
            try
            {
                // setns changes only this thread, which ends after the action: no other thread moves.
                if (TunApi.SetNamespace(ns, TunApi.NetworkNamespace) != 0)
                {
                    failure = new IcmpSocketException($"cannot enter network namespace {namespacePath}: {LastError()}; it needs CAP_SYS_ADMIN");
                    return;
                }
                result = action();
            }
#pragma warning disable CA1031 // handed to the caller's thread below
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = e;
            }
            finally
            {
                LinuxSocketApi.Close(ns);
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw failure is IcmpSocketException ? failure : new IcmpSocketException(failure.Message, failure);
        }
        return result!;
    }

    /// <summary>
    /// Takes the next packet into <paramref name="buffer"/>, waiting up to <paramref name="timeoutMilliseconds"/>
    /// (-1: forever) when none is queued; returns its length, 0 on timeout, -1 once disposed or woken. A packet that
    /// is already queued is returned without waiting, also after <see cref="Wake"/>.
    /// </summary>
    /// <remarks>
    /// The descriptor is non-blocking and the read comes first: under load the device's queue is rarely empty, and
    /// then a packet costs one read(2) instead of poll(2) + read(2) (docs/benchmarks.md, responder). Only when the
    /// queue is empty (EAGAIN) does it poll; with a zero timeout it returns at once.
    /// </remarks>
    public int Read(Span<byte> buffer, int timeoutMilliseconds)
    {
        if (!Enter())
        {
            return -1;
        }
        try
        {
            fixed (byte* data = buffer)
            {
                nint length = LinuxSocketApi.Read(_fd, data, (nuint)buffer.Length);
                if (length >= 0 || timeoutMilliseconds == 0)
                {
                    return length < 0 ? 0 : (int)length;
                }
                // Nothing queued (EAGAIN), or an error that poll reports at once: wait, then read what came.
                int events = _guard.WaitReadable(timeoutMilliseconds);
                if (events <= 0)
                {
                    return events;
                }
                length = LinuxSocketApi.Read(_fd, data, (nuint)buffer.Length);
                return length < 0 ? 0 : (int)length;
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Hands one IP packet to the kernel as if it had arrived on the device; returns 0 or the errno.</summary>
    public int Write(ReadOnlySpan<byte> packet)
    {
        if (!Enter())
        {
            return 9; // EBADF
        }
        try
        {
            fixed (byte* data = packet)
            {
                return LinuxSocketApi.Write(_fd, data, (nuint)packet.Length) < 0 ? Marshal.GetLastPInvokeError() : 0;
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Wakes a thread blocked in <see cref="Read"/>, for good (shutting down).</summary>
    public void Wake() => _guard.Wake();

    /// <summary>Closes the device (the kernel removes it) once no call is in progress.</summary>
    public void Dispose() => _guard.Retire();

    private void BringUp()
    {
        // SIOCSIFFLAGS goes through any socket of the namespace; an ICMP datagram or UDP one will do.
        int control = LinuxSocketApi.Socket(AddressFamilies.Inet, SocketTypes.Datagram | SocketTypes.CloseOnExec, 17);
        if (control < 0)
        {
            throw new IcmpSocketException($"cannot open a control socket: {LastError()}");
        }
        try
        {
            var request = TunApi.InterfaceRequest.For(Encoding.UTF8.GetBytes(Name));
            if (TunApi.IoControl(control, TunApi.GetFlags, &request) != 0)
            {
                throw new IcmpSocketException($"cannot read the flags of {Name}: {LastError()}");
            }
            request.Flags |= TunApi.Up;
            if (TunApi.IoControl(control, TunApi.SetFlags, &request) != 0)
            {
                throw new IcmpSocketException($"cannot bring {Name} up: {LastError()}; it needs CAP_NET_ADMIN");
            }
        }
        finally
        {
            LinuxSocketApi.Close(control);
        }
    }

    private bool Enter() => _guard.Enter();

    private void Exit() => _guard.Exit();

    private static string LastError() => LinuxSocketApi.Describe(Marshal.GetLastPInvokeError());
}
