using System.Buffers.Binary;
using System.Net;
using IcmpKit.Transport;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;

namespace IcmpKit.Ping;

public sealed partial class Pinger
{
    /// <summary>The reply type that answers our request type.</summary>
    private byte ExpectedReplyType => (_v6, _options.RequestType) switch
    {
        (true, _) => (byte)IcmpV6Type.EchoReply,
        (_, PingRequestType.Timestamp) => (byte)IcmpV4Type.TimestampReply,
        (_, PingRequestType.AddressMask) => (byte)IcmpV4Type.AddressMaskReply,
        (_, PingRequestType.Information) => (byte)IcmpV4Type.InformationReply,
        _ => (byte)IcmpV4Type.EchoReply,
    };

    // Each packet is handled, from its state change to its event, under the emit lock: the run ends (RunAsync sets
    // _finished under the same lock) either before a packet changes anything or after its event is out, never between,
    // when the sender, seeing nothing outstanding, would end the run and drop the event that settled it.
    void IIcmpReceiver.OnReply(in InboundReply reply)
    {
        lock (_emitGate)
        {
            if (!_finished)
            {
                HandleReply(reply);
            }
        }
    }

    void IIcmpReceiver.OnError(in InboundError icmpError)
    {
        lock (_emitGate)
        {
            if (!_finished)
            {
                HandleError(icmpError);
            }
        }
    }

    private void HandleReply(in InboundReply reply)
    {
        if (reply.Type != ExpectedReplyType || reply.Code != 0)
        {
            return;
        }
        bool echo = _options.RequestType == PingRequestType.Echo;
        if (echo && !_payload.CookieMatches(reply.Body))
        {
            return; // another run's reply with our identifier, or a forged one
        }
        ushort sequence = reply.SequenceNumber;
        long nowMonotonic = _time.GetTimestamp();
        SequenceState previous;
        long sentRealtime;
        long sentMonotonic;
        long stamp;
        lock (_gate)
        {
            if (_window[sequence] == SequenceState.NotSent)
            {
                return;
            }
            sentRealtime = _window.SentRealtime(sequence);
            sentMonotonic = _window.SentMonotonic(sequence);
            stamp = _payloadStamp[sequence];
            // iputils does not count a reply with a bad checksum (nchecksum), nor mark its sequence answered.
            previous = reply.IsChecksumValid ? _window.MarkAnswered(sequence) : _window[sequence];
        }
        var (rtt, clockAdjusted) = RoundTripClock.Measure(reply.ReceivedAtNanoseconds, sentRealtime, _time.GetElapsedTime(sentMonotonic, nowMonotonic));
        bool duplicate = previous == SequenceState.Answered;
        if (reply.IsChecksumValid && previous is SequenceState.Outstanding or SequenceState.TimedOut)
        {
            Interlocked.Increment(ref _settled); // a reply after an error for the same request settles nothing new
        }
        if (reply.IsChecksumValid && !duplicate)
        {
            Interlocked.Increment(ref _received);
            long micros = (long)rtt.TotalMicroseconds;
            long ewma = Interlocked.Read(ref _ewmaTimes8Microseconds);
            // iputils: rtt = 8 × EWMA with weight 1/8, seeded with the first sample.
            Interlocked.Exchange(ref _ewmaTimes8Microseconds, ewma == 0 ? micros * 8 : ewma + micros - (ewma / 8));
        }
        var source = reply.SourceAddress.SequenceEqual(_targetBytes) ? _target : reply.Source();
        Emit(new PingReply(sequence, source, reply.IcmpLength, rtt)
        {
            TimeToLive = reply.TimeToLive >= 0 ? reply.TimeToLive : null,
            TrafficClass = reply.TrafficClass >= 0 ? reply.TrafficClass : null,
            IsDuplicate = duplicate,
            IsLate = previous == SequenceState.TimedOut,
            IsFromOtherAddress = !ReferenceEquals(source, _target),
            IsChecksumBad = !reply.IsChecksumValid,
            WrongData = echo ? _payload.FindWrongByte(reply.Body, stamp) : null,
            IsKernelTimestamp = reply.IsKernelTimestamp,
            IsClockAdjusted = clockAdjusted,
            ReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(0).AddTicks(reply.ReceivedAtNanoseconds / 100),
            IPv4Options = reply.IPv4Options.IsEmpty ? ReadOnlyMemory<byte>.Empty : reply.IPv4Options.ToArray(),
            Timestamps = _options.RequestType == PingRequestType.Timestamp && reply.Body.Length >= 12
                ? new IcmpTimestamps(BinaryPrimitives.ReadUInt32BigEndian(reply.Body), BinaryPrimitives.ReadUInt32BigEndian(reply.Body[4..]),
                    BinaryPrimitives.ReadUInt32BigEndian(reply.Body[8..]), MillisecondsSinceMidnightUtc(reply.ReceivedAtNanoseconds))
                {
                    // The originate we wrote came from this request's stamp (BuildRequest).
                    IsOriginateForeign = BinaryPrimitives.ReadUInt32BigEndian(reply.Body) != MillisecondsSinceMidnightUtc(stamp),
                }
                : null,
            AddressMask = _options.RequestType == PingRequestType.AddressMask && reply.Body.Length >= 4 ? new IPAddress(reply.Body[..4]) : null,
        });
        SignalProgress();
    }

    private void HandleError(in InboundError icmpError)
    {
        ushort sequence;
        if (!icmpError.HasQuote)
        {
            if (!icmpError.IsLocal)
            {
                return;
            }
            lock (_gate)
            {
                // The kernel queues a local error during the failing sendto, so this thread may read it before the
                // sender has seen the errno: then it waits for the sender (ReportLocalError).
                if (!_awaitingLocalError.TryDequeue(out sequence))
                {
                    _unclaimedLocalErrors.Enqueue((icmpError.ErrorNumber, icmpError.Mtu));
                    return;
                }
            }
            ReportLocalError(sequence, icmpError.ErrorNumber, icmpError.Mtu);
            return;
        }
        else
        {
            sequence = icmpError.QuotedSequenceNumber;
            // The quote must name our target, and carry our cookie as far as it goes (RFC 792 promises only 8 bytes).
            if (!icmpError.QuotedDestination.IsEmpty && !icmpError.QuotedDestination.SequenceEqual(_targetBytes))
            {
                return;
            }
            if (_options.RequestType == PingRequestType.Echo && _payload.HasCookie && icmpError.QuotedBody.Length >= IcmpTransport.CookieLength
                && !_payload.CookieMatches(icmpError.QuotedBody))
            {
                return;
            }
        }
        // iputils (ping4_parse_reply): a redirect or a source quench is shown but is no error: it neither settles the
        // request nor counts ("error_pkt = type != ICMP_REDIRECT && type != ICMP_SOURCE_QUENCH").
        bool informational = !_v6 && !icmpError.IsLocal && icmpError.Type is 4 or 5;
        lock (_gate)
        {
            if (_window[sequence] == SequenceState.NotSent)
            {
                return;
            }
            // An error settles an outstanding request once: a copy, a late or a forged second error is shown but not
            // counted, so it cannot end a -c run early (iputils counts every error packet).
            if (!informational && !_window.MarkFailed(sequence))
            {
                informational = true;
            }
        }
        if (!informational)
        {
            Interlocked.Increment(ref _errors);
            Interlocked.Increment(ref _settled);
        }
        var extensions = icmpError.Message.IsEmpty ? null : ReadExtensions(icmpError.Message);
        Emit(new PingError(sequence, icmpError.OffenderAddress.IsEmpty ? null : new IPAddress(icmpError.OffenderAddress), _v6,
            icmpError.Type, icmpError.Code, icmpError.Mtu)
        {
            IsLocal = icmpError.IsLocal,
            ErrorNumber = icmpError.ErrorNumber,
            Extensions = extensions,
            CountsAsError = !informational,
            Gateway = !_v6 && icmpError.Type == 5 && icmpError.Message.Length >= 8 ? new IPAddress(icmpError.Message.Slice(4, 4)) : null,
        });
        SignalProgress();
    }

    /// <summary>A local error (no ICMP packet: the kernel refused), matched to the send that failed.</summary>
    private void ReportLocalError(ushort sequence, int errorNumber, long? mtu)
    {
        bool settles;
        lock (_gate)
        {
            settles = _window.MarkFailed(sequence);
        }
        Interlocked.Increment(ref _errors);
        if (settles)
        {
            Interlocked.Increment(ref _settled);
        }
        Emit(new PingError(sequence, null, _v6, 0, 0, mtu) { IsLocal = true, ErrorNumber = errorNumber });
        SignalProgress();
    }

    private Wire.Extensions.IcmpExtensionStructure? ReadExtensions(ReadOnlySpan<byte> message)
    {
        if (_v6)
        {
            return IcmpV6Message.TryParse(message, out var v6, out _) && v6 is IcmpV6Message.ErrorMessage e6 ? e6.Extensions : null;
        }
        return IcmpV4Message.TryParse(message, out var v4, out _) && v4 is IcmpV4Message.ErrorMessage e4 ? e4.Extensions : null;
    }
}
