using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Sockets;

/// <summary>
/// The setsockopt / bind / connect steps the trace's own sockets share (<see cref="RawTransportSocket"/>,
/// <see cref="PortReservation"/>, <see cref="RouteProbe"/>), each failing with an <see cref="IcmpSocketException"/> whose
/// message is one line that says what to do.
/// </summary>
internal static unsafe class SocketSetup
{
    public static int Domain(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? AddressFamilies.Inet6 : AddressFamilies.Inet;

    public static void Require(int fd, int level, int name, int value, string optionName)
    {
        if (LinuxSocketApi.SetSockOpt(fd, level, name, &value, sizeof(int)) != 0)
        {
            throw new IcmpSocketException($"cannot set {optionName} to {value}: {LastError()}");
        }
    }

    public static int GetInt(int fd, int level, int name)
    {
        int value = 0;
        uint length = sizeof(int);
        return LinuxSocketApi.GetSockOpt(fd, level, name, &value, &length) == 0 ? value : -1;
    }

    /// <summary>SO_BINDTODEVICE, as traceroute -i.</summary>
    public static void BindToDevice(int fd, string name)
    {
        if (LinuxSocketApi.IfNameToIndex(name) == 0)
        {
            throw new IcmpSocketException($"no interface named {name}; list them with `ip link`");
        }
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(name + "\0");
        fixed (byte* value = bytes)
        {
            if (LinuxSocketApi.SetSockOpt(fd, Levels.Socket, OptionNames.BindToDevice, value, (uint)bytes.Length) != 0)
            {
                throw new IcmpSocketException($"cannot bind to interface {name} (SO_BINDTODEVICE): {LastError()}");
            }
        }
    }

    /// <summary>bind(2) to <paramref name="address"/> and <paramref name="port"/> (0: the kernel picks a free one).</summary>
    public static void Bind(int fd, IPAddress address, ushort port = 0)
    {
        Span<byte> sockaddr = stackalloc byte[NativeSocketAddress.MaxLength];
        int length = NativeSocketAddress.Write(address, sockaddr);
        BinaryPrimitives.WriteUInt16BigEndian(sockaddr[2..], port);
        fixed (byte* name = sockaddr)
        {
            if (LinuxSocketApi.Bind(fd, name, (uint)length) != 0)
            {
                throw new IcmpSocketException($"cannot bind to source address {address}: {LastError()}; give an address of this host");
            }
        }
    }

    /// <summary>connect(2) to <paramref name="target"/> (sends nothing on UDP and raw sockets; see <see cref="LinuxSocketApi.Connect"/>).</summary>
    public static void Connect(int fd, IPAddress target, ushort port = 0)
    {
        Span<byte> sockaddr = stackalloc byte[NativeSocketAddress.MaxLength];
        int length = NativeSocketAddress.Write(target, sockaddr);
        BinaryPrimitives.WriteUInt16BigEndian(sockaddr[2..], port);
        fixed (byte* name = sockaddr)
        {
            if (LinuxSocketApi.Connect(fd, name, (uint)length) != 0)
            {
                throw new IcmpSocketException($"no route to {target}: {LastError()}; check the route (ip route get {target})");
            }
        }
    }

    /// <summary>The address and port the socket is bound to (getsockname).</summary>
    public static (IPAddress Address, ushort Port) LocalEndPoint(int fd)
    {
        Span<byte> sockaddr = stackalloc byte[NativeSocketAddress.MaxLength];
        uint filled = NativeSocketAddress.MaxLength;
        fixed (byte* name = sockaddr)
        {
            if (LinuxSocketApi.GetSockName(fd, name, &filled) != 0)
            {
                throw new IcmpSocketException($"cannot read the socket's own address (getsockname): {LastError()}");
            }
        }
        var bytes = NativeSocketAddress.AddressBytes(sockaddr, (int)filled);
        return (new IPAddress(bytes), NativeSocketAddress.Port(sockaddr));
    }

    public static string LastError() => LinuxSocketApi.Describe(Marshal.GetLastPInvokeError());
}
