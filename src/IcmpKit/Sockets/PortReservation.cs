using System.Net;
using System.Net.Sockets;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Sockets;

/// <summary>
/// A source port held for probes sent from a raw socket: a TCP or UDP socket bound to a port the kernel picks, never
/// listening, never connected, closed on Dispose. While it is open no other socket of this host can use the port, so a
/// probe's flow cannot collide with a real connection (traceroute's tcp method holds a stream socket per probe for the
/// same reason). What comes back to the port is still the kernel's: a SYN-ACK to a bound-only TCP socket finds no listener
/// and no connection, so the kernel answers it with a RST (tcp_v4_send_reset) and no half-open connection is left at the
/// far end; a UDP datagram to it waits unread in a small buffer until the socket closes.
/// </summary>
internal sealed class PortReservation : IDisposable
{
    private const int StreamType = 1;      // SOCK_STREAM
    private const int TcpProtocol = 6;
    private const int UdpProtocol = 17;

    private readonly int _fd;
    private int _closed;

    private PortReservation(int fd, ushort port)
    {
        _fd = fd;
        Port = port;
    }

    public ushort Port { get; }

    /// <summary>Binds a TCP (<paramref name="tcp"/>) or UDP socket of <paramref name="family"/> to a free port on <paramref name="source"/> (null: any).</summary>
    public static PortReservation Take(AddressFamily family, bool tcp, IPAddress? source)
    {
        int fd = LinuxSocketApi.Socket(SocketSetup.Domain(family), (tcp ? StreamType : SocketTypes.Datagram) | SocketTypes.CloseOnExec,
            tcp ? TcpProtocol : UdpProtocol);
        if (fd < 0)
        {
            throw new IcmpSocketException($"cannot open a socket to hold a source port: {SocketSetup.LastError()}; too many open files? (ulimit -n)");
        }
        try
        {
            SocketSetup.Bind(fd, source ?? (family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any));
            return new PortReservation(fd, SocketSetup.LocalEndPoint(fd).Port);
        }
        catch
        {
            LinuxSocketApi.Close(fd);
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            LinuxSocketApi.Close(_fd);
        }
    }
}
