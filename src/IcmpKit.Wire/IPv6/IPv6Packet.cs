using System.Buffers.Binary;
using System.Net;

namespace IcmpKit.Wire.IPv6;

/// <summary>
/// A read-only view of an IPv6 packet (RFC 8200 §3). Obtain one through <see cref="TryRead"/> or
/// <see cref="TryReadQuoted"/>.
/// </summary>
public readonly ref struct IPv6Packet
{
    /// <summary>
    /// RFC 8200 §3:
    /// <code>
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |Version| Traffic Class |           Flow Label                  |
    /// |         Payload Length        |  Next Header  |   Hop Limit   |
    /// |                    Source Address (128 bits)                  |
    /// |                 Destination Address (128 bits)                |
    /// </code>
    /// </summary>
    internal static class Field
    {
        public const int VersionClassFlow = 0;
        public const int PayloadLength = 4;
        public const int NextHeader = 6;
        public const int HopLimit = 7;
        public const int Source = 8;
        public const int Destination = 24;
        public const int HeaderLength = 40;
    }

    private readonly ReadOnlySpan<byte> _buffer;

    private IPv6Packet(ReadOnlySpan<byte> buffer, bool truncated)
    {
        _buffer = buffer;
        IsTruncated = truncated;
    }

    /// <summary>Reads a whole packet; bytes past Payload Length are ignored, a Payload Length beyond the buffer is an error.</summary>
    public static bool TryRead(ReadOnlySpan<byte> buffer, out IPv6Packet packet, out WireError error) =>
        TryReadCore(buffer, allowTruncated: false, out packet, out error);

    /// <summary>Reads a packet quoted in an ICMPv6 error (RFC 4443 §2.4(c)): the payload may be cut short.</summary>
    public static bool TryReadQuoted(ReadOnlySpan<byte> buffer, out IPv6Packet packet, out WireError error) =>
        TryReadCore(buffer, allowTruncated: true, out packet, out error);

    private static bool TryReadCore(ReadOnlySpan<byte> buffer, bool allowTruncated, out IPv6Packet packet, out WireError error)
    {
        packet = default;
        if (buffer.Length < Field.HeaderLength)
        {
            error = new WireError(WireErrorKind.Truncated, buffer.Length);
            return false;
        }
        if (buffer[0] >> 4 != 6)
        {
            error = new WireError(WireErrorKind.BadVersion, 0);
            return false;
        }
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(buffer[Field.PayloadLength..]);
        int total = Field.HeaderLength + payloadLength;
        bool truncated = total > buffer.Length;
        if (truncated && !allowTruncated)
        {
            error = new WireError(WireErrorKind.LengthBeyondBuffer, Field.PayloadLength);
            return false;
        }
        packet = new IPv6Packet(truncated ? buffer : buffer[..total], truncated);
        error = WireError.None;
        return true;
    }

    public bool IsTruncated { get; }

    public int Version => _buffer[0] >> 4;

    public byte TrafficClass => (byte)(BinaryPrimitives.ReadUInt16BigEndian(_buffer) >> 4);

    public int FlowLabel => (int)(BinaryPrimitives.ReadUInt32BigEndian(_buffer) & 0xFFFFF);

    public ushort PayloadLength => BinaryPrimitives.ReadUInt16BigEndian(_buffer[Field.PayloadLength..]);

    public byte NextHeader => _buffer[Field.NextHeader];

    public byte HopLimit => _buffer[Field.HopLimit];

    public ReadOnlySpan<byte> SourceAddressBytes => _buffer.Slice(Field.Source, 16);

    public ReadOnlySpan<byte> DestinationAddressBytes => _buffer.Slice(Field.Destination, 16);

    public IPAddress SourceAddress => new(SourceAddressBytes);

    public IPAddress DestinationAddress => new(DestinationAddressBytes);

    public ReadOnlySpan<byte> Header => _buffer[..Field.HeaderLength];

    /// <summary>Everything after the fixed header that is present: extension headers and the upper layer.</summary>
    public ReadOnlySpan<byte> Payload => _buffer[Field.HeaderLength..];

    public ReadOnlySpan<byte> Bytes => _buffer;
}

/// <summary>Sets the fields of an IPv6 header in place (RFC 8200 §3).</summary>
public readonly ref struct IPv6PacketWriter
{
    private readonly Span<byte> _buffer;

    public IPv6PacketWriter(Span<byte> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buffer.Length, IPv6Packet.Field.HeaderLength);
        _buffer = buffer;
    }

    /// <summary>Sets version 6, the traffic class and the 20-bit flow label.</summary>
    public void SetVersionClassFlow(byte trafficClass, int flowLabel)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)flowLabel, 0xFFFFFu, nameof(flowLabel));
        BinaryPrimitives.WriteUInt32BigEndian(_buffer, (6u << 28) | ((uint)trafficClass << 20) | (uint)flowLabel);
    }

    public void SetPayloadLength(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer[IPv6Packet.Field.PayloadLength..], value);

    public void SetNextHeader(byte value) => _buffer[IPv6Packet.Field.NextHeader] = value;

    public void SetHopLimit(byte value) => _buffer[IPv6Packet.Field.HopLimit] = value;

    public void SetSourceAddress(ReadOnlySpan<byte> address) => address.CopyTo(_buffer.Slice(IPv6Packet.Field.Source, 16));

    public void SetDestinationAddress(ReadOnlySpan<byte> address) => address.CopyTo(_buffer.Slice(IPv6Packet.Field.Destination, 16));
}
