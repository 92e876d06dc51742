using IcmpKit.Wire.Extensions;

namespace IcmpKit.Wire.IcmpV4;

public abstract partial record IcmpV4Message
{
    /// <summary>
    /// Extended echo request (type 42, RFC 8335 §2): identifier (16 bits), sequence number (8 bits), 7 reserved
    /// bits and the L bit (probed interface is local to the proxy node), then an extension structure holding an
    /// interface identification object.
    /// </summary>
    public sealed record ExtendedEchoRequest(ushort Identifier, byte SequenceNumber, bool Local, IcmpExtensionStructure? Extensions) : IcmpV4Message
    {
        public override IcmpV4Type Type => IcmpV4Type.ExtendedEchoRequest;

        /// <summary>The 7 reserved bits, kept as read.</summary>
        public byte Reserved { get; init; }

        /// <summary>Body bytes that were not an extension structure (too short), kept as data.</summary>
        public ReadOnlyMemory<byte> Trailing { get; init; }

        /// <summary>The interface identification object, if the structure holds one (RFC 8335 §2: exactly one).</summary>
        public InterfaceIdentificationObject? InterfaceIdentification =>
            Extensions?.Objects.OfType<InterfaceIdentificationObject>().FirstOrDefault();

        protected override uint RestOfHeader => ExtendedEchoWords.Request(Identifier, SequenceNumber, Reserved, Local);
        protected override int BodyLength => (Extensions?.EncodedLength ?? 0) + Trailing.Length;

        protected override void WriteBody(Span<byte> body)
        {
            int at = Extensions?.Write(body) ?? 0;
            Trailing.Span.CopyTo(body[at..]);
        }

        internal static ExtendedEchoRequest Read(IcmpV4Packet packet, ReadOnlyMemory<byte> owned)
        {
            var (identifier, sequence, low) = ExtendedEchoWords.Split(packet.RestOfHeader);
            var body = owned[IcmpV4Packet.Field.Body..];
            _ = IcmpExtensionStructure.TryParse(body.Span, out var structure, out _);
            return new ExtendedEchoRequest(identifier, sequence, (low & 1) != 0, structure)
            {
                Reserved = (byte)(low >> 1),
                Trailing = structure is null ? body : ReadOnlyMemory<byte>.Empty,
            };
        }
    }

    /// <summary>
    /// Extended echo reply (type 43, RFC 8335 §3): identifier, sequence number, State (3 bits), 2 reserved
    /// bits, and the A (active), 4 (IPv4) and 6 (IPv6) bits. Codes: see <see cref="ExtendedEchoReplyCode"/>.
    /// </summary>
    public sealed record ExtendedEchoReply(ushort Identifier, byte SequenceNumber, ExtendedEchoState State, bool Active, bool IPv4, bool IPv6) : IcmpV4Message
    {
        public override IcmpV4Type Type => IcmpV4Type.ExtendedEchoReply;

        public byte Reserved { get; init; }

        public ReadOnlyMemory<byte> Trailing { get; init; }

        public ExtendedEchoReplyCode ReplyCode => (ExtendedEchoReplyCode)Code;

        protected override uint RestOfHeader => ExtendedEchoWords.Reply(Identifier, SequenceNumber, State, Reserved, Active, IPv4, IPv6);
        protected override int BodyLength => Trailing.Length;
        protected override void WriteBody(Span<byte> body) => Trailing.Span.CopyTo(body);

        internal static ExtendedEchoReply Read(IcmpV4Packet packet)
        {
            var (identifier, sequence, low) = ExtendedEchoWords.Split(packet.RestOfHeader);
            var (state, reserved, active, v4, v6) = ExtendedEchoWords.ReplyBits(low);
            return new ExtendedEchoReply(identifier, sequence, state, active, v4, v6)
            {
                Reserved = reserved,
                Trailing = packet.Body.ToArray(),
            };
        }
    }
}

/// <summary>The second header word of RFC 8335 extended echo, the same for ICMPv4 and ICMPv6.</summary>
internal static class ExtendedEchoWords
{
    public static (ushort Identifier, byte Sequence, byte Low) Split(uint word) =>
        ((ushort)(word >> 16), (byte)(word >> 8), (byte)word);

    public static uint Request(ushort identifier, byte sequence, byte reserved, bool local) =>
        ((uint)identifier << 16) | ((uint)sequence << 8) | ((uint)(reserved & 0x7F) << 1) | (local ? 1u : 0u);

    /// <summary>RFC 8335 §3: State(3) Res(2) A(1) 4(1) 6(1), most significant bit first.</summary>
    public static (ExtendedEchoState State, byte Reserved, bool Active, bool IPv4, bool IPv6) ReplyBits(byte low) =>
        ((ExtendedEchoState)(low >> 5), (byte)((low >> 3) & 3), (low & 4) != 0, (low & 2) != 0, (low & 1) != 0);

    public static uint Reply(ushort identifier, byte sequence, ExtendedEchoState state, byte reserved, bool active, bool v4, bool v6) =>
        ((uint)identifier << 16) | ((uint)sequence << 8)
        | ((uint)((byte)state & 7) << 5) | ((uint)(reserved & 3) << 3) | (active ? 4u : 0u) | (v4 ? 2u : 0u) | (v6 ? 1u : 0u);
}
