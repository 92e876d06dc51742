using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using IcmpKit.Sockets;
using IcmpKit.Transport;

namespace IcmpKit.Tests.Transport;

/// <summary>One request the engine handed to the fake transport.</summary>
/// <param name="Index">1-based position among all sends of this transport.</param>
/// <param name="Message">The ICMP message as the engine built it (copied).</param>
/// <param name="Target">Where it was sent.</param>
/// <param name="ProvisionalStamp">What the engine had put in the send-time slot before the call.</param>
/// <param name="SentAtNanoseconds">The send time this transport wrote into the slot (CLOCK_REALTIME ns).</param>
/// <param name="At">The fake clock when it was sent.</param>
/// <param name="TimerMark">Timers created on the fake clock before this send (see SteppedTimeProvider).</param>
public sealed record FakeSend(int Index, byte[] Message, IPAddress Target, long ProvisionalStamp, long SentAtNanoseconds, DateTimeOffset At, int TimerMark)
{
    public byte Type => Message[0];

    public ushort Identifier => BinaryPrimitives.ReadUInt16BigEndian(Message.AsSpan(4));

    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(Message.AsSpan(6));

    /// <summary>The request's data (after the 8-byte ICMP header).</summary>
    public byte[] Data => Message[8..];
}

/// <summary>
/// A transport with no socket: records what the engine sends and lets a test inject received packets through the
/// real <see cref="IcmpTransport.Deliver"/> parsing and routing. Like the socket, it writes the send time (here: the
/// fake clock as CLOCK_REALTIME, plus <see cref="SendStampSkewNanoseconds"/>) into the engine's slot just before
/// "sending".
/// </summary>
public sealed class FakeIcmpTransport : IcmpTransport
{
    /// <summary>This host in the tests (198.18.0.0/15, DESIGN §6).</summary>
    public static readonly IPAddress LocalV4 = IPAddress.Parse("198.18.0.2");

    public static readonly IPAddress LocalV6 = IPAddress.Parse("fd42::2");

    private readonly TimeProvider _time;
    private readonly IcmpSocketKind _kind;
    private readonly AddressFamily _family;
    private readonly ushort? _kernelIdentifier;
    private readonly Lock _gate = new();
    private readonly List<FakeSend> _sends = [];
    private readonly SemaphoreSlim _sent = new(0, int.MaxValue);

    public FakeIcmpTransport(TimeProvider time, IcmpSocketKind kind = IcmpSocketKind.Raw, AddressFamily family = AddressFamily.InterNetwork,
        ushort firstIdentifier = 0x5100, int operations = 1, ushort kernelIdentifier = 0x4B1D)
        : base(kind == IcmpSocketKind.Datagram ? (ushort)0 : firstIdentifier, operations)
    {
        _time = time;
        _kind = kind;
        _family = family;
        _kernelIdentifier = kind == IcmpSocketKind.Datagram ? kernelIdentifier : null;
    }

    public override IcmpSocketKind Kind => _kind;

    public override AddressFamily Family => _family;

    public override ushort? KernelIdentifier => _kernelIdentifier;

    public IPAddress Local => _family == AddressFamily.InterNetworkV6 ? LocalV6 : LocalV4;

    /// <summary>Added to the clock when writing the send-time slot (the time the "system call" took to start).</summary>
    public long SendStampSkewNanoseconds { get; set; }

    /// <summary>errno to return for a send (0: success).</summary>
    public Func<FakeSend, int>? SendResult { get; set; }

    /// <summary>Runs inside Send after the slot is written (e.g. to answer at once, as loopback can).</summary>
    public Action<FakeSend>? OnSend { get; set; }

    /// <summary>Read inside Send to stamp <see cref="FakeSend.TimerMark"/>.</summary>
    public Func<int>? TimerMark { get; set; }

    /// <summary>Keep only the last sends (a run of 70,000 requests needs no archive).</summary>
    public bool KeepSends { get; set; } = true;

    public int SendCount
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    private int _count;

    public IReadOnlyList<FakeSend> Sends
    {
        get
        {
            lock (_gate)
            {
                return [.. _sends];
            }
        }
    }

    public override long RealtimeNanoseconds() => (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    public override int Send(ReadOnlySpan<byte> message, IPAddress target, ref long sentAtNanoseconds)
    {
        long provisional = sentAtNanoseconds;
        sentAtNanoseconds = RealtimeNanoseconds() + SendStampSkewNanoseconds;
        FakeSend send;
        lock (_gate)
        {
            _count++;
            send = new FakeSend(_count, message.ToArray(), target, provisional, sentAtNanoseconds, _time.GetUtcNow(), TimerMark?.Invoke() ?? 0);
            if (KeepSends)
            {
                _sends.Add(send);
            }
        }
        OnSend?.Invoke(send);
        int errno = SendResult?.Invoke(send) ?? 0;
        _sent.Release();
        return errno;
    }

    /// <summary>Waits (real time) until the <paramref name="index"/>-th send has happened.</summary>
    public async Task<FakeSend> WaitForSendAsync(int index, TimeSpan? limit = null)
    {
        var until = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            lock (_gate)
            {
                if (_sends.Count >= index)
                {
                    return _sends[index - 1];
                }
            }
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"send #{index} did not happen; {SendCount} sends so far");
            }
            await _sent.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
        }
    }

    /// <summary>Hands a packet to the real parsing and routing, as the socket's receive loop does.</summary>
    public void Inject(in ReceivedPacket packet) => Deliver(packet);

    /// <summary>
    /// Delivers an ICMP message as this kind of socket would: raw IPv4 with an IPv4 header in front (TTL and TOS in
    /// it), datagram and IPv6 bare (TTL and TOS as control messages).
    /// </summary>
    public void DeliverIcmp(byte[] icmp, IPAddress from, long kernelStamp = -1, byte ttl = 61, byte tos = 0, byte[]? ipOptions = null)
    {
        long stamp = kernelStamp < 0 ? RealtimeNanoseconds() : kernelStamp;
        if (_family == AddressFamily.InterNetwork && _kind == IcmpSocketKind.Raw)
        {
            var packet = Packets.IPv4(from, Local, icmp, ttl, tos, ipOptions);
            Inject(new ReceivedPacket { Data = packet, KernelTimestampNanoseconds = stamp, TimeToLive = -1, TrafficClass = -1 });
            return;
        }
        Inject(new ReceivedPacket
        {
            Data = icmp,
            SourceAddress = from.GetAddressBytes(),
            KernelTimestampNanoseconds = stamp,
            TimeToLive = ttl,
            TrafficClass = tos,
            IPv4Options = ipOptions ?? [],
        });
    }

    /// <summary>An IP_RECVERR report: the request we sent, and the kernel's summary of the error.</summary>
    public void DeliverQueuedError(byte[] request, IPAddress target, ErrorOrigin origin, byte type, byte code, int errno, uint info = 0,
        IPAddress? offender = null, long kernelStamp = -1)
    {
        Inject(new ReceivedPacket
        {
            Data = request,
            SourceAddress = target.GetAddressBytes(),
            KernelTimestampNanoseconds = kernelStamp < 0 ? RealtimeNanoseconds() : kernelStamp,
            TimeToLive = -1,
            TrafficClass = -1,
            FromErrorQueue = true,
            HasErrorReport = true,
            ErrorOrigin = origin,
            ErrorNumber = errno,
            ErrorType = type,
            ErrorCode = code,
            ErrorInfo = info,
            OffenderAddress = offender?.GetAddressBytes() ?? [],
        });
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sent.Dispose();
        }
        base.Dispose(disposing);
    }
}
