using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.Quoting;

namespace IcmpKit.Wire.IcmpV6;

public abstract partial record IcmpV6Message
{
    /// <summary>
    /// The ICMPv6 errors (RFC 4443 §3): each quotes as much of the invoking packet as fits in the minimum MTU.
    /// Destination unreachable and time exceeded may carry RFC 4884 extensions (§4.2: length in 64-bit words, byte 4).
    /// </summary>
    public abstract record ErrorMessage : IcmpV6Message
    {
        private const int WordSize = 8;

        public ReadOnlyMemory<byte> OriginalDatagram { get; init; }
        public IcmpExtensionStructure? Extensions { get; init; }
        public ExtensionLayout Layout { get; init; }
        public bool LengthAttributeInvalid { get; init; }

        /// <summary>A non-zero length attribute read with no structure after it, written back as read.</summary>
        public byte KeptLengthAttribute { get; init; }

        public QuotedDatagram Quote => QuotedDatagram.Parse(OriginalDatagram);

        protected virtual bool HasLengthAttribute => true;

        public byte LengthAttribute => HasLengthAttribute ? Multipart.LengthAttribute(WordSize) : (byte)0;

        private MultipartBody Multipart => new() { OriginalDatagram = OriginalDatagram, Extensions = Extensions, Layout = Layout, KeptLengthAttribute = KeptLengthAttribute };

        protected override int BodyLength => Multipart.EncodedLength(WordSize);

        protected override void WriteBody(Span<byte> body) => Multipart.Write(body, WordSize);

        internal static ErrorMessage Read(IcmpV6Packet packet, ReadOnlyMemory<byte> owned)
        {
            bool hasLength = packet.Type is IcmpV6Type.DestinationUnreachable or IcmpV6Type.TimeExceeded;
            var body = MultipartBody.Parse(owned[8..], hasLength ? packet.LengthAttribute : 0, WordSize, extensible: hasLength);
            ErrorMessage message = packet.Type switch
            {
                IcmpV6Type.DestinationUnreachable => new DestinationUnreachable { Unused = (uint)(packet.RestOfHeader & 0x00FF_FFFF) },
                IcmpV6Type.TimeExceeded => new TimeExceeded { Unused = (uint)(packet.RestOfHeader & 0x00FF_FFFF) },
                IcmpV6Type.PacketTooBig => new PacketTooBig { Mtu = packet.Mtu },
                _ => new ParameterProblem { Pointer = packet.Pointer },
            };
            return message with
            {
                OriginalDatagram = body.OriginalDatagram,
                Extensions = body.Extensions,
                Layout = body.Layout,
                LengthAttributeInvalid = body.LengthAttributeInvalid,
                KeptLengthAttribute = body.KeptLengthAttribute,
            };
        }
    }

    /// <summary>Destination unreachable (type 1, codes 0–8).</summary>
    public sealed record DestinationUnreachable : ErrorMessage
    {
        public override IcmpV6Type Type => IcmpV6Type.DestinationUnreachable;

        /// <summary>The 24 bits after the length attribute, unused.</summary>
        public uint Unused { get; init; }

        protected override uint RestOfHeader => ((uint)LengthAttribute << 24) | (Unused & 0x00FF_FFFF);
    }

    /// <summary>Packet too big (type 2, RFC 4443 §3.2): the MTU of the next-hop link.</summary>
    public sealed record PacketTooBig : ErrorMessage
    {
        public override IcmpV6Type Type => IcmpV6Type.PacketTooBig;

        public uint Mtu { get; init; }

        protected override bool HasLengthAttribute => false;

        protected override uint RestOfHeader => Mtu;
    }

    /// <summary>Time exceeded (type 3): code 0 hop limit exceeded, 1 fragment reassembly time exceeded.</summary>
    public sealed record TimeExceeded : ErrorMessage
    {
        public override IcmpV6Type Type => IcmpV6Type.TimeExceeded;

        public uint Unused { get; init; }

        protected override uint RestOfHeader => ((uint)LengthAttribute << 24) | (Unused & 0x00FF_FFFF);
    }

    /// <summary>Parameter problem (type 4, RFC 4443 §3.4): the pointer is the offset of the error in the invoking packet.</summary>
    public sealed record ParameterProblem : ErrorMessage
    {
        public override IcmpV6Type Type => IcmpV6Type.ParameterProblem;

        public uint Pointer { get; init; }

        protected override bool HasLengthAttribute => false;

        protected override uint RestOfHeader => Pointer;
    }
}
