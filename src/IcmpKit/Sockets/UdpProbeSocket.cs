using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Sockets;

/// <summary>How to open a <see cref="UdpProbeSocket"/>. Null means "leave the kernel default".</summary>
internal sealed record UdpProbeSocketOptions
{
    /// <summary>
    /// IP_RECVERR / IPV6_RECVERR: ICMP errors about the probes come to this socket's error queue (the unprivileged way).
    /// Off when a raw ICMP socket reads them instead: then, unconnected, the socket is never told of them at all.
    /// </summary>
    public bool ReceiveErrors { get; init; } = true;

    /// <summary>IPv4 TOS byte or IPv6 traffic class, 0–255.</summary>
    public int? TrafficClass { get; init; }

    public PathMtuDiscovery? PathMtuDiscovery { get; init; }

    public IPAddress? SourceAddress { get; init; }

    /// <summary>Interface or VRF to bind with SO_BINDTODEVICE.</summary>
    public string? Interface { get; init; }
}

/// <summary>
/// An ordinary UDP socket for traceroute probes, no privilege needed: each probe goes to its own destination port with
/// its own TTL (<see cref="HopLimitSender"/>), and with IP_RECVERR the routers' errors come back on the error queue with
/// the offender, type, code and MTU, and the probe's destination port as the address's port (ip_icmp_error() puts the
/// original destination port in the queued error). Kernel receive timestamps and reply TTLs are on, as on
/// <see cref="IcmpSocket"/>, whose control-message reader (<see cref="IcmpSocket.Read"/>) reads these packets too.
/// </summary>
internal sealed unsafe class UdpProbeSocket : IDisposable
{
    /// <summary>IPPROTO_UDP.</summary>
    private const int UdpProtocol = 17;

    private readonly int _fd;
    private readonly DescriptorGuard _guard;

    private UdpProbeSocket(int fd, AddressFamily family)
    {
        _fd = fd;
        Family = family;
        _guard = DescriptorGuard.Create(fd);
    }

    public AddressFamily Family { get; }

    /// <summary>The source port the kernel gave this socket (bound at open).</summary>
    public ushort LocalPort { get; private set; }

    public bool ReceivesErrors { get; private set; }

    /// <summary>Opens and sets up the socket; throws <see cref="IcmpSocketException"/> with a one-line remedy.</summary>
    public static UdpProbeSocket Open(AddressFamily family, UdpProbeSocketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentOutOfRangeException(nameof(family), family, "UDP probes are IPv4 or IPv6.");
        }
        int domain = family == AddressFamily.InterNetworkV6 ? AddressFamilies.Inet6 : AddressFamilies.Inet;
        int fd = LinuxSocketApi.Socket(domain, SocketTypes.Datagram | SocketTypes.CloseOnExec, UdpProtocol);
        if (fd < 0)
        {
            throw new IcmpSocketException($"cannot open a UDP socket: {LastError()}; too many open files? (ulimit -n)");
        }
        var socket = new UdpProbeSocket(fd, family);
        try
        {
            socket.Configure(options);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Configure(UdpProbeSocketOptions options)
    {
        bool v6 = Family == AddressFamily.InterNetworkV6;
        Require(Levels.Socket, OptionNames.TimestampNs, 1, "SO_TIMESTAMPNS");
        Require(v6 ? Levels.IPv6 : Levels.IP, v6 ? OptionNames.IPv6ReceiveHopLimit : OptionNames.IPReceiveTtl, 1, v6 ? "IPV6_RECVHOPLIMIT" : "IP_RECVTTL");
        if (options.ReceiveErrors)
        {
            Require(v6 ? Levels.IPv6 : Levels.IP, v6 ? OptionNames.IPv6ReceiveError : OptionNames.IPReceiveError, 1, v6 ? "IPV6_RECVERR" : "IP_RECVERR");
            ReceivesErrors = true;
        }
        if (options.PathMtuDiscovery is { } pmtu)
        {
            Require(v6 ? Levels.IPv6 : Levels.IP, v6 ? OptionNames.IPv6MtuDiscover : OptionNames.IPMtuDiscover, (int)pmtu, "IP_MTU_DISCOVER");
        }
        if (options.TrafficClass is { } tos)
        {
            if (tos is < 0 or > 255)
            {
                throw new ArgumentOutOfRangeException(nameof(options), tos, "The TOS / traffic class is 0 to 255.");
            }
            Require(v6 ? Levels.IPv6 : Levels.IP, v6 ? OptionNames.IPv6TrafficClass : OptionNames.IPTos, tos, v6 ? "IPV6_TCLASS" : "IP_TOS");
        }
        if (options.Interface is { Length: > 0 } name)
        {
            if (LinuxSocketApi.IfNameToIndex(name) == 0)
            {
                throw new IcmpSocketException($"no interface named {name}; list them with `ip link`");
            }
            byte[] bytes = System.Text.Encoding.UTF8.GetBytes(name + "\0");
            fixed (byte* value = bytes)
            {
                if (LinuxSocketApi.SetSockOpt(_fd, Levels.Socket, OptionNames.BindToDevice, value, (uint)bytes.Length) != 0)
                {
                    throw new IcmpSocketException($"cannot bind to interface {name} (SO_BINDTODEVICE): {LastError()}");
                }
            }
        }
        // Bind now, so the source port is known (errors on a raw socket are matched by it) and stays the same.
        var source = options.SourceAddress ?? (v6 ? IPAddress.IPv6Any : IPAddress.Any);
        Span<byte> sockaddr = stackalloc byte[NativeSocketAddress.MaxLength];
        int length = NativeSocketAddress.Write(source, sockaddr);
        fixed (byte* address = sockaddr)
        {
            if (LinuxSocketApi.Bind(_fd, address, (uint)length) != 0)
            {
                throw new IcmpSocketException($"cannot bind to source address {source}: {LastError()}; give an address of this host");
            }
            uint filled = NativeSocketAddress.MaxLength;
            if (LinuxSocketApi.GetSockName(_fd, address, &filled) != 0)
            {
                throw new IcmpSocketException($"cannot read the UDP socket's port (getsockname): {LastError()}");
            }
            LocalPort = NativeSocketAddress.Port(sockaddr);
        }
    }

    /// <summary>
    /// Sends <paramref name="payload"/> to <paramref name="target"/> port <paramref name="port"/> with hop limit
    /// <paramref name="hopLimit"/>. Returns 0 or the errno; a send refused with a pending ICMP error is tried again.
    /// </summary>
    public int Send(ReadOnlySpan<byte> payload, IPAddress target, ushort port, int hopLimit, ref long sentAtNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(target);
        Span<byte> address = stackalloc byte[NativeSocketAddress.MaxLength];
        int addressLength = NativeSocketAddress.Write(target, address);
        BinaryPrimitives.WriteUInt16BigEndian(address[2..], port); // sin_port and sin6_port are both at offset 2
        if (!_guard.Enter())
        {
            return 9; // EBADF
        }
        try
        {
            return HopLimitSender.Send(_fd, Family == AddressFamily.InterNetworkV6, payload, address[..addressLength], hopLimit, ref sentAtNanoseconds);
        }
        finally
        {
            _guard.Exit();
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1: forever) for packets, then takes the error queue and the
    /// receive queue. Returns the slots filled, 0 on timeout, -1 once woken. Read each with <see cref="IcmpSocket.Read"/>
    /// and <see cref="AddressPort"/>.
    /// </summary>
    public int Receive(ReceiveBatch batch, int timeoutMilliseconds) => ErrorQueueReceiver.Receive(_guard, batch, timeoutMilliseconds);

    /// <summary>
    /// The port of the address in slot <paramref name="index"/>: from the error queue, the destination port of the probe the
    /// error is about; from the receive queue, the port a UDP reply came from (the probe's destination port).
    /// </summary>
    public static ushort AddressPort(ReceiveBatch batch, int index)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ref MsgHdr header = ref batch.Headers[index].Header;
        return header.NameLength >= 4 ? NativeSocketAddress.Port(new ReadOnlySpan<byte>(header.Name, 4)) : (ushort)0;
    }

    /// <summary>Wakes a thread blocked in <see cref="Receive"/>, which then returns -1 (for good: used to shut down).</summary>
    public void Wake() => _guard.Wake();

    public void Dispose() => _guard.Retire();

    private void Require(int level, int name, int value, string optionName)
    {
        if (LinuxSocketApi.SetSockOpt(_fd, level, name, &value, sizeof(int)) != 0)
        {
            throw new IcmpSocketException($"cannot set {optionName} to {value}: {LastError()}");
        }
    }

    private static string LastError() => LinuxSocketApi.Describe(Marshal.GetLastPInvokeError());
}
