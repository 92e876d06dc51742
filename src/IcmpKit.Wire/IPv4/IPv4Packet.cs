using System.Buffers.Binary;
using System.Net;
using IcmpKit.Wire.Checksum;

namespace IcmpKit.Wire.IPv4;

/// <summary>
/// A read-only view of an IPv4 datagram (RFC 791 §3.1). Obtain one through <see cref="TryRead"/> or
/// <see cref="TryReadQuoted"/>, which check every invariant the accessors rely on.
/// </summary>
public readonly ref struct IPv4Packet
{
    /// <summary>
    /// RFC 791 §3.1:
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |Version|  IHL  |Type of Service|          Total Length         |
    /// |         Identification        |Flags|      Fragment Offset    |
    /// |  Time to Live |    Protocol   |         Header Checksum       |
    /// |                       Source Address                          |
    /// |                    Destination Address                        |
    /// |                    Options                    |    Padding    |
    /// </code>
    /// </summary>
    internal static class Field
    {
        public const int VersionIhl = 0;
        public const int Tos = 1;
        public const int TotalLength = 2;
        public const int Identification = 4;
        public const int FlagsFragment = 6;
        public const int Ttl = 8;
        public const int Protocol = 9;
        public const int Checksum = 10;
        public const int Source = 12;
        public const int Destination = 16;
        public const int Options = 20;
        public const int MinHeaderLength = 20;
    }

    private readonly ReadOnlySpan<byte> _buffer; // from the header to the end of the datagram or the bytes present

    private IPv4Packet(ReadOnlySpan<byte> buffer, bool truncated)
    {
        _buffer = buffer;
        IsTruncated = truncated;
    }

    /// <summary>
    /// Reads a whole datagram. Bytes past Total Length (link padding) are ignored; a Total Length beyond the
    /// buffer is an error.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> buffer, out IPv4Packet packet, out WireError error) =>
        TryReadCore(buffer, allowTruncated: false, out packet, out error);

    /// <summary>
    /// Reads a datagram quoted inside an ICMP error: the header must be whole, but the payload may stop
    /// before Total Length (RFC 792 quotes only 8 bytes of it; RFC 1812 §4.3.2.3 as much as fits).
    /// </summary>
    public static bool TryReadQuoted(ReadOnlySpan<byte> buffer, out IPv4Packet packet, out WireError error) =>
        TryReadCore(buffer, allowTruncated: true, out packet, out error);

    private static bool TryReadCore(ReadOnlySpan<byte> buffer, bool allowTruncated, out IPv4Packet packet, out WireError error)
    {
        packet = default;
        if (buffer.Length < Field.MinHeaderLength)
        {
            error = new WireError(WireErrorKind.Truncated, buffer.Length);
            return false;
        }
        if (buffer[Field.VersionIhl] >> 4 != 4)
        {
            error = new WireError(WireErrorKind.BadVersion, Field.VersionIhl);
            return false;
        }
        int headerLength = (buffer[Field.VersionIhl] & 0x0F) * 4;
        if (headerLength < Field.MinHeaderLength)
        {
            error = new WireError(WireErrorKind.BadHeaderLength, Field.VersionIhl);
            return false;
        }
        if (headerLength > buffer.Length)
        {
            error = new WireError(WireErrorKind.Truncated, buffer.Length);
            return false;
        }
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(buffer[Field.TotalLength..]);
        if (totalLength < headerLength)
        {
            error = new WireError(WireErrorKind.BadTotalLength, Field.TotalLength);
            return false;
        }
        bool truncated = totalLength > buffer.Length;
        if (truncated && !allowTruncated)
        {
            error = new WireError(WireErrorKind.LengthBeyondBuffer, Field.TotalLength);
            return false;
        }
        packet = new IPv4Packet(truncated ? buffer : buffer[..totalLength], truncated);
        error = WireError.None;
        return true;
    }

    /// <summary>True when fewer bytes are present than Total Length says (a quoted datagram).</summary>
    public bool IsTruncated { get; }

    public int Version => _buffer[Field.VersionIhl] >> 4;

    /// <summary>The header length in bytes (IHL × 4).</summary>
    public int HeaderLength => (_buffer[Field.VersionIhl] & 0x0F) * 4;

    public byte TypeOfService => _buffer[Field.Tos];

    /// <summary>Differentiated Services code point (RFC 2474): the upper six bits of the TOS byte.</summary>
    public int Dscp => _buffer[Field.Tos] >> 2;

    /// <summary>Explicit Congestion Notification (RFC 3168): the lower two bits of the TOS byte.</summary>
    public int Ecn => _buffer[Field.Tos] & 0x03;

    public ushort TotalLength => BinaryPrimitives.ReadUInt16BigEndian(_buffer[Field.TotalLength..]);

    public ushort Identification => BinaryPrimitives.ReadUInt16BigEndian(_buffer[Field.Identification..]);

    private ushort FlagsAndFragment => BinaryPrimitives.ReadUInt16BigEndian(_buffer[Field.FlagsFragment..]);

    /// <summary>The reserved flag bit (RFC 791: must be zero; RFC 3514 notwithstanding).</summary>
    public bool ReservedFlag => (FlagsAndFragment & 0x8000) != 0;

    public bool DontFragment => (FlagsAndFragment & 0x4000) != 0;

    public bool MoreFragments => (FlagsAndFragment & 0x2000) != 0;

    /// <summary>The fragment offset in 8-byte units, as on the wire.</summary>
    public int FragmentOffset => FlagsAndFragment & 0x1FFF;

    public byte TimeToLive => _buffer[Field.Ttl];

    public byte Protocol => _buffer[Field.Protocol];

    public ushort HeaderChecksum => BinaryPrimitives.ReadUInt16BigEndian(_buffer[Field.Checksum..]);

    public ReadOnlySpan<byte> SourceAddressBytes => _buffer.Slice(Field.Source, 4);

    public ReadOnlySpan<byte> DestinationAddressBytes => _buffer.Slice(Field.Destination, 4);

    /// <summary>The source address (allocates an <see cref="IPAddress"/>).</summary>
    public IPAddress SourceAddress => new(SourceAddressBytes);

    /// <summary>The destination address (allocates an <see cref="IPAddress"/>).</summary>
    public IPAddress DestinationAddress => new(DestinationAddressBytes);

    /// <summary>The raw options bytes, padding included.</summary>
    public ReadOnlySpan<byte> Options => _buffer[Field.Options..HeaderLength];

    /// <summary>The whole header, options included.</summary>
    public ReadOnlySpan<byte> Header => _buffer[..HeaderLength];

    /// <summary>The payload bytes present (fewer than Total Length says when <see cref="IsTruncated"/>).</summary>
    public ReadOnlySpan<byte> Payload => _buffer[HeaderLength..];

    /// <summary>The datagram bytes present, from the header on.</summary>
    public ReadOnlySpan<byte> Bytes => _buffer;

    /// <summary>RFC 791 §3.1: the header checksum over the header sums to all ones.</summary>
    public bool IsHeaderChecksumValid => InternetChecksum.Verify(Header);

    /// <summary>True for a fragment other than the first (RFC 1122 §3.2.2: no ICMP error about one).</summary>
    public bool IsNonInitialFragment => FragmentOffset != 0;
}
