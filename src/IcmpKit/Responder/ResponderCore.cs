using System.Net;
using System.Net.Sockets;
using IcmpKit.Wire.Rules;

namespace IcmpKit.Responder;

/// <summary>
/// The ICMP host and path emulator, without I/O: one IP packet in, zero or more IP packets out through an
/// <see cref="IResponderSink"/>, each with the delay after which it is to be sent.
/// </summary>
/// <remarks>
/// The path: hops 1..N (per address family), then the host. A packet to the host or to hop k's address passes the
/// hops before it; each may lose it, refuse it (unreachable), let its TTL run out (time exceeded) or find it too big
/// for its MTU. Otherwise the addressed node answers like a host. Replies leave with TTL 64 minus the hops they cross
/// on the way back, after the sum of the delays of the nodes up to the one answering.
/// <para>
/// <see cref="Process"/> is for one thread at a time (a single reader of the device); it allocates nothing for echo
/// and the other queries. <see cref="Counters"/> may be read from any thread.
/// </para>
/// </remarks>
public sealed partial class ResponderCore
{
    /// <summary>The TTL / hop limit of a fresh reply (the Linux default, net.ipv4.ip_default_ttl).</summary>
    internal const int InitialTtl = 64;

    // The largest packet: an IPv6 header and a 65535-byte payload (an IPv4 reply is never larger than its request).
    private readonly byte[] _output = new byte[40 + ushort.MaxValue];
    private readonly ResponderOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ErrorRateLimiter _limiter;
    private readonly ResponderPath _v4;
    private readonly ResponderPath _v6;
    private readonly uint[] _directedBroadcasts;
    private readonly Func<IPAddress, bool>? _isDirectedBroadcast;
    private ushort _nextIdentification;

    public ResponderCore(ResponderOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        _options = options;
        _time = time ?? TimeProvider.System;
        _random = options.RandomSeed is int seed ? new Random(seed) : new Random();
        _limiter = new ErrorRateLimiter(options.PerSourceErrors, options.GlobalErrorsPerSecond, _time);
        _v4 = new ResponderPath(options, v6: false);
        _v6 = new ResponderPath(options, v6: true);
        _directedBroadcasts = DirectedBroadcasts(options);
        _isDirectedBroadcast = _directedBroadcasts.Length == 0 ? null : address => IsBroadcastV4((uint)PathNode.ToKey(address));
    }

    public ResponderCounters Counters { get; } = new();

    /// <summary>Answers one IPv4 or IPv6 packet; every answer goes to <paramref name="sink"/> before this returns.</summary>
    public void Process(ReadOnlySpan<byte> ipPacket, IResponderSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        Counters.CountReceived();
        DropReason? dropped = ipPacket.IsEmpty ? DropReason.Malformed : (ipPacket[0] >> 4) switch
        {
            4 => ProcessV4(ipPacket, sink),
            6 => ProcessV6(ipPacket, sink),
            _ => DropReason.Malformed,
        };
        if (dropped is DropReason reason)
        {
            Counters.Count(reason);
        }
    }

    private enum Transit
    {
        Delivered,
        Lost,
        TimeExceeded,
        Unreachable,
        TooBig,
    }

    /// <summary>
    /// Carries a packet with <paramref name="ttl"/> towards <paramref name="target"/>. Hop k sees TTL ttl-(k-1) and,
    /// forwarding, must drop it when that is 1 or less (RFC 1812 §5.3.1): so it expires at hop k when ttl ≤ k. The
    /// route lookup comes first, as in Linux: an unreachable hop answers whatever the TTL.
    /// </summary>
    private Transit Forward(ResponderPath path, int target, int ttl, int length, bool dontFragment, out PathNode node)
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
            if (node.Mtu is int mtu && length > mtu && dontFragment)
            {
                return Transit.TooBig;
            }
        }
        node = path.At(target);
        return Lose(node.Loss) ? Transit.Lost : Transit.Delivered;
    }

    private bool Lose(double probability) => probability > 0 && _random.NextDouble() < probability;

    /// <summary>The round trip to the node at <paramref name="position"/>: each node's delay, jittered, summed.</summary>
    private TimeSpan DelayTo(ResponderPath path, int position)
    {
        long ticks = 0;
        for (int k = 1; k <= position; k++)
        {
            var node = path.At(k);
            long delay = node.Delay.Ticks;
            if (node.Jitter > TimeSpan.Zero)
            {
                delay += (long)((_random.NextDouble() * 2 - 1) * node.Jitter.Ticks);
            }
            ticks += Math.Max(0, delay);
        }
        return TimeSpan.FromTicks(ticks);
    }

    /// <summary>TTL 64, less one for each hop between the answering node and the prober.</summary>
    private static byte ReplyTtl(int position) => (byte)Math.Max(1, InitialTtl - (position - 1));

    private ushort NextIdentification() => _nextIdentification++;

    private static DropReason ToDropReason(ErrorSuppression suppression) => suppression switch
    {
        ErrorSuppression.IsIcmpError or ErrorSuppression.IsRedirect => DropReason.ErrorAboutError,
        ErrorSuppression.BroadcastDestination or ErrorSuppression.LinkLayerBroadcast => DropReason.Broadcast,
        ErrorSuppression.MulticastDestination => DropReason.Multicast,
        ErrorSuppression.NonInitialFragment => DropReason.NonInitialFragment,
        ErrorSuppression.InvalidSource => DropReason.InvalidSource,
        _ => DropReason.Malformed,
    };

    private static void Validate(ResponderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.Addresses);
        if (options.Addresses.Count == 0)
        {
            throw new ArgumentException("The responder needs at least one host address.", nameof(options));
        }
        var seen = new HashSet<IPAddress>();
        foreach (var address in ResponderPath.AllAddresses(options))
        {
            ArgumentNullException.ThrowIfNull(address);
            bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
            if ((!v4 && address.AddressFamily != AddressFamily.InterNetworkV6) || !seen.Add(address))
            {
                throw new ArgumentException($"Address {address} is not a unique IPv4 or IPv6 address.", nameof(options));
            }
            if ((v4 && (uint)PathNode.ToKey(address) >> 28 == 0xE) || (!v4 && address.IsIPv6Multicast)
                || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            {
                throw new ArgumentException($"Address {address} must be a unicast address.", nameof(options));
            }
        }
        CheckProbability(options.Loss);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Delay, TimeSpan.Zero, nameof(options));
        foreach (var hop in options.Hops)
        {
            CheckProbability(hop.Loss);
            ArgumentOutOfRangeException.ThrowIfLessThan(hop.Delay, TimeSpan.Zero, nameof(options));
            ArgumentOutOfRangeException.ThrowIfLessThan(hop.Jitter, TimeSpan.Zero, nameof(options));
            // RFC 791: every IPv4 link carries 68 bytes; RFC 8200 §5: every IPv6 link 1280.
            int minimumMtu = hop.Address.AddressFamily == AddressFamily.InterNetwork ? 68 : 1280;
            if (hop.Mtu is int mtu)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(mtu, minimumMtu, nameof(options));
                ArgumentOutOfRangeException.ThrowIfGreaterThan(mtu, ushort.MaxValue, nameof(options));
            }
            if (hop.MplsLabels?.Any(label => label > 0xFFFFF) == true)
            {
                throw new ArgumentException("MPLS labels are 20 bits (RFC 3032 §2.1).", nameof(options));
            }
        }
        if (options.AddressMask is { } mask && mask.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("The address mask is an IPv4 mask (RFC 950).", nameof(options));
        }
    }

    private static void CheckProbability(double value)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A loss probability lies between 0 and 1.");
        }
    }

    /// <summary>The subnet broadcast address of each IPv4 host address under the configured mask (RFC 919, RFC 922).</summary>
    private static uint[] DirectedBroadcasts(ResponderOptions options)
    {
        if (options.AddressMask is null)
        {
            return [];
        }
        uint mask = (uint)PathNode.ToKey(options.AddressMask);
        if (~mask <= 1)
        {
            return []; // /31 and /32 have no broadcast address (RFC 3021)
        }
        return options.Addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork)
            .Select(a => ((uint)PathNode.ToKey(a) & mask) | ~mask).Distinct().ToArray();
    }

    private bool IsBroadcastV4(uint address) => address == uint.MaxValue || _directedBroadcasts.AsSpan().Contains(address);
}
