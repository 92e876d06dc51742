using System.Buffers.Binary;
using System.Net;
using IcmpKit.Wire.Checksum;

namespace IcmpKit.Trace.Probes;

/// <summary>
/// Paris traceroute's checksum trick (Augustin et al., "Avoiding traceroute anomalies with Paris traceroute", IMC 2006,
/// §4): a probe's checksum is chosen first and a 16-bit word of its payload is set to make the packet sum to it. A load
/// balancer that hashes the first bytes of the transport header then sees the same ICMP "flow" whatever the sequence
/// number (the checksum stays fixed), and a UDP probe can be named by its checksum, which every ICMP error quotes (RFC 792
/// quotes 8 bytes of the transport header, checksum included).
/// </summary>
internal static class FlowChecksums
{
    /// <summary>
    /// Sets the 16-bit word at <paramref name="compensationOffset"/> of <paramref name="message"/> (an ICMP message, or a
    /// UDP datagram, whose checksum field at <paramref name="checksumOffset"/> already holds the wanted value) so that the
    /// whole, with the pseudo-header when <paramref name="pseudoHeader"/> is given, sums to all ones (RFC 1071): the
    /// checksum then verifies with that value. The wanted value must not be 0 (UDP's "no checksum", and the one value an
    /// RFC 1071 sum never yields but for all-zero data) nor 0xFFFF (what a kernel writes for a computed 0).
    /// </summary>
    public static void Compensate(Span<byte> message, int checksumOffset, int compensationOffset, PseudoHeader? pseudoHeader)
    {
        ushort wanted = BinaryPrimitives.ReadUInt16BigEndian(message[checksumOffset..]);
        ArgumentOutOfRangeException.ThrowIfEqual(wanted, (ushort)0);
        ArgumentOutOfRangeException.ThrowIfEqual(wanted, (ushort)0xFFFF);
        BinaryPrimitives.WriteUInt16BigEndian(message[compensationOffset..], 0);
        var sum = new InternetChecksum();
        pseudoHeader?.AddTo(ref sum, message.Length);
        sum.Add(message);
        // Finish() is the one's complement of the sum so far: the word that brings it to all ones.
        BinaryPrimitives.WriteUInt16BigEndian(message[compensationOffset..], sum.Finish());
    }

    /// <summary>The checksum a packet must carry, for RFC 768/793/4443 pseudo-headers: addresses and protocol.</summary>
    internal sealed record PseudoHeader(IPAddress Source, IPAddress Destination, byte Protocol)
    {
        private readonly byte[] _source = Source.GetAddressBytes();
        private readonly byte[] _destination = Destination.GetAddressBytes();

        public void AddTo(ref InternetChecksum sum, int length)
        {
            if (_source.Length == 16)
            {
                sum.AddIPv6PseudoHeader(_source, _destination, Protocol, (uint)length);
            }
            else
            {
                sum.AddIPv4PseudoHeader(_source, _destination, Protocol, (ushort)length);
            }
        }

        /// <summary>The transport checksum of <paramref name="segment"/> (its checksum field zero) under this pseudo-header.</summary>
        public ushort Checksum(ReadOnlySpan<byte> segment)
        {
            var sum = new InternetChecksum();
            AddTo(ref sum, segment.Length);
            sum.Add(segment);
            return sum.Finish();
        }

        /// <summary>
        /// What the checksum field of a <paramref name="length"/>-byte segment holds when its sender left the sum to
        /// checksum offload (Linux CHECKSUM_PARTIAL): the pseudo-header's sum alone, not complemented. Such a segment
        /// never crossed a wire: it comes from this host's own stack, over loopback or a veth to a namespace.
        /// </summary>
        public ushort PartialChecksum(int length)
        {
            var sum = new InternetChecksum();
            AddTo(ref sum, length);
            return (ushort)~sum.Finish();
        }
    }

    /// <summary>
    /// The constant ICMP checksum of flow <paramref name="flow"/> of a trace: distinct per flow, never 0 or 0xFFFF. The
    /// base is random per trace, so two traces at once do not share flows by accident.
    /// </summary>
    public static ushort IcmpFlowChecksum(ushort traceBase, int flow) => (ushort)(1 + ((traceBase + (uint)flow) % 0xFFFD));
}
