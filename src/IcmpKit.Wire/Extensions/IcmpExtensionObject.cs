using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IcmpKit.Wire.Extensions;

/// <summary>Extension object classes (IANA "ICMP Extension Object Classes").</summary>
public static class ExtensionClass
{
    /// <summary>RFC 4950: MPLS label stack.</summary>
    public const byte MplsLabelStack = 1;
    /// <summary>RFC 5837: interface information.</summary>
    public const byte InterfaceInformation = 2;
    /// <summary>RFC 8335: interface identification.</summary>
    public const byte InterfaceIdentification = 3;
}

/// <summary>One extension object (RFC 4884 §7.2). Unknown classes and malformed payloads are kept raw.</summary>
public abstract record IcmpExtensionObject
{
    public abstract byte ClassNum { get; }

    public abstract byte ClassType { get; }

    protected abstract int PayloadLength { get; }

    protected abstract void WritePayload(Span<byte> destination);

    public int EncodedLength => 4 + PayloadLength;

    public int Write(Span<byte> destination)
    {
        int length = EncodedLength;
        // RFC 4884 §7.2: the object length is 16 bits.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, ushort.MaxValue, nameof(EncodedLength));
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)length);
        destination[2] = ClassNum;
        destination[3] = ClassType;
        WritePayload(destination[4..length]);
        return length;
    }

    /// <summary>Types one object already delimited by <see cref="IcmpExtensionObjectReader"/>. Never fails.</summary>
    public static IcmpExtensionObject FromBytes(ReadOnlySpan<byte> obj)
    {
        byte classNum = obj[2];
        byte classType = obj[3];
        var payload = obj[4..];
        IcmpExtensionObject? typed = classNum switch
        {
            ExtensionClass.MplsLabelStack when classType == 1 => MplsLabelStackObject.TryParse(payload),
            ExtensionClass.InterfaceInformation => InterfaceInformationObject.TryParse(classType, payload),
            ExtensionClass.InterfaceIdentification => InterfaceIdentificationObject.TryParse(classType, payload),
            _ => null,
        };
        bool known = classNum is ExtensionClass.MplsLabelStack or ExtensionClass.InterfaceInformation or ExtensionClass.InterfaceIdentification;
        return typed ?? new UnknownExtensionObject(classNum, classType, payload.ToArray(), Invalid: known);
    }
}

/// <summary>Interface names are text on the wire but may hold any bytes: bytes that do not survive UTF-8 are kept raw.</summary>
internal static class WireName
{
    /// <summary>
    /// Reads a name field; <paramref name="paddedLength"/> gives the field length the writer makes for a name of n
    /// bytes, so a field with other padding is kept raw too.
    /// </summary>
    public static (string Text, ReadOnlyMemory<byte> Raw) Read(ReadOnlySpan<byte> field, Func<int, int> paddedLength)
    {
        string text = Encoding.UTF8.GetString(field).TrimEnd('\0');
        int used = field.LastIndexOfAnyExcept((byte)0) + 1;
        bool lossless = Encoding.UTF8.GetByteCount(text) == used && Encoding.UTF8.GetBytes(text).AsSpan().SequenceEqual(field[..used])
            && paddedLength(used) == field.Length;
        return (text, lossless ? ReadOnlyMemory<byte>.Empty : field.ToArray());
    }
}

/// <summary>An object of an unknown class, or one of a known class whose payload does not parse (<see cref="Invalid"/>).</summary>
public sealed record UnknownExtensionObject(byte Class, byte ObjectClassType, ReadOnlyMemory<byte> Payload, bool Invalid = false) : IcmpExtensionObject
{
    public override byte ClassNum => Class;
    public override byte ClassType => ObjectClassType;
    protected override int PayloadLength => Payload.Length;
    protected override void WritePayload(Span<byte> destination) => Payload.Span.CopyTo(destination);
}

/// <summary>One MPLS label stack entry (RFC 3032 §2.1, as carried by RFC 4950 §5).</summary>
public readonly record struct MplsLabelEntry(int Label, int TrafficClass, bool BottomOfStack, byte Ttl)
{
    public uint Encode() => ((uint)Label << 12) | ((uint)(TrafficClass & 7) << 9) | (BottomOfStack ? 0x100u : 0) | Ttl;

    public static MplsLabelEntry Decode(uint word) =>
        new((int)(word >> 12), (int)((word >> 9) & 7), (word & 0x100) != 0, (byte)word);
}

/// <summary>RFC 4950 §5: class 1, C-Type 1, a stack of 4-byte label entries.</summary>
public sealed record MplsLabelStackObject(IReadOnlyList<MplsLabelEntry> Entries) : IcmpExtensionObject
{
    public override byte ClassNum => ExtensionClass.MplsLabelStack;
    public override byte ClassType => 1;
    protected override int PayloadLength => Entries.Count * 4;

    internal static MplsLabelStackObject? TryParse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length % 4 != 0)
        {
            return null;
        }
        var entries = new MplsLabelEntry[payload.Length / 4];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = MplsLabelEntry.Decode(BinaryPrimitives.ReadUInt32BigEndian(payload[(i * 4)..]));
        }
        return new MplsLabelStackObject(entries);
    }

    protected override void WritePayload(Span<byte> destination)
    {
        for (int i = 0; i < Entries.Count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(i * 4)..], Entries[i].Encode());
        }
    }
}

/// <summary>RFC 5837 §4.1: which interface the object describes.</summary>
public enum InterfaceRole : byte
{
    IncomingIPInterface = 0,
    SubIPComponentOfIncomingIPInterface = 1,
    OutgoingIPInterface = 2,
    IPNextHop = 3,
}

/// <summary>
/// RFC 5837 §4: class 2. The C-Type holds the role (2 bits), 2 reserved bits, then flags for the ifIndex,
/// IP address, name and MTU sub-objects, which follow in that order.
/// </summary>
public sealed record InterfaceInformationObject(
    InterfaceRole Role,
    uint? InterfaceIndex,
    IPAddress? Address,
    string? Name,
    uint? Mtu,
    byte ReservedBits = 0) : IcmpExtensionObject
{
    /// <summary>
    /// The name field as read (after its length octet, padding included) when the name is not valid UTF-8; written
    /// back instead of <see cref="Name"/> so that nothing read is changed. Empty for names that are text.
    /// </summary>
    public ReadOnlyMemory<byte> RawName { get; init; }

    private const int IfIndexBit = 0x08;
    private const int AddressBit = 0x04;
    private const int NameBit = 0x02;
    private const int MtuBit = 0x01;

    public override byte ClassType => (byte)(((int)Role << 6) | ((ReservedBits & 3) << 4)
        | (InterfaceIndex.HasValue ? IfIndexBit : 0) | (Address is not null ? AddressBit : 0)
        | (Name is not null ? NameBit : 0) | (Mtu.HasValue ? MtuBit : 0));

    public override byte ClassNum => ExtensionClass.InterfaceInformation;

    /// <summary>RFC 5837 §4.3: the name sub-object's length octet counts itself and is a multiple of 4, at most 64.</summary>
    private int NameFieldLength => Name is null ? 0 : !RawName.IsEmpty ? 1 + RawName.Length : (1 + Encoding.UTF8.GetByteCount(Name) + 3) & ~3;

    protected override int PayloadLength =>
        (InterfaceIndex.HasValue ? 4 : 0)
        + (Address is null ? 0 : 4 + (Address.AddressFamily == AddressFamily.InterNetwork ? 4 : 16))
        + NameFieldLength
        + (Mtu.HasValue ? 4 : 0);

    internal static InterfaceInformationObject? TryParse(byte classType, ReadOnlySpan<byte> payload)
    {
        int at = 0;
        uint? ifIndex = null;
        IPAddress? address = null;
        string? name = null;
        ReadOnlyMemory<byte> rawName = default;
        uint? mtu = null;
        if ((classType & IfIndexBit) != 0)
        {
            if (payload.Length < at + 4)
            {
                return null;
            }
            ifIndex = BinaryPrimitives.ReadUInt32BigEndian(payload[at..]);
            at += 4;
        }
        if ((classType & AddressBit) != 0)
        {
            // RFC 5837 §4.2: AFI (1 = IPv4, 2 = IPv6), reserved, then the address.
            if (payload.Length < at + 4)
            {
                return null;
            }
            int afi = BinaryPrimitives.ReadUInt16BigEndian(payload[at..]);
            int size = afi switch { 1 => 4, 2 => 16, _ => -1 };
            if (size < 0 || payload.Length < at + 4 + size)
            {
                return null;
            }
            address = new IPAddress(payload.Slice(at + 4, size));
            at += 4 + size;
        }
        if ((classType & NameBit) != 0)
        {
            if (payload.Length < at + 1)
            {
                return null;
            }
            int length = payload[at];
            if (length < 4 || length > 64 || length % 4 != 0 || payload.Length < at + length)
            {
                return null;
            }
            (name, rawName) = WireName.Read(payload.Slice(at + 1, length - 1), n => ((1 + n + 3) & ~3) - 1);
            at += length;
        }
        if ((classType & MtuBit) != 0)
        {
            if (payload.Length < at + 4)
            {
                return null;
            }
            mtu = BinaryPrimitives.ReadUInt32BigEndian(payload[at..]);
            at += 4;
        }
        if (at != payload.Length)
        {
            return null;
        }
        return new InterfaceInformationObject((InterfaceRole)(classType >> 6), ifIndex, address, name, mtu, (byte)((classType >> 4) & 3)) { RawName = rawName };
    }

    protected override void WritePayload(Span<byte> destination)
    {
        int at = 0;
        if (InterfaceIndex is { } index)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[at..], index);
            at += 4;
        }
        if (Address is not null)
        {
            bool v4 = Address.AddressFamily == AddressFamily.InterNetwork;
            BinaryPrimitives.WriteUInt16BigEndian(destination[at..], (ushort)(v4 ? 1 : 2));
            destination[at + 2] = 0;
            destination[at + 3] = 0;
            Address.TryWriteBytes(destination[(at + 4)..], out int written);
            at += 4 + written;
        }
        if (Name is not null)
        {
            int length = NameFieldLength;
            // RFC 5837 §4.3: the name sub-object, length octet included, is at most 64 bytes.
            ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 64, nameof(Name));
            var field = destination.Slice(at, length);
            field.Clear();
            field[0] = (byte)length;
            if (RawName.IsEmpty)
            {
                Encoding.UTF8.GetBytes(Name, field[1..]);
            }
            else
            {
                RawName.Span.CopyTo(field[1..]);
            }
            at += length;
        }
        if (Mtu is { } mtu)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[at..], mtu);
        }
    }
}

/// <summary>RFC 8335 §2.1: how the probed interface is named (the C-Type of class 3).</summary>
public enum InterfaceIdentificationKind : byte
{
    ByName = 1,
    ByIndex = 2,
    ByAddress = 3,
}

/// <summary>
/// RFC 8335 §2.1: class 3, identifying an interface by name (C-Type 1), index (2) or address (3: AFI,
/// address length, reserved, address).
/// </summary>
public sealed record InterfaceIdentificationObject(InterfaceIdentificationKind Kind, string? Name, uint? Index, IPAddress? Address) : IcmpExtensionObject
{
    public override byte ClassNum => ExtensionClass.InterfaceIdentification;
    public override byte ClassType => (byte)Kind;

    /// <summary>The name as read when it is not valid UTF-8 (padding included); written back instead of <see cref="Name"/>.</summary>
    public ReadOnlyMemory<byte> RawName { get; init; }

    public static InterfaceIdentificationObject ForName(string name) => new(InterfaceIdentificationKind.ByName, name, null, null);
    public static InterfaceIdentificationObject ForIndex(uint index) => new(InterfaceIdentificationKind.ByIndex, null, index, null);
    public static InterfaceIdentificationObject ForAddress(IPAddress address) => new(InterfaceIdentificationKind.ByAddress, null, null, address);

    /// <summary>RFC 8335 §2.1: names are padded with zeros to a 32-bit boundary.</summary>
    protected override int PayloadLength => Kind switch
    {
        InterfaceIdentificationKind.ByName => !RawName.IsEmpty ? RawName.Length : (Encoding.UTF8.GetByteCount(Name ?? "") + 3) & ~3,
        InterfaceIdentificationKind.ByIndex => 4,
        _ => 4 + (((Address?.AddressFamily == AddressFamily.InterNetwork ? 4 : 16) + 3) & ~3),
    };

    internal static InterfaceIdentificationObject? TryParse(byte classType, ReadOnlySpan<byte> payload)
    {
        switch ((InterfaceIdentificationKind)classType)
        {
            case InterfaceIdentificationKind.ByName:
                var (name, raw) = WireName.Read(payload, n => (n + 3) & ~3);
                return new(InterfaceIdentificationKind.ByName, name, null, null) { RawName = raw };
            case InterfaceIdentificationKind.ByIndex when payload.Length == 4:
                return ForIndex(BinaryPrimitives.ReadUInt32BigEndian(payload));
            case InterfaceIdentificationKind.ByAddress when payload.Length >= 4:
                int afi = BinaryPrimitives.ReadUInt16BigEndian(payload);
                int length = payload[2];
                if (!((afi == 1 && length == 4) || (afi == 2 && length == 16)) || payload.Length < 4 + length)
                {
                    return null;
                }
                return ForAddress(new IPAddress(payload.Slice(4, length)));
            default:
                return null;
        }
    }

    protected override void WritePayload(Span<byte> destination)
    {
        destination.Clear();
        switch (Kind)
        {
            case InterfaceIdentificationKind.ByName when RawName.IsEmpty:
                Encoding.UTF8.GetBytes(Name ?? "", destination);
                break;
            case InterfaceIdentificationKind.ByName:
                RawName.Span.CopyTo(destination);
                break;
            case InterfaceIdentificationKind.ByIndex:
                BinaryPrimitives.WriteUInt32BigEndian(destination, Index ?? 0);
                break;
            default:
                var address = Address ?? IPAddress.Any;
                bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(v4 ? 1 : 2));
                destination[2] = (byte)(v4 ? 4 : 16);
                address.TryWriteBytes(destination[4..], out _);
                break;
        }
    }
}
