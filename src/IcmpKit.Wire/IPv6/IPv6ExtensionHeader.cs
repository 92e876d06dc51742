using System.Buffers.Binary;

namespace IcmpKit.Wire.IPv6;

/// <summary>An IPv6 extension header as a value (RFC 8200 §4), its bytes kept whole.</summary>
public record IPv6ExtensionHeader(byte HeaderType, byte NextHeader, ReadOnlyMemory<byte> Bytes)
{
    public string Name => IPProtocol.NameOf(HeaderType);

    public static IPv6ExtensionHeader FromBytes(byte type, ReadOnlySpan<byte> bytes) => type switch
    {
        IPProtocol.Fragment => new IPv6FragmentHeader(
            bytes[0],
            (ushort)(BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]) >> 3),
            (bytes[3] & 1) != 0,
            BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]),
            bytes.ToArray()),
        IPProtocol.Routing when bytes.Length >= 4 => new IPv6RoutingHeader(bytes[0], bytes[2], bytes[3], bytes.ToArray()),
        IPProtocol.HopByHop or IPProtocol.DestinationOptions => new IPv6OptionsHeader(type, bytes[0], IPv6Option.ParseAll(bytes[2..]), bytes.ToArray()),
        _ => new IPv6ExtensionHeader(type, bytes[0], bytes.ToArray()),
    };
}

/// <summary>Fragment header (RFC 8200 §4.5): offset in 8-octet units, M flag, identification.</summary>
public sealed record IPv6FragmentHeader(byte Next, ushort FragmentOffset, bool MoreFragments, uint Identification, ReadOnlyMemory<byte> Raw)
    : IPv6ExtensionHeader(IPProtocol.Fragment, Next, Raw);

/// <summary>Routing header (RFC 8200 §4.4): routing type and segments left; the type-specific data stays in <see cref="IPv6ExtensionHeader.Bytes"/>.</summary>
public sealed record IPv6RoutingHeader(byte Next, byte RoutingType, byte SegmentsLeft, ReadOnlyMemory<byte> Raw)
    : IPv6ExtensionHeader(IPProtocol.Routing, Next, Raw);

/// <summary>Hop-by-hop or destination options header (RFC 8200 §4.2–4.3).</summary>
public sealed record IPv6OptionsHeader(byte Type, byte Next, IReadOnlyList<IPv6Option> Options, ReadOnlyMemory<byte> Raw)
    : IPv6ExtensionHeader(Type, Next, Raw);

/// <summary>
/// One TLV option of a hop-by-hop or destination options header (RFC 8200 §4.2). Pad1 (type 0) is a single
/// byte; any other option has a length byte. <see cref="Malformed"/> marks an option that overran the header.
/// </summary>
public sealed record IPv6Option(byte OptionType, ReadOnlyMemory<byte> Data, bool Malformed = false)
{
    public const byte Pad1 = 0;
    public const byte PadN = 1;
    public const byte RouterAlert = 5;
    public const byte Jumbo = 0xC2;

    /// <summary>RFC 8200 §4.2: the two high-order bits say what a node that does not know the option must do.</summary>
    public int ActionIfUnrecognized => OptionType >> 6;

    public static IReadOnlyList<IPv6Option> ParseAll(ReadOnlySpan<byte> area)
    {
        var list = new List<IPv6Option>();
        int at = 0;
        while (at < area.Length)
        {
            byte type = area[at];
            if (type == Pad1)
            {
                list.Add(new IPv6Option(Pad1, ReadOnlyMemory<byte>.Empty));
                at++;
                continue;
            }
            if (at + 2 > area.Length || at + 2 + area[at + 1] > area.Length)
            {
                list.Add(new IPv6Option(type, area[at..].ToArray(), Malformed: true));
                break;
            }
            int length = area[at + 1];
            list.Add(new IPv6Option(type, area.Slice(at + 2, length).ToArray()));
            at += 2 + length;
        }
        return list;
    }
}
