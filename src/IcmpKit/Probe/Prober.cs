using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
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
    private Channel<ProbeEvent>? _events;

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

    public async IAsyncEnumerable<ProbeEvent> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var events = Channel.CreateUnbounded<ProbeEvent>();
        _events = events;
        // Leaving the loop early stops the probes, and the sender is awaited before this returns.
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = leave.Token;
        var sender = Task.Run(async () =>
        {
            Exception? failure = null;
            try
            {
                for (int i = 0; i < _options.Count; i++)
                {
                    if (i > 0)
                    {
                        await Task.Delay(_options.Interval, token).ConfigureAwait(false);
                    }
                    Send((byte)(i + 1));
                    ExpireOverdue(force: false);
                }
                var end = DateTime.UtcNow + _options.Timeout;
                while (!AllSettled() && DateTime.UtcNow < end)
                {
                    await Task.Delay(10, token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                failure = e; // reaches the reader: a run never hangs on a sender that died
            }
            ExpireOverdue(force: true);
            lock (_gate)
            {
                // Under the lock a reply settles and reports in: the run cannot end between the two and lose it.
                events.Writer.TryComplete(failure);
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var item in events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            await leave.CancelAsync().ConfigureAwait(false);
            await sender.ConfigureAwait(false);
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
                    _events?.Writer.TryWrite(new ProbeTimeout((byte)i));
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
            _events?.Writer.TryWrite(new ProbeReply(sequence, reply.Source(), rtt)
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
            _events?.Writer.TryWrite(new ProbeError(sequence, icmpError.OffenderAddress.IsEmpty ? null : new IPAddress(icmpError.OffenderAddress),
                icmpError.Type, icmpError.Code));
        }
    }

    public void Dispose()
    {
        _registration.Dispose();
        _transport.Dispose();
    }
}
