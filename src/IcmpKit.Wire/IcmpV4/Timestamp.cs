using System.Buffers.Binary;
using System.Net;

namespace IcmpKit.Wire.IcmpV4;

public abstract partial record IcmpV4Message
{
    /// <summary>
    /// Timestamp (13) and timestamp reply (14), RFC 792: three 32-bit times in milliseconds since midnight UT.
    /// A value with the high-order bit set is non-standard (RFC 792: "if the time is not available in
    /// milliseconds or cannot be provided with respect to midnight UT").
    /// </summary>
    public sealed record Timestamp(bool IsReply, ushort Identifier, ushort SequenceNumber, uint Originate, uint Receive, uint Transmit) : IcmpV4Message
    {
        public const int Length = 20;

        public override IcmpV4Type Type => IsReply ? IcmpV4Type.TimestampReply : IcmpV4Type.TimestampRequest;
        protected override uint RestOfHeader => ((uint)Identifier << 16) | SequenceNumber;
        protected override int BodyLength => 12;

        public static bool IsNonStandard(uint value) => (value & 0x8000_0000) != 0;

        /// <summary>Milliseconds since midnight UT for <paramref name="time"/>, as RFC 792 defines them.</summary>
        public static uint MillisecondsSinceMidnightUtc(DateTimeOffset time) => (uint)time.UtcDateTime.TimeOfDay.TotalMilliseconds;

        protected override void WriteBody(Span<byte> body)
        {
            BinaryPrimitives.WriteUInt32BigEndian(body, Originate);
            BinaryPrimitives.WriteUInt32BigEndian(body[4..], Receive);
            BinaryPrimitives.WriteUInt32BigEndian(body[8..], Transmit);
        }

        internal static Timestamp? Read(IcmpV4Packet packet, out WireError error)
        {
            var body = packet.Body;
            if (body.Length < 12)
            {
                error = new WireError(WireErrorKind.Truncated, packet.Bytes.Length);
                return null;
            }
            error = WireError.None;
            return new Timestamp(packet.Type == IcmpV4Type.TimestampReply, packet.Identifier, packet.SequenceNumber,
                BinaryPrimitives.ReadUInt32BigEndian(body), BinaryPrimitives.ReadUInt32BigEndian(body[4..]),
                BinaryPrimitives.ReadUInt32BigEndian(body[8..]));
        }
    }

    /// <summary>Address mask request (17) and reply (18), RFC 950 Appendix I: identifier, sequence, 32-bit mask.</summary>
    public sealed record AddressMask(bool IsReply, ushort Identifier, ushort SequenceNumber, IPAddress Mask) : IcmpV4Message
    {
        public override IcmpV4Type Type => IsReply ? IcmpV4Type.AddressMaskReply : IcmpV4Type.AddressMaskRequest;
        protected override uint RestOfHeader => ((uint)Identifier << 16) | SequenceNumber;
        protected override int BodyLength => 4;

        /// <summary>The prefix length when the mask is contiguous, else null.</summary>
        public int? PrefixLength
        {
            get
            {
                Span<byte> bytes = stackalloc byte[4];
                Mask.TryWriteBytes(bytes, out _);
                uint value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
                int ones = System.Numerics.BitOperations.PopCount(value);
                return ones == 0 ? (value == 0 ? 0 : null) : (value == uint.MaxValue << (32 - ones) ? ones : null);
            }
        }

        protected override void WriteBody(Span<byte> body) => Mask.TryWriteBytes(body, out _);

        internal static AddressMask? Read(IcmpV4Packet packet, out WireError error)
        {
            if (packet.Body.Length < 4)
            {
                error = new WireError(WireErrorKind.Truncated, packet.Bytes.Length);
                return null;
            }
            error = WireError.None;
            return new AddressMask(packet.Type == IcmpV4Type.AddressMaskReply, packet.Identifier, packet.SequenceNumber, new IPAddress(packet.Body[..4]));
        }
    }
}
