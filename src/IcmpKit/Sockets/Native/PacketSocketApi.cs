using System.Runtime.InteropServices;

namespace IcmpKit.Sockets.Native;

/// <summary>AF_PACKET (packet(7)): link-layer sockets, for the responder's mode on an existing interface.</summary>
internal static unsafe partial class PacketSocketApi
{
    private const string Libc = "libc";

    internal const int PacketFamily = 17;       // AF_PACKET
    internal const ushort AllProtocols = 0x0003; // ETH_P_ALL, host order
    internal const ushort IPv4Protocol = 0x0800; // ETH_P_IP
    internal const ushort IPv6Protocol = 0x86DD; // ETH_P_IPV6
    internal const int PacketLevel = 263;       // SOL_PACKET
    internal const int IgnoreOutgoing = 23;     // PACKET_IGNORE_OUTGOING (Linux 4.20)
    internal const byte ToThisHost = 0;         // PACKET_HOST

    [LibraryImport(Libc, EntryPoint = "recvfrom", SetLastError = true)]
    internal static partial nint ReceiveFrom(int fd, void* buffer, nuint length, int flags, LinkAddress* address, uint* addressLength);

    /// <summary>struct sockaddr_ll (packet(7)): 20 bytes, sll_addr at offset 12 (not 8-aligned, hence explicit).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 20)]
    internal struct LinkAddress
    {
        [FieldOffset(0)] public ushort Family;
        [FieldOffset(2)] public ushort ProtocolNetworkOrder;
        [FieldOffset(4)] public int InterfaceIndex;
        [FieldOffset(8)] public ushort HardwareType;
        [FieldOffset(10)] public byte PacketType;
        [FieldOffset(11)] public byte AddressLength;
        [FieldOffset(12)] public ulong Address; // sll_addr[8]
    }
}
