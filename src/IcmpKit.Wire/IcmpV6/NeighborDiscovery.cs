using System.Buffers.Binary;
using System.Net;

namespace IcmpKit.Wire.IcmpV6;

public abstract partial record IcmpV6Message
{
    /// <summary>The Neighbor Discovery messages (RFC 4861 §4): fixed fields, then options walked safely.</summary>
    public abstract record NeighborDiscovery(IReadOnlyList<NdOption> Options) : IcmpV6Message
    {
        /// <summary>Bytes of fixed fields after the 8-byte header.</summary>
        protected abstract int FixedLength { get; }

        protected abstract void WriteFixed(Span<byte> fixedPart);

        protected override int BodyLength => FixedLength + Options.Sum(o => o.EncodedLength);

        protected override void WriteBody(Span<byte> body)
        {
            WriteFixed(body[..FixedLength]);
            int at = FixedLength;
            foreach (var option in Options)
            {
                at += option.Write(body[at..]);
            }
        }

        internal static NeighborDiscovery? Read(IcmpV6Packet packet, ReadOnlyMemory<byte> owned, out WireError error)
        {
            int fixedLength = packet.Type switch
            {
                IcmpV6Type.RouterAdvertisement => 8,
                IcmpV6Type.NeighborSolicitation or IcmpV6Type.NeighborAdvertisement => 16,
                IcmpV6Type.Redirect => 32,
                _ => 0,
            };
            var body = owned.Span[8..];
            if (body.Length < fixedLength)
            {
                error = new WireError(WireErrorKind.Truncated, owned.Length);
                return null;
            }
            error = WireError.None;
            var options = NdOption.ParseAll(body[fixedLength..]);
            uint word = packet.RestOfHeader;
            return packet.Type switch
            {
                IcmpV6Type.RouterSolicitation => new RouterSolicitation(options) { Reserved = word },
                IcmpV6Type.RouterAdvertisement => new RouterAdvertisement(
                    (byte)(word >> 24), (byte)(word >> 16), (ushort)word,
                    BinaryPrimitives.ReadUInt32BigEndian(body), BinaryPrimitives.ReadUInt32BigEndian(body[4..]), options),
                IcmpV6Type.NeighborSolicitation => new NeighborSolicitation(new IPAddress(body[..16]), options) { Reserved = word },
                IcmpV6Type.NeighborAdvertisement => new NeighborAdvertisement(
                    (word & 0x8000_0000) != 0, (word & 0x4000_0000) != 0, (word & 0x2000_0000) != 0, new IPAddress(body[..16]), options)
                { Reserved = word & 0x1FFF_FFFF },
                _ => new Redirect(new IPAddress(body[..16]), new IPAddress(body[16..32]), options) { Reserved = word },
            };
        }
    }

    /// <summary>Router solicitation (type 133, RFC 4861 §4.1).</summary>
    public sealed record RouterSolicitation(IReadOnlyList<NdOption> Options) : NeighborDiscovery(Options)
    {
        public uint Reserved { get; init; }
        public override IcmpV6Type Type => IcmpV6Type.RouterSolicitation;
        protected override uint RestOfHeader => Reserved;
        protected override int FixedLength => 0;
        protected override void WriteFixed(Span<byte> fixedPart)
        {
        }
    }

    /// <summary>
    /// Router advertisement (type 134, RFC 4861 §4.2): current hop limit, flags (M, O, and the rest as read),
    /// router lifetime (s), reachable time (ms), retransmission timer (ms).
    /// </summary>
    public sealed record RouterAdvertisement(byte CurrentHopLimit, byte Flags, ushort RouterLifetime, uint ReachableTime, uint RetransmitTimer, IReadOnlyList<NdOption> Options)
        : NeighborDiscovery(Options)
    {
        public bool ManagedAddressConfiguration => (Flags & 0x80) != 0;
        public bool OtherConfiguration => (Flags & 0x40) != 0;
        public override IcmpV6Type Type => IcmpV6Type.RouterAdvertisement;
        protected override uint RestOfHeader => ((uint)CurrentHopLimit << 24) | ((uint)Flags << 16) | RouterLifetime;
        protected override int FixedLength => 8;

        protected override void WriteFixed(Span<byte> fixedPart)
        {
            BinaryPrimitives.WriteUInt32BigEndian(fixedPart, ReachableTime);
            BinaryPrimitives.WriteUInt32BigEndian(fixedPart[4..], RetransmitTimer);
        }
    }

    /// <summary>Neighbor solicitation (type 135, RFC 4861 §4.3): the target address.</summary>
    public sealed record NeighborSolicitation(IPAddress TargetAddress, IReadOnlyList<NdOption> Options) : NeighborDiscovery(Options)
    {
        public uint Reserved { get; init; }
        public override IcmpV6Type Type => IcmpV6Type.NeighborSolicitation;
        protected override uint RestOfHeader => Reserved;
        protected override int FixedLength => 16;
        protected override void WriteFixed(Span<byte> fixedPart) => TargetAddress.TryWriteBytes(fixedPart, out _);
    }

    /// <summary>Neighbor advertisement (type 136, RFC 4861 §4.4): router (R), solicited (S) and override (O) flags, target.</summary>
    public sealed record NeighborAdvertisement(bool Router, bool Solicited, bool Override, IPAddress TargetAddress, IReadOnlyList<NdOption> Options)
        : NeighborDiscovery(Options)
    {
        public uint Reserved { get; init; }
        public override IcmpV6Type Type => IcmpV6Type.NeighborAdvertisement;
        protected override uint RestOfHeader => (Router ? 0x8000_0000u : 0) | (Solicited ? 0x4000_0000u : 0) | (Override ? 0x2000_0000u : 0) | (Reserved & 0x1FFF_FFFF);
        protected override int FixedLength => 16;
        protected override void WriteFixed(Span<byte> fixedPart) => TargetAddress.TryWriteBytes(fixedPart, out _);
    }

    /// <summary>Redirect (type 137, RFC 4861 §4.5): the better first hop (target) and the destination it serves.</summary>
    public sealed record Redirect(IPAddress TargetAddress, IPAddress DestinationAddress, IReadOnlyList<NdOption> Options) : NeighborDiscovery(Options)
    {
        public uint Reserved { get; init; }
        public override IcmpV6Type Type => IcmpV6Type.Redirect;
        protected override uint RestOfHeader => Reserved;
        protected override int FixedLength => 32;

        protected override void WriteFixed(Span<byte> fixedPart)
        {
            TargetAddress.TryWriteBytes(fixedPart, out _);
            DestinationAddress.TryWriteBytes(fixedPart[16..], out _);
        }
    }
}
