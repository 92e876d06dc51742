using System.Runtime.InteropServices;

namespace IcmpKit.Sockets.Native;

/// <summary>The libc calls behind a TUN device (linux/if_tun.h, netdevice(7)).</summary>
internal static unsafe partial class TunApi
{
    private const string Libc = "libc";

    internal const int ReadWrite = 2;             // O_RDWR
    internal const int NonBlocking = 0x800;       // O_NONBLOCK
    internal const int CloseOnExec = 0x80000;     // O_CLOEXEC
    internal const ulong SetInterface = 0x400454ca; // TUNSETIFF
    internal const ulong GetFlags = 0x8913;       // SIOCGIFFLAGS
    internal const ulong SetFlags = 0x8914;       // SIOCSIFFLAGS
    internal const short Tun = 0x0001;            // IFF_TUN: IP packets, no link layer
    internal const short NoPacketInformation = 0x1000; // IFF_NO_PI: no 4-byte header before each packet
    internal const short Up = 0x1;                // IFF_UP
    internal const int InterfaceNameSize = 16;    // IFNAMSIZ
    internal const int NetworkNamespace = 0x40000000; // CLONE_NEWNET

    /// <summary>struct ifreq: the name, then a union of which only the flags are used here (40 bytes in all).</summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    internal struct InterfaceRequest
    {
        public fixed byte Name[InterfaceNameSize];
        public short Flags;

        /// <summary>A request naming an interface (the caller checked the name fits: under 16 bytes).</summary>
        public static InterfaceRequest For(ReadOnlySpan<byte> name)
        {
            var request = default(InterfaceRequest);
            name.CopyTo(new Span<byte>(request.Name, InterfaceNameSize));
            return request;
        }
    }

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int IoControl(int fd, ulong request, InterfaceRequest* value);

    [LibraryImport(Libc, EntryPoint = "setns", SetLastError = true)]
    internal static partial int SetNamespace(int fd, int type);
}
