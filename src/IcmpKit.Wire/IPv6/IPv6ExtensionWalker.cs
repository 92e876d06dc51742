using System.Buffers.Binary;

namespace IcmpKit.Wire.IPv6;

/// <summary>IANA "Assigned Internet Protocol Numbers" values that matter to IcmpKit.</summary>
public static class IPProtocol
{
    public const byte HopByHop = 0;
    public const byte Icmp = 1;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte Routing = 43;
    public const byte Fragment = 44;
    public const byte Esp = 50;
    public const byte AuthenticationHeader = 51;
    public const byte IcmpV6 = 58;
    public const byte NoNextHeader = 59;
    public const byte DestinationOptions = 60;
    public const byte Mobility = 135;
    public const byte Hip = 139;
    public const byte Shim6 = 140;

    /// <summary>True for the headers RFC 8200 §4 (and RFC 7045) walk as extension headers with a length we can read.</summary>
    public static bool IsWalkableExtension(byte value) =>
        value is HopByHop or Routing or Fragment or DestinationOptions or AuthenticationHeader or Mobility or Hip or Shim6;

    public static string NameOf(byte value) => value switch
    {
        HopByHop => "hop-by-hop options",
        Icmp => "ICMP",
        Tcp => "TCP",
        Udp => "UDP",
        Routing => "routing",
        Fragment => "fragment",
        Esp => "ESP",
        AuthenticationHeader => "authentication header",
        IcmpV6 => "ICMPv6",
        NoNextHeader => "no next header",
        DestinationOptions => "destination options",
        Mobility => "mobility",
        Hip => "HIP",
        Shim6 => "Shim6",
        _ => $"protocol {value}",
    };
}

/// <summary>
/// Walks the IPv6 extension header chain (RFC 8200 §4). Each step advances by at least 8 bytes, and the walk
/// stops at the first non-extension header (the upper layer), at a non-initial fragment (no upper layer
/// follows), at the end of the bytes present, or on a malformed header.
/// </summary>
public ref struct IPv6ExtensionWalker
{
    /// <summary>A bound on the chain, well above anything legitimate, so hostile chains cost little.</summary>
    public const int MaxHeaders = 32;

    private readonly ReadOnlySpan<byte> _payload;
    private int _count;

    public IPv6ExtensionWalker(byte firstNextHeader, ReadOnlySpan<byte> payload)
    {
        _payload = payload;
        NextHeader = firstNextHeader;
    }

    /// <summary>The header type that follows the current one (after the walk: the upper-layer protocol).</summary>
    public byte NextHeader { get; private set; }

    /// <summary>The current extension header's type.</summary>
    public byte CurrentType { get; private set; }

    /// <summary>Offset of the current header within the payload.</summary>
    public int CurrentOffset { get; private set; }

    /// <summary>The whole current extension header.</summary>
    public ReadOnlySpan<byte> CurrentBytes { get; private set; }

    /// <summary>Offset within the payload of what follows the last header walked.</summary>
    public int Offset { get; private set; }

    /// <summary>True when a fragment header with a non-zero offset was met: no upper-layer header follows.</summary>
    public bool NonInitialFragment { get; private set; }

    /// <summary>True when the bytes ran out inside the chain (normal in a quoted packet).</summary>
    public bool Truncated { get; private set; }

    public WireError Error { get; private set; }

    /// <summary>Walks to the end of the chain; then <see cref="NextHeader"/> and <see cref="Offset"/> name the upper layer.</summary>
    public void SkipToUpperLayer()
    {
        while (MoveNext())
        {
        }
    }

    public bool MoveNext()
    {
        if (NonInitialFragment || Truncated || !Error.IsNone || !IPProtocol.IsWalkableExtension(NextHeader))
        {
            return false;
        }
        if (_count >= MaxHeaders)
        {
            Error = new WireError(WireErrorKind.TooManyHeaders, Offset);
            return false;
        }
        var rest = _payload[Offset..];
        if (rest.Length < 2)
        {
            Truncated = true;
            return false;
        }
        int length = NextHeader switch
        {
            IPProtocol.Fragment => 8,
            IPProtocol.AuthenticationHeader => (rest[1] + 2) * 4, // RFC 4302 §2.2: in 4-octet units, minus 2
            _ => (rest[1] + 1) * 8,                               // RFC 8200 §4.3: in 8-octet units, not counting the first 8
        };
        if (length > rest.Length)
        {
            Truncated = true;
            return false;
        }
        _count++;
        CurrentType = NextHeader;
        CurrentOffset = Offset;
        CurrentBytes = rest[..length];
        if (NextHeader == IPProtocol.Fragment && (BinaryPrimitives.ReadUInt16BigEndian(rest[2..]) & 0xFFF8) != 0)
        {
            NonInitialFragment = true;
        }
        NextHeader = rest[0];
        Offset += length;
        return true;
    }
}
