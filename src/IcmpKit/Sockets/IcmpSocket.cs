using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Sockets;

/// <summary>Which kind of ICMP socket is open (DESIGN §3).</summary>
public enum IcmpSocketKind
{
    /// <summary>SOCK_DGRAM/IPPROTO_ICMP(V6): no privilege where net.ipv4.ping_group_range allows; the kernel owns the identifier.</summary>
    Datagram,
    /// <summary>SOCK_RAW: needs CAP_NET_RAW; sees every ICMP packet of the host, IPv4 with its IP header.</summary>
    Raw,
}

/// <summary>An ICMP socket could not be opened or set up; <see cref="Exception.Message"/> is one line that says what to do.</summary>
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
/// One Linux ICMP socket for an address family, opened datagram-first then raw (DESIGN §3), with kernel receive
/// timestamps, reply TTL and TOS, and (datagram sockets) the IP_RECVERR error queue turned on. Sending is
/// thread-safe; receiving belongs to one thread at a time (see <see cref="Transport.IcmpTransport"/>).
/// </summary>
public sealed unsafe partial class IcmpSocket : IDisposable
{
    private readonly int _fd;
    private readonly DescriptorGuard _guard;

    private IcmpSocket(int fd, AddressFamily family, IcmpSocketKind kind, string whyNotDatagram)
    {
        _fd = fd;
        Family = family;
        Kind = kind;
        WhyNotDatagram = whyNotDatagram;
        _guard = DescriptorGuard.Create(fd);
    }

    /// <summary>Every system call on the descriptors goes between Enter and Exit (see <see cref="DescriptorGuard"/>).</summary>
    private bool Enter() => _guard.Enter();

    private void Exit() => _guard.Exit();

    public IcmpSocketKind Kind { get; }

    public AddressFamily Family { get; }

    /// <summary>When <see cref="Kind"/> is raw and datagram was tried: why the datagram socket was not used.</summary>
    public string WhyNotDatagram { get; }

    /// <summary>Datagram sockets: the echo identifier the kernel bound this socket to (it rewrites ours). Raw: null.</summary>
    public ushort? KernelIdentifier { get; private set; }

    /// <summary>True when received packets start with the IPv4 header (raw IPv4 sockets).</summary>
    public bool ReceivesIPHeader => Kind == IcmpSocketKind.Raw && Family == AddressFamily.InterNetwork;

    /// <summary>Send and receive buffer sizes the kernel granted (it reports double the requested value).</summary>
    public (int Send, int Receive) BufferSizes => (GetInt(Levels.Socket, OptionNames.SendBuffer), GetInt(Levels.Socket, OptionNames.ReceiveBuffer));

    /// <summary>Opens and sets up a socket. Throws <see cref="IcmpSocketException"/> with a one-line remedy.</summary>
    public static IcmpSocket Open(AddressFamily family, IcmpSocketOptions? options = null)
    {
        options ??= new IcmpSocketOptions();
        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentOutOfRangeException(nameof(family), family, "ICMP sockets are IPv4 or IPv6.");
        }
        bool v6 = family == AddressFamily.InterNetworkV6;
        int domain = v6 ? AddressFamilies.Inet6 : AddressFamilies.Inet;
        int protocol = v6 ? 58 : 1;
        string whyNotDatagram = "";
        IcmpSocket? socket = null;
        if (options.Kind is null or IcmpSocketKind.Datagram)
        {
            int fd = LinuxSocketApi.Socket(domain, SocketTypes.Datagram | SocketTypes.CloseOnExec, protocol);
            if (fd >= 0)
            {
                socket = new IcmpSocket(fd, family, IcmpSocketKind.Datagram, "");
            }
            else
            {
                int errno = Marshal.GetLastPInvokeError();
                whyNotDatagram = $"the datagram ICMP socket was refused ({LinuxSocketApi.Describe(errno)}): this user's group is outside net.ipv4.ping_group_range";
                if (options.Kind == IcmpSocketKind.Datagram)
                {
                    throw new IcmpSocketException(
                        "no permission for a datagram ICMP socket; widen net.ipv4.ping_group_range (sysctl -w net.ipv4.ping_group_range=\"0 2147483647\") or use --socket raw with cap_net_raw");
                }
            }
        }
        if (socket is null)
        {
            int fd;
            // A binary with cap_net_raw+p holds the capability in its permitted set only: effective for this call alone.
            using (Privileges.RaiseNetRaw())
            {
                fd = LinuxSocketApi.Socket(domain, SocketTypes.Raw | SocketTypes.CloseOnExec, protocol);
            }
            if (fd < 0)
            {
                throw new IcmpSocketException(options.Kind == IcmpSocketKind.Raw
                    ? "no permission for a raw ICMP socket; run as root or grant cap_net_raw (setcap cap_net_raw+ep), or use --socket dgram"
                    : "no permission for an ICMP socket; run as root, grant cap_net_raw (setcap cap_net_raw+ep), or widen net.ipv4.ping_group_range");
            }
            socket = new IcmpSocket(fd, family, IcmpSocketKind.Raw, whyNotDatagram);
        }
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

    private void Configure(IcmpSocketOptions options)
    {
        bool v6 = Family == AddressFamily.InterNetworkV6;
        SetBuffer(OptionNames.SendBufferForce, OptionNames.SendBuffer, options.SendBufferBytes);
        SetBuffer(OptionNames.ReceiveBufferForce, OptionNames.ReceiveBuffer, options.ReceiveBufferBytes);
        Require(Levels.Socket, OptionNames.TimestampNs, 1, "SO_TIMESTAMPNS");
        if (v6)
        {
            Require(Levels.IPv6, OptionNames.IPv6ReceiveHopLimit, 1, "IPV6_RECVHOPLIMIT");
            Require(Levels.IPv6, OptionNames.IPv6ReceiveTrafficClass, 1, "IPV6_RECVTCLASS");
        }
        else
        {
            Require(Levels.IP, OptionNames.IPReceiveTtl, 1, "IP_RECVTTL");
            Require(Levels.IP, OptionNames.IPReceiveTos, 1, "IP_RECVTOS");
        }
        // Datagram sockets learn of router errors only through the error queue. Raw sockets see the ICMP error
        // itself, but need the queue for local errors (EMSGSIZE with the MTU under -M do); the transport drops the
        // queued copies of ICMP errors there so nothing is counted twice.
        Require(v6 ? Levels.IPv6 : Levels.IP, v6 ? OptionNames.IPv6ReceiveError : OptionNames.IPReceiveError, 1, v6 ? "IPV6_RECVERR" : "IP_RECVERR");
        if (options.TimeToLive is { } ttl)
        {
            SetTimeToLive(ttl);
        }
        if (options.TrafficClass is { } tos)
        {
            if (tos is < 0 or > 255)
            {
                throw new ArgumentOutOfRangeException(nameof(options), tos, "The TOS / traffic class is 0 to 255.");
            }
            Require(v6 ? Levels.IPv6 : Levels.IP, v6 ? OptionNames.IPv6TrafficClass : OptionNames.IPTos, tos, v6 ? "IPV6_TCLASS" : "IP_TOS");
        }
        if (options.PathMtuDiscovery is { } pmtu)
        {
            Require(v6 ? Levels.IPv6 : Levels.IP, v6 ? OptionNames.IPv6MtuDiscover : OptionNames.IPMtuDiscover, (int)pmtu, "IP_MTU_DISCOVER");
        }
        if (options.Interface is { Length: > 0 } name)
        {
            BindToDevice(name);
        }
        if (options.Mark is { } mark)
        {
            int errno = 0;
            using (Privileges.RaiseNetRaw()) // SO_MARK needs CAP_NET_RAW (or CAP_NET_ADMIN) in the effective set
            {
                if (LinuxSocketApi.SetSockOpt(_fd, Levels.Socket, OptionNames.Mark, &mark, sizeof(uint)) != 0)
                {
                    errno = Marshal.GetLastPInvokeError(); // before lowering the capability, which makes calls of its own
                }
            }
            if (errno != 0)
            {
                throw new IcmpSocketException($"cannot set the firewall mark {mark} (SO_MARK): {LinuxSocketApi.Describe(errno)}; it needs CAP_NET_RAW or CAP_NET_ADMIN, run as root");
            }
        }
        if (!options.IPv4Options.IsEmpty)
        {
            if (v6)
            {
                throw new IcmpSocketException("IPv4 options (Record Route, Timestamp) do not exist in IPv6; drop -R/-T or ping an IPv4 address");
            }
            fixed (byte* bytes = options.IPv4Options.Span)
            {
                if (LinuxSocketApi.SetSockOpt(_fd, Levels.IP, OptionNames.IPOptions, bytes, (uint)options.IPv4Options.Length) != 0)
                {
                    throw new IcmpSocketException($"cannot set IP options (IP_OPTIONS): {LastError()}");
                }
            }
            if (Kind == IcmpSocketKind.Datagram)
            {
                Require(Levels.IP, OptionNames.IPReceiveOptions, 1, "IP_RECVOPTS");
            }
        }
        if (Kind == IcmpSocketKind.Datagram || options.SourceAddress is not null)
        {
            // Binding a datagram socket makes the kernel choose its echo identifier now, so replies can be told apart.
            Bind(options.SourceAddress ?? (v6 ? IPAddress.IPv6Any : IPAddress.Any));
        }
        if (v6 && Kind == IcmpSocketKind.Raw)
        {
            // RFC 3542 §3.1: the kernel always computes the ICMPv6 checksum on raw ICMPv6 sockets (Linux refuses
            // IPV6_CHECKSUM there with EINVAL), so only the type filter is needed.
            KernelFilters.AttachIcmpV6TypeFilter(_fd);
        }
    }

    /// <summary>
    /// Raw sockets: a classic BPF filter that lets through only replies whose identifier lies in
    /// [<paramref name="first"/>, first + <paramref name="count"/>), and ICMP errors, so other pingers' traffic
    /// never reaches this process (iputils does the same for its one identifier).
    /// </summary>
    public void AttachIdentifierFilter(ushort first, int count)
    {
        if (Kind != IcmpSocketKind.Raw)
        {
            return; // the kernel already delivers only this socket's replies
        }
        bool entered = Enter();
        ObjectDisposedException.ThrowIf(!entered, this);
        int result;
        try
        {
            result = KernelFilters.AttachIdentifierFilter(_fd, Family == AddressFamily.InterNetworkV6, first, count);
        }
        finally
        {
            Exit();
        }
        if (result != 0)
        {
            throw new IcmpSocketException($"cannot attach the socket filter (SO_ATTACH_FILTER): {LinuxSocketApi.Describe(result)}");
        }
    }

    public void SetTimeToLive(int ttl)
    {
        if (ttl is < 1 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "The TTL / hop limit is 1 to 255.");
        }
        if (Family == AddressFamily.InterNetworkV6)
        {
            Require(Levels.IPv6, OptionNames.IPv6UnicastHops, ttl, "IPV6_UNICAST_HOPS");
            Require(Levels.IPv6, OptionNames.IPv6MulticastHops, ttl, "IPV6_MULTICAST_HOPS");
        }
        else
        {
            Require(Levels.IP, OptionNames.IPTtl, ttl, "IP_TTL");
            Require(Levels.IP, OptionNames.IPMulticastTtl, ttl, "IP_MULTICAST_TTL");
        }
    }

    /// <summary>
    /// Sends one ICMP message (the kernel adds the IP header; it fills the ICMPv6 checksum, and on datagram sockets
    /// the identifier and ICMPv4 checksum too). Returns 0, or the errno the kernel gave (e.g. EMSGSIZE above the
    /// path MTU with DF, EHOSTUNREACH, ENOBUFS). <paramref name="sentAtNanoseconds"/> is CLOCK_REALTIME just before
    /// the call, the clock of the kernel receive timestamps; it is written before the call because on loopback the
    /// reply can be read on another thread before sendto returns.
    /// </summary>
    public int Send(ReadOnlySpan<byte> message, IPAddress target, ref long sentAtNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!Enter())
        {
            return EBadF;
        }
        try
        {
            return SendEntered(message, target, ref sentAtNanoseconds);
        }
        finally
        {
            Exit();
        }
    }

    private const int EBadF = 9;

    private int SendEntered(ReadOnlySpan<byte> message, IPAddress target, ref long sentAtNanoseconds)
    {
        Span<byte> address = stackalloc byte[NativeSocketAddress.MaxLength];
        int addressLength = NativeSocketAddress.Write(target, address);
        fixed (byte* data = message)
        fixed (byte* name = address)
        {
            Volatile.Write(ref sentAtNanoseconds, LinuxSocketApi.RealtimeNanoseconds());
            while (true)
            {
                nint sent = LinuxSocketApi.SendTo(_fd, data, (nuint)message.Length, 0, name, (uint)addressLength);
                if (sent >= 0)
                {
                    return 0;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.Interrupted)
                {
                    return errno;
                }
            }
        }
    }

    /// <summary>Wakes a thread blocked in <see cref="Receive"/>, which then returns -1 (for good: used to shut down).</summary>
    internal void Wake() => _guard.Wake();

    /// <summary>The kernel's words for an errno from <see cref="Send"/>.</summary>
    public static string DescribeError(int errno) => LinuxSocketApi.Describe(errno);

    public void Dispose()
    {
        // A blocked receiver is woken (it returns -1 and leaves); the last call to leave closes the descriptors.
        _guard.Retire();
    }

    private void Bind(IPAddress address)
    {
        Span<byte> sockaddr = stackalloc byte[NativeSocketAddress.MaxLength];
        int length = NativeSocketAddress.Write(address, sockaddr);
        fixed (byte* name = sockaddr)
        {
            if (LinuxSocketApi.Bind(_fd, name, (uint)length) != 0)
            {
                throw new IcmpSocketException($"cannot bind to source address {address}: {LastError()}; give an address of this host");
            }
            uint filled = NativeSocketAddress.MaxLength;
            if (Kind == IcmpSocketKind.Datagram && LinuxSocketApi.GetSockName(_fd, name, &filled) == 0)
            {
                KernelIdentifier = NativeSocketAddress.Port(sockaddr);
            }
        }
    }

    private void BindToDevice(string name)
    {
        if (LinuxSocketApi.IfNameToIndex(name) == 0)
        {
            throw new IcmpSocketException($"no interface named {name}; list them with `ip link`");
        }
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(name + "\0");
        int errno = 0;
        fixed (byte* value = bytes)
        {
            using (Privileges.RaiseNetRaw()) // before Linux 5.7, SO_BINDTODEVICE needed CAP_NET_RAW
            {
                if (LinuxSocketApi.SetSockOpt(_fd, Levels.Socket, OptionNames.BindToDevice, value, (uint)bytes.Length) != 0)
                {
                    errno = Marshal.GetLastPInvokeError(); // before lowering the capability, which makes calls of its own
                }
            }
        }
        if (errno != 0)
        {
            throw new IcmpSocketException($"cannot bind to interface {name} (SO_BINDTODEVICE): {LinuxSocketApi.Describe(errno)}");
        }
    }

    private void SetBuffer(int forceName, int name, int bytes)
    {
        if (bytes <= 0)
        {
            return;
        }
        if (LinuxSocketApi.SetSockOpt(_fd, Levels.Socket, forceName, &bytes, sizeof(int)) != 0)
        {
            // Unprivileged: the kernel caps the plain option at net.core.[rw]mem_max, which is still an improvement.
            LinuxSocketApi.SetSockOpt(_fd, Levels.Socket, name, &bytes, sizeof(int));
        }
    }

    private void Require(int level, int name, int value, string optionName)
    {
        if (LinuxSocketApi.SetSockOpt(_fd, level, name, &value, sizeof(int)) != 0)
        {
            throw new IcmpSocketException($"cannot set {optionName} to {value}: {LastError()}");
        }
    }

    private int GetInt(int level, int name)
    {
        int value = 0;
        uint length = sizeof(int);
        return LinuxSocketApi.GetSockOpt(_fd, level, name, &value, &length) == 0 ? value : -1;
    }

    private static string LastError() => LinuxSocketApi.Describe(Marshal.GetLastPInvokeError());
}
