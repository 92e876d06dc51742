namespace IcmpKit.Wire.IcmpV4;

public abstract partial record IcmpV4Message
{
    /// <summary>Echo and echo reply (RFC 792): identifier, sequence number, data returned whole.</summary>
    public abstract record Echo(ushort Identifier, ushort SequenceNumber, ReadOnlyMemory<byte> Data) : IcmpV4Message
    {
        protected override uint RestOfHeader => ((uint)Identifier << 16) | SequenceNumber;
        protected override int BodyLength => Data.Length;
        protected override void WriteBody(Span<byte> body) => Data.Span.CopyTo(body);

        internal static Echo Read(IcmpV4Packet packet, ReadOnlyMemory<byte> owned)
        {
            var data = owned[IcmpV4Packet.Field.Body..];
            return packet.Type == IcmpV4Type.EchoRequest
                ? new EchoRequest(packet.Identifier, packet.SequenceNumber, data)
                : new EchoReply(packet.Identifier, packet.SequenceNumber, data);
        }
    }

    /// <summary>Type 8.</summary>
    public sealed record EchoRequest(ushort Identifier, ushort SequenceNumber, ReadOnlyMemory<byte> Data)
        : Echo(Identifier, SequenceNumber, Data)
    {
        public override IcmpV4Type Type => IcmpV4Type.EchoRequest;
    }

    /// <summary>Type 0.</summary>
    public sealed record EchoReply(ushort Identifier, ushort SequenceNumber, ReadOnlyMemory<byte> Data)
        : Echo(Identifier, SequenceNumber, Data)
    {
        public override IcmpV4Type Type => IcmpV4Type.EchoReply;
    }

    /// <summary>Information request (15) and reply (16), RFC 792: identifier and sequence number only.</summary>
    public sealed record Information(bool IsReply, ushort Identifier, ushort SequenceNumber) : IcmpV4Message
    {
        public override IcmpV4Type Type => IsReply ? IcmpV4Type.InformationReply : IcmpV4Type.InformationRequest;
        protected override uint RestOfHeader => ((uint)Identifier << 16) | SequenceNumber;
        protected override int BodyLength => 0;
        protected override void WriteBody(Span<byte> body)
        {
        }

        internal static Information Read(IcmpV4Packet packet) =>
            new(packet.Type == IcmpV4Type.InformationReply, packet.Identifier, packet.SequenceNumber);
    }
}
