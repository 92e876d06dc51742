using System.Buffers.Binary;
using System.Net;

namespace IcmpKit.Wire.IcmpV6;

/// <summary>
/// A Neighbor Discovery option (RFC 4861 §4.6): type, length in 8-octet units (zero is invalid), data.
/// Typed: link-layer addresses, prefix information, redirected header, MTU; the rest kept raw.
/// </summary>
public abstract record NdOption
{
    public const byte SourceLinkLayerAddressType = 1;
    public const byte TargetLinkLayerAddressType = 2;
    public const byte PrefixInformationType = 3;
    public const byte RedirectedHeaderType = 4;
    public const byte MtuType = 5;

    public abstract byte Type { get; }

    /// <summary>The option's bytes after type and length (padding included).</summary>
    protected abstract int DataLength { get; }

    protected abstract void WriteData(Span<byte> data);

    /// <summary>Bytes on the wire: padded to a multiple of 8.</summary>
    public virtual int EncodedLength => (2 + DataLength + 7) & ~7;

    public virtual int Write(Span<byte> destination)
    {
        int length = EncodedLength;
        // RFC 4861 §4.6: the length octet counts 8-byte units, so an option is at most 2040 bytes.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 255 * 8, nameof(EncodedLength));
        var target = destination[..length];
        target.Clear();
        target[0] = Type;
        target[1] = (byte)(length / 8);
        WriteData(target[2..]);
        return length;
    }

    /// <summary>Walks an options area; a zero or overlong length ends the walk with a <see cref="NdMalformedOption"/>.</summary>
    public static IReadOnlyList<NdOption> ParseAll(ReadOnlySpan<byte> area)
    {
        var list = new List<NdOption>();
        int at = 0;
        while (at < area.Length)
        {
            if (area.Length - at < 2 || area[at + 1] == 0 || area[at + 1] * 8 > area.Length - at)
            {
                var kind = area.Length - at < 2 ? WireErrorKind.Truncated : WireErrorKind.BadOptionLength;
                list.Add(new NdMalformedOption(area[at..].ToArray(), new WireError(kind, at + 1)));
                break;
            }
            int length = area[at + 1] * 8;
            list.Add(FromBytes(area.Slice(at, length)));
            at += length;
        }
        return list;
    }

    private static NdOption FromBytes(ReadOnlySpan<byte> option)
    {
        byte type = option[0];
        var data = option[2..];
        return type switch
        {
            SourceLinkLayerAddressType or TargetLinkLayerAddressType => new NdLinkLayerAddress(type == SourceLinkLayerAddressType, data.ToArray()),
            PrefixInformationType when option.Length == 32 => new NdPrefixInformation(
                data[0], (data[1] & 0x80) != 0, (data[1] & 0x40) != 0,
                BinaryPrimitives.ReadUInt32BigEndian(data[2..]), BinaryPrimitives.ReadUInt32BigEndian(data[6..]),
                new IPAddress(data.Slice(14, 16))) { ReservedBits = (byte)(data[1] & 0x3F), Reserved2 = BinaryPrimitives.ReadUInt32BigEndian(data[10..]) },
            MtuType when option.Length == 8 => new NdMtu(BinaryPrimitives.ReadUInt32BigEndian(data[2..])) { Reserved = BinaryPrimitives.ReadUInt16BigEndian(data) },
            RedirectedHeaderType when option.Length >= 8 => new NdRedirectedHeader(data[6..].ToArray()) { Reserved = data[..6].ToArray() },
            _ => new NdUnknownOption(type, data.ToArray()),
        };
    }
}

/// <summary>Source (1) or target (2) link-layer address (RFC 4861 §4.6.1); the data keeps its padding.</summary>
public sealed record NdLinkLayerAddress(bool IsSource, ReadOnlyMemory<byte> Address) : NdOption
{
    public override byte Type => IsSource ? SourceLinkLayerAddressType : TargetLinkLayerAddressType;
    protected override int DataLength => Address.Length;
    protected override void WriteData(Span<byte> data) => Address.Span.CopyTo(data);

    /// <summary>"aa:bb:cc:dd:ee:ff" (Ethernet: the first 6 bytes).</summary>
    public override string ToString() => string.Join(':', Address.Span[..Math.Min(6, Address.Length)].ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}

/// <summary>Prefix information (RFC 4861 §4.6.2): prefix length, on-link (L) and autonomous (A) flags, lifetimes, prefix.</summary>
public sealed record NdPrefixInformation(byte PrefixLength, bool OnLink, bool Autonomous, uint ValidLifetime, uint PreferredLifetime, IPAddress Prefix) : NdOption
{
    public byte ReservedBits { get; init; }
    public uint Reserved2 { get; init; }
    public override byte Type => PrefixInformationType;
    protected override int DataLength => 30;

    protected override void WriteData(Span<byte> data)
    {
        data[0] = PrefixLength;
        data[1] = (byte)((OnLink ? 0x80 : 0) | (Autonomous ? 0x40 : 0) | (ReservedBits & 0x3F));
        BinaryPrimitives.WriteUInt32BigEndian(data[2..], ValidLifetime);
        BinaryPrimitives.WriteUInt32BigEndian(data[6..], PreferredLifetime);
        BinaryPrimitives.WriteUInt32BigEndian(data[10..], Reserved2);
        Prefix.TryWriteBytes(data[14..], out _);
    }
}

/// <summary>MTU (RFC 4861 §4.6.4).</summary>
public sealed record NdMtu(uint Mtu) : NdOption
{
    public ushort Reserved { get; init; }
    public override byte Type => MtuType;
    protected override int DataLength => 6;

    protected override void WriteData(Span<byte> data)
    {
        BinaryPrimitives.WriteUInt16BigEndian(data, Reserved);
        BinaryPrimitives.WriteUInt32BigEndian(data[2..], Mtu);
    }
}

/// <summary>Redirected header (RFC 4861 §4.6.3): six reserved bytes, then as much of the redirected packet as fits.</summary>
public sealed record NdRedirectedHeader(ReadOnlyMemory<byte> Packet) : NdOption
{
    public ReadOnlyMemory<byte> Reserved { get; init; } = new byte[6];
    public override byte Type => RedirectedHeaderType;
    protected override int DataLength => 6 + Packet.Length;

    protected override void WriteData(Span<byte> data)
    {
        Reserved.Span[..Math.Min(6, Reserved.Length)].CopyTo(data);
        Packet.Span.CopyTo(data[6..]);
    }
}

/// <summary>Any other option, data kept raw.</summary>
public sealed record NdUnknownOption(byte OptionType, ReadOnlyMemory<byte> Data) : NdOption
{
    public override byte Type => OptionType;
    protected override int DataLength => Data.Length;
    protected override void WriteData(Span<byte> data) => Data.Span.CopyTo(data);
}

/// <summary>The rest of an options area from an option whose length is zero or overruns it; kept verbatim.</summary>
public sealed record NdMalformedOption(ReadOnlyMemory<byte> Bytes, WireError Error) : NdOption
{
    public override byte Type => Bytes.IsEmpty ? (byte)0 : Bytes.Span[0];
    protected override int DataLength => Bytes.Length - 2;
    public override int EncodedLength => Bytes.Length;
    protected override void WriteData(Span<byte> data) => Bytes.Span[2..].CopyTo(data);
    public override int Write(Span<byte> destination)
    {
        Bytes.Span.CopyTo(destination);
        return Bytes.Length;
    }
}
