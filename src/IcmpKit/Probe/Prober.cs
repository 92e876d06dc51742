using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using IcmpKit.Sockets;
using IcmpKit.Transport;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;

namespace IcmpKit.Probe;

/// <summary>
/// RFC 8335 PROBE: extended echo requests that ask a proxy node about one of its interfaces (or a neighbour's).
/// Linux answers when net.ipv4.icmp_echo_enable_probe=1, to datagram sockets too. The 8-bit sequence number wraps
/// after 256 requests; a run keeps only the last 256 send times.
/// </summary>
public sealed class Prober : IIcmpReceiver, IDisposable
{
    private readonly IcmpTransport _transport;
    private readonly IcmpRegistration _registration;
    private readonly IPAddress _target;
    private readonly ProbeOptions _options;
    private readonly bool _v6;
    private readonly long[] _sentAt = new long[256];
    private readonly long[] _sentMonotonic = new long[256];
    private readonly bool[] _settled = new bool[256];
    private readonly Lock _gate = new();
    private Action<ProbeEvent>? _sink;
    private bool _finished;

    public Prober(IPAddress target, ProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Count, 255); // the sequence number has 8 bits, and 0 is never sent
        _target = target;
        _options = options;
        _v6 = target.AddressFamily == AddressFamily.InterNetworkV6;
        // One operation on its own socket: replies carry no data to hold a cookie, so the socket must be ours alone.
        _transport = SocketIcmpTransport.Open(target.AddressFamily, options.Socket, maxOperations: 1);
        _registration = _transport.Register(this);
    }

    public IcmpSocketKind SocketKind => _transport.Kind;

    /// <summary>Sends the probes and yields each reply, error and timeout; leaving the loop early stops the probes.</summary>
    public IAsyncEnumerable<ProbeEvent> RunAsync(CancellationToken cancellationToken = default) =>
        EventStream.Read<ProbeEvent>(RunAsync, cancellationToken);

    /// <summary>
    /// Sends the probes and hands each event to <paramref name="onEvent"/> (on the receive thread or this run's),
    /// one at a time; ends when every probe is answered or timed out, or on cancellation.
    /// </summary>
    public async Task RunAsync(Action<ProbeEvent> onEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        if (Interlocked.CompareExchange(ref _sink, onEvent, null) is not null)
        {
            throw new InvalidOperationException("A Prober runs once.");
        }
        try
        {
            for (int i = 0; i < _options.Count; i++)
            {
                if (i > 0)
                {
                    await Task.Delay(_options.Interval, cancellationToken).ConfigureAwait(false);
                }
                Send((byte)(i + 1));
                ExpireOverdue(force: false);
            }
            var end = DateTime.UtcNow + _options.Timeout;
            while (!AllSettled() && DateTime.UtcNow < end)
            {
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped: what has not been answered is reported as timed out below.
        }
        finally
        {
            ExpireOverdue(force: true);
            lock (_gate)
            {
                // Under the lock a reply settles and reports in: the run cannot end between the two and lose it.
                _finished = true;
            }
        }
    }

    /// <summary>Reports an event unless the run has ended; called with <c>_gate</c> held.</summary>
    private void Emit(ProbeEvent item)
    {
        if (!_finished)
        {
            _sink?.Invoke(item);
        }
    }

    private void Send(byte sequence)
    {
        var structure = new IcmpExtensionStructure { Objects = [_options.Interface] };
        byte[] message = _v6
            ? new IcmpV6Message.ExtendedEchoRequest(_registration.Identifier, sequence, _options.Local, structure).ToArray()
            : new IcmpV4Message.ExtendedEchoRequest(_registration.Identifier, sequence, _options.Local, structure).ToArray();
        lock (_gate)
        {
            _settled[sequence] = false;
        }
        _sentMonotonic[sequence] = System.Diagnostics.Stopwatch.GetTimestamp();
        _transport.Send(message, _target, ref _sentAt[sequence]);
    }

    private bool AllSettled()
    {
        lock (_gate)
        {
            for (int i = 1; i <= Math.Min(_options.Count, 255); i++)
            {
                if (!_settled[i])
                {
                    return false;
                }
            }
            return true;
        }
    }

    private void ExpireOverdue(bool force)
    {
        long now = _transport.RealtimeNanoseconds();
        long wait = (long)(_options.Timeout.TotalMilliseconds * 1_000_000);
        lock (_gate)
        {
            for (int i = 1; i <= Math.Min(_options.Count, 255); i++)
            {
                if (!_settled[i] && _sentAt[i] != 0 && (force || now - _sentAt[i] >= wait))
                {
                    _settled[i] = true;
                    Emit(new ProbeTimeout((byte)i));
                }
            }
        }
    }

    void IIcmpReceiver.OnReply(in InboundReply reply)
    {
        if (reply.Type != (_v6 ? (byte)IcmpV6Type.ExtendedEchoReply : (byte)IcmpV4Type.ExtendedEchoReply))
        {
            return;
        }
        // RFC 8335 §3: bytes 6–7 are the 8-bit sequence number, then State(3) Res(2) A 4 6.
        byte sequence = (byte)(reply.SequenceNumber >> 8);
        byte bits = (byte)reply.SequenceNumber;
        lock (_gate)
        {
            if (_sentAt[sequence] == 0 || _settled[sequence])
            {
                return;
            }
            _settled[sequence] = true;
            var (rtt, _) = RoundTripClock.Measure(reply.ReceivedAtNanoseconds, _sentAt[sequence],
                System.Diagnostics.Stopwatch.GetElapsedTime(_sentMonotonic[sequence]));
            Emit(new ProbeReply(sequence, reply.Source(), rtt)
            {
            Code = reply.Code,
            State = (byte)(bits >> 5),
            Active = (bits & 0x04) != 0,
            IPv4 = (bits & 0x02) != 0,
            IPv6 = (bits & 0x01) != 0,
            TimeToLive = reply.TimeToLive >= 0 ? reply.TimeToLive : null,
            });
        }
    }

    void IIcmpReceiver.OnError(in InboundError icmpError)
    {
        if (!icmpError.HasQuote)
        {
            return;
        }
        byte sequence = (byte)(icmpError.QuotedSequenceNumber >> 8);
        lock (_gate)
        {
            if (_sentAt[sequence] == 0 || _settled[sequence])
            {
                return;
            }
            _settled[sequence] = true;
            Emit(new ProbeError(sequence, icmpError.OffenderAddress.IsEmpty ? null : new IPAddress(icmpError.OffenderAddress),
                icmpError.Type, icmpError.Code));
        }
    }

    public void Dispose()
    {
        _registration.Dispose();
        _transport.Dispose();
    }
}
