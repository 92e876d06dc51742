using System.Net;
using CsCheck;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;

namespace IcmpKit.Wire.Tests.Properties;

/// <summary>CsCheck generators of valid typed messages: every field random within what the wire can carry.</summary>
internal static class Generators
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789.-";

    public static readonly Gen<byte[]> SmallBytes = Gen.Byte.Array[0, 64];
    public static readonly Gen<IPAddress> IPv4Address = Gen.Byte.Array[4].Select(b => new IPAddress(b));
    public static readonly Gen<IPAddress> IPv6Address = Gen.Byte.Array[16].Select(b => new IPAddress(b));
    public static readonly Gen<IPAddress> AnyAddress = Gen.OneOf(IPv4Address, IPv6Address);
    public static readonly Gen<string> Name = Gen.Int[0, Alphabet.Length - 1].Array[0, 20].Select(ix => new string([.. ix.Select(i => Alphabet[i])]));

    private static Gen<T?> Maybe<T>(Gen<T> gen) where T : class => Gen.OneOf(Gen.Const(default(T)), gen.Select(v => (T?)v));

    private static Gen<uint?> MaybeUInt => Gen.OneOf(Gen.Const(default(uint?)), Gen.UInt.Select(v => (uint?)v));

    public static readonly Gen<IcmpExtensionObject> ExtensionObject = Gen.OneOf<IcmpExtensionObject>(
        Gen.Select(Gen.Int[0, 0xFFFFF], Gen.Int[0, 7], Gen.Bool, Gen.Byte, (l, t, s, ttl) => new MplsLabelEntry(l, t, s, ttl))
            .Array[1, 4].Select(e => (IcmpExtensionObject)new MplsLabelStackObject(e)),
        Gen.Select(Gen.Int[0, 3], MaybeUInt, Maybe(AnyAddress), Maybe(Name), MaybeUInt, Gen.Byte[0, 3],
            (role, index, address, name, mtu, reserved) => (IcmpExtensionObject)new InterfaceInformationObject((InterfaceRole)role, index, address, name, mtu, reserved)),
        Name.Select(n => (IcmpExtensionObject)InterfaceIdentificationObject.ForName(n)),
        Gen.UInt.Select(i => (IcmpExtensionObject)InterfaceIdentificationObject.ForIndex(i)),
        AnyAddress.Select(a => (IcmpExtensionObject)InterfaceIdentificationObject.ForAddress(a)),
        Gen.Select(Gen.OneOf(Gen.Const((byte)0), Gen.Byte[4, 255]), Gen.Byte, Gen.Byte.Array[0, 12],
            (c, t, p) => (IcmpExtensionObject)new UnknownExtensionObject(c, t, p)));

    public static readonly Gen<IcmpExtensionStructure> Structure =
        ExtensionObject.Array[0, 4].Select(o => new IcmpExtensionStructure { Objects = o });

    /// <summary>An original datagram with or without extensions; without, short enough never to look like RFC 4884 §5.5.</summary>
    private static readonly Gen<(byte[] Datagram, IcmpExtensionStructure? Extensions)> ErrorBody = Gen.OneOf(
        Gen.Byte.Array[0, 100].Select(d => (d, (IcmpExtensionStructure?)null)),
        Gen.Select(Gen.Byte.Array[0, 200], Structure, (d, s) => (d, (IcmpExtensionStructure?)s)));

    public static readonly Gen<IcmpV4Message> IcmpV4 = Gen.OneOf<IcmpV4Message>(
        Gen.Select(Gen.UShort, Gen.UShort, SmallBytes, Gen.Byte, (i, s, d, c) => (IcmpV4Message)new IcmpV4Message.EchoRequest(i, s, d) { Code = c }),
        Gen.Select(Gen.UShort, Gen.UShort, SmallBytes, (i, s, d) => (IcmpV4Message)new IcmpV4Message.EchoReply(i, s, d)),
        Gen.Select(Gen.Bool, Gen.UShort, Gen.UShort, (r, i, s) => (IcmpV4Message)new IcmpV4Message.Information(r, i, s)),
        Gen.Select(Gen.Bool, Gen.UShort, Gen.UShort, Gen.UInt, Gen.UInt, Gen.UInt, (r, i, s, o, rx, tx) => (IcmpV4Message)new IcmpV4Message.Timestamp(r, i, s, o, rx, tx)),
        Gen.Select(Gen.Bool, Gen.UShort, Gen.UShort, IPv4Address, (r, i, s, m) => (IcmpV4Message)new IcmpV4Message.AddressMask(r, i, s, m)),
        Gen.Select(Gen.UShort, Gen.Select(IPv4Address, Gen.Int, (a, p) => new IcmpKit.Wire.IcmpV4.RouterAddressEntry(a, p)).Array[0, 5], Gen.Byte[2, 4],
            (l, e, size) => (IcmpV4Message)new IcmpV4Message.RouterAdvertisement(l, e, size)),
        Gen.UInt.Select(r => (IcmpV4Message)new IcmpV4Message.RouterSolicitation { Reserved = r }),
        Gen.Select(Gen.UShort, Gen.UShort, Gen.UShort, Gen.UInt, Gen.UInt, Gen.Byte[0, 1], (i, o, r, s, m, c) => (IcmpV4Message)new IcmpV4Message.Traceroute(i, o, r, s, m) { Code = c }),
        Gen.Select(Gen.UShort, Gen.Byte, Gen.Bool, Structure, Gen.Byte[0, 127], (i, s, l, x, r) => (IcmpV4Message)new IcmpV4Message.ExtendedEchoRequest(i, s, l, x) { Reserved = r }),
        Gen.Select(Gen.UShort, Gen.Byte, Gen.Bool, Gen.Byte.Array[0, 3], (i, s, l, t) => (IcmpV4Message)new IcmpV4Message.ExtendedEchoRequest(i, s, l, null) { Trailing = t }),
        Gen.Select(Gen.UShort, Gen.Byte, Gen.Byte[0, 7], Gen.Byte[0, 3], Gen.Byte, Gen.Bool.Array[3], SmallBytes,
            (i, s, st, r, c, f, t) => (IcmpV4Message)new IcmpV4Message.ExtendedEchoReply(i, s, (ExtendedEchoState)st, f[0], f[1], f[2]) { Reserved = r, Code = c, Trailing = t }),
        Gen.Select(ErrorBody, Gen.UShort, Gen.Byte, Gen.Byte[0, 15],
            (b, mtu, unused, c) => (IcmpV4Message)new IcmpV4Message.DestinationUnreachable { OriginalDatagram = b.Datagram, Extensions = b.Extensions, NextHopMtu = mtu, Unused = unused, Code = c }),
        Gen.Select(ErrorBody, Gen.UShort, Gen.Byte[0, 1],
            (b, u, c) => (IcmpV4Message)new IcmpV4Message.TimeExceeded { OriginalDatagram = b.Datagram, Extensions = b.Extensions, Unused = u, Code = c }),
        Gen.Select(ErrorBody, Gen.Byte, Gen.Byte[0, 2],
            (b, p, c) => (IcmpV4Message)new IcmpV4Message.ParameterProblem { OriginalDatagram = b.Datagram, Extensions = b.Extensions, Pointer = p, Code = c }),
        Gen.Select(Gen.Byte.Array[0, 100], IPv4Address, Gen.Byte[0, 3],
            (d, g, c) => (IcmpV4Message)new IcmpV4Message.Redirect { OriginalDatagram = d, Gateway = g, Code = c }),
        Gen.Select(Gen.Byte.Array[0, 100], Gen.UInt, (d, u) => (IcmpV4Message)new IcmpV4Message.SourceQuench { OriginalDatagram = d, Unused = u }),
        Gen.Select(Gen.OneOf(Gen.Const((byte)1), Gen.Const((byte)6), Gen.Const((byte)31), Gen.Const((byte)41), Gen.Byte[44, 255]), Gen.UInt, SmallBytes, Gen.Byte,
            (t, w, b, c) => (IcmpV4Message)new IcmpV4Message.Unknown((IcmpV4Type)t, w, b) { Code = c }));

    public static readonly Gen<NdOption> NdOptionGen = Gen.OneOf<NdOption>(
        Gen.Select(Gen.Bool, Gen.OneOf(Gen.Byte.Array[6], Gen.Byte.Array[14]), (s, a) => (NdOption)new NdLinkLayerAddress(s, a)),
        Gen.Select(Gen.Byte, Gen.Bool, Gen.Bool, Gen.UInt, Gen.UInt, IPv6Address, Gen.Byte[0, 63], Gen.UInt,
            (len, l, a, v, p, prefix, rb, r2) => (NdOption)new NdPrefixInformation(len, l, a, v, p, prefix) { ReservedBits = rb, Reserved2 = r2 }),
        Gen.Select(Gen.UInt, Gen.UShort, (m, r) => (NdOption)new NdMtu(m) { Reserved = r }),
        Gen.Select(Gen.Int[0, 6], Gen.Byte.Array[6], (words, r) => (NdOption)new NdRedirectedHeader(new byte[words * 8]) { Reserved = r }),
        Gen.Select(Gen.OneOf(Gen.Byte[6, 255]), Gen.OneOf(Gen.Byte.Array[6], Gen.Byte.Array[14], Gen.Byte.Array[22]), (t, d) => (NdOption)new NdUnknownOption(t, d)));

    private static readonly Gen<NdOption[]> NdOptions = NdOptionGen.Array[0, 4];

    private static readonly Gen<(byte[] Datagram, IcmpExtensionStructure? Extensions)> ErrorBodyV6 = Gen.OneOf(
        Gen.Byte.Array[0, 100].Select(d => (d, (IcmpExtensionStructure?)null)),
        Gen.Select(Gen.Byte.Array[0, 300], Structure, (d, s) => (d, (IcmpExtensionStructure?)s)));

    public static readonly Gen<IcmpV6Message> IcmpV6 = Gen.OneOf<IcmpV6Message>(
        Gen.Select(Gen.UShort, Gen.UShort, SmallBytes, (i, s, d) => (IcmpV6Message)new IcmpV6Message.EchoRequest(i, s, d)),
        Gen.Select(Gen.UShort, Gen.UShort, SmallBytes, Gen.Byte, (i, s, d, c) => (IcmpV6Message)new IcmpV6Message.EchoReply(i, s, d) { Code = c }),
        Gen.Select(ErrorBodyV6, Gen.UInt[0, 0xFFFFFF], Gen.Byte[0, 8],
            (b, u, c) => (IcmpV6Message)new IcmpV6Message.DestinationUnreachable { OriginalDatagram = b.Datagram, Extensions = b.Extensions, Unused = u, Code = c }),
        Gen.Select(ErrorBodyV6, Gen.UInt[0, 0xFFFFFF], Gen.Byte[0, 1],
            (b, u, c) => (IcmpV6Message)new IcmpV6Message.TimeExceeded { OriginalDatagram = b.Datagram, Extensions = b.Extensions, Unused = u, Code = c }),
        Gen.Select(Gen.Byte.Array[0, 100], Gen.UInt, (d, m) => (IcmpV6Message)new IcmpV6Message.PacketTooBig { OriginalDatagram = d, Mtu = m }),
        Gen.Select(Gen.Byte.Array[0, 100], Gen.UInt, Gen.Byte[0, 10], (d, p, c) => (IcmpV6Message)new IcmpV6Message.ParameterProblem { OriginalDatagram = d, Pointer = p, Code = c }),
        Gen.Select(NdOptions, Gen.UInt, (o, r) => (IcmpV6Message)new IcmpV6Message.RouterSolicitation(o) { Reserved = r }),
        Gen.Select(Gen.Byte, Gen.Byte, Gen.UShort, Gen.UInt, Gen.UInt, NdOptions,
            (h, f, l, re, rt, o) => (IcmpV6Message)new IcmpV6Message.RouterAdvertisement(h, f, l, re, rt, o)),
        Gen.Select(IPv6Address, NdOptions, Gen.UInt, (t, o, r) => (IcmpV6Message)new IcmpV6Message.NeighborSolicitation(t, o) { Reserved = r }),
        Gen.Select(Gen.Bool.Array[3], IPv6Address, NdOptions, Gen.UInt[0, 0x1FFF_FFFF],
            (f, t, o, r) => (IcmpV6Message)new IcmpV6Message.NeighborAdvertisement(f[0], f[1], f[2], t, o) { Reserved = r }),
        Gen.Select(IPv6Address, IPv6Address, NdOptions, Gen.UInt, (t, d, o, r) => (IcmpV6Message)new IcmpV6Message.Redirect(t, d, o) { Reserved = r }),
        Gen.Select(Gen.UShort, Gen.Byte, Gen.Bool, Structure, Gen.Byte[0, 127], (i, s, l, x, r) => (IcmpV6Message)new IcmpV6Message.ExtendedEchoRequest(i, s, l, x) { Reserved = r }),
        Gen.Select(Gen.UShort, Gen.Byte, Gen.Bool, Gen.Byte.Array[0, 3], (i, s, l, t) => (IcmpV6Message)new IcmpV6Message.ExtendedEchoRequest(i, s, l, null) { Trailing = t }),
        Gen.Select(Gen.UShort, Gen.Byte, Gen.Byte[0, 7], Gen.Byte[0, 3], Gen.Byte, Gen.Bool.Array[3], SmallBytes,
            (i, s, st, r, c, f, t) => (IcmpV6Message)new IcmpV6Message.ExtendedEchoReply(i, s, (ExtendedEchoState)st, f[0], f[1], f[2]) { Reserved = r, Code = c, Trailing = t }),
        Gen.Select(Gen.OneOf(Gen.Byte[5, 127], Gen.Byte[130, 132], Gen.Byte[138, 159], Gen.Byte[162, 255]), Gen.UInt, SmallBytes, Gen.Byte,
            (t, w, b, c) => (IcmpV6Message)new IcmpV6Message.Unknown((IcmpV6Type)t, w, b) { Code = c }));
}
