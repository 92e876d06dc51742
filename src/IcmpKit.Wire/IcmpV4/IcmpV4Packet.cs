using System.Buffers.Binary;
using IcmpKit.Wire.Checksum;

namespace IcmpKit.Wire.IcmpV4;

/// <summary>
/// A read-only view of an ICMPv4 message (RFC 792): the 8-byte header every type shares, and what follows.
/// Obtain one through <see cref="TryRead"/>. Accessors for type-specific words read the second header word
/// and the body; <see cref="IcmpV4Message.TryParse"/> checks the per-type lengths.
/// </summary>
public readonly ref struct IcmpV4Packet
{
    /// <summary>
    /// RFC 792:
    /// <code>
    ///  0                   1                   2                   3
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |     Type      |     Code      |          Checksum             |
    /// |   (type-specific: identifier | sequence, pointer, gateway, …)  |
    /// |     Data ...
    /// </code>
    /// </summary>
    internal static class Field
    {
        public const int Type = 0;
        public const int Code = 1;
        public const int Checksum = 2;
        public const int Identifier = 4;      // echo, timestamp, information, mask, extended echo
        public const int Sequence = 6;
        public const int Pointer = 4;         // parameter problem (RFC 792)
        public const int Gateway = 4;         // redirect (RFC 792)
        public const int Length = 5;          // RFC 4884 §4.1: length of the original datagram, 32-bit words
        public const int NextHopMtu = 6;      // RFC 1191 §4: fragmentation needed
        public const int Body = 8;
        public const int HeaderLength = 8;
    }

    private readonly ReadOnlySpan<byte> _buffer;

    private IcmpV4Packet(ReadOnlySpan<byte> buffer) => _buffer = buffer;

    /// <summary>Accepts any message of at least the 8-byte header (RFC 792).</summary>
    public static bool TryRead(ReadOnlySpan<byte> buffer, out IcmpV4Packet packet, out WireError error)
    {
        if (buffer.Length < Field.HeaderLength)
        {
            packet = default;
            error = new WireError(WireErrorKind.Truncated, buffer.Length);
            return false;
        }
        packet = new IcmpV4Packet(buffer);
        error = WireError.None;
        return true;
    }

    public IcmpV4Type Type => (IcmpV4Type)_buffer[Field.Type];

    public byte Code => _buffer[Field.Code];

    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_buffer[Field.Checksum..]);

    /// <summary>RFC 792: the checksum over the whole message sums to all ones.</summary>
    public bool IsChecksumValid => InternetChecksum.Verify(_buffer);

    public ushort Identifier => BinaryPrimitives.ReadUInt16BigEndian(_buffer[Field.Identifier..]);

    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_buffer[Field.Sequence..]);

    /// <summary>The second header word, whatever the type makes of it.</summary>
    public uint RestOfHeader => BinaryPrimitives.ReadUInt32BigEndian(_buffer[Field.Identifier..]);

    public byte Pointer => _buffer[Field.Pointer];

    public ReadOnlySpan<byte> GatewayBytes => _buffer.Slice(Field.Gateway, 4);

    /// <summary>RFC 4884 length attribute: the original datagram's length in 32-bit words (0 when not used).</summary>
    public byte LengthAttribute => _buffer[Field.Length];

    public ushort NextHopMtu => BinaryPrimitives.ReadUInt16BigEndian(_buffer[Field.NextHopMtu..]);

    /// <summary>Everything after the 8-byte header: echo data, or the original datagram of an error.</summary>
    public ReadOnlySpan<byte> Body => _buffer[Field.Body..];

    public ReadOnlySpan<byte> Bytes => _buffer;

    /// <summary>True for the types that quote an original datagram (RFC 792, RFC 1122 §3.2.2).</summary>
    public bool IsError => IcmpV4Message.IsErrorType(Type);
}

/// <summary>Sets the fields of an ICMPv4 message in place.</summary>
public readonly ref struct IcmpV4PacketWriter
{
    private readonly Span<byte> _buffer;

    public IcmpV4PacketWriter(Span<byte> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buffer.Length, IcmpV4Packet.Field.HeaderLength);
        _buffer = buffer;
    }

    public void SetType(IcmpV4Type type) => _buffer[IcmpV4Packet.Field.Type] = (byte)type;

    public void SetCode(byte code) => _buffer[IcmpV4Packet.Field.Code] = code;

    public void SetChecksum(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer[IcmpV4Packet.Field.Checksum..], value);

    public void SetIdentifier(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer[IcmpV4Packet.Field.Identifier..], value);

    public void SetSequenceNumber(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer[IcmpV4Packet.Field.Sequence..], value);

    public void SetRestOfHeader(uint value) => BinaryPrimitives.WriteUInt32BigEndian(_buffer[IcmpV4Packet.Field.Identifier..], value);

    public Span<byte> Body => _buffer[IcmpV4Packet.Field.Body..];

    /// <summary>Computes the checksum over the whole buffer given to the writer (size it to the message).</summary>
    public void FillChecksum()
    {
        SetChecksum(0);
        SetChecksum(InternetChecksum.Compute(_buffer));
    }
}
