using System.Buffers.Binary;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Wire.Quoting;

/// <summary>
/// The first bytes of the transport header inside a quoted datagram: as much as RFC 792's 8 bytes tell.
/// </summary>
public abstract record QuotedTransport;

/// <summary>A quoted ICMP or ICMPv6 message: type, code and, for echo and extended echo, identifier and sequence.</summary>
public sealed record QuotedIcmp(byte Type, byte Code, ushort Checksum, ushort Identifier, ushort SequenceNumber, bool IsV6) : QuotedTransport;

/// <summary>A quoted UDP header (RFC 768): ports, length and checksum.</summary>
public sealed record QuotedUdp(ushort SourcePort, ushort DestinationPort, ushort Length, ushort Checksum) : QuotedTransport;

/// <summary>A quoted TCP header (RFC 9293 §3.1): ports and sequence number (the first 8 bytes).</summary>
public sealed record QuotedTcp(ushort SourcePort, ushort DestinationPort, uint SequenceNumber) : QuotedTransport;

/// <summary>
/// The original datagram quoted by an ICMP error, parsed: its IPv4 or IPv6 header (options, extension
/// headers) and the first bytes of its transport header. A quote shorter than its Total Length says is
/// normal. A quote that is not an IP header at all keeps only <see cref="Bytes"/> and <see cref="Error"/>.
/// </summary>
public sealed record QuotedDatagram
{
    public ReadOnlyMemory<byte> Bytes { get; init; }
    public IPv4Header? IPv4 { get; init; }
    public IPv6Header? IPv6 { get; init; }
    public QuotedTransport? Transport { get; init; }

    /// <summary>
    /// The quoted bytes present after the IP header (and IPv6 extension headers), up to the quoted length field:
    /// the transport header, then its payload.
    /// </summary>
    public ReadOnlyMemory<byte> TransportBytes { get; init; }

    /// <summary>True when fewer bytes were quoted than the quoted header's length field says.</summary>
    public bool IsTruncated { get; init; }

    /// <summary>Why the quote could not be read as an IP header, or <see cref="WireError.None"/>.</summary>
    public WireError Error { get; init; }

    public byte? Protocol => IPv4?.Protocol ?? IPv6?.UpperLayerProtocol;

    /// <summary>Parses a quote; never fails, the outcome is in <see cref="Error"/>.</summary>
    public static QuotedDatagram Parse(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        if (span.IsEmpty)
        {
            return new QuotedDatagram { Bytes = bytes, Error = new WireError(WireErrorKind.Truncated, 0) };
        }
        int version = span[0] >> 4;
        if (version == 6)
        {
            if (!IPv6Packet.TryReadQuoted(span, out var packet6, out var error6))
            {
                return new QuotedDatagram { Bytes = bytes, Error = error6 };
            }
            var header6 = IPv6Header.FromPacket(packet6);
            var upper6 = header6.IsNonInitialFragment || header6.ChainTruncated
                ? ReadOnlyMemory<byte>.Empty
                : bytes[Math.Min(header6.UpperLayerOffset, packet6.Bytes.Length)..packet6.Bytes.Length];
            return new QuotedDatagram
            {
                Bytes = bytes,
                IPv6 = header6,
                IsTruncated = packet6.IsTruncated,
                Transport = header6.IsNonInitialFragment ? null : ReadTransport(header6.UpperLayerProtocol, upper6.Span),
                TransportBytes = upper6,
            };
        }
        if (!IPv4Packet.TryReadQuoted(span, out var packet4, out var error4))
        {
            return new QuotedDatagram { Bytes = bytes, Error = error4 };
        }
        var header4 = IPv4Header.FromPacket(packet4);
        var upper4 = bytes[packet4.HeaderLength..packet4.Bytes.Length];
        return new QuotedDatagram
        {
            Bytes = bytes,
            IPv4 = header4,
            IsTruncated = packet4.IsTruncated,
            // RFC 791: only the first fragment carries the transport header.
            Transport = packet4.IsNonInitialFragment ? null : ReadTransport(header4.Protocol, upper4.Span),
            TransportBytes = upper4,
        };
    }

    private static QuotedTransport? ReadTransport(byte protocol, ReadOnlySpan<byte> upper)
    {
        if (upper.Length < 8)
        {
            return null; // RFC 792 promises 8 bytes; fewer is hostile or broken, and nothing is guessed.
        }
        ushort w0 = BinaryPrimitives.ReadUInt16BigEndian(upper);
        ushort w1 = BinaryPrimitives.ReadUInt16BigEndian(upper[2..]);
        ushort w2 = BinaryPrimitives.ReadUInt16BigEndian(upper[4..]);
        ushort w3 = BinaryPrimitives.ReadUInt16BigEndian(upper[6..]);
        return protocol switch
        {
            IPProtocol.Icmp => new QuotedIcmp(upper[0], upper[1], w1, w2, w3, IsV6: false),
            IPProtocol.IcmpV6 => new QuotedIcmp(upper[0], upper[1], w1, w2, w3, IsV6: true),
            IPProtocol.Udp => new QuotedUdp(w0, w1, w2, w3),
            IPProtocol.Tcp => new QuotedTcp(w0, w1, BinaryPrimitives.ReadUInt32BigEndian(upper[4..])),
            _ => null,
        };
    }
}
