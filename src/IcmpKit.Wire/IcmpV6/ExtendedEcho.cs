using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;

namespace IcmpKit.Wire.IcmpV6;

public abstract partial record IcmpV6Message
{
    /// <summary>Extended echo request (type 160, RFC 8335 §2), laid out as for ICMPv4.</summary>
    public sealed record ExtendedEchoRequest(ushort Identifier, byte SequenceNumber, bool Local, IcmpExtensionStructure? Extensions) : IcmpV6Message
    {
        public override IcmpV6Type Type => IcmpV6Type.ExtendedEchoRequest;
        public byte Reserved { get; init; }
        public ReadOnlyMemory<byte> Trailing { get; init; }

        public InterfaceIdentificationObject? InterfaceIdentification =>
            Extensions?.Objects.OfType<InterfaceIdentificationObject>().FirstOrDefault();

        protected override uint RestOfHeader => ExtendedEchoWords.Request(Identifier, SequenceNumber, Reserved, Local);
        protected override int BodyLength => (Extensions?.EncodedLength ?? 0) + Trailing.Length;

        protected override void WriteBody(Span<byte> body)
        {
            int at = Extensions?.Write(body) ?? 0;
            Trailing.Span.CopyTo(body[at..]);
        }

        internal static ExtendedEchoRequest Read(IcmpV6Packet packet, ReadOnlyMemory<byte> owned)
        {
            var (identifier, sequence, low) = ExtendedEchoWords.Split(packet.RestOfHeader);
            var body = owned[8..];
            _ = IcmpExtensionStructure.TryParse(body.Span, out var structure, out _);
            return new ExtendedEchoRequest(identifier, sequence, (low & 1) != 0, structure)
            {
                Reserved = (byte)(low >> 1),
                Trailing = structure is null ? body : ReadOnlyMemory<byte>.Empty,
            };
        }
    }

    /// <summary>Extended echo reply (type 161, RFC 8335 §3).</summary>
    public sealed record ExtendedEchoReply(ushort Identifier, byte SequenceNumber, ExtendedEchoState State, bool Active, bool IPv4, bool IPv6) : IcmpV6Message
    {
        public override IcmpV6Type Type => IcmpV6Type.ExtendedEchoReply;
        public byte Reserved { get; init; }
        public ReadOnlyMemory<byte> Trailing { get; init; }
        public ExtendedEchoReplyCode ReplyCode => (ExtendedEchoReplyCode)Code;

        protected override uint RestOfHeader => ExtendedEchoWords.Reply(Identifier, SequenceNumber, State, Reserved, Active, IPv4, IPv6);
        protected override int BodyLength => Trailing.Length;
        protected override void WriteBody(Span<byte> body) => Trailing.Span.CopyTo(body);

        internal static ExtendedEchoReply Read(IcmpV6Packet packet)
        {
            var (identifier, sequence, low) = ExtendedEchoWords.Split(packet.RestOfHeader);
            var (state, reserved, active, v4, v6) = ExtendedEchoWords.ReplyBits(low);
            return new ExtendedEchoReply(identifier, sequence, state, active, v4, v6) { Reserved = reserved, Trailing = packet.Body.ToArray() };
        }
    }
}
