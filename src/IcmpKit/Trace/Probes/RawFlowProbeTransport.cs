using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using IcmpKit.Sockets;
using IcmpKit.Sockets.Native;
using IcmpKit.Wire.IPv4;

namespace IcmpKit.Trace.Probes;

/// <summary>
/// TCP SYN probes (traceroute -T), and UDP probes whose header we write (Paris mode and --multipath with --socket raw), on
/// one <see cref="RawTransportSocket"/> of that protocol, connected to the target. A flow is a source port, held open by a
/// <see cref="PortReservation"/> for the whole trace; the destination port is the same for every probe (TCP: the probed
/// port; UDP: the first port, 33434). Classic TCP puts each probe on the next flow (a port per probe, as traceroute), Paris
/// mode keeps flow 0. A probe is named by its sequence number (TCP) or its checksum (UDP, chosen with
/// <see cref="FlowChecksums"/>): both in the 8 bytes every ICMP error quotes. Errors come on the socket's error queue with
/// the quoted transport header; the target's answers (TCP SYN-ACK or RST) come on its receive queue, named by their
/// acknowledgement number and destination port (the probe's source port), their checksum verified.
/// <para>
/// Nothing is left half-open: our SYN comes from a raw socket, so no local socket is in SYN-SENT, and the held port's
/// socket neither listens nor connects; a SYN-ACK to it finds no socket that wants it and the kernel answers with a RST
/// (tcp_v4_send_reset()/tcp_v6_send_reset()), which closes the far end's half-open connection at once. So a listening
/// service never sees a connection complete.
/// </para>
/// </summary>
internal sealed class RawFlowProbeTransport : IFlowProbeTransport
{
    private const int BatchSize = 32;

    /// <summary>Flows to choose from, each a held source port: enough for --multipath's widest hops, few enough descriptors.</summary>
    private const int Flows = 128;

    private readonly RawTransportSocket _socket;
    private readonly ReceiveBatch _batch = new(BatchSize);
    private readonly ProbeSignature _signature;
    private readonly FlowChecksums.PseudoHeader _pseudoHeader;
    private readonly PortReservation?[] _ports = new PortReservation?[Flows];
    private readonly HashSet<ushort> _ourPorts = [];
    // TCP: the probe (key, and the source port it was sent from) each acknowledgement number names, apart for the
    // SYN-ACK's (SEG.SEQ + 1) and the RST's (SEG.SEQ + SEG.LEN): with data in the probe, one probe's RST number is the
    // next probe's SYN-ACK number. And the source port of each key, for the errors.
    private readonly Dictionary<uint, (ushort Key, ushort Port)> _bySynAck = [];
    private readonly Dictionary<uint, (ushort Key, ushort Port)> _byReset = [];
    private readonly Dictionary<ushort, ushort> _tcpPortByKey = [];
    private readonly IPAddress? _bindAddress;
    private readonly bool _tcp;
    private readonly bool _paris;
    private readonly ushort _destinationPort;
    private readonly ushort _cookie;
    private readonly uint _timestamp;
    private readonly ushort _mss;
    private readonly int _ipHeaderLength;
    private byte[] _segment;
    private long _sends;

    private RawFlowProbeTransport(RawTransportSocket socket, IPAddress target, TraceOptions options, int interfaceMtu)
    {
        _socket = socket;
        _tcp = socket.Protocol == RawTransportSocket.Tcp;
        _paris = options.Paris;
        _bindAddress = options.SourceAddress;
        _destinationPort = _tcp ? options.TcpPort : options.FirstPort;
        _ipHeaderLength = ProbeLayout.IPHeaderLength(target.AddressFamily);
        _signature = new ProbeSignature(_tcp ? TraceProbeKind.Tcp : TraceProbeKind.Udp, target, 0, 0) { QueuedFromTransportHeader = true };
        _pseudoHeader = new FlowChecksums.PseudoHeader(socket.LocalAddress, target, socket.Protocol);
        ulong random = LinuxSocketApi.RandomUInt64();
        _cookie = (ushort)random;
        _timestamp = (uint)(random >> 16);
        _mss = (ushort)Math.Clamp(interfaceMtu - _ipHeaderLength - 20, 536, 65495);
        int length = options.PacketLength ?? (_ipHeaderLength + (_tcp ? TcpSegments.HeaderLength : 8 + ProbeLayout.DataLength(null, target.AddressFamily)));
        _segment = Filled(Math.Max(length, MinimumPacketLength) - _ipHeaderLength);
        socket.AttachSourcePortFilter(_destinationPort);
    }

    /// <summary>Opens the raw socket of <paramref name="protocol"/> (TCP or UDP) toward <paramref name="target"/>.</summary>
    public static RawFlowProbeTransport Open(IPAddress target, TraceOptions options, byte protocol)
    {
        ArgumentNullException.ThrowIfNull(options);
        var socket = RawTransportSocket.Open(target, protocol, new RawTransportSocketOptions
        {
            TrafficClass = options.TrafficClass,
            // As traceroute: never DF, so a long probe is fragmented rather than refused; --mtu sets DF and ignores the
            // kernel's cached path MTU (IP_PMTUDISC_PROBE), so that every run finds the path's MTUs from the routers.
            PathMtuDiscovery = options.DiscoverPathMtu ? PathMtuDiscovery.Probe : PathMtuDiscovery.Dont,
            SourceAddress = options.SourceAddress,
            Interface = options.Interface,
        });
        try
        {
            int mtu = RouteProbe.InterfaceMtu(target, options.SourceAddress, options.Interface);
            var transport = new RawFlowProbeTransport(socket, target, options, mtu);
            if (options.DiscoverPathMtu)
            {
                transport.TryResize(Math.Min(mtu, TraceOptions.MaxPacketLength));
            }
            return transport;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public IcmpSocketKind Kind => IcmpSocketKind.Raw;

    public string WhyNotDatagram => "";

    public int PacketLength => _ipHeaderLength + _segment.Length;

    public int FlowCount => Flows;

    /// <summary>TCP: the header with its options. UDP: the header and the payload word that makes up the checksum.</summary>
    public int MinimumPacketLength => _ipHeaderLength + (_tcp ? TcpSegments.HeaderLength : 10);

    public long RealtimeNanoseconds() => LinuxSocketApi.RealtimeNanoseconds();

    /// <summary>Classic TCP: the next flow per probe (traceroute's port per probe). Paris: flow 0.</summary>
    public int Send(ushort key, int ttl, ref long sentAtNanoseconds) =>
        Send(key, _paris ? 0 : (int)(_sends % Flows), ttl, ref sentAtNanoseconds);

    public int Send(ushort key, int flow, int ttl, ref long sentAtNanoseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(flow);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(flow, Flows);
        ushort sourcePort = PortOf(flow);
        var segment = _segment.AsSpan();
        int dataLength = segment.Length - (_tcp ? TcpSegments.HeaderLength : 8);
        if (_tcp)
        {
            uint sequence = TcpSegments.Sequence(_cookie, key);
            TcpSegments.WriteSyn(segment, sourcePort, _destinationPort, sequence, _mss, _timestamp);
            BinaryPrimitives.WriteUInt16BigEndian(segment[16..], _pseudoHeader.Checksum(segment));
            // RFC 9293 §3.10.7.2: a SYN-ACK acknowledges the SYN alone (its data is not taken before the handshake ends);
            // a RST in answer to it acknowledges the SYN and the data (§3.10.7.1).
            _bySynAck[sequence + 1] = (key, sourcePort);
            _byReset[sequence + 1 + (uint)dataLength] = (key, sourcePort);
            _tcpPortByKey[key] = sourcePort;
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
            BinaryPrimitives.WriteUInt16BigEndian(segment[2..], _destinationPort);
            BinaryPrimitives.WriteUInt16BigEndian(segment[4..], (ushort)segment.Length);
            BinaryPrimitives.WriteUInt16BigEndian(segment[6..], key);
            FlowChecksums.Compensate(segment, checksumOffset: 6, compensationOffset: 8, _pseudoHeader);
        }
        _sends++;
        return _socket.Send(segment, ttl, ref sentAtNanoseconds);
    }

    public bool TryResize(int packetLength)
    {
        if (packetLength < MinimumPacketLength)
        {
            return false;
        }
        _segment = Filled(packetLength - _ipHeaderLength);
        return true;
    }

    /// <summary>A segment buffer with traceroute's filler where the data goes (the header is written per probe).</summary>
    private static byte[] Filled(int length)
    {
        var segment = new byte[length];
        for (int i = 0; i < segment.Length; i++)
        {
            segment[i] = (byte)(0x40 + (i & 0x3f));
        }
        return segment;
    }

    private ushort PortOf(int flow)
    {
        if (_ports[flow] is not { } held)
        {
            held = PortReservation.Take(_socket.Target.AddressFamily, _tcp, _bindAddress);
            _ports[flow] = held;
            _ourPorts.Add(held.Port);
        }
        return held.Port;
    }

    public int Receive(int timeoutMilliseconds, List<ProbeResponse> responses)
    {
        int count = _socket.Receive(_batch, timeoutMilliseconds);
        for (int i = 0; i < count; i++)
        {
            var packet = IcmpSocket.Read(_batch, i);
            var response = packet.FromErrorQueue ? FromError(packet) : FromTarget(packet);
            if (response is not null)
            {
                responses.Add(response);
            }
        }
        return count;
    }

    /// <summary>An ICMP error about one of our probes: the queued data is the probe's transport header on.</summary>
    private ProbeResponse? FromError(in ReceivedPacket packet)
    {
        var header = packet.Data;
        if (header.Length < 8 || BinaryPrimitives.ReadUInt16BigEndian(header[2..]) != _destinationPort
            || !_ourPorts.Contains(BinaryPrimitives.ReadUInt16BigEndian(header)))
        {
            return null;
        }
        ushort? key = _tcp
            ? TcpSegments.KeyOfSequence(BinaryPrimitives.ReadUInt32BigEndian(header[4..]), _cookie)
            : BinaryPrimitives.ReadUInt16BigEndian(header[6..]);
        if (_tcp && key is { } sent && (!_tcpPortByKey.TryGetValue(sent, out ushort port) || port != BinaryPrimitives.ReadUInt16BigEndian(header)))
        {
            // The quote pairs one probe's source port with another's sequence number (or one never sent): a segment
            // that was never sent (RFC 9293 §3.3.2: a connection, and its sequence space, is its socket pair).
            return null;
        }
        return key is { } named ? ProbeResponseReader.FromErrorQueue(packet, _signature, named) : null;
    }

    /// <summary>A segment from the target (the socket is connected to it and filtered on the probed port).</summary>
    private ProbeResponse? FromTarget(in ReceivedPacket packet)
    {
        if (!_tcp)
        {
            // A UDP answer from a service on the port names no probe (every probe of a flow looks the same to it): not read.
            return null;
        }
        var segment = packet.Data;
        int ttl = packet.TimeToLive;
        if (_socket.ReceivesIPHeader)
        {
            if (!IPv4Packet.TryRead(packet.Data, out var ip, out _) || ip.Protocol != RawTransportSocket.Tcp || ip.IsNonInitialFragment
                || !ip.SourceAddressBytes.SequenceEqual(_signature.TargetBytes))
            {
                return null;
            }
            segment = ip.Payload;
            ttl = ip.TimeToLive;
        }
        else if (!packet.SourceAddress.SequenceEqual(_signature.TargetBytes))
        {
            return null;
        }
        if (TcpSegments.ReadAnswer(segment) is not { } answer || answer.SourcePort != _destinationPort || !_ourPorts.Contains(answer.DestinationPort)
            || !ChecksumVerifies(segment) || ProbeOfAnswer(answer.Acknowledgement, answer.DestinationPort, answer.Flags) is not { } key)
        {
            return null;
        }
        return new ProbeResponse(key, TraceReplyKind.TcpReply, _socket.Target, packet.KernelTimestampNanoseconds)
        {
            IsV6 = _signature.IsV6,
            ReplyTtl = ttl >= 0 ? ttl : null,
            TcpFlags = answer.Flags,
        };
    }

    /// <summary>
    /// RFC 9293 §3.1 (MUST-3): a segment whose checksum fails is dropped; a raw socket is handed it before TCP checks it
    /// (raw_local_deliver(), and rawv6_rcv() for a socket without IPV6_CHECKSUM). A segment from this host's own stack
    /// (loopback, a veth) may carry only the pseudo-header sum, the rest left to offload, which the kernel trusts
    /// (CHECKSUM_PARTIAL) but cannot tell a raw socket: that form is taken too (a corrupt segment has it by a 1 in
    /// 65,536 chance).
    /// </summary>
    private bool ChecksumVerifies(ReadOnlySpan<byte> segment) =>
        _pseudoHeader.Checksum(segment) == 0 || BinaryPrimitives.ReadUInt16BigEndian(segment[16..]) == _pseudoHeader.PartialChecksum(segment.Length);

    /// <summary>
    /// The probe a SYN-ACK or RST to <paramref name="port"/> acknowledging <paramref name="acknowledgement"/> answers: the
    /// one sent from that port whose SEG.SEQ + 1 (SYN-ACK) or SEG.SEQ + SEG.LEN (RST) it is, that kind looked up first
    /// (RFC 9293 §3.10.7.3: an acceptable ACK in SYN-SENT acknowledges our SYN, on our connection). Null when none is.
    /// </summary>
    private ushort? ProbeOfAnswer(uint acknowledgement, ushort port, byte flags)
    {
        var (first, second) = (flags & TcpSegments.Syn) != 0 ? (_bySynAck, _byReset) : (_byReset, _bySynAck);
        if (first.TryGetValue(acknowledgement, out var probe) && probe.Port == port)
        {
            return probe.Key;
        }
        return second.TryGetValue(acknowledgement, out probe) && probe.Port == port ? probe.Key : null;
    }

    public void Wake() => _socket.Wake();

    public void Dispose()
    {
        _socket.Dispose();
        foreach (var port in _ports)
        {
            port?.Dispose();
        }
        _batch.Dispose();
    }
}
