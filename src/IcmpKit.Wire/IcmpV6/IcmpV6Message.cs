using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace IcmpKit.Wire.IcmpV6;

/// <summary>
/// An ICMPv6 message as an immutable value (RFC 4443): a sealed hierarchy with <see cref="Unknown"/> keeping
/// any type not typed here. The checksum covers an IPv6 pseudo-header, so it can be verified and written only
/// when the addresses are known.
/// </summary>
public abstract partial record IcmpV6Message
{
    public abstract IcmpV6Type Type { get; }

    public byte Code { get; init; }

    public ushort Checksum { get; init; }

    /// <summary>True or false when the addresses were given to <see cref="TryParse(ReadOnlySpan{byte}, IPAddress?, IPAddress?, out IcmpV6Message?, out WireError)"/>; null when they were not.</summary>
    public bool? ChecksumValid { get; init; }

    public string DisplayName => IcmpV6Names.Describe(Type, Code);

    protected abstract uint RestOfHeader { get; }

    protected abstract int BodyLength { get; }

    protected abstract void WriteBody(Span<byte> body);

    public int GetEncodedLength() => IcmpV6Packet.Field.HeaderLength + BodyLength;

    /// <summary>RFC 4443 §2.1: types below 128 are errors.</summary>
    public static bool IsErrorType(IcmpV6Type type) => (byte)type < 128;

    /// <summary>
    /// Writes the message. With both addresses the checksum is computed over the pseudo-header (RFC 4443 §2.3);
    /// without them it is left zero, for a socket that fills it (raw with IPV6_CHECKSUM, or datagram ICMP).
    /// </summary>
    public bool TryWrite(Span<byte> destination, IPAddress? source, IPAddress? target, out int written)
    {
        int length = GetEncodedLength();
        if (destination.Length < length)
        {
            written = 0;
            return false;
        }
        var message = destination[..length];
        message[0] = (byte)Type;
        message[1] = Code;
        message[2] = 0;
        message[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(message[4..], RestOfHeader);
        WriteBody(message[8..]);
        if (source is not null && target is not null)
        {
            if (source.AddressFamily != AddressFamily.InterNetworkV6 || target.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw new ArgumentException("ICMPv6 pseudo-header addresses must be IPv6 addresses.");
            }
            Span<byte> src = stackalloc byte[16];
            Span<byte> dst = stackalloc byte[16];
            source.TryWriteBytes(src, out _);
            target.TryWriteBytes(dst, out _);
            BinaryPrimitives.WriteUInt16BigEndian(message[2..], IcmpV6Packet.ComputeChecksum(src, dst, message));
        }
        written = length;
        return true;
    }

    public byte[] ToArray(IPAddress? source = null, IPAddress? target = null)
    {
        var bytes = new byte[GetEncodedLength()];
        TryWrite(bytes, source, target, out _);
        return bytes;
    }

    /// <summary>Parses without verifying the checksum (<see cref="ChecksumValid"/> stays null).</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out IcmpV6Message? message, out WireError error) =>
        TryParse(bytes, null, null, out message, out error);

    /// <summary>Parses, verifying the checksum when both addresses are given.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, IPAddress? source, IPAddress? destination, out IcmpV6Message? message, out WireError error)
    {
        message = null;
        if (!IcmpV6Packet.TryRead(bytes, out var packet, out error))
        {
            return false;
        }
        ReadOnlyMemory<byte> owned = bytes.ToArray();
        message = packet.Type switch
        {
            IcmpV6Type.EchoRequest => new EchoRequest(packet.Identifier, packet.SequenceNumber, owned[8..]),
            IcmpV6Type.EchoReply => new EchoReply(packet.Identifier, packet.SequenceNumber, owned[8..]),
            IcmpV6Type.DestinationUnreachable or IcmpV6Type.PacketTooBig or IcmpV6Type.TimeExceeded
                or IcmpV6Type.ParameterProblem => ErrorMessage.Read(packet, owned),
            IcmpV6Type.RouterSolicitation or IcmpV6Type.RouterAdvertisement or IcmpV6Type.NeighborSolicitation
                or IcmpV6Type.NeighborAdvertisement or IcmpV6Type.Redirect => NeighborDiscovery.Read(packet, owned, out error),
            IcmpV6Type.ExtendedEchoRequest => ExtendedEchoRequest.Read(packet, owned),
            IcmpV6Type.ExtendedEchoReply => ExtendedEchoReply.Read(packet),
            _ => new Unknown(packet.Type, packet.RestOfHeader, owned[8..]),
        };
        if (message is null)
        {
            return false;
        }
        bool? valid = null;
        if (source is not null && destination is not null)
        {
            // Addresses are the caller's, not the packet's: the wrong family is a caller bug, as in TryWrite.
            if (source.AddressFamily != AddressFamily.InterNetworkV6 || destination.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw new ArgumentException("ICMPv6 pseudo-header addresses must be IPv6 addresses.");
            }
            Span<byte> src = stackalloc byte[16];
            Span<byte> dst = stackalloc byte[16];
            source.TryWriteBytes(src, out _);
            destination.TryWriteBytes(dst, out _);
            valid = packet.IsChecksumValid(src, dst);
        }
        message = message with { Code = packet.Code, Checksum = packet.Checksum, ChecksumValid = valid };
        return true;
    }

    /// <summary>Any type not typed here: the type-specific word and the body, kept as data.</summary>
    public sealed record Unknown(IcmpV6Type UnknownType, uint HeaderWord, ReadOnlyMemory<byte> Body) : IcmpV6Message
    {
        public override IcmpV6Type Type => UnknownType;
        protected override uint RestOfHeader => HeaderWord;
        protected override int BodyLength => Body.Length;
        protected override void WriteBody(Span<byte> body) => Body.Span.CopyTo(body);
    }

    /// <summary>Echo request and reply (RFC 4443 §4.1–4.2).</summary>
    public abstract record Echo(ushort Identifier, ushort SequenceNumber, ReadOnlyMemory<byte> Data) : IcmpV6Message
    {
        protected override uint RestOfHeader => ((uint)Identifier << 16) | SequenceNumber;
        protected override int BodyLength => Data.Length;
        protected override void WriteBody(Span<byte> body) => Data.Span.CopyTo(body);
    }

    /// <summary>Type 128.</summary>
    public sealed record EchoRequest(ushort Identifier, ushort SequenceNumber, ReadOnlyMemory<byte> Data) : Echo(Identifier, SequenceNumber, Data)
    {
        public override IcmpV6Type Type => IcmpV6Type.EchoRequest;
    }

    /// <summary>Type 129.</summary>
    public sealed record EchoReply(ushort Identifier, ushort SequenceNumber, ReadOnlyMemory<byte> Data) : Echo(Identifier, SequenceNumber, Data)
    {
        public override IcmpV6Type Type => IcmpV6Type.EchoReply;
    }
}
