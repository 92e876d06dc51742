using System.Buffers.Binary;
using IcmpKit.Transport;
using IcmpKit.Wire.Checksum;

namespace IcmpKit.Ping;

public sealed partial class Pinger
{

    /// <summary>iputils' MININTERVAL: even with no replies, a flood sends at least every 10 ms.</summary>
    private static readonly TimeSpan FloodMinimumRate = TimeSpan.FromMilliseconds(10);

    /// <summary>iputils' MINUSERINTERVAL: the adaptive interval never drops below 200 ms unprivileged.</summary>
    private static readonly TimeSpan AdaptiveUserMinimum = TimeSpan.FromMilliseconds(200);

    private async Task SendLoopAsync(CancellationToken token)
    {
        byte[] message = new byte[8 + RequestBodyLength()];
        ushort sequence = 0;
        long sent = 0;
        long lastSend = _time.GetTimestamp();
        long runStart = lastSend;
        int window = Math.Max(_options.Preload, _options.Flood ? _options.FloodWindow : 1);
        while (!token.IsCancellationRequested)
        {
            if (Finished())
            {
                return;
            }
            if (!SendingDone(sent))
            {
                var interval = CurrentInterval();
                bool paced = _options.Flood || interval == TimeSpan.Zero;
                if (sent >= _options.Preload)
                {
                    if (paced)
                    {
                        // As fast as replies come back, at most `limit` in flight, and at least every 10 ms. A full window
                        // waits until half of it is answered, then refills it in a burst: one wake-up per half window
                        // rather than per reply keeps the two threads from trading the CPUs packet by packet.
                        int limit = _options.Flood ? window : Math.Max(_options.Preload, 1);
                        if (Outstanding() >= limit)
                        {
                            Volatile.Write(ref _wakeAtOrBelow, limit / 2);
                            while (Outstanding() > limit / 2 && _time.GetElapsedTime(lastSend) < FloodMinimumRate)
                            {
                                var pause = FloodMinimumRate - _time.GetElapsedTime(lastSend);
                                if (pause <= TimeSpan.Zero)
                                {
                                    break;
                                }
                                await WaitAsync(pause, token).ConfigureAwait(false);
                                ExpireOverdue();
                            }
                            Volatile.Write(ref _wakeAtOrBelow, int.MaxValue);
                        }
                    }
                    else
                    {
                        // Wake on every reply too: the run may be finished (-c with -w), and the adaptive interval
                        // (-A) follows each new RTT, as iputils recomputes both when a reply arrives.
                        var due = interval - _time.GetElapsedTime(lastSend);
                        while (due > TimeSpan.Zero && !Finished())
                        {
                            await WaitAsync(due, token).ConfigureAwait(false);
                            due = CurrentInterval() - _time.GetElapsedTime(lastSend);
                        }
                    }
                }
                // At the deadline nothing more goes out, even if its timer has not fired yet: a request sent then could
                // only count as lost (iputils sends 5 requests in -w 1 -i 0.2, never a 6th).
                if (Finished() || (_options.Deadline is { } deadline && _time.GetElapsedTime(runStart) >= deadline))
                {
                    return;
                }
                if (sent == 0 && _options.Preload > 1)
                {
                    // The preload goes out as one burst before any reply is handled (replies wait for the emit lock),
                    // as in single-threaded iputils: otherwise a loaded machine answers the first before the rest are
                    // sent, and the run reports a smaller "pipe" than it had.
                    lock (_emitGate)
                    {
                        for (int i = 0; i < _options.Preload && !SendingDone(sent); i++)
                        {
                            sequence++;
                            lastSend = _time.GetTimestamp();
                            SendOne(message, sequence);
                            sent++;
                        }
                    }
                    continue;
                }
                sequence++;
                lastSend = _time.GetTimestamp();
                SendOne(message, sequence);
                sent++;
                ExpireOverdue();
                continue;
            }
            // All sent: linger for the replies still due, no longer than the wait after the last request.
            var left = _options.Timeout - _time.GetElapsedTime(lastSend);
            if (Outstanding() == 0 || left <= TimeSpan.Zero)
            {
                ExpireOverdue(force: true);
                return;
            }
            await WaitAsync(left < FloodMinimumRate * 10 ? left : FloodMinimumRate * 10, token).ConfigureAwait(false);
            ExpireOverdue();
        }
    }

    /// <summary>
    /// iputils: without a deadline, stop sending after -c requests; with one (-w), keep sending until -c replies or
    /// errors came. Without -c, send until stopped.
    /// </summary>
    private bool SendingDone(long sent) =>
        _options.Count is { } count && _options.Deadline is null && sent >= count;

    /// <summary>
    /// Finished once -c requests are answered or failed. Each request counts once: iputils adds replies and errors
    /// (nreceived + nerrors >= npackets), so a forged error ahead of each real reply ended a run after half its count.
    /// </summary>
    private bool Finished() =>
        (_options.Count is { } count && Interlocked.Read(ref _settled) >= count)
        || (_options.Deadline is not null && Errors > 0); // iputils main_loop: "if (rts->deadline && rts->nerrors) break;"

    private TimeSpan CurrentInterval()
    {
        if (!_options.Adaptive)
        {
            return _options.Interval;
        }
        // iputils update_interval(): the interval follows the RTT's EWMA, rounded to ms, at least 200 ms unprivileged.
        long ewma = Interlocked.Read(ref _ewmaTimes8Microseconds);
        var estimate = ewma == 0 ? _options.Interval : TimeSpan.FromMilliseconds(((ewma / 8) + 500) / 1000);
        return !Environment.IsPrivilegedProcess && estimate < AdaptiveUserMinimum ? AdaptiveUserMinimum : estimate;
    }

    /// <summary>The receive side wakes the sender when the requests in flight drop to this (int.MaxValue: on every reply).</summary>
    private int _wakeAtOrBelow = int.MaxValue;

    private void SignalProgress()
    {
        if (Outstanding() <= Volatile.Read(ref _wakeAtOrBelow) && _progress.CurrentCount == 0)
        {
            _progress.Release();
        }
    }

    private int Outstanding()
    {
        lock (_gate)
        {
            return _window.Outstanding;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="wait"/> for a reply or error (or until then). On a pumped transport this thread
    /// receives itself, synchronously: the whole run stays on one thread, as iputils' loop does, with no thread-pool
    /// hand-offs between a reply and the next request.
    /// </summary>
    private ValueTask WaitAsync(TimeSpan wait, CancellationToken token)
    {
        if (_pump is { } pump)
        {
            int milliseconds = (int)Math.Clamp(Math.Ceiling(wait.TotalMilliseconds), 0, 100);
            if (pump.Pump(milliseconds, Outstanding()) < 0)
            {
                throw new OperationCanceledException(token);
            }
            token.ThrowIfCancellationRequested();
            return ValueTask.CompletedTask;
        }
        return new ValueTask(WaitForProgressAsync(wait, token));
    }

    private async Task WaitForProgressAsync(TimeSpan wait, CancellationToken token)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(token);
        var delay = Task.Delay(wait, _time, timer.Token);
        var progress = _progress.WaitAsync(timer.Token);
        await Task.WhenAny(delay, progress).ConfigureAwait(false);
        await timer.CancelAsync().ConfigureAwait(false);
        token.ThrowIfCancellationRequested();
    }

    private int RequestBodyLength() => _options.RequestType switch
    {
        PingRequestType.Timestamp => 12,   // RFC 792: originate, receive, transmit
        PingRequestType.AddressMask => 4,  // RFC 950: the mask, 0 in a request
        PingRequestType.Information => 0,
        _ => _options.PayloadSize,
    };

    private void SendOne(byte[] message, ushort sequence)
    {
        // Reported before the system call: on loopback the reply can be read on the receive thread before sendto
        // returns, and a reply must never be seen before its request. Reported before the stamp too, so the
        // consumer's work (on the first request, its JIT compilation) does not sit inside an RFC 792 originate time.
        if (_options.ReportSends)
        {
            Emit(new PingSent(sequence));
        }
        long stamp = _transport.RealtimeNanoseconds();
        BuildRequest(message, sequence, stamp);
        lock (_gate)
        {
            _window.MarkSent(sequence, stamp, _time.GetTimestamp());
            _payloadStamp[sequence] = stamp;
            _sendOrder.Enqueue(sequence);
        }
        // The socket overwrites the provisional send time just before the system call.
        int errno = _transport.Send(message, _target, ref _window.SentRealtimeSlot(sequence));
        Interlocked.Increment(ref _transmitted);
        if (errno == 0)
        {
            return;
        }
        if (errno == Sockets.Native.Errno.MessageTooLong)
        {
            // Above the path MTU with DF: the error queue brings the MTU (iputils: "local error: message too long, mtu=N"),
            // maybe already read by the receive side.
            (int Errno, long? Mtu) report;
            lock (_gate)
            {
                if (!_unclaimedLocalErrors.TryDequeue(out report))
                {
                    _awaitingLocalError.Enqueue(sequence);
                    return;
                }
            }
            ReportLocalError(sequence, report.Errno, report.Mtu);
            return;
        }
        lock (_gate)
        {
            _window.MarkFailed(sequence);
        }
        Emit(new PingSendFailed(sequence, errno, Sockets.IcmpSocket.DescribeError(errno)));
        SignalProgress();
    }

    private void BuildRequest(byte[] message, ushort sequence, long stamp)
    {
        byte type = (_v6, _options.RequestType) switch
        {
            (true, _) => (byte)Wire.IcmpV6.IcmpV6Type.EchoRequest,
            (_, PingRequestType.Timestamp) => (byte)Wire.IcmpV4.IcmpV4Type.TimestampRequest,
            (_, PingRequestType.AddressMask) => (byte)Wire.IcmpV4.IcmpV4Type.AddressMaskRequest,
            (_, PingRequestType.Information) => (byte)Wire.IcmpV4.IcmpV4Type.InformationRequest,
            _ => (byte)Wire.IcmpV4.IcmpV4Type.EchoRequest,
        };
        message[0] = type;
        message[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 0);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), _registration.Identifier);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), sequence);
        var body = message.AsSpan(8);
        if (_options.RequestType == PingRequestType.Timestamp)
        {
            body.Clear();
            BinaryPrimitives.WriteUInt32BigEndian(body, MillisecondsSinceMidnightUtc(stamp));
        }
        else if (_options.RequestType == PingRequestType.Echo)
        {
            _payload.Write(body, stamp);
        }
        else
        {
            body.Clear();
        }
        if (!_v6)
        {
            // ICMPv6 checksums include the pseudo-header and are filled in by the kernel (RFC 3542 §3.1).
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), InternetChecksum.Compute(message));
        }
    }

    /// <summary>RFC 792 timestamps: milliseconds since midnight UT.</summary>
    internal static uint MillisecondsSinceMidnightUtc(long realtimeNanoseconds) =>
        (uint)(realtimeNanoseconds / NanosecondsPerMillisecond % 86_400_000);

    /// <summary>Reports requests unanswered for the whole wait; with <paramref name="force"/>, every one still open.</summary>
    private void ExpireOverdue(bool force = false)
    {
        long now = _time.GetTimestamp();
        long wait = (long)(_options.Timeout.TotalSeconds * _time.TimestampFrequency);
        List<ushort>? expired = null;
        lock (_gate)
        {
            while (_sendOrder.TryPeek(out ushort sequence))
            {
                if (_window[sequence] != SequenceState.Outstanding)
                {
                    _sendOrder.Dequeue();
                    continue;
                }
                if (!force && now - _window.SentMonotonic(sequence) < wait)
                {
                    break;
                }
                _sendOrder.Dequeue();
                _window.MarkTimedOut(sequence);
                (expired ??= []).Add(sequence);
            }
        }
        if (expired is not null)
        {
            foreach (ushort sequence in expired)
            {
                Emit(new PingTimeout(sequence));
            }
        }
    }
}
