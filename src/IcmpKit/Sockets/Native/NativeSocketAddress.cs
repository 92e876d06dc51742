using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace IcmpKit.Sockets.Native;

/// <summary>sockaddr_in / sockaddr_in6 to and from <see cref="IPAddress"/>, without allocating on the hot path.</summary>
internal static class NativeSocketAddress
{
    internal const int IPv4Length = 16;  // sizeof(struct sockaddr_in)
    internal const int IPv6Length = 28;  // sizeof(struct sockaddr_in6)
    internal const int MaxLength = 28;

    /// <summary>Writes a sockaddr for <paramref name="address"/> (port 0) and returns its length.</summary>
    internal static int Write(IPAddress address, Span<byte> sockaddr)
    {
        sockaddr[..MaxLength].Clear();
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(sockaddr, AddressFamilies.Inet6);
            address.TryWriteBytes(sockaddr.Slice(8, 16), out _);
            BinaryPrimitives.WriteUInt32LittleEndian(sockaddr[24..], (uint)address.ScopeId);
            return IPv6Length;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(sockaddr, AddressFamilies.Inet);
        address.TryWriteBytes(sockaddr.Slice(4, 4), out _);
        return IPv4Length;
    }

    /// <summary>The address bytes (4 or 16) of a sockaddr the kernel filled in; empty when it is neither family.</summary>
    internal static ReadOnlySpan<byte> AddressBytes(ReadOnlySpan<byte> sockaddr, int length)
    {
        if (length >= IPv4Length && BinaryPrimitives.ReadUInt16LittleEndian(sockaddr) == AddressFamilies.Inet)
        {
            return sockaddr.Slice(4, 4);
        }
        if (length >= IPv6Length && BinaryPrimitives.ReadUInt16LittleEndian(sockaddr) == AddressFamilies.Inet6)
        {
            return sockaddr.Slice(8, 16);
        }
        return [];
    }

    /// <summary>The port field: for ICMP datagram sockets, the echo identifier the kernel chose.</summary>
    internal static ushort Port(ReadOnlySpan<byte> sockaddr) => BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]);
}
