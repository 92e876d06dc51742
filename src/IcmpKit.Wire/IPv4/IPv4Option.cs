using System.Buffers.Binary;
using System.Net;

namespace IcmpKit.Wire.IPv4;

/// <summary>An IPv4 option as a value (RFC 791 §3.1). Unknown types are kept raw.</summary>
public abstract record IPv4Option
{
    public abstract IPv4OptionType Type { get; }

    /// <summary>Bytes this option takes on the wire.</summary>
    public abstract int EncodedLength { get; }

    /// <summary>Writes the option at the start of <paramref name="destination"/>.</summary>
    public abstract void Write(Span<byte> destination);

    /// <summary>Parses one option already delimited by <see cref="IPv4OptionReader"/>. Never fails: odd contents stay data.</summary>
    public static IPv4Option FromBytes(ReadOnlySpan<byte> option)
    {
        var type = (IPv4OptionType)option[0];
        switch (type)
        {
            case IPv4OptionType.EndOfOptionList:
                return new IPv4EndOfOptionList(option[1..].ToArray());
            case IPv4OptionType.NoOperation:
                return IPv4NoOperation.Instance;
            case IPv4OptionType.RecordRoute or IPv4OptionType.LooseSourceRoute or IPv4OptionType.StrictSourceRoute
                when option.Length >= 3:
                return IPv4RouteOption.Parse(option);
            case IPv4OptionType.Timestamp when option.Length >= 4:
                return IPv4TimestampOption.Parse(option);
            case IPv4OptionType.RouterAlert when option.Length == 4:
                return new IPv4RouterAlert(BinaryPrimitives.ReadUInt16BigEndian(option[2..]));
            default:
                return new IPv4UnknownOption(type, option[2..].ToArray());
        }
    }

    /// <summary>Parses a whole options area; a malformed option ends the list and is reported.</summary>
    public static IReadOnlyList<IPv4Option> ParseAll(ReadOnlySpan<byte> options, out WireError error)
    {
        var list = new List<IPv4Option>();
        var reader = new IPv4OptionReader(options);
        int end = 0;
        while (reader.MoveNext())
        {
            list.Add(FromBytes(reader.CurrentBytes));
            end = reader.CurrentOffset + reader.CurrentBytes.Length;
        }
        error = reader.Error;
        if (!error.IsNone)
        {
            list.Add(new IPv4MalformedOption(options[end..].ToArray(), error));
        }
        return list;
    }

    /// <summary>The summed wire length of <paramref name="options"/>, before padding to a 4-byte boundary.</summary>
    public static int EncodedLengthOf(IReadOnlyList<IPv4Option> options)
    {
        int length = 0;
        foreach (var option in options)
        {
            length += option.EncodedLength;
        }
        return length;
    }
}

/// <summary>End of Option List (type 0); <see cref="Padding"/> holds the bytes after it, normally zeros.</summary>
public sealed record IPv4EndOfOptionList(ReadOnlyMemory<byte> Padding) : IPv4Option
{
    public override IPv4OptionType Type => IPv4OptionType.EndOfOptionList;

    public override int EncodedLength => 1 + Padding.Length;

    public override void Write(Span<byte> destination)
    {
        destination[0] = 0;
        Padding.Span.CopyTo(destination[1..]);
    }
}

/// <summary>No Operation (type 1).</summary>
public sealed record IPv4NoOperation : IPv4Option
{
    public static readonly IPv4NoOperation Instance = new();

    public override IPv4OptionType Type => IPv4OptionType.NoOperation;

    public override int EncodedLength => 1;

    public override void Write(Span<byte> destination) => destination[0] = 1;
}

/// <summary>
/// Record Route (7), Loose (131) and Strict (137) Source Route: a pointer (1-based, minimum 4) to the next
/// free slot and room for addresses (RFC 791 §3.1). Slots before the pointer are filled.
/// </summary>
public sealed record IPv4RouteOption(IPv4OptionType Kind, byte Pointer, IReadOnlyList<IPAddress> Slots, ReadOnlyMemory<byte> Trailing) : IPv4Option
{
    public override IPv4OptionType Type => Kind;

    public override int EncodedLength => 3 + Slots.Count * 4 + Trailing.Length;

    /// <summary>The addresses recorded so far: slots wholly before the pointer.</summary>
    public IEnumerable<IPAddress> Recorded => Slots.Take(Math.Clamp((Pointer - 4) / 4, 0, Slots.Count));

    /// <summary>RFC 791: the pointer is at least 4 and points at a slot or just past the last.</summary>
    public bool IsPointerValid => Pointer >= 4 && (Pointer - 4) % 4 == 0 && Pointer <= EncodedLength + 1;

    internal static IPv4RouteOption Parse(ReadOnlySpan<byte> option)
    {
        var data = option[3..];
        int count = data.Length / 4;
        var slots = new IPAddress[count];
        for (int i = 0; i < count; i++)
        {
            slots[i] = new IPAddress(data.Slice(i * 4, 4));
        }
        return new IPv4RouteOption((IPv4OptionType)option[0], option[2], slots, data[(count * 4)..].ToArray());
    }

    public override void Write(Span<byte> destination)
    {
        destination[0] = (byte)Kind;
        destination[1] = (byte)EncodedLength;
        destination[2] = Pointer;
        for (int i = 0; i < Slots.Count; i++)
        {
            Slots[i].TryWriteBytes(destination.Slice(3 + i * 4, 4), out _);
        }
        Trailing.Span.CopyTo(destination[(3 + Slots.Count * 4)..]);
    }
}

/// <summary>Internet Timestamp option flag values (RFC 791 §3.1, "Internet Timestamp").</summary>
public enum IPv4TimestampFlag : byte
{
    /// <summary>0: timestamps only ("tsonly").</summary>
    TimestampsOnly = 0,
    /// <summary>1: each timestamp preceded by the address of the registering entity ("tsandaddr").</summary>
    AddressAndTimestamp = 1,
    /// <summary>3: the addresses are prespecified ("tsprespec").</summary>
    Prespecified = 3,
}

/// <summary>One slot of a Timestamp option: an address (flags 1 and 3) and a timestamp.</summary>
public readonly record struct IPv4TimestampEntry(IPAddress? Address, uint Timestamp)
{
    /// <summary>RFC 791: the high-order bit set marks a non-standard value (not ms since midnight UT).</summary>
    public bool IsNonStandard => (Timestamp & 0x8000_0000) != 0;
}

/// <summary>
/// Internet Timestamp (type 68): pointer, overflow count (4 bits), flag (4 bits), then slots
/// (RFC 791 §3.1). Slots before the pointer are filled. A flag other than 0, 1, 3 keeps its data raw.
/// </summary>
public sealed record IPv4TimestampOption(byte Pointer, byte Overflow, IPv4TimestampFlag Flag, IReadOnlyList<IPv4TimestampEntry> Slots, ReadOnlyMemory<byte> Trailing) : IPv4Option
{
    public override IPv4OptionType Type => IPv4OptionType.Timestamp;

    public int SlotSize => Flag == IPv4TimestampFlag.TimestampsOnly ? 4 : 8;

    private bool HasSlots => Flag is IPv4TimestampFlag.TimestampsOnly or IPv4TimestampFlag.AddressAndTimestamp or IPv4TimestampFlag.Prespecified;

    public override int EncodedLength => 4 + (HasSlots ? Slots.Count * SlotSize : 0) + Trailing.Length;

    /// <summary>The filled slots: those wholly before the pointer (minimum 5).</summary>
    public IEnumerable<IPv4TimestampEntry> Recorded => Slots.Take(Math.Clamp((Pointer - 5) / SlotSize, 0, Slots.Count));

    internal static IPv4TimestampOption Parse(ReadOnlySpan<byte> option)
    {
        byte pointer = option[2];
        byte overflow = (byte)(option[3] >> 4);
        var flag = (IPv4TimestampFlag)(option[3] & 0x0F);
        var data = option[4..];
        if (flag is not (IPv4TimestampFlag.TimestampsOnly or IPv4TimestampFlag.AddressAndTimestamp or IPv4TimestampFlag.Prespecified))
        {
            return new IPv4TimestampOption(pointer, overflow, flag, [], data.ToArray());
        }
        int size = flag == IPv4TimestampFlag.TimestampsOnly ? 4 : 8;
        int count = data.Length / size;
        var slots = new IPv4TimestampEntry[count];
        for (int i = 0; i < count; i++)
        {
            var slot = data.Slice(i * size, size);
            slots[i] = size == 4
                ? new IPv4TimestampEntry(null, BinaryPrimitives.ReadUInt32BigEndian(slot))
                : new IPv4TimestampEntry(new IPAddress(slot[..4]), BinaryPrimitives.ReadUInt32BigEndian(slot[4..]));
        }
        return new IPv4TimestampOption(pointer, overflow, flag, slots, data[(count * size)..].ToArray());
    }

    public override void Write(Span<byte> destination)
    {
        destination[0] = (byte)IPv4OptionType.Timestamp;
        destination[1] = (byte)EncodedLength;
        destination[2] = Pointer;
        destination[3] = (byte)((Overflow << 4) | ((byte)Flag & 0x0F));
        int at = 4;
        if (HasSlots)
        {
            foreach (var slot in Slots)
            {
                if (SlotSize == 8)
                {
                    (slot.Address ?? IPAddress.Any).TryWriteBytes(destination.Slice(at, 4), out _);
                    at += 4;
                }
                BinaryPrimitives.WriteUInt32BigEndian(destination[at..], slot.Timestamp);
                at += 4;
            }
        }
        Trailing.Span.CopyTo(destination[at..]);
    }
}

/// <summary>Router Alert (type 148, RFC 2113): a 16-bit value, 0 meaning "examine this packet".</summary>
public sealed record IPv4RouterAlert(ushort Value) : IPv4Option
{
    public override IPv4OptionType Type => IPv4OptionType.RouterAlert;

    public override int EncodedLength => 4;

    public override void Write(Span<byte> destination)
    {
        destination[0] = (byte)IPv4OptionType.RouterAlert;
        destination[1] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Value);
    }
}

/// <summary>Any other option (or a known one too short to be typed), kept as type and data.</summary>
public sealed record IPv4UnknownOption(IPv4OptionType OptionType, ReadOnlyMemory<byte> Data) : IPv4Option
{
    public override IPv4OptionType Type => OptionType;

    public override int EncodedLength => 2 + Data.Length;

    public override void Write(Span<byte> destination)
    {
        destination[0] = (byte)OptionType;
        destination[1] = (byte)EncodedLength;
        Data.Span.CopyTo(destination[2..]);
    }
}

/// <summary>
/// The rest of an options area from the first option whose length could not be walked; kept verbatim so that
/// the header still writes back byte for byte. <see cref="Error"/> says what was wrong.
/// </summary>
public sealed record IPv4MalformedOption(ReadOnlyMemory<byte> Bytes, WireError Error) : IPv4Option
{
    public override IPv4OptionType Type => (IPv4OptionType)(Bytes.IsEmpty ? 0 : Bytes.Span[0]);

    public override int EncodedLength => Bytes.Length;

    public override void Write(Span<byte> destination) => Bytes.Span.CopyTo(destination);
}
