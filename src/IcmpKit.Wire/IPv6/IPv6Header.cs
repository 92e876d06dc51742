using System.Net;
using System.Net.Sockets;

namespace IcmpKit.Wire.IPv6;

/// <summary>An IPv6 header as a value (RFC 8200 §3), with its extension header chain walked.</summary>
public sealed record IPv6Header
{
    public byte TrafficClass { get; init; }
    public int FlowLabel { get; init; }
    public ushort PayloadLength { get; init; }
    public byte NextHeader { get; init; }
    public byte HopLimit { get; init; } = 64;
    public IPAddress Source { get; init; } = IPAddress.IPv6Any;
    public IPAddress Destination { get; init; } = IPAddress.IPv6Any;
    public IReadOnlyList<IPv6ExtensionHeader> ExtensionHeaders { get; init; } = [];

    /// <summary>The protocol after the extension headers (or the header the walk stopped at).</summary>
    public byte UpperLayerProtocol { get; init; }

    /// <summary>Offset of the upper-layer header from the start of the IPv6 header.</summary>
    public int UpperLayerOffset { get; init; } = 40;

    /// <summary>True when a fragment header with a non-zero offset was met: no upper-layer header follows.</summary>
    public bool IsNonInitialFragment { get; init; }

    /// <summary>True when the bytes ended inside the extension header chain.</summary>
    public bool ChainTruncated { get; init; }

    public WireError ChainError { get; init; }

    public static IPv6Header FromPacket(IPv6Packet packet)
    {
        var headers = new List<IPv6ExtensionHeader>();
        var walker = new IPv6ExtensionWalker(packet.NextHeader, packet.Payload);
        while (walker.MoveNext())
        {
            headers.Add(IPv6ExtensionHeader.FromBytes(walker.CurrentType, walker.CurrentBytes));
        }
        return new IPv6Header
        {
            TrafficClass = packet.TrafficClass,
            FlowLabel = packet.FlowLabel,
            PayloadLength = packet.PayloadLength,
            NextHeader = packet.NextHeader,
            HopLimit = packet.HopLimit,
            Source = packet.SourceAddress,
            Destination = packet.DestinationAddress,
            ExtensionHeaders = headers,
            UpperLayerProtocol = walker.NextHeader,
            UpperLayerOffset = IPv6Packet.Field.HeaderLength + walker.Offset,
            IsNonInitialFragment = walker.NonInitialFragment,
            ChainTruncated = walker.Truncated,
            ChainError = walker.Error.Shift(IPv6Packet.Field.HeaderLength),
        };
    }

    public static bool TryParse(ReadOnlySpan<byte> buffer, out IPv6Header? header, out WireError error)
    {
        header = IPv6Packet.TryRead(buffer, out var packet, out error) ? FromPacket(packet) : null;
        return header is not null;
    }

    /// <summary>Bytes <see cref="Write"/> produces: the fixed header and the extension headers.</summary>
    public int HeaderLength => 40 + ExtensionHeaders.Sum(h => h.Bytes.Length);

    /// <summary>Writes the fixed header and the extension headers verbatim.</summary>
    public int Write(Span<byte> destination)
    {
        if (Source.AddressFamily != AddressFamily.InterNetworkV6 || Destination.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException("IPv6 header addresses must be IPv6 addresses.");
        }
        var writer = new IPv6PacketWriter(destination);
        writer.SetVersionClassFlow(TrafficClass, FlowLabel);
        writer.SetPayloadLength(PayloadLength);
        writer.SetNextHeader(NextHeader);
        writer.SetHopLimit(HopLimit);
        Span<byte> address = stackalloc byte[16];
        Source.TryWriteBytes(address, out _);
        writer.SetSourceAddress(address);
        Destination.TryWriteBytes(address, out _);
        writer.SetDestinationAddress(address);
        int at = 40;
        foreach (var header in ExtensionHeaders)
        {
            header.Bytes.Span.CopyTo(destination[at..]);
            at += header.Bytes.Length;
        }
        return at;
    }
}
