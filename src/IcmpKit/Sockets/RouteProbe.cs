using System.Net;
using System.Net.Sockets;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Sockets;

/// <summary>
/// What the route to a target looks like from here, asked of the kernel without sending a packet: the source address a
/// probe will carry (a UDP socket connected to the target, under the same -s and -i, then getsockname) and the MTU of the
/// interface it leaves through. Probes whose checksum is chosen in advance (Paris mode, raw TCP and UDP) need the source
/// address for the pseudo-header; --mtu starts at the interface MTU.
/// </summary>
internal static unsafe class RouteProbe
{
    private const int UdpProtocol = 17;

    /// <summary>Any port: connect needs one for UDP, and nothing is ever sent to it.</summary>
    private const ushort Discard = 9;

    /// <summary>Larger than any interface but loopback, and within one UDP datagram (RFC 768) of either family.</summary>
    private const int OversizedPayload = 65000;

    /// <summary>The source address the kernel will use toward <paramref name="target"/>.</summary>
    public static IPAddress SourceAddress(IPAddress target, IPAddress? source, string? interfaceName)
    {
        ArgumentNullException.ThrowIfNull(target);
        int fd = Open(target, source, interfaceName);
        try
        {
            return SocketSetup.LocalEndPoint(fd).Address;
        }
        finally
        {
            LinuxSocketApi.Close(fd);
        }
    }

    /// <summary>
    /// The MTU of the interface the route to <paramref name="target"/> leaves through. IP_MTU on the connected socket gives
    /// the route's MTU, which is lower than the interface's once the kernel has cached a path MTU for the target; so, unless
    /// that is already loopback-sized, a datagram too big for any interface is offered with IP_PMTUDISC_PROBE (which makes
    /// the kernel check against the interface, not the cache): ip_append_data() / ip6_append_data() refuse it before
    /// anything is built, with EMSGSIZE, and queue a local error whose ee_info is the interface MTU.
    /// </summary>
    public static int InterfaceMtu(IPAddress target, IPAddress? source, string? interfaceName)
    {
        ArgumentNullException.ThrowIfNull(target);
        bool v6 = target.AddressFamily == AddressFamily.InterNetworkV6;
        int fd = Open(target, source, interfaceName);
        try
        {
            int routeMtu = SocketSetup.GetInt(fd, v6 ? Levels.IPv6 : Levels.IP, v6 ? PathMtuOptionNames.IPv6Mtu : PathMtuOptionNames.IPMtu);
            if (routeMtu <= 0)
            {
                throw new IcmpSocketException($"cannot read the MTU of the route to {target} (IP_MTU): {SocketSetup.LastError()}");
            }
            if (routeMtu > OversizedPayload)
            {
                return routeMtu;
            }
            SocketSetup.Require(fd, v6 ? Levels.IPv6 : Levels.IP, v6 ? OptionNames.IPv6MtuDiscover : OptionNames.IPMtuDiscover,
                (int)PathMtuDiscovery.Probe, "IP_MTU_DISCOVER");
            SocketSetup.Require(fd, v6 ? Levels.IPv6 : Levels.IP, v6 ? OptionNames.IPv6ReceiveError : OptionNames.IPReceiveError, 1,
                v6 ? "IPV6_RECVERR" : "IP_RECVERR");
            byte[] payload = new byte[OversizedPayload];
            fixed (byte* data = payload)
            {
                if (LinuxSocketApi.SendTo(fd, data, (nuint)payload.Length, MessageFlags.DontWait, null, 0) >= 0)
                {
                    return routeMtu; // it fit after all (nothing else to learn)
                }
            }
            using var batch = new ReceiveBatch(1, packetBytes: 256);
            batch.Reset(0);
            if (LinuxSocketApi.RecvMsg(fd, &batch.Headers[0].Header, MessageFlags.ErrorQueue | MessageFlags.DontWait) >= 0)
            {
                var report = IcmpSocket.Read(batch, 0);
                if (report.HasErrorReport && report.ErrorOrigin == ErrorOrigin.Local && report.ErrorNumber == Errno.MessageTooLong && report.ErrorInfo > 0)
                {
                    return (int)Math.Min(report.ErrorInfo, int.MaxValue);
                }
            }
            return routeMtu;
        }
        finally
        {
            LinuxSocketApi.Close(fd);
        }
    }

    private static int Open(IPAddress target, IPAddress? source, string? interfaceName)
    {
        int fd = LinuxSocketApi.Socket(SocketSetup.Domain(target.AddressFamily), SocketTypes.Datagram | SocketTypes.CloseOnExec, UdpProtocol);
        if (fd < 0)
        {
            throw new IcmpSocketException($"cannot open a UDP socket: {SocketSetup.LastError()}; too many open files? (ulimit -n)");
        }
        try
        {
            if (interfaceName is { Length: > 0 })
            {
                SocketSetup.BindToDevice(fd, interfaceName);
            }
            if (source is not null)
            {
                SocketSetup.Bind(fd, source);
            }
            SocketSetup.Connect(fd, target, Discard);
            return fd;
        }
        catch
        {
            LinuxSocketApi.Close(fd);
            throw;
        }
    }
}
