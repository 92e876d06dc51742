using IcmpKit.Sockets;

namespace IcmpKit.Responder;

/// <summary>
/// The responder on an existing interface (issue 4, raw-socket mode): a packet socket sees the ICMP and ICMPv6
/// packets sent to this host, the core answers them, and the answers go back to the sender's hardware address,
/// delayed ones held until due. The kernel keeps answering on its own: turn its echo replies off
/// (net.ipv4.icmp_echo_ignore_all=1, net.ipv6.icmp.echo_ignore_all=1) so each request gets one answer. Only ICMP
/// is given to the core: the kernel already answers UDP and TCP to its addresses.
/// </summary>
public sealed class InterfaceResponder : IResponderSink
{
    private readonly PacketSocket _socket;
    private readonly ResponderCore _core;
    private readonly TimeProvider _time;
    private readonly PriorityQueue<(byte[] Packet, LinkPeer Peer), long> _held = new();
    private LinkPeer _current;
    private long _writeFailures;

    public InterfaceResponder(PacketSocket socket, ResponderCore core, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(core);
        _socket = socket;
        _core = core;
        _time = time ?? TimeProvider.System;
    }

    public ResponderCounters Counters => _core.Counters;

    /// <summary>Answers the kernel refused to send.</summary>
    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    /// <summary>Answers until <paramref name="cancellationToken"/> fires or the socket is disposed.</summary>
    public void Run(CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[65536];
        while (!cancellationToken.IsCancellationRequested)
        {
            int length = _socket.Read(buffer, HeldAnswerClock.WaitMilliseconds(_held, _time), out _current);
            if (length < 0)
            {
                return;
            }
            if (length > 0 && IsIcmp(buffer.AsSpan(0, length)))
            {
                _core.Process(buffer.AsSpan(0, length), this);
            }
            if (_held.Count == 0)
            {
                continue; // nothing held: no clock to read for every packet
            }
            long now = _time.GetTimestamp();
            while (_held.TryPeek(out var answer, out long due) && due <= now)
            {
                _held.Dequeue();
                Write(answer.Packet, answer.Peer);
            }
        }
    }

    void IResponderSink.Emit(ReadOnlySpan<byte> ipPacket, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Write(ipPacket, _current);
            return;
        }
        _held.Enqueue((ipPacket.ToArray(), _current), HeldAnswerClock.Due(_time, delay));
    }

    /// <summary>IPv4 protocol 1 or IPv6 next header 58 (RFC 792, RFC 4443); extension headers before ICMPv6 are rare here.</summary>
    private static bool IsIcmp(ReadOnlySpan<byte> packet) => (packet[0] >> 4) switch
    {
        4 => packet.Length >= 20 && packet[9] == 1,
        6 => packet.Length >= 40 && packet[6] == 58,
        _ => false,
    };

    private void Write(ReadOnlySpan<byte> packet, LinkPeer peer)
    {
        if (_socket.Write(packet, peer) != 0)
        {
            Interlocked.Increment(ref _writeFailures);
        }
    }
}
