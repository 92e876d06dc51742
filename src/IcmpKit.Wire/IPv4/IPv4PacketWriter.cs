using System.Buffers.Binary;
using IcmpKit.Wire.Checksum;
using F = IcmpKit.Wire.IPv4.IPv4Packet.Field;

namespace IcmpKit.Wire.IPv4;

/// <summary>Sets the fields of an IPv4 header in place (RFC 791 §3.1). The caller sizes the buffer.</summary>
public readonly ref struct IPv4PacketWriter
{
    private readonly Span<byte> _buffer;

    public IPv4PacketWriter(Span<byte> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buffer.Length, F.MinHeaderLength);
        _buffer = buffer;
    }

    /// <summary>Sets version 4 and the header length in bytes (a multiple of 4, 20 to 60).</summary>
    public void SetVersionAndHeaderLength(int headerLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(headerLength, F.MinHeaderLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(headerLength, 60);
        ArgumentOutOfRangeException.ThrowIfNotEqual(headerLength % 4, 0);
        _buffer[F.VersionIhl] = (byte)(0x40 | (headerLength / 4));
    }

    public void SetTypeOfService(byte value) => _buffer[F.Tos] = value;

    public void SetTotalLength(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer[F.TotalLength..], value);

    public void SetIdentification(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer[F.Identification..], value);

    /// <summary>Sets the three flag bits and the fragment offset (8-byte units, 13 bits).</summary>
    public void SetFlagsAndFragmentOffset(bool reserved, bool dontFragment, bool moreFragments, int fragmentOffset)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)fragmentOffset, 0x1FFFu, nameof(fragmentOffset));
        int value = (reserved ? 0x8000 : 0) | (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | fragmentOffset;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[F.FlagsFragment..], (ushort)value);
    }

    public void SetTimeToLive(byte value) => _buffer[F.Ttl] = value;

    public void SetProtocol(byte value) => _buffer[F.Protocol] = value;

    public void SetHeaderChecksum(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer[F.Checksum..], value);

    public void SetSourceAddress(ReadOnlySpan<byte> address) => address.CopyTo(_buffer.Slice(F.Source, 4));

    public void SetDestinationAddress(ReadOnlySpan<byte> address) => address.CopyTo(_buffer.Slice(F.Destination, 4));

    /// <summary>The options area implied by the header length already set.</summary>
    public Span<byte> Options => _buffer[F.Options..((_buffer[F.VersionIhl] & 0x0F) * 4)];

    /// <summary>Computes and stores the header checksum over the header length already set.</summary>
    public void FillHeaderChecksum()
    {
        int headerLength = (_buffer[F.VersionIhl] & 0x0F) * 4;
        SetHeaderChecksum(0);
        SetHeaderChecksum(InternetChecksum.Compute(_buffer[..headerLength]));
    }
}
