using System.Net;
using System.Net.Sockets;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Sockets;

public sealed partial class IcmpSocket
{
    /// <summary>
    /// Sends one ICMP message with its own TTL / hop limit (traceroute), as <see cref="Send"/> otherwise does. A send
    /// refused with the pending error of an earlier ICMP error is tried again (see <see cref="HopLimitSender.Send"/>).
    /// Returns 0 or the errno.
    /// </summary>
    internal int SendWithHopLimit(ReadOnlySpan<byte> message, IPAddress target, int hopLimit, ref long sentAtNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(target);
        Span<byte> address = stackalloc byte[NativeSocketAddress.MaxLength];
        int addressLength = NativeSocketAddress.Write(target, address);
        if (!Enter())
        {
            return EBadF;
        }
        try
        {
            return HopLimitSender.Send(_fd, Family == AddressFamily.InterNetworkV6, message, address[..addressLength], hopLimit,
                ref sentAtNanoseconds);
        }
        finally
        {
            Exit();
        }
    }
}
