using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Sockets;

/// <summary>How to open a <see cref="RawTransportSocket"/>. Null means "leave the kernel default".</summary>
internal sealed record RawTransportSocketOptions
{
    /// <summary>IPv4 TOS byte or IPv6 traffic class, 0–255.</summary>
    public int? TrafficClass { get; init; }

    public PathMtuDiscovery? PathMtuDiscovery { get; init; }

    public IPAddress? SourceAddress { get; init; }

    /// <summary>Interface or VRF to bind with SO_BINDTODEVICE.</summary>
    public string? Interface { get; init; }
}

/// <summary>
/// A raw socket of one transport protocol (TCP or UDP), connected to one target, for probes whose transport header we
/// write ourselves (traceroute's tcp method; Paris traceroute's UDP): the kernel adds the IP header, the probe carries its
/// own TTL (<see cref="HopLimitSender"/>). Connecting fixes the peer, so only the target's packets of that protocol are
/// delivered (raw_v4_match()/raw_v6_match()), and gives the source address the route uses, which the transport checksum's
/// pseudo-header needs. With IP_RECVERR, ICMP errors about our probes come to this socket's error queue (raw_icmp_error()
/// hands an error to every raw socket of the quoted protocol that matches its addresses, raw_err() queues it), with the
/// quoted transport header as data: one descriptor for the answers and the errors. Needs CAP_NET_RAW.
/// </summary>
internal sealed unsafe class RawTransportSocket : IDisposable
{
    public const byte Tcp = 6;
    public const byte Udp = 17;

    // Classic BPF (linux/filter.h).
    private const ushort LoadHalfAbsolute = 0x28;      // BPF_LD  | BPF_H | BPF_ABS
    private const ushort LoadHalfIndexed = 0x48;       // BPF_LD  | BPF_H | BPF_IND
    private const ushort LoadIPHeaderLength = 0xb1;    // BPF_LDX | BPF_B | BPF_MSH
    private const ushort JumpIfEqual = 0x15;           // BPF_JMP | BPF_JEQ | BPF_K
    private const ushort Return = 0x06;                // BPF_RET | BPF_K

    private readonly DescriptorGuard _guard;
    private readonly byte[] _targetAddress;

    private RawTransportSocket(int fd, IPAddress target, byte protocol)
    {
        _guard = DescriptorGuard.Create(fd);
        Target = target;
        Protocol = protocol;
        _targetAddress = new byte[NativeSocketAddress.MaxLength];
        TargetAddressLength = NativeSocketAddress.Write(target, _targetAddress);
        LocalAddress = target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
    }

    public IPAddress Target { get; }

    public byte Protocol { get; }

    public bool IsV6 => Target.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>The source address of every probe (the route's, or the one bound).</summary>
    public IPAddress LocalAddress { get; private set; }

    /// <summary>True when received packets start with the IPv4 header (raw IPv4); raw IPv6 sockets get the transport header.</summary>
    public bool ReceivesIPHeader => !IsV6;

    private int TargetAddressLength { get; }

    /// <summary>Opens, sets up and connects the socket; throws <see cref="IcmpSocketException"/> with a one-line remedy.</summary>
    public static RawTransportSocket Open(IPAddress target, byte protocol, RawTransportSocketOptions options)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        if (target.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, "Raw probe sockets are IPv4 or IPv6.");
        }
        if (protocol is not (Tcp or Udp))
        {
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "TCP or UDP.");
        }
        int fd;
        int errno = 0;
        // A binary with cap_net_raw+p holds the capability in its permitted set only: effective for this call alone.
        using (Privileges.RaiseNetRaw())
        {
            fd = LinuxSocketApi.Socket(SocketSetup.Domain(target.AddressFamily), SocketTypes.Raw | SocketTypes.CloseOnExec, protocol);
            if (fd < 0)
            {
                errno = Marshal.GetLastPInvokeError(); // before lowering the capability, which makes calls of its own
            }
        }
        if (fd < 0)
        {
            string name = protocol == Tcp ? "TCP" : "UDP";
            throw new IcmpSocketException(errno is 1 or 13 // EPERM, EACCES
                ? $"no permission for a raw {name} socket; {name} probes {(protocol == Tcp ? "(-T)" : "on a raw socket")} need root or cap_net_raw (setcap cap_net_raw+ep)"
                : $"cannot open a raw {name} socket: {LinuxSocketApi.Describe(errno)}");
        }
        var socket = new RawTransportSocket(fd, target, protocol);
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

    private void Configure(RawTransportSocketOptions options)
    {
        int fd = _guard.Fd;
        bool v6 = IsV6;
        int ip = v6 ? Levels.IPv6 : Levels.IP;
        int bytes = 1 << 20;
        if (LinuxSocketApi.SetSockOpt(fd, Levels.Socket, OptionNames.ReceiveBufferForce, &bytes, sizeof(int)) != 0)
        {
            LinuxSocketApi.SetSockOpt(fd, Levels.Socket, OptionNames.ReceiveBuffer, &bytes, sizeof(int));
        }
        SocketSetup.Require(fd, Levels.Socket, OptionNames.TimestampNs, 1, "SO_TIMESTAMPNS");
        SocketSetup.Require(fd, ip, v6 ? OptionNames.IPv6ReceiveHopLimit : OptionNames.IPReceiveTtl, 1, v6 ? "IPV6_RECVHOPLIMIT" : "IP_RECVTTL");
        SocketSetup.Require(fd, ip, v6 ? OptionNames.IPv6ReceiveError : OptionNames.IPReceiveError, 1, v6 ? "IPV6_RECVERR" : "IP_RECVERR");
        if (options.PathMtuDiscovery is { } pmtu)
        {
            SocketSetup.Require(fd, ip, v6 ? OptionNames.IPv6MtuDiscover : OptionNames.IPMtuDiscover, (int)pmtu, "IP_MTU_DISCOVER");
        }
        if (options.TrafficClass is { } tos)
        {
            if (tos is < 0 or > 255)
            {
                throw new ArgumentOutOfRangeException(nameof(options), tos, "The TOS / traffic class is 0 to 255.");
            }
            SocketSetup.Require(fd, ip, v6 ? OptionNames.IPv6TrafficClass : OptionNames.IPTos, tos, v6 ? "IPV6_TCLASS" : "IP_TOS");
        }
        if (options.Interface is { Length: > 0 } name)
        {
            SocketSetup.BindToDevice(fd, name);
        }
        if (options.SourceAddress is { } source)
        {
            SocketSetup.Bind(fd, source);
        }
        SocketSetup.Connect(fd, Target);
        LocalAddress = SocketSetup.LocalEndPoint(fd).Address;
    }

    /// <summary>
    /// Lets through only the target's packets from <paramref name="port"/> (the probed service), so the rest of the host's
    /// TCP or UDP traffic with the target never reaches this process. The error queue is not filtered.
    /// </summary>
    public void AttachSourcePortFilter(ushort port)
    {
        SockFilter[] program = IsV6
            ?
            [
                new() { Code = LoadHalfAbsolute, K = 0 },                                  // 0: A = source port (the transport header comes first)
                new() { Code = JumpIfEqual, JumpIfTrue = 0, JumpIfFalse = 1, K = port },   // 1
                new() { Code = Return, K = 0xFFFF_FFFF },                                  // 2
                new() { Code = Return, K = 0 },                                            // 3
            ]
            :
            [
                new() { Code = LoadIPHeaderLength, K = 0 },                                // 0: X = IPv4 header length
                new() { Code = LoadHalfIndexed, K = 0 },                                   // 1: A = source port
                new() { Code = JumpIfEqual, JumpIfTrue = 0, JumpIfFalse = 1, K = port },   // 2
                new() { Code = Return, K = 0xFFFF_FFFF },                                  // 3
                new() { Code = Return, K = 0 },                                            // 4
            ];
        ObjectDisposedException.ThrowIf(!_guard.Enter(), this);
        try
        {
            fixed (SockFilter* instructions = program)
            {
                var fprog = new SockFprog { Length = (ushort)program.Length, Filter = instructions };
                if (LinuxSocketApi.SetSockOpt(_guard.Fd, Levels.Socket, OptionNames.AttachFilter, &fprog, (uint)sizeof(SockFprog)) != 0)
                {
                    throw new IcmpSocketException($"cannot attach the socket filter (SO_ATTACH_FILTER): {SocketSetup.LastError()}");
                }
            }
        }
        finally
        {
            _guard.Exit();
        }
    }

    /// <summary>
    /// Sends one transport segment (header and data, checksum filled in) to the target with hop limit
    /// <paramref name="hopLimit"/>. Returns 0 or the errno (EMSGSIZE above the interface MTU with DF; a pending ICMP error
    /// is tried again, see <see cref="HopLimitSender.Send"/>).
    /// </summary>
    public int Send(ReadOnlySpan<byte> segment, int hopLimit, ref long sentAtNanoseconds)
    {
        if (!_guard.Enter())
        {
            return 9; // EBADF
        }
        try
        {
            // The port of the address must be 0 (or the protocol) on a raw IPv6 socket (rawv6_sendmsg()); Write leaves it 0.
            return HopLimitSender.Send(_guard.Fd, IsV6, segment, _targetAddress.AsSpan(0, TargetAddressLength), hopLimit, ref sentAtNanoseconds);
        }
        finally
        {
            _guard.Exit();
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/>, then reads the error queue and the receive queue (see <see cref="ErrorQueueReceiver"/>).</summary>
    public int Receive(ReceiveBatch batch, int timeoutMilliseconds) => ErrorQueueReceiver.Receive(_guard, batch, timeoutMilliseconds);

    /// <summary>Wakes a thread blocked in <see cref="Receive"/>, which then returns -1 (for good: used to shut down).</summary>
    public void Wake() => _guard.Wake();

    public void Dispose() => _guard.Retire();
}
