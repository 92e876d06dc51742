using System.Net;
using System.Net.Sockets;

namespace IcmpKit.Sockets;

/// <summary>Which kind of ICMP socket is open (DESIGN §3).</summary>
public enum IcmpSocketKind
{
    /// <summary>SOCK_DGRAM/IPPROTO_ICMP(V6): no privilege where net.ipv4.ping_group_range allows; the kernel owns the identifier.</summary>
    Datagram,
    /// <summary>SOCK_RAW: needs CAP_NET_RAW; sees every ICMP packet of the host, IPv4 with its IP header.</summary>
    Raw,
}

/// <summary>Neither socket kind could be opened; <see cref="Exception.Message"/> says what to do.</summary>
public sealed class IcmpSocketException : Exception
{
    public IcmpSocketException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    public IcmpSocketException()
    {
    }

    public IcmpSocketException(string message) : base(message)
    {
    }
}

/// <summary>
/// One ICMP socket for an address family, opened datagram-first then raw (DESIGN §3). This first version uses
/// the BCL <see cref="Socket"/>; kernel timestamps, the error queue and kernel filters need recvmsg and come
/// with the socket layer of the ping issue.
/// </summary>
public sealed class IcmpSocket : IDisposable
{
    private IcmpSocket(Socket socket, IcmpSocketKind kind, string whyNotDatagram)
    {
        // The BCL refuses ReceiveFrom on an unbound socket; binding to the wildcard changes nothing on the wire.
        socket.Bind(new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
        Socket = socket;
        Kind = kind;
        WhyNotDatagram = whyNotDatagram;
    }

    public Socket Socket { get; }

    public IcmpSocketKind Kind { get; }

    /// <summary>When <see cref="Kind"/> is raw: why the datagram socket was not used.</summary>
    public string WhyNotDatagram { get; }

    public AddressFamily Family => Socket.AddressFamily;

    /// <summary>True when received IPv4 packets start with the IP header (raw IPv4 sockets).</summary>
    public bool ReceivesIPHeader => Kind == IcmpSocketKind.Raw && Family == AddressFamily.InterNetwork;

    /// <summary>Opens the socket kind asked for, or datagram first and raw second when <paramref name="kind"/> is null.</summary>
    public static IcmpSocket Open(AddressFamily family, IcmpSocketKind? kind = null)
    {
        var protocol = family == AddressFamily.InterNetworkV6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp;
        string whyNotDatagram = "";
        if (kind is null or IcmpSocketKind.Datagram)
        {
            try
            {
                return new IcmpSocket(new Socket(family, SocketType.Dgram, protocol), IcmpSocketKind.Datagram, "");
            }
            catch (SocketException e)
            {
                whyNotDatagram = $"datagram ICMP socket refused ({e.SocketErrorCode}): this user's group is outside net.ipv4.ping_group_range";
                if (kind == IcmpSocketKind.Datagram)
                {
                    throw new IcmpSocketException($"no permission for a datagram ICMP socket; widen net.ipv4.ping_group_range (sysctl -w net.ipv4.ping_group_range=\"0 2147483647\") or use --socket raw as root", e);
                }
            }
        }
        try
        {
            return new IcmpSocket(new Socket(family, SocketType.Raw, protocol), IcmpSocketKind.Raw, whyNotDatagram);
        }
        catch (SocketException e)
        {
            throw new IcmpSocketException(
                "no permission for an ICMP socket; run as root, grant cap_net_raw (setcap cap_net_raw+ep), or widen net.ipv4.ping_group_range", e);
        }
    }

    public void SetTimeToLive(int ttl)
    {
        if (Family == AddressFamily.InterNetworkV6)
        {
            Socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.IpTimeToLive, ttl);
        }
        else
        {
            Socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.IpTimeToLive, ttl);
        }
    }

    public ValueTask<int> SendToAsync(ReadOnlyMemory<byte> message, IPAddress target, CancellationToken cancellationToken) =>
        Socket.SendToAsync(message, SocketFlags.None, new IPEndPoint(target, 0), cancellationToken);

    /// <summary>Receives one packet: the ICMP message (with its IPv4 header on raw IPv4 sockets) and the sender.</summary>
    public async ValueTask<(int Length, IPAddress From)> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        EndPoint any = Family == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        var result = await Socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
        return (result.ReceivedBytes, ((IPEndPoint)result.RemoteEndPoint).Address);
    }

    public void Dispose() => Socket.Dispose();
}
