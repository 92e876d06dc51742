using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IPv4;

namespace IcmpKit.Responder;

public sealed partial class ResponderCore
{
    /// <summary>How long the packet being processed has waited in the emulated queues it passed so far.</summary>
    private TimeSpan _queueWait;

    private enum Transit
    {
        Delivered,
        Lost,
        TimeExceeded,
        Unreachable,
        TooBig,
        QueueFull,
    }

    /// <summary>
    /// Carries <paramref name="datagram"/>, sent with <paramref name="ttl"/>, towards <paramref name="target"/>. Hop k sees
    /// TTL ttl-(k-1) and, forwarding, must drop it when that is 1 or less (RFC 1812 §5.3.1): so it expires at hop k when
    /// ttl ≤ k. The order at each hop is that of Linux's ip_forward: the route lookup first (an unreachable hop answers
    /// whatever the TTL), then the TTL, the MTU, the redirect (sent, and the packet still forwarded), and last the
    /// output queue.
    /// </summary>
    private Transit Forward(ResponderPath path, int target, int ttl, ReadOnlySpan<byte> datagram, bool dontFragment, IResponderSink sink, out PathNode node)
    {
        for (int k = 1; k < target; k++)
        {
            node = path.At(k);
            if (Lose(node.Loss))
            {
                return Transit.Lost;
            }
            if (node.UnreachableCode is not null)
            {
                return Transit.Unreachable;
            }
            if (ttl <= k)
            {
                return Transit.TimeExceeded;
            }
            if (node.Mtu is int mtu && datagram.Length > mtu && dontFragment)
            {
                return Transit.TooBig;
            }
            if (node.RedirectGateway is uint gateway)
            {
                SendRedirectV4(node, gateway, datagram, sink); // only IPv4 hops have a gateway (Validate)
            }
            if (node.Queue is { } queue)
            {
                if (!queue.TryEnter(_time.GetTimestamp(), _time.TimestampFrequency, out var wait))
                {
                    return Transit.QueueFull;
                }
                _queueWait += wait;
            }
        }
        node = path.At(target);
        return Lose(node.Loss) ? Transit.Lost : Transit.Delivered;
    }

    private bool Lose(double probability) => Chance(probability);

    private bool Chance(double probability) => probability > 0 && _random.NextDouble() < probability;

    /// <summary>
    /// Sends an answer from the node at <paramref name="position"/> back to the prober. Its delay is the queueing the
    /// request met plus each node's delay, jittered; every node up to the answering one may hold it back its
    /// reorder delay, and may duplicate it (then it goes twice, with the same delay).
    /// </summary>
    private void Emit(ResponderPath path, int position, ReadOnlySpan<byte> packet, IResponderSink sink)
    {
        long ticks = _queueWait.Ticks;
        bool reordered = false;
        bool duplicated = false;
        for (int k = 1; k <= position; k++)
        {
            var node = path.At(k);
            long delay = node.Delay.Ticks;
            if (node.Jitter > TimeSpan.Zero)
            {
                delay += (long)((_random.NextDouble() * 2 - 1) * node.Jitter.Ticks);
            }
            ticks += Math.Max(0, delay);
            if (Chance(node.Reorder))
            {
                ticks += node.ReorderDelay.Ticks;
                reordered = true;
            }
            if (Chance(node.Duplicate))
            {
                duplicated = true;
            }
        }
        var due = TimeSpan.FromTicks(ticks);
        sink.Emit(packet, due);
        if (reordered)
        {
            Counters.CountReordered();
        }
        if (duplicated)
        {
            sink.Emit(packet, due);
            Counters.CountDuplicated();
        }
    }

    /// <summary>
    /// RFC 792 redirect for the host (code 1) from <paramref name="node"/>, naming <paramref name="gateway"/>. RFC 1812
    /// §5.2.7.2: never for a source-routed packet. Whether it goes or not, the packet is still forwarded.
    /// </summary>
    private void SendRedirectV4(PathNode node, uint gateway, ReadOnlySpan<byte> datagram, IResponderSink sink)
    {
        if (!IPv4Packet.TryRead(datagram, out var packet, out _) || RouteRecorder.HasSourceRoute(packet.Options))
        {
            return;
        }
        // A suppressed or rate-limited redirect is not counted as a drop: the packet itself goes on.
        _ = SendErrorV4(node, IcmpV4Type.Redirect, (byte)IcmpV4RedirectCode.Host, gateway, packet, sink);
    }

    /// <summary>
    /// A packet the queue of <paramref name="node"/> had no room for: IPv4 gets source quench (RFC 792), IPv6 nothing
    /// (ICMPv6 has no such message, RFC 4443).
    /// </summary>
    private DropReason? QueueOverflowV4(PathNode node, IPv4Packet packet, IResponderSink sink) =>
        SendErrorV4(node, IcmpV4Type.SourceQuench, 0, 0, packet, sink);
}
