using System.Buffers.Binary;
using IcmpKit.Wire.Checksum;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Wire.IcmpV6;

/// <summary>
/// A read-only view of an ICMPv6 message (RFC 4443 §2.1): type, code, checksum, a 32-bit type-specific word
/// and the body. Obtain one through <see cref="TryRead"/>.
/// </summary>
public readonly ref struct IcmpV6Packet
{
    internal static class Field
    {
        public const int Type = 0;
        public const int Code = 1;
        public const int Checksum = 2;
        public const int Identifier = 4;
        public const int Sequence = 6;
        public const int Length = 4;   // RFC 4884 §4.2: original datagram length in 64-bit words
        public const int Mtu = 4;      // RFC 4443 §3.2
        public const int Pointer = 4;  // RFC 4443 §3.4
        public const int Body = 8;
        public const int HeaderLength = 8;
    }

    private readonly ReadOnlySpan<byte> _buffer;

    private IcmpV6Packet(ReadOnlySpan<byte> buffer) => _buffer = buffer;

    /// <summary>Accepts any message of at least 8 bytes (RFC 4443 §2.1 header and the type-specific word).</summary>
    public static bool TryRead(ReadOnlySpan<byte> buffer, out IcmpV6Packet packet, out WireError error)
    {
        if (buffer.Length < Field.HeaderLength)
        {
            packet = default;
            error = new WireError(WireErrorKind.Truncated, buffer.Length);
            return false;
        }
        packet = new IcmpV6Packet(buffer);
        error = WireError.None;
        return true;
    }

    public IcmpV6Type Type => (IcmpV6Type)_buffer[Field.Type];
    public byte Code => _buffer[Field.Code];
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_buffer[Field.Checksum..]);
    public ushort Identifier => BinaryPrimitives.ReadUInt16BigEndian(_buffer[Field.Identifier..]);
    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_buffer[Field.Sequence..]);
    public uint RestOfHeader => BinaryPrimitives.ReadUInt32BigEndian(_buffer[Field.Identifier..]);
    public byte LengthAttribute => _buffer[Field.Length];
    public uint Mtu => BinaryPrimitives.ReadUInt32BigEndian(_buffer[Field.Mtu..]);
    public uint Pointer => BinaryPrimitives.ReadUInt32BigEndian(_buffer[Field.Pointer..]);
    public ReadOnlySpan<byte> Body => _buffer[Field.Body..];
    public ReadOnlySpan<byte> Bytes => _buffer;

    /// <summary>RFC 4443 §2.3: the checksum covers the IPv6 pseudo-header and the whole message.</summary>
    public bool IsChecksumValid(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination) =>
        ComputeChecksum(source, destination, _buffer) == 0;

    /// <summary>The checksum over the pseudo-header and <paramref name="message"/> as it stands.</summary>
    public static ushort ComputeChecksum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> message)
    {
        var sum = new InternetChecksum();
        sum.AddIPv6PseudoHeader(source, destination, IPProtocol.IcmpV6, (uint)message.Length);
        sum.Add(message);
        return sum.Finish();
    }
}
