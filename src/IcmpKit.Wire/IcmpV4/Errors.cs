using System.Buffers.Binary;
using System.Net;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.Quoting;

namespace IcmpKit.Wire.IcmpV4;

public abstract partial record IcmpV4Message
{
    /// <summary>
    /// The error types (RFC 792, RFC 1122 §3.2.2): each quotes the original datagram and, for types 3, 11 and 12,
    /// may carry RFC 4884 extensions after it, found through the length attribute (byte 5, 32-bit words).
    /// </summary>
    public abstract record ErrorMessage : IcmpV4Message
    {
        private const int WordSize = 4; // RFC 4884 §4.1: ICMPv4 counts the original datagram in 32-bit words

        /// <summary>The original datagram field (with RFC 4884 padding, if any).</summary>
        public ReadOnlyMemory<byte> OriginalDatagram { get; init; }

        public IcmpExtensionStructure? Extensions { get; init; }

        public ExtensionLayout Layout { get; init; }

        /// <summary>True when the length attribute pointed past the message, or at bytes that were not a structure.</summary>
        public bool LengthAttributeInvalid { get; init; }

        /// <summary>A non-zero length attribute read with no structure after it, written back as read.</summary>
        public byte KeptLengthAttribute { get; init; }

        /// <summary>The length attribute as it will be written.</summary>
        public byte LengthAttribute => HasLengthAttribute ? Multipart.LengthAttribute(WordSize) : (byte)0;

        /// <summary>The quoted datagram, parsed (allocates on each access).</summary>
        public QuotedDatagram Quote => QuotedDatagram.Parse(OriginalDatagram);

        /// <summary>RFC 4884 §4.1 gives types 3, 11 and 12 a length attribute; redirect and source quench have none.</summary>
        protected virtual bool HasLengthAttribute => true;

        private MultipartBody Multipart => new() { OriginalDatagram = OriginalDatagram, Extensions = Extensions, Layout = Layout, KeptLengthAttribute = KeptLengthAttribute };

        protected override int BodyLength => Multipart.EncodedLength(WordSize);

        protected override void WriteBody(Span<byte> body) => Multipart.Write(body, WordSize);

        internal static ErrorMessage Read(IcmpV4Packet packet, ReadOnlyMemory<byte> owned)
        {
            bool hasLength = packet.Type is IcmpV4Type.DestinationUnreachable or IcmpV4Type.TimeExceeded or IcmpV4Type.ParameterProblem;
            var body = MultipartBody.Parse(owned[IcmpV4Packet.Field.Body..], hasLength ? packet.LengthAttribute : 0, WordSize, extensible: hasLength);
            ErrorMessage message = packet.Type switch
            {
                IcmpV4Type.DestinationUnreachable => new DestinationUnreachable { NextHopMtu = packet.NextHopMtu, Unused = packet.Bytes[4] },
                IcmpV4Type.TimeExceeded => new TimeExceeded { Unused = packet.RestOfHeader & TimeExceeded.UnusedMask },
                IcmpV4Type.ParameterProblem => new ParameterProblem { Pointer = packet.Pointer, Unused = (ushort)packet.RestOfHeader },
                IcmpV4Type.Redirect => new Redirect { Gateway = new IPAddress(packet.GatewayBytes) },
                _ => new SourceQuench { Unused = packet.RestOfHeader },
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

    /// <summary>
    /// Destination unreachable (type 3, codes 0–15). For code 4 (fragmentation needed), the next-hop MTU of
    /// RFC 1191 §4 in the low 16 bits; 0 from a router older than RFC 1191.
    /// </summary>
    public sealed record DestinationUnreachable : ErrorMessage
    {
        public override IcmpV4Type Type => IcmpV4Type.DestinationUnreachable;

        public ushort NextHopMtu { get; init; }

        /// <summary>The first byte of the second word, unused by RFC 792.</summary>
        public byte Unused { get; init; }

        public IcmpV4UnreachableCode UnreachableCode => (IcmpV4UnreachableCode)Code;

        protected override uint RestOfHeader => ((uint)Unused << 24) | ((uint)LengthAttribute << 16) | NextHopMtu;
    }

    /// <summary>Time exceeded (type 11): code 0 TTL exceeded in transit, 1 fragment reassembly time exceeded.</summary>
    public sealed record TimeExceeded : ErrorMessage
    {
        /// <summary>The bits of the second word around the length attribute (byte 5): byte 4 and bytes 6–7.</summary>
        internal const uint UnusedMask = 0xFF00_FFFF;

        public override IcmpV4Type Type => IcmpV4Type.TimeExceeded;

        /// <summary>The second word without the length attribute: byte 4 in the high byte, bytes 6–7 in the low 16 bits.</summary>
        public uint Unused { get; init; }

        public IcmpV4TimeExceededCode TimeExceededCode => (IcmpV4TimeExceededCode)Code;

        protected override uint RestOfHeader => ((uint)LengthAttribute << 16) | (Unused & UnusedMask);
    }

    /// <summary>Parameter problem (type 12): the pointer names the octet of the original datagram at fault (code 0).</summary>
    public sealed record ParameterProblem : ErrorMessage
    {
        public override IcmpV4Type Type => IcmpV4Type.ParameterProblem;

        public byte Pointer { get; init; }

        /// <summary>Bytes 6–7 of the header, unused by RFC 792 and RFC 4884.</summary>
        public ushort Unused { get; init; }

        protected override uint RestOfHeader => ((uint)Pointer << 24) | ((uint)LengthAttribute << 16) | Unused;
    }

    /// <summary>Redirect (type 5, codes 0–3): the gateway to use instead.</summary>
    public sealed record Redirect : ErrorMessage
    {
        public override IcmpV4Type Type => IcmpV4Type.Redirect;

        public IPAddress Gateway { get; init; } = IPAddress.Any;

        protected override bool HasLengthAttribute => false;

        protected override uint RestOfHeader
        {
            get
            {
                Span<byte> bytes = stackalloc byte[4];
                Gateway.TryWriteBytes(bytes, out _);
                return BinaryPrimitives.ReadUInt32BigEndian(bytes);
            }
        }
    }

    /// <summary>Source quench (type 4, RFC 792; deprecated by RFC 6633 but still decoded).</summary>
    public sealed record SourceQuench : ErrorMessage
    {
        public override IcmpV4Type Type => IcmpV4Type.SourceQuench;

        public uint Unused { get; init; }

        protected override bool HasLengthAttribute => false;

        protected override uint RestOfHeader => Unused;
    }
}
