using System.Buffers.Binary;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Wire.Quoting;

/// <summary>
/// The allocation-free way to match an ICMP error back to the probe that caused it: reads the quoted IP header
/// and the first 8 bytes of its transport header straight from the quote. For engines on the hot path;
/// <see cref="QuotedDatagram"/> is the full, allocating value.
/// </summary>
public readonly ref struct QuotedProbe
{
    /// <summary>The quoted transport protocol (after IPv6 extension headers).</summary>
    public byte Protocol { get; private init; }

    /// <summary>The quoted datagram's destination address bytes (4 or 16).</summary>
    public ReadOnlySpan<byte> DestinationAddress { get; private init; }

    public ReadOnlySpan<byte> SourceAddress { get; private init; }

    /// <summary>The first 8 bytes of the quoted transport header.</summary>
    public ReadOnlySpan<byte> TransportHeader { get; private init; }

    /// <summary>Bytes of the quoted transport header and payload that are present.</summary>
    public ReadOnlySpan<byte> Transport { get; private init; }

    /// <summary>Quoted ICMP: type. UDP/TCP: high byte of the source port.</summary>
    public byte IcmpType => TransportHeader[0];

    /// <summary>Identifier of a quoted ICMP echo (bytes 4–5), or the UDP/TCP source port's counterpart field.</summary>
    public ushort IcmpIdentifier => BinaryPrimitives.ReadUInt16BigEndian(TransportHeader[4..]);

    public ushort IcmpSequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(TransportHeader[6..]);

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(TransportHeader);

    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(TransportHeader[2..]);

    /// <summary>
    /// Reads a quote whose first byte starts an IPv4 or IPv6 header and which carries at least 8 bytes of the
    /// transport header of a first fragment. Anything else is refused with the reason.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> quote, out QuotedProbe probe, out WireError error)
    {
        probe = default;
        if (quote.IsEmpty)
        {
            error = new WireError(WireErrorKind.Truncated, 0);
            return false;
        }
        if (quote[0] >> 4 == 6)
        {
            if (!IPv6Packet.TryReadQuoted(quote, out var v6, out error))
            {
                return false;
            }
            var walker = new IPv6ExtensionWalker(v6.NextHeader, v6.Payload);
            walker.SkipToUpperLayer();
            if (walker.NonInitialFragment || walker.Truncated || !walker.Error.IsNone)
            {
                error = walker.Error.IsNone ? new WireError(WireErrorKind.Truncated, 40 + walker.Offset) : walker.Error.Shift(40);
                return false;
            }
            var upper6 = v6.Payload[walker.Offset..];
            if (upper6.Length < 8)
            {
                error = new WireError(WireErrorKind.Truncated, quote.Length);
                return false;
            }
            probe = new QuotedProbe
            {
                Protocol = walker.NextHeader,
                SourceAddress = v6.SourceAddressBytes,
                DestinationAddress = v6.DestinationAddressBytes,
                TransportHeader = upper6[..8],
                Transport = upper6,
            };
            return true;
        }
        if (!IPv4Packet.TryReadQuoted(quote, out var v4, out error))
        {
            return false;
        }
        if (v4.IsNonInitialFragment || v4.Payload.Length < 8)
        {
            error = new WireError(WireErrorKind.Truncated, quote.Length);
            return false;
        }
        probe = new QuotedProbe
        {
            Protocol = v4.Protocol,
            SourceAddress = v4.SourceAddressBytes,
            DestinationAddress = v4.DestinationAddressBytes,
            TransportHeader = v4.Payload[..8],
            Transport = v4.Payload,
        };
        return true;
    }
}
