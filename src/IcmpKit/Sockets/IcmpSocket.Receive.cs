using System.Runtime.InteropServices;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Sockets;

public sealed unsafe partial class IcmpSocket
{
    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1: forever) for packets, then takes what is queued:
    /// first the error queue, then normal packets with one recvmmsg. Returns how many slots of
    /// <paramref name="batch"/> are filled, 0 on timeout, -1 when <see cref="Wake"/> was called.
    /// </summary>
    /// <param name="batch">Where the packets go.</param>
    /// <param name="timeoutMilliseconds">How long to wait when nothing is queued (-1: forever).</param>
    /// <param name="expected">
    /// When above 0: first try to take up to this many queued packets without waiting. Asking for no more than are due
    /// matters: recvmmsg goes on to the next slot after each packet, and an empty queue costs a second pass.
    /// </param>
    internal int Receive(ReceiveBatch batch, int timeoutMilliseconds, int expected = 0)
    {
        if (!Enter())
        {
            return -1;
        }
        try
        {
            return ReceiveEntered(batch, timeoutMilliseconds, expected);
        }
        finally
        {
            Exit();
        }
    }

    private int ReceiveEntered(ReceiveBatch batch, int timeoutMilliseconds, int expected)
    {
        if (expected > 0)
        {
            // A flood on loopback finds its reply already queued when sendto returns (the kernel answered inside the
            // call): one recvmmsg instead of poll + recvmmsg. Only an empty queue goes on to poll, and with it to the
            // error queue, which POLLERR announces.
            for (int i = 0; i < batch.Capacity; i++)
            {
                batch.Reset(i);
                batch.FromErrorQueue[i] = false;
            }
            int queued = LinuxSocketApi.RecvMMsg(_fd, batch.Headers, (uint)Math.Min(expected, batch.Capacity), MessageFlags.DontWait, null);
            if (queued > 0)
            {
                return queued;
            }
        }
        int events = _guard.WaitReadable(timeoutMilliseconds);
        if (events <= 0)
        {
            return events;
        }
        return ErrorQueueReceiver.Take(_fd, batch, events);
    }

    /// <summary>The packet in slot <paramref name="index"/> after <see cref="Receive"/>, control messages decoded.</summary>
    internal static ReceivedPacket Read(ReceiveBatch batch, int index)
    {
        ref MMsgHdr slot = ref batch.Headers[index];
        ref MsgHdr header = ref slot.Header;
        int length = (int)Math.Min(slot.Length, (uint)batch.PacketBytes);
        var name = new ReadOnlySpan<byte>(header.Name, (int)Math.Min(header.NameLength, (uint)ReceiveBatch.AddressBytes));
        long timestamp = 0;
        int ttl = -1;
        int trafficClass = -1;
        ReadOnlySpan<byte> options = [];
        SockExtendedErr report = default;
        ReadOnlySpan<byte> offender = [];
        bool hasReport = false;
        byte* control = (byte*)header.Control;
        nuint controlLength = Math.Min(header.ControlLength, (nuint)ReceiveBatch.ControlBytes);
        nuint offset = 0;
        while (offset + (nuint)sizeof(CMsgHdr) <= controlLength)
        {
            var cmsg = (CMsgHdr*)(control + offset);
            if (cmsg->Length < (nuint)sizeof(CMsgHdr) || offset + cmsg->Length > controlLength)
            {
                break;
            }
            byte* data = control + offset + (nuint)sizeof(CMsgHdr);
            int dataLength = (int)(cmsg->Length - (nuint)sizeof(CMsgHdr));
            switch (cmsg->Level, cmsg->Type)
            {
                case (Levels.Socket, OptionNames.TimestampNs) when dataLength >= sizeof(TimeSpec):
                    var time = (TimeSpec*)data;
                    timestamp = (time->Seconds * 1_000_000_000L) + time->Nanoseconds;
                    break;
                case (Levels.IP, OptionNames.IPTtl) when dataLength >= sizeof(int):
                    ttl = *(int*)data;
                    break;
                case (Levels.IP, OptionNames.IPTos) when dataLength >= 1:
                    trafficClass = *data; // IP_RECVTOS delivers one byte
                    break;
                case (Levels.IP, OptionNames.IPReceiveOptions): // ip_cmsg_recv_opts() labels them IP_RECVOPTS
                    options = new ReadOnlySpan<byte>(data, dataLength);
                    break;
                case (Levels.IPv6, OptionNames.IPv6HopLimit) when dataLength >= sizeof(int):
                    ttl = *(int*)data;
                    break;
                case (Levels.IPv6, OptionNames.IPv6TrafficClass) when dataLength >= sizeof(int):
                    trafficClass = *(int*)data;
                    break;
                case (Levels.IP, OptionNames.IPReceiveError) or (Levels.IPv6, OptionNames.IPv6ReceiveError)
                    when dataLength >= sizeof(SockExtendedErr):
                    report = *(SockExtendedErr*)data;
                    hasReport = true;
                    int after = dataLength - sizeof(SockExtendedErr);
                    offender = NativeSocketAddress.AddressBytes(new ReadOnlySpan<byte>(data + sizeof(SockExtendedErr), after), after);
                    break;
            }
            offset += (cmsg->Length + 7) & ~(nuint)7; // CMSG_ALIGN
        }
        return new ReceivedPacket
        {
            Data = new ReadOnlySpan<byte>(header.IoVectors->Base, length),
            SourceAddress = NativeSocketAddress.AddressBytes(name, name.Length),
            KernelTimestampNanoseconds = timestamp,
            TimeToLive = ttl,
            TrafficClass = trafficClass,
            IPv4Options = options,
            IsTruncated = (header.Flags & MessageFlags.Truncated) != 0,
            FromErrorQueue = batch.FromErrorQueue[index],
            HasErrorReport = hasReport,
            ErrorOrigin = (ErrorOrigin)report.Origin,
            ErrorNumber = (int)report.Errno,
            ErrorType = report.Type,
            ErrorCode = report.Code,
            ErrorInfo = report.Info,
            OffenderAddress = offender,
        };
    }
}
