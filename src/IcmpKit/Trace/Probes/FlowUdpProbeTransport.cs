using System.Buffers.Binary;
using System.Net;
using IcmpKit.Sockets;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Trace.Probes;

/// <summary>
/// UDP probes on chosen flows without privilege (Paris mode and --multipath on a datagram socket): one ordinary UDP
/// socket, so one source port; a flow is a destination port (the first port, 33434, plus the flow), and Paris mode keeps
/// flow 0, so every probe has the same ports. A probe is named by the first two bytes of its payload (its checksum
/// changes with them, as in Paris traceroute). Errors come on the socket's error queue, which holds what the router
/// quoted after the UDP header: Linux routers quote up to 576 bytes (RFC 1812 §4.3.2.3), but a router that quotes only
/// the 8 bytes RFC 792 asks for leaves no payload, and its answers cannot be matched here (a raw socket, which names
/// probes by their checksum, can: <see cref="RawFlowProbeTransport"/>). A UDP answer from a service on the port names a
/// probe only when it echoes the probe's payload (RFC 862).
/// </summary>
internal sealed class FlowUdpProbeTransport : IFlowProbeTransport
{
    private const int BatchSize = 32;
    private const int Flows = 128;

    /// <summary>The payload word that names a probe.</summary>
    private const int KeyBytes = 2;

    private readonly UdpProbeSocket _udp;
    private readonly ReceiveBatch _batch = new(BatchSize);
    private readonly ProbeSignature _signature;
    private readonly IPAddress _target;
    private readonly ushort _firstPort;
    private readonly int _ipHeaderLength;
    private byte[] _payload;

    private FlowUdpProbeTransport(UdpProbeSocket udp, IPAddress target, TraceOptions options)
    {
        _udp = udp;
        _target = target;
        _firstPort = options.FirstPort;
        _ipHeaderLength = ProbeLayout.IPHeaderLength(target.AddressFamily);
        _signature = new ProbeSignature(TraceProbeKind.Udp, target, 0, udp.LocalPort);
        _payload = Filled(Math.Max(KeyBytes, ProbeLayout.DataLength(options.PacketLength, target.AddressFamily)));
    }

    public static FlowUdpProbeTransport Open(IPAddress target, TraceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.FirstPort + Flows > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FirstPort, $"Flows take ports {options.FirstPort} to {options.FirstPort + Flows - 1}: give a first port below {65536 - Flows}.");
        }
        var udp = UdpProbeSocket.Open(target.AddressFamily, new UdpProbeSocketOptions
        {
            ReceiveErrors = true,
            TrafficClass = options.TrafficClass,
            PathMtuDiscovery = options.DiscoverPathMtu ? PathMtuDiscovery.Probe : PathMtuDiscovery.Dont,
            SourceAddress = options.SourceAddress,
            Interface = options.Interface,
        });
        try
        {
            var transport = new FlowUdpProbeTransport(udp, target, options);
            if (options.DiscoverPathMtu)
            {
                transport.TryResize(Math.Min(RouteProbe.InterfaceMtu(target, options.SourceAddress, options.Interface), TraceOptions.MaxPacketLength));
            }
            return transport;
        }
        catch
        {
            udp.Dispose();
            throw;
        }
    }

    public IcmpSocketKind Kind => IcmpSocketKind.Datagram;

    public string WhyNotDatagram => "";

    public int PacketLength => _ipHeaderLength + 8 + _payload.Length;

    public int FlowCount => Flows;

    public int MinimumPacketLength => _ipHeaderLength + 8 + KeyBytes;

    public long RealtimeNanoseconds() => LinuxSocketApi.RealtimeNanoseconds();

    /// <summary>Paris: every probe on flow 0.</summary>
    public int Send(ushort key, int ttl, ref long sentAtNanoseconds) => Send(key, 0, ttl, ref sentAtNanoseconds);

    public int Send(ushort key, int flow, int ttl, ref long sentAtNanoseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(flow);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(flow, Flows);
        BinaryPrimitives.WriteUInt16BigEndian(_payload, key);
        return _udp.Send(_payload, _target, (ushort)(_firstPort + flow), ttl, ref sentAtNanoseconds);
    }

    public bool TryResize(int packetLength)
    {
        if (packetLength < MinimumPacketLength)
        {
            return false;
        }
        _payload = Filled(packetLength - _ipHeaderLength - 8);
        return true;
    }

    private static byte[] Filled(int length)
    {
        var payload = new byte[length];
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)(0x40 + ((i + 8) & 0x3f)); // traceroute's filler, counted from the UDP header
        }
        return payload;
    }

    public int Receive(int timeoutMilliseconds, List<ProbeResponse> responses)
    {
        int count = _udp.Receive(_batch, timeoutMilliseconds);
        for (int i = 0; i < count; i++)
        {
            var packet = IcmpSocket.Read(_batch, i);
            ushort port = UdpProbeSocket.AddressPort(_batch, i);
            if (packet.FromErrorQueue && port >= _firstPort && port < _firstPort + Flows && packet.Data.Length >= KeyBytes
                && ProbeResponseReader.FromErrorQueue(packet, _signature, BinaryPrimitives.ReadUInt16BigEndian(packet.Data)) is { } response)
            {
                responses.Add(response);
            }
            else if (!packet.FromErrorQueue && port >= _firstPort && port < _firstPort + Flows && IsEchoOfProbe(packet))
            {
                // An echo service (RFC 862) sent the probe's payload back: its key names the probe. Any other service's
                // answer carries its own payload and names none (every probe has the same ports), so it is not taken.
                responses.Add(new ProbeResponse(BinaryPrimitives.ReadUInt16BigEndian(packet.Data), TraceReplyKind.UdpReply, _target, packet.KernelTimestampNanoseconds)
                {
                    IsV6 = _signature.IsV6,
                    ReplyTtl = packet.TimeToLive >= 0 ? packet.TimeToLive : null,
                });
            }
        }
        return count;
    }

    /// <summary>From the target, and the probe payload exactly: a key, then the filler after it as sent.</summary>
    private bool IsEchoOfProbe(in ReceivedPacket packet) =>
        packet.SourceAddress.SequenceEqual(_signature.TargetBytes) && packet.Data.Length == _payload.Length && packet.Data.Length >= KeyBytes
        && packet.Data[KeyBytes..].SequenceEqual(_payload.AsSpan(KeyBytes));

    public void Wake() => _udp.Wake();

    public void Dispose()
    {
        _udp.Dispose();
        _batch.Dispose();
    }
}
