using System.Buffers.Binary;
using CsCheck;
using IcmpKit.Wire.Capture;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Wire.Tests.Properties;

/// <summary>Random bytes into every entry point never throw; a valid prefix is added so the deeper code runs.</summary>
public class HostileBytesProperties
{
    private static readonly Gen<byte[]> AnyBytes = Gen.Byte.Array[0, 2000];

    [Fact]
    public void Random_bytes_never_throw() => AnyBytes.Sample(EntryPoints.All, iter: 500);

    [Fact]
    public void Random_bytes_behind_a_valid_IPv4_header_never_throw() =>
        Gen.Select(Gen.Byte.Array[20, 600], Gen.Byte[5, 15], Gen.OneOf(Gen.Const((byte)1), Gen.Const((byte)17), Gen.Const((byte)6), Gen.Byte), Gen.Bool)
            .Sample((bytes, ihl, protocol, fragment) =>
            {
                ihl = (byte)Math.Min(ihl, bytes.Length / 4);
                bytes[0] = (byte)(0x40 | ihl);
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)bytes.Length);
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(6), (ushort)(fragment ? bytes[6] & 0x1F : 0));
                bytes[9] = protocol;
                EntryPoints.All(bytes);
                // And as a quote inside an ICMP error body.
                EntryPoints.Icmp([3, 3, 0, 0, 0, 0, 0, 0, .. bytes]);
                EntryPoints.Icmp([11, 0, 0, 0, 0, 0x20, 0, 0, .. bytes]);
            }, iter: 500);

    private static readonly byte[] NextHeaders =
        [IPProtocol.HopByHop, IPProtocol.Routing, IPProtocol.Fragment, IPProtocol.DestinationOptions, IPProtocol.AuthenticationHeader, IPProtocol.IcmpV6, IPProtocol.Udp, IPProtocol.Mobility];

    [Fact]
    public void Random_bytes_behind_a_valid_IPv6_header_never_throw() =>
        Gen.Select(Gen.Byte.Array[40, 800], Gen.Int[0, NextHeaders.Length - 1], Gen.Bool)
            .Sample((bytes, next, chain) =>
            {
                bytes[0] = 0x60;
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), (ushort)(bytes.Length - 40));
                bytes[6] = NextHeaders[next];
                if (chain)
                {
                    // Make each following extension header name another walkable one, with a small length.
                    for (int at = 40; at + 1 < bytes.Length; at += 8)
                    {
                        bytes[at] = NextHeaders[bytes[at] % NextHeaders.Length];
                        bytes[at + 1] = 0;
                    }
                }
                EntryPoints.All(bytes);
                EntryPoints.Icmp([1, 4, 0, 0, 0, 0, 0, 0, .. bytes]);
                EntryPoints.Icmp([3, 0, 0, 0, 0x05, 0, 0, 0, .. bytes]);
                EntryPoints.Icmp([137, 0, 0, 0, 0, 0, 0, 0, .. new byte[32], 4, (byte)((bytes.Length + 8) / 8), 0, 0, 0, 0, 0, 0, .. bytes]);
            }, iter: 500);

    [Fact]
    public void Random_bytes_behind_an_extension_structure_header_never_throw() =>
        Gen.Byte.Array[0, 300].Sample(bytes => EntryPoints.All([0x20, 0, 0, 0, .. bytes]), iter: 300);

    [Fact]
    public void Random_bytes_behind_capture_headers_never_throw() =>
        Gen.Select(Gen.Byte.Array[0, 600], Gen.Int[0, 3]).Sample((body, kind) =>
        {
            byte[] header = kind switch
            {
                0 => [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0],
                1 => [0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 113],
                // pcapng: section header (28 bytes) and an interface description (20 bytes, Ethernet)
                2 => [0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0,
                      1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 0, 20, 0, 0, 0],
                _ => [0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28, 0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28],
            };
            byte[] file = [.. header, .. body];
            EntryPoints.Capture(file);
            if (kind == 2 && body.Length >= 28)
            {
                // An enhanced packet block whose lengths are consistent, so its fields are reached.
                int length = 28 + ((body.Length - 28) & ~3) + 4;
                byte[] epb = [.. body[..(length - 4)], 0, 0, 0, 0];
                BinaryPrimitives.WriteUInt32LittleEndian(epb, 6);
                BinaryPrimitives.WriteUInt32LittleEndian(epb.AsSpan(4), (uint)length);
                byte[] withPacket = [.. header, .. epb];
                Assert.True(new CaptureReader(withPacket).Records().Count <= 1);
            }
        }, iter: 500);
}
