using System.Net;
using System.Net.Sockets;
using IcmpKit.Trace.Probes;
using IcmpKit.Transport;

namespace IcmpKit.Trace;

/// <summary>
/// Traces the path to a host as Linux traceroute does (DESIGN §4): probes with growing TTLs, ICMP echo or UDP, over a
/// datagram socket (no privilege) or a raw one, many in flight at once. Reports each probe as it is sent and answered,
/// each hop once all its probes are settled (in TTL order), and how the trace ended. Engines never print; addresses are
/// given as they came (the caller resolves names).
/// </summary>
public sealed class Tracer
{
    private readonly TimeProvider _time;
    private readonly Func<IPAddress, TraceOptions, IProbeTransport> _open;

    public Tracer()
        : this(TimeProvider.System, OpenTransport)
    {
    }

    /// <summary>For tests: a clock and the probes' transport of one's own.</summary>
    internal Tracer(TimeProvider time, Func<IPAddress, TraceOptions, IProbeTransport> open)
    {
        _time = time;
        _open = open;
    }

    /// <summary>
    /// Traces the path to <paramref name="target"/>. The sockets open when enumeration starts; a socket that cannot be
    /// opened fails the first MoveNextAsync with <see cref="Sockets.IcmpSocketException"/> (one line saying what to do).
    /// Leaving the loop early, or cancelling, stops the trace and closes the sockets.
    /// </summary>
    public IAsyncEnumerable<TraceEvent> TraceAsync(IPAddress target, TraceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        Validate(target, options);
        return EventStream.Read<TraceEvent>((emit, token) => RunAsync(target, options, emit, token), cancellationToken);
    }

    private Task RunAsync(IPAddress target, TraceOptions options, Action<TraceEvent> emit, CancellationToken token)
    {
        var transport = _open(target, options);
        // The run blocks in poll between events: a thread of its own, not one of the pool's.
        return Task.Factory.StartNew(() =>
        {
            using (transport)
            using (token.Register(transport.Wake))
            {
                if (options.Multipath && transport is IFlowProbeTransport flows)
                {
                    new MultipathRun(target, options, flows, _time, emit).Run(token);
                }
                else
                {
                    new TraceRun(target, options, transport, _time, emit).Run(token);
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    internal static IProbeTransport OpenTransport(IPAddress target, TraceOptions options) => options.Probe switch
    {
        TraceProbeKind.Tcp => RawFlowProbeTransport.Open(target, options, Sockets.RawTransportSocket.Tcp),
        // Paris and --multipath choose UDP flows: by source port on a raw socket, else by destination port.
        TraceProbeKind.Udp when (options.Paris || options.Multipath) && options.Socket == Sockets.IcmpSocketKind.Raw =>
            RawFlowProbeTransport.Open(target, options, Sockets.RawTransportSocket.Udp),
        TraceProbeKind.Udp when options.Paris || options.Multipath => FlowUdpProbeTransport.Open(target, options),
        TraceProbeKind.Udp => UdpProbeTransport.Open(target, options),
        _ => IcmpProbeTransport.Open(target, options),
    };

    /// <summary>Caller bugs only: the CLI checks what people type, with words of its own.</summary>
    internal static void Validate(IPAddress target, TraceOptions options)
    {
        if (target.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"{target} is not an IPv4 or IPv6 address", nameof(target));
        }
        if (!Enum.IsDefined(options.Probe))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Probe, "Unknown probe kind.");
        }
        if (options.FirstTtl < 1 || options.FirstTtl > options.MaxTtl || options.MaxTtl > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"TTLs {options.FirstTtl}..{options.MaxTtl}: 1 <= first <= max <= 255.");
        }
        if (options.ProbesPerHop is < 1 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ProbesPerHop, "Probes per hop are 1 to 10.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.EffectiveSimultaneousProbes, 1, nameof(options));
        var wait = options.Wait ?? throw new ArgumentException("Wait is required.", nameof(options));
        if (wait.Max < TimeSpan.Zero || !double.IsFinite(wait.Here) || wait.Here < 0 || !double.IsFinite(wait.Near) || wait.Near < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), wait, "Waits and factors are 0 or more.");
        }
        if (options.PacketLength is < 0 or > TraceOptions.MaxPacketLength)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PacketLength, $"The packet length is 0 to {TraceOptions.MaxPacketLength}.");
        }
        if (options.TrafficClass is < 0 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.TrafficClass, "The TOS / traffic class is 0 to 255.");
        }
        if (options.Probe == TraceProbeKind.Udp && options.FirstPort == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FirstPort, "UDP port 0 cannot be sent to.");
        }
        int maxSends = 3 * (options.MaxTtl - options.FirstTtl + 1) * options.ProbesPerHop; // each probe at most three times
        if (options.Probe == TraceProbeKind.Udp && !options.Paris && !options.Multipath && options.FirstPort + maxSends > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FirstPort,
                $"UDP ports from {options.FirstPort} leave no room for {maxSends} sends (a port each); give at most {65536 - maxSends}.");
        }
        if (options.Probe == TraceProbeKind.Tcp && (options.TcpPort == 0 || options.Socket == Sockets.IcmpSocketKind.Datagram))
        {
            throw new ArgumentException("TCP probes go to a port other than 0, from a raw socket.", nameof(options));
        }
        if (options.Multipath && options.DiscoverPathMtu)
        {
            throw new ArgumentException("--multipath and --mtu exclude each other.", nameof(options));
        }
        if (options.DiscoverPathMtu && options.PacketLength is not null)
        {
            throw new ArgumentException("--mtu chooses the packet length itself: leave PacketLength null.", nameof(options));
        }
        if (options.SourceAddress is { } source && source.AddressFamily != target.AddressFamily)
        {
            throw new ArgumentException($"the source {source} and the target {target} are of different families", nameof(options));
        }
    }
}
