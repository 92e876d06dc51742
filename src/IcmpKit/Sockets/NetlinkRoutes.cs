using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Sockets;

/// <summary>
/// Adds and removes routes through an interface with rtnetlink (rtnetlink(7)), as `ip route add ADDR/LEN dev NAME`
/// does, without starting a process. Works in the network namespace of the calling thread.
/// </summary>
public static unsafe class NetlinkRoutes
{
    private const int NetlinkFamily = 16;      // AF_NETLINK
    private const int RouteProtocol = 0;       // NETLINK_ROUTE
    private const ushort NewRoute = 24;        // RTM_NEWROUTE
    private const ushort DeleteRoute = 25;     // RTM_DELROUTE
    private const ushort Error = 2;            // NLMSG_ERROR
    private const ushort Request = 0x1, Acknowledge = 0x4, Exclusive = 0x200, Create = 0x400; // NLM_F_*
    private const ushort Destination = 1, OutputInterface = 4; // RTA_DST, RTA_OIF

    /// <summary>Routes <paramref name="prefix"/>/<paramref name="length"/> through interface <paramref name="device"/>.</summary>
    public static void Add(IPAddress prefix, int length, string device) => Change(NewRoute, prefix, length, device);

    /// <summary>Removes a route added by <see cref="Add"/>; a route already gone is not an error.</summary>
    public static void Remove(IPAddress prefix, int length, string device)
    {
        try
        {
            Change(DeleteRoute, prefix, length, device);
        }
        catch (IcmpSocketException)
        {
            // The device's removal takes its routes with it.
        }
    }

    private static void Change(ushort type, IPAddress prefix, int length, string device)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        bool v6 = prefix.AddressFamily == AddressFamily.InterNetworkV6;
        int bits = v6 ? 128 : 32;
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, bits);
        uint index = LinuxSocketApi.IfNameToIndex(device);
        if (index == 0)
        {
            throw new IcmpSocketException($"no interface named {device}; list them with `ip link`");
        }
        int addressBytes = v6 ? 16 : 4;
        // nlmsghdr (16) + rtmsg (12) + RTA_DST (4 + address) + RTA_OIF (4 + 4), each attribute 4-aligned.
        int size = 16 + 12 + 4 + addressBytes + 8;
        Span<byte> message = stackalloc byte[size];
        message.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)size);
        BinaryPrimitives.WriteUInt16LittleEndian(message[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(message[6..], type == NewRoute ? (ushort)(Request | Acknowledge | Create | Exclusive) : (ushort)(Request | Acknowledge));
        BinaryPrimitives.WriteUInt32LittleEndian(message[8..], 1); // sequence
        var route = message[16..];
        route[0] = (byte)(v6 ? AddressFamilies.Inet6 : AddressFamilies.Inet); // rtm_family
        route[1] = (byte)length;   // rtm_dst_len
        route[4] = 254;            // rtm_table: RT_TABLE_MAIN
        route[5] = 4;              // rtm_protocol: RTPROT_STATIC
        route[6] = 253;            // rtm_scope: RT_SCOPE_LINK (a route straight through the device)
        route[7] = 1;              // rtm_type: RTN_UNICAST
        var attributes = message[28..];
        BinaryPrimitives.WriteUInt16LittleEndian(attributes, (ushort)(4 + addressBytes));
        BinaryPrimitives.WriteUInt16LittleEndian(attributes[2..], Destination);
        prefix.TryWriteBytes(attributes.Slice(4, addressBytes), out _);
        var oif = attributes[(4 + addressBytes)..];
        BinaryPrimitives.WriteUInt16LittleEndian(oif, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(oif[2..], OutputInterface);
        BinaryPrimitives.WriteUInt32LittleEndian(oif[4..], index);

        int fd = LinuxSocketApi.Socket(NetlinkFamily, SocketTypes.Raw | SocketTypes.CloseOnExec, RouteProtocol);
        if (fd < 0)
        {
            throw new IcmpSocketException($"cannot open a netlink socket: {LastError()}");
        }
        try
        {
            Span<byte> kernel = stackalloc byte[12]; // sockaddr_nl of the kernel: family, pad, pid 0, groups 0
            kernel.Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(kernel, NetlinkFamily);
            fixed (byte* data = message)
            fixed (byte* address = kernel)
            {
                if (LinuxSocketApi.SendTo(fd, data, (nuint)size, 0, address, 12) < 0)
                {
                    throw new IcmpSocketException($"cannot send to netlink: {LastError()}");
                }
            }
            Span<byte> answer = stackalloc byte[1024];
            fixed (byte* data = answer)
            {
                nint received = LinuxSocketApi.Read(fd, data, (nuint)answer.Length);
                if (received < 20 || BinaryPrimitives.ReadUInt16LittleEndian(answer[4..]) != Error)
                {
                    throw new IcmpSocketException("netlink gave no acknowledgement for the route");
                }
                int errno = -BinaryPrimitives.ReadInt32LittleEndian(answer[16..]);
                if (errno != 0)
                {
                    string verb = type == NewRoute ? "add" : "remove";
                    throw new IcmpSocketException($"cannot {verb} the route {prefix}/{length} dev {device}: {LinuxSocketApi.Describe(errno)}; it needs CAP_NET_ADMIN and no such route already");
                }
            }
        }
        finally
        {
            LinuxSocketApi.Close(fd);
        }
    }

    private static string LastError() => LinuxSocketApi.Describe(Marshal.GetLastPInvokeError());
}
