using System.Net;
using System.Net.Sockets;
using IcmpKit.Sockets;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Trace.Probes;

/// <summary>
/// UDP probes (traceroute's default method) from one <see cref="UdpProbeSocket"/>: each probe goes to the next port from
/// 33434, and the port is its flow key. Datagram kind (the default, no privilege): errors come on the UDP socket's
/// error queue, where the queued address carries the probe's port. Raw kind: a raw ICMP socket reads the errors whole
/// (extensions, TTL from the IP header) and the quoted UDP header names the probe; the UDP socket then asks for no
/// errors at all, and is read without waiting after each wait on the raw socket. A UDP datagram back from the target
/// (something listens on the port) also ends the trace.
/// </summary>
internal sealed class UdpProbeTransport : IResizableProbeTransport
{
    private const int BatchSize = 32;

    private readonly UdpProbeSocket _udp;
    private readonly IcmpSocket? _raw;
    private readonly ReceiveBatch _batch = new(BatchSize);
    private readonly ProbeSignature _signature;
    private readonly IPAddress _target;
    private byte[] _payload;

    private UdpProbeTransport(UdpProbeSocket udp, IcmpSocket? raw, IPAddress target, int dataLength)
    {
        _udp = udp;
        _raw = raw;
        _target = target;
        _signature = new ProbeSignature(TraceProbeKind.Udp, target, 0, udp.LocalPort);
        _payload = Payload(dataLength);
    }

    private static byte[] Payload(int dataLength)
    {
        var payload = new byte[dataLength];
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)(0x40 + ((i + 8) & 0x3f)); // traceroute's filler, counted from the UDP header
        }
        return payload;
    }

    public static UdpProbeTransport Open(IPAddress target, TraceOptions options)
    {
        bool raw = options.Socket == IcmpSocketKind.Raw;
        IcmpSocket? receiver = null;
        UdpProbeSocket? udp = null;
        try
        {
            if (raw)
            {
                receiver = IcmpSocket.Open(target.AddressFamily, new IcmpSocketOptions { Kind = IcmpSocketKind.Raw, ReceiveBufferBytes = 1 << 20 });
                // Errors pass the filter; echo replies only for an identifier nobody of ours uses, so in effect none.
                receiver.AttachIdentifierFilter((ushort)(1 + (LinuxSocketApi.RandomUInt64() % 65535)), 1);
            }
            udp = UdpProbeSocket.Open(target.AddressFamily, new UdpProbeSocketOptions
            {
                ReceiveErrors = !raw,
                TrafficClass = options.TrafficClass,
                // As traceroute: fragment long probes, never DF. --mtu: DF, the kernel's cached path MTU ignored.
                PathMtuDiscovery = options.DiscoverPathMtu ? PathMtuDiscovery.Probe : PathMtuDiscovery.Dont,
                SourceAddress = options.SourceAddress,
                Interface = options.Interface,
            });
            var transport = new UdpProbeTransport(udp, receiver, target, ProbeLayout.DataLength(options.PacketLength, target.AddressFamily));
            if (options.DiscoverPathMtu)
            {
                transport.TryResize(Math.Min(RouteProbe.InterfaceMtu(target, options.SourceAddress, options.Interface), TraceOptions.MaxPacketLength));
            }
            return transport;
        }
        catch
        {
            udp?.Dispose();
            receiver?.Dispose();
            throw;
        }
    }

    public IcmpSocketKind Kind => _raw is null ? IcmpSocketKind.Datagram : IcmpSocketKind.Raw;

    public string WhyNotDatagram => "";

    public int PacketLength => ProbeLayout.IPHeaderLength(_target.AddressFamily) + 8 + _payload.Length;

    public int MinimumPacketLength => ProbeLayout.IPHeaderLength(_target.AddressFamily) + 8;

    public bool TryResize(int packetLength)
    {
        if (packetLength < MinimumPacketLength)
        {
            return false;
        }
        _payload = Payload(packetLength - MinimumPacketLength);
        return true;
    }

    public long RealtimeNanoseconds() => LinuxSocketApi.RealtimeNanoseconds();

    public int Send(ushort key, int ttl, ref long sentAtNanoseconds) => _udp.Send(_payload, _target, key, ttl, ref sentAtNanoseconds);

    public int Receive(int timeoutMilliseconds, List<ProbeResponse> responses)
    {
        if (_raw is not null)
        {
            int read = _raw.Receive(_batch, timeoutMilliseconds);
            if (read < 0)
            {
                return read; // woken
            }
            for (int i = 0; i < read; i++)
            {
                var packet = IcmpSocket.Read(_batch, i);
                if (!packet.FromErrorQueue && ProbeResponseReader.FromIcmpPacket(packet, _signature, _raw.ReceivesIPHeader) is { } response)
                {
                    responses.Add(response);
                }
            }
            // The target's UDP answers come on the UDP socket, which this wait did not watch: take what it holds. One
            // that came during the wait is read at its end at the latest (the trace reads once more before it calls a
            // probe overdue), and its kernel timestamp, not the time it is read, decides whether it came in time.
            int udp = ReadUdp(0, responses);
            return udp < 0 ? udp : read + udp;
        }
        return ReadUdp(timeoutMilliseconds, responses);
    }

    /// <summary>Reads the UDP socket: errors from its queue (datagram kind), and UDP datagrams from the target.</summary>
    private int ReadUdp(int timeoutMilliseconds, List<ProbeResponse> responses)
    {
        int count = _udp.Receive(_batch, timeoutMilliseconds);
        for (int i = 0; i < count; i++)
        {
            var packet = IcmpSocket.Read(_batch, i);
            ushort port = UdpProbeSocket.AddressPort(_batch, i);
            if (packet.FromErrorQueue)
            {
                if (ProbeResponseReader.FromErrorQueue(packet, _signature, port) is { } response)
                {
                    responses.Add(response);
                }
            }
            else if (packet.SourceAddress.SequenceEqual(_signature.TargetBytes))
            {
                responses.Add(new ProbeResponse(port, TraceReplyKind.UdpReply, _target, packet.KernelTimestampNanoseconds)
                {
                    IsV6 = _signature.IsV6,
                    ReplyTtl = packet.TimeToLive >= 0 ? packet.TimeToLive : null,
                });
            }
        }
        return count;
    }

    public void Wake()
    {
        _raw?.Wake();
        _udp.Wake();
    }

    public void Dispose()
    {
        _udp.Dispose();
        _raw?.Dispose();
        _batch.Dispose();
    }
}
