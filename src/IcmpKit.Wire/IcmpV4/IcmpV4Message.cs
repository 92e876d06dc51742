using IcmpKit.Wire.Checksum;

namespace IcmpKit.Wire.IcmpV4;

/// <summary>
/// An ICMPv4 message as an immutable value: a sealed hierarchy with one record per IANA type (nested here so a
/// switch reads <c>case IcmpV4Message.TimeExceeded t</c>), and <see cref="Unknown"/> keeping any other type's bytes.
/// </summary>
public abstract partial record IcmpV4Message
{
    public abstract IcmpV4Type Type { get; }

    /// <summary>The code as read or to be written; any value is kept.</summary>
    public byte Code { get; init; }

    /// <summary>The checksum as read (0 for a message built in code; writing always computes it).</summary>
    public ushort Checksum { get; init; }

    /// <summary>True when the checksum verified when read.</summary>
    public bool ChecksumValid { get; init; } = true;

    /// <summary>"TimeExceeded(time to live exceeded in transit)", "TimeExceeded(code 7)".</summary>
    public string DisplayName => IcmpV4Names.Describe(Type, Code);

    /// <summary>The second 32-bit word of the header.</summary>
    protected abstract uint RestOfHeader { get; }

    protected abstract int BodyLength { get; }

    protected abstract void WriteBody(Span<byte> body);

    public int GetEncodedLength() => IcmpV4Packet.Field.HeaderLength + BodyLength;

    /// <summary>Writes the whole message with a fresh checksum. False when <paramref name="destination"/> is too small.</summary>
    public bool TryWrite(Span<byte> destination, out int written)
    {
        int length = GetEncodedLength();
        if (destination.Length < length)
        {
            written = 0;
            return false;
        }
        var target = destination[..length];
        var writer = new IcmpV4PacketWriter(target);
        writer.SetType(Type);
        writer.SetCode(Code);
        writer.SetRestOfHeader(RestOfHeader);
        WriteBody(writer.Body);
        writer.FillChecksum();
        written = length;
        return true;
    }

    /// <summary>Writes into a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[GetEncodedLength()];
        TryWrite(bytes, out _);
        return bytes;
    }

    /// <summary>True for the error types, which quote an original datagram (RFC 1122 §3.2.2).</summary>
    public static bool IsErrorType(IcmpV4Type type) => type is IcmpV4Type.DestinationUnreachable or IcmpV4Type.SourceQuench
        or IcmpV4Type.Redirect or IcmpV4Type.TimeExceeded or IcmpV4Type.ParameterProblem;

    /// <summary>
    /// Parses a whole ICMPv4 message (the IP payload). Fails only when a known type is shorter than its fixed
    /// fields; unknown types become <see cref="Unknown"/>. A bad checksum is reported in <see cref="ChecksumValid"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out IcmpV4Message? message, out WireError error)
    {
        message = null;
        if (!IcmpV4Packet.TryRead(bytes, out var packet, out error))
        {
            return false;
        }
        // The values own their bytes: one copy, shared by every ReadOnlyMemory slice the message keeps.
        ReadOnlyMemory<byte> owned = bytes.ToArray();
        message = packet.Type switch
        {
            IcmpV4Type.EchoRequest or IcmpV4Type.EchoReply => Echo.Read(packet, owned),
            IcmpV4Type.DestinationUnreachable or IcmpV4Type.SourceQuench or IcmpV4Type.Redirect
                or IcmpV4Type.TimeExceeded or IcmpV4Type.ParameterProblem => ErrorMessage.Read(packet, owned),
            IcmpV4Type.TimestampRequest or IcmpV4Type.TimestampReply => Timestamp.Read(packet, out error),
            IcmpV4Type.InformationRequest or IcmpV4Type.InformationReply => Information.Read(packet),
            IcmpV4Type.AddressMaskRequest or IcmpV4Type.AddressMaskReply => AddressMask.Read(packet, out error),
            IcmpV4Type.RouterAdvertisement => RouterAdvertisement.Read(packet, out error),
            IcmpV4Type.RouterSolicitation => new RouterSolicitation { Reserved = packet.RestOfHeader },
            IcmpV4Type.Traceroute => Traceroute.Read(packet, out error),
            IcmpV4Type.ExtendedEchoRequest => ExtendedEchoRequest.Read(packet, owned),
            IcmpV4Type.ExtendedEchoReply => ExtendedEchoReply.Read(packet),
            _ => new Unknown(packet.Type, packet.RestOfHeader, owned[IcmpV4Packet.Field.Body..]),
        };
        if (message is null)
        {
            return false;
        }
        message = message with { Code = packet.Code, Checksum = packet.Checksum, ChecksumValid = InternetChecksum.Verify(bytes) };
        return true;
    }

    /// <summary>Any type IcmpKit does not type: the second header word and the body, kept as data.</summary>
    public sealed record Unknown(IcmpV4Type UnknownType, uint HeaderWord, ReadOnlyMemory<byte> Body) : IcmpV4Message
    {
        public override IcmpV4Type Type => UnknownType;
        protected override uint RestOfHeader => HeaderWord;
        protected override int BodyLength => Body.Length;
        protected override void WriteBody(Span<byte> body) => Body.Span.CopyTo(body);
    }
}
