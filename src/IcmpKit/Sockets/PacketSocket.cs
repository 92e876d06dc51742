using System.Buffers.Binary;
using System.Runtime.InteropServices;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Sockets;

/// <summary>Where a packet came from on the link: the sender's hardware address, to send the answer back to.</summary>
public readonly record struct LinkPeer(ulong HardwareAddress, byte AddressLength);

/// <summary>
/// A link-layer socket (AF_PACKET, SOCK_DGRAM) on one existing interface: every IPv4 and IPv6 packet sent to this
/// host on it arrives without its link header but with the sender's hardware address, and packets written go out
/// to a given hardware address (issue 4: the responder's raw-socket mode). Needs CAP_NET_RAW. Packets the kernel
/// itself answers are still answered by the kernel: this sees copies, it does not take them away.
/// </summary>
public sealed unsafe class PacketSocket : IDisposable
{
    private readonly DescriptorGuard _guard;
    private readonly int _interfaceIndex;

    private PacketSocket(int fd, int interfaceIndex, string name)
    {
        _guard = DescriptorGuard.Create(fd);
        _interfaceIndex = interfaceIndex;
        Name = name;
    }

    public string Name { get; }

    /// <summary>Opens the socket on <paramref name="interfaceName"/>; throws <see cref="IcmpSocketException"/> with a remedy.</summary>
    public static PacketSocket Open(string interfaceName)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        int index = (int)LinuxSocketApi.IfNameToIndex(interfaceName);
        if (index == 0)
        {
            throw new IcmpSocketException($"no interface named {interfaceName}; `ip link` lists them");
        }
        ushort all = BinaryPrimitives.ReverseEndianness(PacketSocketApi.AllProtocols);
        int fd = LinuxSocketApi.Socket(PacketSocketApi.PacketFamily, SocketTypes.Datagram | SocketTypes.CloseOnExec, all);
        if (fd < 0)
        {
            throw new IcmpSocketException($"cannot open a packet socket: {LastError()}; it needs root or CAP_NET_RAW (setcap cap_net_raw+ep)");
        }
        // Our own answers would come back as outgoing copies; the kernel can leave them out.
        int on = 1;
        LinuxSocketApi.SetSockOpt(fd, PacketSocketApi.PacketLevel, PacketSocketApi.IgnoreOutgoing, &on, sizeof(int));
        var address = new PacketSocketApi.LinkAddress { Family = PacketSocketApi.PacketFamily, ProtocolNetworkOrder = all, InterfaceIndex = index };
        if (LinuxSocketApi.Bind(fd, &address, (uint)sizeof(PacketSocketApi.LinkAddress)) != 0)
        {
            string why = LastError();
            LinuxSocketApi.Close(fd);
            throw new IcmpSocketException($"cannot bind a packet socket to {interfaceName}: {why}");
        }
        return new PacketSocket(fd, index, interfaceName);
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> for an IPv4 or IPv6 packet addressed to this host's link
    /// address; returns its length, 0 on timeout or for anything else (ARP, other hosts' frames), -1 once disposed.
    /// </summary>
    public int Read(Span<byte> buffer, int timeoutMilliseconds, out LinkPeer peer)
    {
        peer = default;
        if (!_guard.Enter())
        {
            return -1;
        }
        try
        {
            int events = _guard.WaitReadable(timeoutMilliseconds);
            if (events <= 0)
            {
                return events;
            }
            PacketSocketApi.LinkAddress from;
            uint fromLength = (uint)sizeof(PacketSocketApi.LinkAddress);
            nint length;
            fixed (byte* data = buffer)
            {
                length = PacketSocketApi.ReceiveFrom(_guard.Fd, data, (nuint)buffer.Length, 0, &from, &fromLength);
            }
            ushort protocol = BinaryPrimitives.ReverseEndianness(from.ProtocolNetworkOrder);
            if (length <= 0 || from.PacketType != PacketSocketApi.ToThisHost
                || protocol is not (PacketSocketApi.IPv4Protocol or PacketSocketApi.IPv6Protocol))
            {
                return 0;
            }
            peer = new LinkPeer(from.Address, Math.Min(from.AddressLength, (byte)8));
            return (int)length;
        }
        finally
        {
            _guard.Exit();
        }
    }

    /// <summary>Sends one IP packet to <paramref name="peer"/>; returns 0 or the errno.</summary>
    public int Write(ReadOnlySpan<byte> packet, LinkPeer peer)
    {
        if (packet.IsEmpty || !_guard.Enter())
        {
            return 9; // EBADF
        }
        try
        {
            ushort protocol = (packet[0] >> 4) == 6 ? PacketSocketApi.IPv6Protocol : PacketSocketApi.IPv4Protocol;
            var to = new PacketSocketApi.LinkAddress
            {
                Family = PacketSocketApi.PacketFamily,
                ProtocolNetworkOrder = BinaryPrimitives.ReverseEndianness(protocol),
                InterfaceIndex = _interfaceIndex,
                AddressLength = peer.AddressLength,
                Address = peer.HardwareAddress,
            };
            fixed (byte* data = packet)
            {
                return LinuxSocketApi.SendTo(_guard.Fd, data, (nuint)packet.Length, 0, &to, (uint)sizeof(PacketSocketApi.LinkAddress)) < 0
                    ? Marshal.GetLastPInvokeError()
                    : 0;
            }
        }
        finally
        {
            _guard.Exit();
        }
    }

    /// <summary>Wakes a thread blocked in <see cref="Read"/>, for good (shutting down).</summary>
    public void Wake() => _guard.Wake();

    public void Dispose() => _guard.Retire();

    private static string LastError() => LinuxSocketApi.Describe(Marshal.GetLastPInvokeError());
}
