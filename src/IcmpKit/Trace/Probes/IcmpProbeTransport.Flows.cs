using System.Buffers.Binary;
using IcmpKit.Sockets;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Trace.Probes;

/// <summary>
/// ICMP probes on chosen flows (Paris mode, --multipath) and of a chosen size (--mtu). A load balancer that hashes ICMP
/// hashes what stands where ports would: type, code and checksum (Augustin et al. 2006, §4), so a flow is a checksum. Each
/// probe still carries its own sequence number, and the first payload word makes up for it (<see cref="FlowChecksums"/>):
/// the checksum on the wire is the flow's, whoever computes it (we on a raw IPv4 socket; the kernel on a datagram socket,
/// over the identifier it chose, which we write in too; the kernel for ICMPv6, over the pseudo-header, whose source
/// address is the route's: <see cref="RouteProbe.SourceAddress"/>).
/// </summary>
internal sealed partial class IcmpProbeTransport
{
    private const int Flows = 4096;

    /// <summary>The payload word that makes the checksum the flow's.</summary>
    private const int CompensationBytes = 2;

    private readonly ushort _identifier;
    private bool _paris;
    private bool _flows;
    private ushort _checksumBase;
    private FlowChecksums.PseudoHeader? _pseudoHeader;

    public int FlowCount => Flows;

    public int MinimumPacketLength => ProbeLayout.IPHeaderLength(_target.AddressFamily) + 8 + (_flows ? CompensationBytes : 0);

    private void SetUpFlows(TraceOptions options)
    {
        _paris = options.Paris;
        _flows = options.Paris || options.Multipath;
        if (_flows)
        {
            _checksumBase = (ushort)LinuxSocketApi.RandomUInt64();
            if (_v6)
            {
                _pseudoHeader = new FlowChecksums.PseudoHeader(RouteProbe.SourceAddress(_target, options.SourceAddress, options.Interface), _target, 58);
            }
            if (_message.Length < 8 + CompensationBytes)
            {
                _message = Message(CompensationBytes);
            }
        }
        if (options.DiscoverPathMtu)
        {
            TryResize(Math.Min(RouteProbe.InterfaceMtu(_target, options.SourceAddress, options.Interface), TraceOptions.MaxPacketLength));
        }
    }

    public int Send(ushort key, int flow, int ttl, ref long sentAtNanoseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(flow);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(flow, Flows);
        if (!_flows)
        {
            throw new InvalidOperationException("Flows were not set up: open the transport with Paris or Multipath.");
        }
        var message = _message.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(message[6..], key);
        BinaryPrimitives.WriteUInt16BigEndian(message[2..], FlowChecksums.IcmpFlowChecksum(_checksumBase, flow));
        FlowChecksums.Compensate(message, checksumOffset: 2, compensationOffset: 8, _pseudoHeader);
        return _socket.SendWithHopLimit(message, _target, ttl, ref sentAtNanoseconds);
    }

    public bool TryResize(int packetLength)
    {
        if (packetLength < MinimumPacketLength)
        {
            return false;
        }
        _message = Message(packetLength - ProbeLayout.IPHeaderLength(_target.AddressFamily) - 8);
        return true;
    }
}
