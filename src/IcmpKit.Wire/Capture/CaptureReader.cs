using System.Buffers.Binary;

namespace IcmpKit.Wire.Capture;

/// <summary>One captured frame: its link type, time and bytes (a slice of the file's buffer).</summary>
public readonly record struct CaptureRecord(int Index, LinkType LinkType, DateTimeOffset Timestamp, ReadOnlyMemory<byte> Data, int OriginalLength);

/// <summary>Link-layer header types (tcpdump.org LINKTYPE_* values) that IcmpKit reads.</summary>
public enum LinkType : ushort
{
    Null = 0,
    Ethernet = 1,
    Raw = 101,
    LinuxSll = 113,
    IPv4 = 228,
    IPv6 = 229,
    LinuxSll2 = 276,
}

/// <summary>
/// Reads capture files held in memory: classic pcap (both byte orders, µs and ns timestamps) and pcapng
/// (section header, interface description, enhanced and simple packet blocks). Every length is checked
/// against the bytes left; a malformed file ends the walk with <see cref="Error"/> set. Never throws.
/// </summary>
public sealed class CaptureReader
{
    private const uint PcapMagicMicro = 0xA1B2C3D4;
    private const uint PcapMagicNano = 0xA1B23C4D;
    private const uint PcapNgSectionHeader = 0x0A0D0D0A;
    private const uint PcapNgByteOrderMagic = 0x1A2B3C4D;

    private readonly ReadOnlyMemory<byte> _file;

    public CaptureReader(ReadOnlyMemory<byte> file) => _file = file;

    /// <summary>Why the walk stopped early (offset into the file), or <see cref="WireError.None"/>.</summary>
    public WireError Error { get; private set; }

    public IReadOnlyList<CaptureRecord> Records()
    {
        Error = WireError.None;
        if (_file.Length < 4)
        {
            Error = new WireError(WireErrorKind.Truncated, _file.Length);
            return [];
        }
        uint magicLe = BinaryPrimitives.ReadUInt32LittleEndian(_file.Span);
        if (magicLe == PcapNgSectionHeader)
        {
            return ReadPcapNg();
        }
        return ReadPcap();
    }

    private List<CaptureRecord> ReadPcap()
    {
        var list = new List<CaptureRecord>();
        var span = _file.Span;
        if (span.Length < 24)
        {
            Error = new WireError(WireErrorKind.Truncated, span.Length);
            return list;
        }
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(span);
        bool littleEndian;
        bool nano;
        if (magic is PcapMagicMicro or PcapMagicNano)
        {
            littleEndian = true;
            nano = magic == PcapMagicNano;
        }
        else
        {
            magic = BinaryPrimitives.ReadUInt32BigEndian(span);
            if (magic is not (PcapMagicMicro or PcapMagicNano))
            {
                Error = new WireError(WireErrorKind.BadField, 0);
                return list;
            }
            littleEndian = false;
            nano = magic == PcapMagicNano;
        }
        var linkType = (LinkType)(ushort)Read32(span[20..], littleEndian);
        int at = 24;
        int index = 0;
        while (at < span.Length)
        {
            if (span.Length - at < 16)
            {
                Error = new WireError(WireErrorKind.Truncated, at);
                break;
            }
            uint seconds = Read32(span[at..], littleEndian);
            uint fraction = Read32(span[(at + 4)..], littleEndian);
            uint captured = Read32(span[(at + 8)..], littleEndian);
            uint original = Read32(span[(at + 12)..], littleEndian);
            if (captured > span.Length - at - 16)
            {
                Error = new WireError(WireErrorKind.LengthBeyondBuffer, at + 8);
                break;
            }
            var time = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nano ? fraction / 100 : fraction * 10L);
            list.Add(new CaptureRecord(++index, linkType, time, _file.Slice(at + 16, (int)captured), (int)Math.Min(original, int.MaxValue)));
            at += 16 + (int)captured;
        }
        return list;
    }

    private List<CaptureRecord> ReadPcapNg()
    {
        var list = new List<CaptureRecord>();
        var span = _file.Span;
        var interfaces = new List<(LinkType Link, ulong UnitsPerSecond)>();
        bool littleEndian = true;
        int at = 0;
        int index = 0;
        while (at < span.Length)
        {
            if (span.Length - at < 12)
            {
                Error = new WireError(WireErrorKind.Truncated, at);
                break;
            }
            uint typeLe = BinaryPrimitives.ReadUInt32LittleEndian(span[at..]);
            if (typeLe == PcapNgSectionHeader)
            {
                uint bom = BinaryPrimitives.ReadUInt32LittleEndian(span[(at + 8)..]);
                if (bom == PcapNgByteOrderMagic)
                {
                    littleEndian = true;
                }
                else if (BinaryPrimitives.ReadUInt32BigEndian(span[(at + 8)..]) == PcapNgByteOrderMagic)
                {
                    littleEndian = false;
                }
                else
                {
                    Error = new WireError(WireErrorKind.BadField, at + 8);
                    break;
                }
                interfaces.Clear();
            }
            uint type = Read32(span[at..], littleEndian);
            uint length = Read32(span[(at + 4)..], littleEndian);
            if (length < 12 || length % 4 != 0 || length > span.Length - at)
            {
                Error = new WireError(WireErrorKind.BadOptionLength, at + 4);
                break;
            }
            var body = span.Slice(at + 8, (int)length - 12);
            switch (type)
            {
                case 1 when body.Length >= 8: // interface description block
                    interfaces.Add(((LinkType)Read16(body, littleEndian), TimestampUnits(body[8..], littleEndian)));
                    break;
                case 6 when body.Length >= 20: // enhanced packet block
                {
                    uint ifIndex = Read32(body, littleEndian);
                    ulong stamp = ((ulong)Read32(body[4..], littleEndian) << 32) | Read32(body[8..], littleEndian);
                    uint captured = Read32(body[12..], littleEndian);
                    uint original = Read32(body[16..], littleEndian);
                    if (ifIndex >= (uint)interfaces.Count || captured > body.Length - 20)
                    {
                        Error = new WireError(WireErrorKind.BadField, at + 8);
                        return list;
                    }
                    var (link, units) = interfaces[(int)ifIndex];
                    list.Add(new CaptureRecord(++index, link, ToTime(stamp, units), _file.Slice(at + 28, (int)captured), (int)Math.Min(original, int.MaxValue)));
                    break;
                }
                case 3 when body.Length >= 4 && interfaces.Count > 0: // simple packet block
                {
                    uint original = Read32(body, littleEndian);
                    int captured = (int)Math.Min(original, (uint)(body.Length - 4));
                    list.Add(new CaptureRecord(++index, interfaces[0].Link, DateTimeOffset.UnixEpoch, _file.Slice(at + 12, captured), (int)Math.Min(original, int.MaxValue)));
                    break;
                }
            }
            at += (int)length;
        }
        return list;
    }

    /// <summary>
    /// pcapng §4.2 if_tsresol (option 9): the high bit chooses a power of 2, else of 10; absent means microseconds.
    /// A resolution finer than 2^-63 or 10^-19 cannot be counted in 64 bits and is read as microseconds.
    /// </summary>
    private static ulong TimestampUnits(ReadOnlySpan<byte> options, bool littleEndian)
    {
        const ulong Micro = 1_000_000;
        int at = 0;
        while (options.Length - at >= 4)
        {
            int code = Read16(options[at..], littleEndian);
            int length = Read16(options[(at + 2)..], littleEndian);
            if (code == 0 || length > options.Length - at - 4)
            {
                break;
            }
            if (code == 9 && length >= 1)
            {
                int value = options[at + 4];
                int exponent = value & 0x7F;
                if ((value & 0x80) != 0)
                {
                    return exponent <= 63 ? 1UL << exponent : Micro;
                }
                if (exponent > 19)
                {
                    return Micro;
                }
                ulong units = 1;
                for (int i = 0; i < exponent; i++)
                {
                    units *= 10;
                }
                return units;
            }
            at += 4 + ((length + 3) & ~3);
        }
        return Micro;
    }

    /// <summary>A pcapng timestamp in <paramref name="unitsPerSecond"/>, clamped to what <see cref="DateTimeOffset"/> holds.</summary>
    private static DateTimeOffset ToTime(ulong stamp, ulong unitsPerSecond)
    {
        const ulong MaxSeconds = 253_402_300_799; // 9999-12-31T23:59:59Z
        ulong seconds = stamp / unitsPerSecond;
        if (seconds > MaxSeconds)
        {
            return DateTimeOffset.MaxValue;
        }
        ulong ticks = (ulong)((UInt128)(stamp % unitsPerSecond) * 10_000_000UL / unitsPerSecond);
        return DateTimeOffset.UnixEpoch.AddSeconds(seconds).AddTicks((long)ticks);
    }

    private static uint Read32(ReadOnlySpan<byte> s, bool le) => le ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);

    private static ushort Read16(ReadOnlySpan<byte> s, bool le) => le ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);
}

/// <summary>Finds the IP packet inside a captured frame.</summary>
public static class LinkLayer
{
    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeIPv6 = 0x86DD;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;

    /// <summary>
    /// The offset of the IP header in <paramref name="frame"/>, or an error: not IP, or the link header is cut short.
    /// </summary>
    public static bool TryFindIPPacket(LinkType linkType, ReadOnlySpan<byte> frame, out int offset, out WireError error)
    {
        offset = 0;
        error = WireError.None;
        switch (linkType)
        {
            case LinkType.Raw or LinkType.IPv4 or LinkType.IPv6:
                break; // no link header, but an empty frame still holds no packet (the length check below)
            case LinkType.Null:
                offset = 4;
                break;
            case LinkType.Ethernet:
            {
                int at = 12;
                while (true)
                {
                    if (frame.Length < at + 2)
                    {
                        error = new WireError(WireErrorKind.Truncated, frame.Length);
                        return false;
                    }
                    ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[at..]);
                    if (etherType is EtherTypeVlan or EtherTypeQinQ)
                    {
                        at += 4; // 802.1Q tag: TCI, then the next EtherType
                        continue;
                    }
                    if (etherType is not (EtherTypeIPv4 or EtherTypeIPv6))
                    {
                        error = new WireError(WireErrorKind.BadField, at);
                        return false;
                    }
                    offset = at + 2;
                    break;
                }
                break;
            }
            case LinkType.LinuxSll:
                offset = 16;
                if (!IsIPEtherType(frame, 14, out error))
                {
                    return false;
                }
                break;
            case LinkType.LinuxSll2:
                offset = 20;
                if (!IsIPEtherType(frame, 0, out error))
                {
                    return false;
                }
                break;
            default:
                error = new WireError(WireErrorKind.BadField, 0);
                return false;
        }
        if (frame.Length <= offset)
        {
            error = new WireError(WireErrorKind.Truncated, frame.Length);
            return false;
        }
        return true;
    }

    /// <summary>Linux cooked captures name the protocol with an EtherType (SLL: bytes 14–15; SLL2: bytes 0–1).</summary>
    private static bool IsIPEtherType(ReadOnlySpan<byte> frame, int at, out WireError error)
    {
        if (frame.Length < at + 2)
        {
            error = new WireError(WireErrorKind.Truncated, frame.Length);
            return false;
        }
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[at..]);
        error = etherType is EtherTypeIPv4 or EtherTypeIPv6 ? WireError.None : new WireError(WireErrorKind.BadField, at);
        return error.IsNone;
    }
}
