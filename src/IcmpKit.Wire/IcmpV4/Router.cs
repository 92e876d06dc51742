using System.Buffers.Binary;
using System.Net;

namespace IcmpKit.Wire.IcmpV4;

/// <summary>One router address entry of an RFC 1256 advertisement; preference is a signed 32-bit value.</summary>
public readonly record struct RouterAddressEntry(IPAddress Address, int PreferenceLevel);

public abstract partial record IcmpV4Message
{
    /// <summary>
    /// Router advertisement (type 9, RFC 1256 §3): number of addresses, address entry size (2 words), lifetime
    /// in seconds, then the entries. Entries of a larger size keep only the first two words, as RFC 1256 says.
    /// </summary>
    public sealed record RouterAdvertisement(ushort Lifetime, IReadOnlyList<RouterAddressEntry> Entries, byte AddressEntrySize = 2) : IcmpV4Message
    {
        public override IcmpV4Type Type => IcmpV4Type.RouterAdvertisement;
        protected override uint RestOfHeader
        {
            get
            {
                // RFC 1256 §3: Num Addrs is one octet, and an entry is at least the address and its preference.
                ArgumentOutOfRangeException.ThrowIfGreaterThan(Entries.Count, byte.MaxValue, nameof(Entries));
                ArgumentOutOfRangeException.ThrowIfLessThan(AddressEntrySize, (byte)2, nameof(AddressEntrySize));
                return ((uint)Entries.Count << 24) | ((uint)AddressEntrySize << 16) | Lifetime;
            }
        }
        protected override int BodyLength => Entries.Count * AddressEntrySize * 4;

        protected override void WriteBody(Span<byte> body)
        {
            body.Clear();
            for (int i = 0; i < Entries.Count; i++)
            {
                var slot = body[(i * AddressEntrySize * 4)..];
                Entries[i].Address.TryWriteBytes(slot, out _);
                BinaryPrimitives.WriteInt32BigEndian(slot[4..], Entries[i].PreferenceLevel);
            }
        }

        internal static RouterAdvertisement? Read(IcmpV4Packet packet, out WireError error)
        {
            int count = packet.Bytes[4];
            int size = packet.Bytes[5];
            // RFC 1256 §3: Addr Entry Size is 2 or more; fewer words cannot hold an address and preference.
            if (size < 2)
            {
                error = new WireError(WireErrorKind.BadField, 5);
                return null;
            }
            if (packet.Body.Length < count * size * 4)
            {
                error = new WireError(WireErrorKind.LengthBeyondBuffer, 4);
                return null;
            }
            var entries = new RouterAddressEntry[count];
            for (int i = 0; i < count; i++)
            {
                var slot = packet.Body[(i * size * 4)..];
                entries[i] = new RouterAddressEntry(new IPAddress(slot[..4]), BinaryPrimitives.ReadInt32BigEndian(slot[4..]));
            }
            error = WireError.None;
            return new RouterAdvertisement(BinaryPrimitives.ReadUInt16BigEndian(packet.Bytes[6..]), entries, (byte)size);
        }
    }

    /// <summary>Router solicitation (type 10, RFC 1256 §3): a reserved word only.</summary>
    public sealed record RouterSolicitation : IcmpV4Message
    {
        public uint Reserved { get; init; }
        public override IcmpV4Type Type => IcmpV4Type.RouterSolicitation;
        protected override uint RestOfHeader => Reserved;
        protected override int BodyLength => 0;
        protected override void WriteBody(Span<byte> body)
        {
        }
    }

    /// <summary>
    /// Traceroute (type 30, RFC 1393 §2.2): ID number, unused, outbound and return hop counts, output link
    /// speed (bytes per second) and MTU. Code 0: forwarded; 1: no route, discarded.
    /// </summary>
    public sealed record Traceroute(ushort IdNumber, ushort OutboundHopCount, ushort ReturnHopCount, uint OutputLinkSpeed, uint OutputLinkMtu) : IcmpV4Message
    {
        public override IcmpV4Type Type => IcmpV4Type.Traceroute;
        /// <summary>The 16 unused bits after the ID number, kept as read.</summary>
        public ushort Unused { get; init; }

        protected override uint RestOfHeader => ((uint)IdNumber << 16) | Unused;
        protected override int BodyLength => 12;

        protected override void WriteBody(Span<byte> body)
        {
            BinaryPrimitives.WriteUInt16BigEndian(body, OutboundHopCount);
            BinaryPrimitives.WriteUInt16BigEndian(body[2..], ReturnHopCount);
            BinaryPrimitives.WriteUInt32BigEndian(body[4..], OutputLinkSpeed);
            BinaryPrimitives.WriteUInt32BigEndian(body[8..], OutputLinkMtu);
        }

        internal static Traceroute? Read(IcmpV4Packet packet, out WireError error)
        {
            var body = packet.Body;
            if (body.Length < 12)
            {
                error = new WireError(WireErrorKind.Truncated, packet.Bytes.Length);
                return null;
            }
            error = WireError.None;
            return new Traceroute(packet.Identifier, BinaryPrimitives.ReadUInt16BigEndian(body), BinaryPrimitives.ReadUInt16BigEndian(body[2..]),
                BinaryPrimitives.ReadUInt32BigEndian(body[4..]), BinaryPrimitives.ReadUInt32BigEndian(body[8..]))
            { Unused = packet.SequenceNumber };
        }
    }
}
