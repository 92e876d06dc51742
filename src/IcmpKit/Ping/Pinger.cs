using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using IcmpKit.Sockets;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;
using IcmpKit.Wire.Quoting;

namespace IcmpKit.Ping;

/// <summary>
/// Sends echo requests to one target and reports replies, timeouts and ICMP errors as they happen.
/// The echoed payload is never trusted for timing: the send time is kept here, by sequence number, and the
/// payload only carries a per-run cookie so that foreign or forged replies are not counted.
/// </summary>
public sealed class Pinger : IDisposable
{
    /// <summary>Cookie bytes at the start of the payload (fewer when the payload is smaller).</summary>
    private const int CookieLength = 8;

    private readonly IcmpSocket _socket;
    private readonly IPAddress _target;
    private readonly PingOptions _options;
    private readonly TimeProvider _time;
    private readonly ushort _identifier;
    private readonly byte[] _cookie = new byte[CookieLength];
    private readonly Dictionary<ushort, long> _sentAt = [];
    private readonly HashSet<ushort> _answered = [];
    private readonly long[] _sendTime = new long[65536]; // by sequence number, kept after the reply to time duplicates
    private readonly Lock _gate = new();

    public Pinger(IPAddress target, PingOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.PayloadSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.PayloadSize, 65507);
        _target = target;
        _options = options;
        _time = time ?? TimeProvider.System;
        _socket = IcmpSocket.Open(target.AddressFamily, options.SocketKind);
        if (options.TimeToLive is { } ttl)
        {
            _socket.SetTimeToLive(ttl);
        }
        _identifier = (ushort)RandomNumberGenerator.GetInt32(1, 65536);
        RandomNumberGenerator.Fill(_cookie);
    }

    public IcmpSocketKind SocketKind => _socket.Kind;

    public string WhyNotDatagram => _socket.WhyNotDatagram;

    public async IAsyncEnumerable<PingEvent> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var events = Channel.CreateUnbounded<PingEvent>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_options.Deadline is { } deadline)
        {
            stop.CancelAfter(deadline);
        }
        var receiver = Task.Run(() => ReceiveLoopAsync(events.Writer, stop.Token), CancellationToken.None);
        var sender = Task.Run(async () =>
        {
            Exception? failure = null;
            try
            {
                await SendLoopAsync(events.Writer, stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failure = e;
            }
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await receiver.ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failure ??= e;
            }
            // Always complete: the reader below must end, and a failure of either loop reaches the caller.
            events.Writer.TryComplete(failure);
        }, CancellationToken.None);
        await foreach (var item in events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            yield return item;
        }
        await sender.ConfigureAwait(false);
    }

    private async Task SendLoopAsync(ChannelWriter<PingEvent> events, CancellationToken token)
    {
        byte[] payload = new byte[_options.PayloadSize];
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)i; // iputils-style fill after the cookie
        }
        _cookie.AsSpan(0, Math.Min(CookieLength, payload.Length)).CopyTo(payload);
        byte[] message = new byte[8 + payload.Length];
        ushort sequence = 0;
        int sent = 0;
        try
        {
            while (_options.Count is not { } count || sent < count)
            {
                sequence++;
                BuildRequest(message, payload, sequence);
                lock (_gate)
                {
                    _sentAt[sequence] = _sendTime[sequence] = _time.GetTimestamp();
                    _answered.Remove(sequence);
                }
                await _socket.SendToAsync(message, _target, token).ConfigureAwait(false);
                sent++;
                events.TryWrite(new PingSent(sequence));
                ExpireOverdue(events);
                if (_options.Count is { } total && sent >= total)
                {
                    break;
                }
                await Task.Delay(_options.Interval, _time, token).ConfigureAwait(false);
            }
            // Linger for the replies still due, but no longer than the per-reply wait.
            var lingerEnd = _time.GetTimestamp() + (long)(_options.Timeout.TotalSeconds * _time.TimestampFrequency);
            while (HasPending() && _time.GetTimestamp() < lingerEnd)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), _time, token).ConfigureAwait(false);
                ExpireOverdue(events);
            }
            ExpireOverdue(events, force: true);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or the deadline: the caller prints the summary from what it has seen.
        }
    }

    private bool HasPending()
    {
        lock (_gate)
        {
            return _sentAt.Count > 0;
        }
    }

    private void ExpireOverdue(ChannelWriter<PingEvent> events, bool force = false)
    {
        long now = _time.GetTimestamp();
        long wait = (long)(_options.Timeout.TotalSeconds * _time.TimestampFrequency);
        List<ushort> expired = [];
        lock (_gate)
        {
            foreach (var (sequence, sentAt) in _sentAt)
            {
                if (force || now - sentAt >= wait)
                {
                    expired.Add(sequence);
                }
            }
            foreach (var sequence in expired)
            {
                _sentAt.Remove(sequence);
            }
        }
        foreach (var sequence in expired)
        {
            events.TryWrite(new PingTimeout(sequence));
        }
    }

    private void BuildRequest(byte[] message, byte[] payload, ushort sequence)
    {
        if (_target.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // The kernel computes the ICMPv6 checksum on raw and datagram ICMPv6 sockets (RFC 3542 §3.1).
            new IcmpV6Message.EchoRequest(_identifier, sequence, payload).TryWrite(message, null, null, out _);
        }
        else
        {
            new IcmpV4Message.EchoRequest(_identifier, sequence, payload).TryWrite(message, out _);
        }
    }

    private async Task ReceiveLoopAsync(ChannelWriter<PingEvent> events, CancellationToken token)
    {
        byte[] buffer = new byte[65536];
        while (!token.IsCancellationRequested)
        {
            int length;
            IPAddress from;
            try
            {
                (length, from) = await _socket.ReceiveAsync(buffer, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // e.g. a datagram ICMP socket reporting an error through recvfrom: errors come with the error queue
            }
            long now = _time.GetTimestamp();
            var packet = buffer.AsSpan(0, length);
            var @event = _target.AddressFamily == AddressFamily.InterNetworkV6 ? ReadV6(packet, from, now) : ReadV4(packet, from, now);
            if (@event is not null)
            {
                events.TryWrite(@event);
            }
        }
    }

    private PingEvent? ReadV4(ReadOnlySpan<byte> packet, IPAddress from, long now)
    {
        int? ttl = null;
        var icmp = packet;
        if (_socket.ReceivesIPHeader)
        {
            if (!IPv4Packet.TryRead(packet, out var ip, out _))
            {
                return null;
            }
            ttl = ip.TimeToLive;
            icmp = ip.Payload;
        }
        if (!IcmpV4Packet.TryRead(icmp, out var message, out _) || !message.IsChecksumValid)
        {
            return null;
        }
        if (message.Type == IcmpV4Type.EchoReply)
        {
            return MatchReply(message.Identifier, message.SequenceNumber, message.Body, from, icmp.Length, ttl, now);
        }
        if (message.IsError && _socket.Kind == IcmpSocketKind.Raw
            && QuotedProbe.TryRead(message.Body, out var probe, out _)
            && probe.Protocol == 1 && probe.IcmpType == (byte)IcmpV4Type.EchoRequest && probe.IcmpIdentifier == _identifier
            && IsOurs(probe.IcmpSequenceNumber))
        {
            int? mtu = message.Type == IcmpV4Type.DestinationUnreachable && message.Code == 4 ? message.NextHopMtu : null;
            return new PingError(probe.IcmpSequenceNumber, from, false, (byte)message.Type, message.Code, mtu);
        }
        return null;
    }

    private PingEvent? ReadV6(ReadOnlySpan<byte> icmp, IPAddress from, long now)
    {
        if (!IcmpV6Packet.TryRead(icmp, out var message, out _))
        {
            return null;
        }
        if (message.Type == IcmpV6Type.EchoReply)
        {
            return MatchReply(message.Identifier, message.SequenceNumber, message.Body, from, icmp.Length, null, now);
        }
        if (IcmpV6Message.IsErrorType(message.Type) && _socket.Kind == IcmpSocketKind.Raw
            && QuotedProbe.TryRead(message.Body, out var probe, out _)
            && probe.Protocol == IPProtocol.IcmpV6 && probe.IcmpType == (byte)IcmpV6Type.EchoRequest && probe.IcmpIdentifier == _identifier
            && IsOurs(probe.IcmpSequenceNumber))
        {
            int? mtu = message.Type == IcmpV6Type.PacketTooBig ? (int)Math.Min(message.Mtu, int.MaxValue) : null;
            return new PingError(probe.IcmpSequenceNumber, from, true, (byte)message.Type, message.Code, mtu);
        }
        return null;
    }

    /// <summary>
    /// True for a sequence this run sent. An error settles the request, as in iputils: no timeout follows it and
    /// the run need not linger for it.
    /// </summary>
    private bool IsOurs(ushort sequence)
    {
        lock (_gate)
        {
            return _sentAt.Remove(sequence) || _answered.Contains(sequence) || _sendTime[sequence] != 0;
        }
    }

    private PingReply? MatchReply(ushort identifier, ushort sequence, ReadOnlySpan<byte> data, IPAddress from, int bytes, int? ttl, long now)
    {
        // Datagram sockets: the kernel owns the identifier and delivers only our replies. Raw: ours is checked.
        if (_socket.Kind == IcmpSocketKind.Raw && identifier != _identifier)
        {
            return null;
        }
        int cookie = Math.Min(CookieLength, _options.PayloadSize);
        if (data.Length < cookie || !data[..cookie].SequenceEqual(_cookie.AsSpan(0, cookie)))
        {
            return null;
        }
        lock (_gate)
        {
            if (_answered.Contains(sequence))
            {
                return new PingReply(sequence, from, bytes, _time.GetElapsedTime(_sendTime[sequence], now), ttl, IsDuplicate: true);
            }
            if (!_sentAt.Remove(sequence, out long sentAt))
            {
                return null; // not outstanding: already timed out, or never sent by this run
            }
            _answered.Add(sequence);
            return new PingReply(sequence, from, bytes, _time.GetElapsedTime(sentAt, now), ttl, IsDuplicate: false);
        }
    }

    public void Dispose() => _socket.Dispose();
}
