using System.Runtime.InteropServices;

namespace IcmpKit.Sockets.Native;

/// <summary>
/// The libc calls the BCL <see cref="System.Net.Sockets.Socket"/> does not expose for ICMP: recvmsg/recvmmsg with
/// control messages, the error queue, socket filters (DESIGN §3). Source-generated, so AOT-safe. Linux x86-64/arm64
/// layouts; every call sets errno, read with <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
internal static unsafe partial class LinuxSocketApi
{
    private const string Libc = "libc";

    [LibraryImport(Libc, EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "setsockopt", SetLastError = true)]
    internal static partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

    [LibraryImport(Libc, EntryPoint = "getsockopt", SetLastError = true)]
    internal static partial int GetSockOpt(int fd, int level, int name, void* value, uint* length);

    [LibraryImport(Libc, EntryPoint = "bind", SetLastError = true)]
    internal static partial int Bind(int fd, void* address, uint length);

    [LibraryImport(Libc, EntryPoint = "getsockname", SetLastError = true)]
    internal static partial int GetSockName(int fd, void* address, uint* length);

    [LibraryImport(Libc, EntryPoint = "sendto", SetLastError = true)]
    internal static partial nint SendTo(int fd, void* buffer, nuint length, int flags, void* address, uint addressLength);

    [LibraryImport(Libc, EntryPoint = "sendmmsg", SetLastError = true)]
    internal static partial int SendMMsg(int fd, MMsgHdr* messages, uint count, int flags);

    [LibraryImport(Libc, EntryPoint = "recvmsg", SetLastError = true)]
    internal static partial nint RecvMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport(Libc, EntryPoint = "recvmmsg", SetLastError = true)]
    internal static partial int RecvMMsg(int fd, MMsgHdr* messages, uint count, int flags, TimeSpec* timeout);

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    internal static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport(Libc, EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int EventFd(uint initial, int flags);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(int fd, void* buffer, nuint length);

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, void* buffer, nuint length);

    [LibraryImport(Libc, EntryPoint = "clock_gettime", SetLastError = true)]
    internal static partial int ClockGetTime(int clock, TimeSpec* time);

    [LibraryImport(Libc, EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint IfNameToIndex(string name);

    [LibraryImport(Libc, EntryPoint = "getrandom", SetLastError = true)]
    private static partial nint GetRandom(void* buffer, nuint length, uint flags);

    /// <summary>
    /// Kernel random bytes (getrandom(2)) for identifiers and cookies: unpredictable, so a forged reply cannot guess
    /// them, without loading OpenSSL as RandomNumberGenerator does on Linux (about 2 ms of every start-up).
    /// </summary>
    internal static ulong RandomUInt64()
    {
        ulong value = 0;
        while (GetRandom(&value, sizeof(ulong), 0) != sizeof(ulong))
        {
            if (Marshal.GetLastPInvokeError() != Errno.Interrupted)
            {
                return (ulong)System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue) << 32
                    | (uint)System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue);
            }
        }
        return value;
    }

    [LibraryImport(Libc, EntryPoint = "strerror")]
    private static partial nint StrError(int errno);

    /// <summary>The C library's words for an errno ("Operation not permitted").</summary>
    internal static string Describe(int errno) => Marshal.PtrToStringUTF8(StrError(errno)) ?? $"errno {errno}";

    /// <summary>CLOCK_REALTIME in nanoseconds: the clock of SO_TIMESTAMPNS, so send and receive times compare.</summary>
    internal static long RealtimeNanoseconds()
    {
        TimeSpec now;
        ClockGetTime(Clock.Realtime, &now);
        return (now.Seconds * 1_000_000_000L) + now.Nanoseconds;
    }
}

internal static class AddressFamilies
{
    internal const int Inet = 2;
    internal const int Inet6 = 10;
}

internal static class SocketTypes
{
    internal const int Datagram = 2;
    internal const int Raw = 3;
    internal const int NonBlocking = 0x800;
    internal const int CloseOnExec = 0x80000;
}

internal static class Levels
{
    internal const int Socket = 1;   // SOL_SOCKET
    internal const int IP = 0;       // SOL_IP
    internal const int IPv6 = 41;    // SOL_IPV6
    internal const int IcmpV6 = 58;  // SOL_ICMPV6
}

/// <summary>Option names from linux/socket.h (asm-generic), linux/in.h and linux/in6.h.</summary>
internal static class OptionNames
{
    internal const int Error = 4;                 // SO_ERROR: reading it clears the pending error
    internal const int SendBuffer = 7;            // SO_SNDBUF
    internal const int ReceiveBuffer = 8;         // SO_RCVBUF
    internal const int BindToDevice = 25;         // SO_BINDTODEVICE
    internal const int AttachFilter = 26;         // SO_ATTACH_FILTER
    internal const int SendBufferForce = 32;      // SO_SNDBUFFORCE: beyond wmem_max, needs CAP_NET_ADMIN
    internal const int ReceiveBufferForce = 33;   // SO_RCVBUFFORCE
    internal const int TimestampNs = 35;          // SO_TIMESTAMPNS(_OLD) and its SCM_TIMESTAMPNS control message
    internal const int Mark = 36;                 // SO_MARK
    internal const int ReceiveQueueOverflow = 40; // SO_RXQ_OVFL

    internal const int IPTos = 1;                 // IP_TOS, also the IP_RECVTOS control message type
    internal const int IPTtl = 2;                 // IP_TTL, also the IP_RECVTTL control message type
    internal const int IPOptions = 4;             // IP_OPTIONS: options to put on sent packets
    internal const int IPReceiveOptions = 6;      // IP_RECVOPTS, also the type of its control message
    internal const int IPMtuDiscover = 10;        // IP_MTU_DISCOVER
    internal const int IPReceiveError = 11;       // IP_RECVERR, also its control message type
    internal const int IPReceiveTtl = 12;         // IP_RECVTTL
    internal const int IPReceiveTos = 13;         // IP_RECVTOS
    internal const int IPMulticastTtl = 33;       // IP_MULTICAST_TTL

    internal const int IPv6UnicastHops = 16;      // IPV6_UNICAST_HOPS
    internal const int IPv6MulticastHops = 18;    // IPV6_MULTICAST_HOPS
    internal const int IPv6MtuDiscover = 23;      // IPV6_MTU_DISCOVER
    internal const int IPv6ReceiveError = 25;     // IPV6_RECVERR, also its control message type
    internal const int IPv6ReceiveHopLimit = 51;  // IPV6_RECVHOPLIMIT
    internal const int IPv6HopLimit = 52;         // IPV6_HOPLIMIT control message type
    internal const int IPv6ReceiveTrafficClass = 66; // IPV6_RECVTCLASS
    internal const int IPv6TrafficClass = 67;     // IPV6_TCLASS, also its control message type

    internal const int IcmpV6Filter = 1;          // ICMP6_FILTER (RFC 3542 §3.2)
}

internal static class MessageFlags
{
    internal const int ControlTruncated = 0x8;    // MSG_CTRUNC
    internal const int Truncated = 0x20;          // MSG_TRUNC
    internal const int DontWait = 0x40;           // MSG_DONTWAIT
    internal const int ErrorQueue = 0x2000;       // MSG_ERRQUEUE
}

internal static class Errno
{
    internal const int Interrupted = 4;           // EINTR
    internal const int TryAgain = 11;             // EAGAIN
    internal const int MessageTooLong = 90;       // EMSGSIZE
    internal const int NoBufferSpace = 105;       // ENOBUFS
}

internal static class Clock
{
    internal const int Realtime = 0;
}

internal static class PollEvents
{
    internal const short In = 0x1;
    internal const short Error = 0x8;
}
