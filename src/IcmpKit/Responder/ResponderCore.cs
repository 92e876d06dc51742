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
/// on the way back, after the sum of the delays of the nodes up to the one answering. Every node up to the answering one
/// may also duplicate or hold back (reorder) the answer; a hop may redirect the source, or drop the packet from a full
/// emulated queue with source quench.
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
    private readonly InterfaceTable _interfaces;
    private ushort _nextIdentification;

    public ResponderCore(ResponderOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        _options = options;
        _time = time ?? TimeProvider.System;
        _random = options.RandomSeed is int seed ? new Random(seed) : new Random();
        _limiter = new ErrorRateLimiter(options.GlobalErrorsPerSecond, _time);
        _v4 = new ResponderPath(options, v6: false);
        _v6 = new ResponderPath(options, v6: true);
        _directedBroadcasts = DirectedBroadcasts(options);
        _isDirectedBroadcast = _directedBroadcasts.Length == 0 ? null : address => IsBroadcastV4((uint)PathNode.ToKey(address));
        _interfaces = new InterfaceTable(options.Interfaces);
    }

    public ResponderCounters Counters { get; } = new();

    /// <summary>Answers one IPv4 or IPv6 packet; every answer goes to <paramref name="sink"/> before this returns.</summary>
    public void Process(ReadOnlySpan<byte> ipPacket, IResponderSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        Counters.CountReceived();
        _queueWait = TimeSpan.Zero;
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
