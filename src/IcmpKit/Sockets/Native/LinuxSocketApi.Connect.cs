using System.Runtime.InteropServices;

namespace IcmpKit.Sockets.Native;

internal static unsafe partial class LinuxSocketApi
{
    /// <summary>
    /// connect(2). On a UDP or raw socket it sends nothing: it fixes the peer and looks the route up, after which
    /// getsockname gives the source address that route uses and IP_MTU its MTU.
    /// </summary>
    [LibraryImport(Libc, EntryPoint = "connect", SetLastError = true)]
    internal static partial int Connect(int fd, void* address, uint length);
}

internal static class PathMtuOptionNames
{
    internal const int IPMtu = 14;     // IP_MTU: the route's path MTU of a connected socket (read only)
    internal const int IPv6Mtu = 24;   // IPV6_MTU
}
