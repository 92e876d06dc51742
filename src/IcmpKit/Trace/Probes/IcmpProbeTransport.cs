using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using IcmpKit.Sockets;
using IcmpKit.Sockets.Native;
using IcmpKit.Wire.Checksum;

namespace IcmpKit.Trace.Probes;

/// <summary>
/// ICMP echo probes (traceroute -I) on one <see cref="IcmpSocket"/>: datagram first, raw if that is refused (DESIGN §3).
/// Every probe carries the trace's identifier (the kernel's on a datagram socket, a random one behind a kernel filter on
/// a raw one); its sequence number is its flow key. A datagram socket hears of routers only through its error queue; a
/// raw socket reads the errors whole (with their RFC 4884 extensions and the TTL from their IP header), so its queued
/// copies are skipped.
/// </summary>
internal sealed partial class IcmpProbeTransport : IFlowProbeTransport
{
    private const int BatchSize = 32;

    private readonly IcmpSocket _socket;
    private readonly ReceiveBatch _batch = new(BatchSize);
    private readonly ProbeSignature _signature;
    private readonly IPAddress _target;
    private byte[] _message;
    private readonly bool _v6;

    private IcmpProbeTransport(IcmpSocket socket, IPAddress target, ushort identifier, int dataLength)
    {
        _socket = socket;
        _target = target;
        _v6 = target.AddressFamily == AddressFamily.InterNetworkV6;
        _signature = new ProbeSignature(TraceProbeKind.Icmp, target, identifier, 0);
        _identifier = identifier;
        _message = Message(dataLength);
    }

    /// <summary>An echo request with <paramref name="dataLength"/> bytes of traceroute's filler, so a capture of both looks alike.</summary>
    private byte[] Message(int dataLength)
    {
        var message = new byte[8 + dataLength];
        message[0] = (byte)(_v6 ? 128 : 8);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), _identifier);
        for (int i = 8; i < message.Length; i++)
        {
            message[i] = (byte)(0x40 + (i & 0x3f));
        }
        return message;
    }

    public static IcmpProbeTransport Open(IPAddress target, TraceOptions options)
    {
        var socket = IcmpSocket.Open(target.AddressFamily, new IcmpSocketOptions
        {
            Kind = options.Socket,
            TrafficClass = options.TrafficClass,
            // As traceroute: never DF, so a long probe is fragmented rather than refused on a small-MTU link. --mtu: DF, and
            // the kernel's cached path MTU ignored (IP_PMTUDISC_PROBE), so every run learns the path's MTUs from its routers.
            PathMtuDiscovery = options.DiscoverPathMtu ? PathMtuDiscovery.Probe : PathMtuDiscovery.Dont,
            SourceAddress = options.SourceAddress,
            Interface = options.Interface,
            SendBufferBytes = 256 << 10,
            ReceiveBufferBytes = 1 << 20,
        });
        try
        {
            ushort identifier;
            if (socket.Kind == IcmpSocketKind.Raw)
            {
                identifier = (ushort)(1 + (LinuxSocketApi.RandomUInt64() % 65535));
                socket.AttachIdentifierFilter(identifier, 1);
            }
            else
            {
                identifier = socket.KernelIdentifier ?? 0;
            }
            var transport = new IcmpProbeTransport(socket, target, identifier, ProbeLayout.DataLength(options.PacketLength, target.AddressFamily));
            transport.SetUpFlows(options);
            return transport;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public IcmpSocketKind Kind => _socket.Kind;

    public string WhyNotDatagram => _socket.WhyNotDatagram;

    public int PacketLength => ProbeLayout.IPHeaderLength(_target.AddressFamily) + _message.Length;

    public long RealtimeNanoseconds() => LinuxSocketApi.RealtimeNanoseconds();

    public int Send(ushort key, int ttl, ref long sentAtNanoseconds)
    {
        if (_paris)
        {
            return Send(key, 0, ttl, ref sentAtNanoseconds);
        }
        BinaryPrimitives.WriteUInt16BigEndian(_message.AsSpan(6), key);
        if (!_v6)
        {
            // A raw socket sends it as written; a datagram socket rewrites the identifier and the checksum anyway.
            BinaryPrimitives.WriteUInt16BigEndian(_message.AsSpan(2), 0);
            BinaryPrimitives.WriteUInt16BigEndian(_message.AsSpan(2), InternetChecksum.Compute(_message));
        }
        return _socket.SendWithHopLimit(_message, _target, ttl, ref sentAtNanoseconds);
    }

    public int Receive(int timeoutMilliseconds, List<ProbeResponse> responses)
    {
        int count = _socket.Receive(_batch, timeoutMilliseconds);
        for (int i = 0; i < count; i++)
        {
            var packet = IcmpSocket.Read(_batch, i);
            ProbeResponse? response;
            if (packet.FromErrorQueue)
            {
                response = _socket.Kind == IcmpSocketKind.Raw ? null : ProbeResponseReader.FromErrorQueue(packet, _signature, 0);
            }
            else
            {
                response = ProbeResponseReader.FromIcmpPacket(packet, _signature, _socket.ReceivesIPHeader);
            }
            if (response is not null)
            {
                responses.Add(response);
            }
        }
        return count;
    }

    public void Wake() => _socket.Wake();

    public void Dispose()
    {
        _socket.Dispose();
        // The batch is only touched by Receive, on the trace's thread, which has returned before Dispose is called.
        _batch.Dispose();
    }
}
