using System.Runtime.InteropServices;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Sockets;

/// <summary>
/// Sends one datagram with its own TTL / hop limit as ancillary data (IP_TTL, RFC 3542 §6.3 IPV6_HOPLIMIT) on sendmsg
/// (here sendmmsg with one message, which the interop layer already has). Linux accepts it on UDP, raw and ICMP datagram
/// sockets alike (checked on 6.18 for all six). Traceroute needs a different TTL per probe; the alternative, setsockopt
/// before each send, makes the TTL socket state, so every send would have to come from one thread in TTL order, and a
/// later probe kind that shares the socket (several flows at once) would have to take turns. The control message keeps
/// the TTL with the packet, in one system call.
/// </summary>
internal static unsafe class HopLimitSender
{
    /// <summary>CMSG_SPACE(sizeof(int)): the 16-byte header, the int, padded to 8.</summary>
    private const int ControlBytes = 24;

    /// <summary>How many times a send refused with a pending ICMP error is tried again (see <see cref="Send"/>).</summary>
    private const int PendingErrorRetries = 3;

    /// <summary>
    /// Sends <paramref name="data"/> to <paramref name="sockaddr"/> with hop limit <paramref name="hopLimit"/>; returns 0
    /// or the errno. <paramref name="sentAtNanoseconds"/> is CLOCK_REALTIME just before each attempt.
    /// <para>
    /// With IP_RECVERR, the kernel sets the socket's pending error (sk_err) for every ICMP error it queues (ping_err() and
    /// __udp4_lib_err() both end with <c>sk->sk_err = err</c>), and the next send fails with that errno, consuming it,
    /// before anything is built (sock_alloc_send_pskb() checks sock_error() first): the probe is never sent. On a fast
    /// path the error of one probe arrives while the next is being sent, and every other probe is lost: Linux traceroute
    /// 2.1.2 loses alternate probes so when unprivileged with ICMP (strace shows sendto = -1 EHOSTUNREACH). Such a
    /// failure is tried again, a few times; a real local failure (no route) fails the same way each time and is returned
    /// after the last try. (Raw sockets build without that check, so for them the retry never happens.)
    /// </para>
    /// </summary>
    public static int Send(int fd, bool v6, ReadOnlySpan<byte> data, ReadOnlySpan<byte> sockaddr, int hopLimit,
        ref long sentAtNanoseconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hopLimit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hopLimit, 255);
        byte* control = stackalloc byte[ControlBytes];
        new Span<byte>(control, ControlBytes).Clear();
        var header = (CMsgHdr*)control;
        header->Length = (nuint)(sizeof(CMsgHdr) + sizeof(int));
        header->Level = v6 ? Levels.IPv6 : Levels.IP;
        header->Type = v6 ? OptionNames.IPv6HopLimit : OptionNames.IPTtl;
        *(int*)(control + sizeof(CMsgHdr)) = hopLimit;
        fixed (byte* bytes = data)
        fixed (byte* name = sockaddr)
        {
            var vector = new IoVec { Base = bytes, Length = (nuint)data.Length };
            var message = default(MMsgHdr);
            message.Header.Name = name;
            message.Header.NameLength = (uint)sockaddr.Length;
            message.Header.IoVectors = &vector;
            message.Header.IoVectorCount = 1;
            message.Header.Control = control;
            message.Header.ControlLength = ControlBytes;
            int retries = 0;
            while (true)
            {
                Volatile.Write(ref sentAtNanoseconds, LinuxSocketApi.RealtimeNanoseconds());
                if (LinuxSocketApi.SendMMsg(fd, &message, 1, 0) == 1)
                {
                    return 0;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.Interrupted)
                {
                    continue;
                }
                if (retries < PendingErrorRetries && IsIcmpDerived(errno))
                {
                    retries++;
                    continue;
                }
                return errno;
            }
        }
    }

    /// <summary>
    /// The errnos an ICMP error can leave pending: icmp_err_convert[] and icmpv6_err_convert() (ENETUNREACH,
    /// EHOSTUNREACH, ENOPROTOOPT, ECONNREFUSED, EMSGSIZE, EOPNOTSUPP, EHOSTDOWN, ENONET, EACCES), and EPROTO for a
    /// parameter problem.
    /// </summary>
    private static bool IsIcmpDerived(int errno) => errno is 101 or 113 or 92 or 111 or 90 or 95 or 112 or 64 or 13 or 71;
}
