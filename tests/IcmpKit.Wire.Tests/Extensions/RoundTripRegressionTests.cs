using IcmpKit.Wire.Checksum;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;

namespace IcmpKit.Wire.Tests.Extensions;

/// <summary>
/// Regressions from a 12.9-million-input mutation run (write(parse(x)) must keep what was read): each input here
/// is the minimal one the run reported.
/// </summary>
public class RoundTripRegressionTests
{
    private static byte[] WriteBack(IcmpExtensionStructure structure)
    {
        var bytes = new byte[structure.EncodedLength];
        structure.Write(bytes);
        return bytes;
    }

    [Fact]
    public void A_malformed_object_tail_is_kept_and_written_back()
    {
        // One valid MPLS object (8 bytes), then an object header claiming 9 bytes where 4 remain.
        byte[] wire = Convert.FromHexString("200032f100080101000101400009aabb");
        Assert.True(IcmpExtensionStructure.TryParse(wire, out var structure, out _));
        Assert.Single(structure!.Objects);
        Assert.Equal(new WireError(WireErrorKind.BadOptionLength, 12), structure.ObjectError);
        Assert.Equal(Convert.FromHexString("0009aabb"), structure.MalformedTail.ToArray());
        Assert.Equal(wire, WriteBack(structure));
    }

    [Fact]
    public void A_structure_whose_checksum_computes_to_zero_is_written_with_ffff_and_still_verifies()
    {
        byte[] wire = Convert.FromHexString("2000ffff00080101def60000");
        Assert.True(IcmpExtensionStructure.TryParse(wire, out var structure, out _));
        Assert.True(structure!.ChecksumValid);
        byte[] written = WriteBack(structure);
        Assert.Equal(wire, written);
        Assert.True(IcmpExtensionStructure.TryParse(written, out var again, out _));
        Assert.True(again!.ChecksumValid);
    }

    [Fact]
    public void An_interface_name_that_is_not_utf8_is_kept_raw()
    {
        // RFC 5837 object, C-Type = name only: length octet 64, then 63 bytes of 0xFF.
        byte[] obj = [0x00, 68, ExtensionClass.InterfaceInformation, 0x02, 64, .. Enumerable.Repeat((byte)0xFF, 63)];
        var parsed = Assert.IsType<InterfaceInformationObject>(IcmpExtensionObject.FromBytes(obj));
        Assert.Equal(63, parsed.RawName.Length);
        var written = new byte[parsed.EncodedLength];
        parsed.Write(written);
        Assert.Equal(obj, written);

        // RFC 8335 interface identification by name: 8 bytes of 0xFF.
        byte[] byName = [0x00, 12, ExtensionClass.InterfaceIdentification, 1, .. Enumerable.Repeat((byte)0xFF, 8)];
        var id = Assert.IsType<InterfaceIdentificationObject>(IcmpExtensionObject.FromBytes(byName));
        var idWritten = new byte[id.EncodedLength];
        id.Write(idWritten);
        Assert.Equal(byName, idWritten);
    }

    [Fact]
    public void A_name_with_unusual_padding_is_written_back_as_read()
    {
        // "eth0" then 8 zero bytes: valid text, but more padding than the writer would make.
        byte[] byName = [0x00, 16, ExtensionClass.InterfaceIdentification, 1, (byte)'e', (byte)'t', (byte)'h', (byte)'0', 0, 0, 0, 0, 0, 0, 0, 0];
        var id = Assert.IsType<InterfaceIdentificationObject>(IcmpExtensionObject.FromBytes(byName));
        Assert.Equal("eth0", id.Name);
        var written = new byte[id.EncodedLength];
        id.Write(written);
        Assert.Equal(byName, written);
    }

    [Fact]
    public void Writers_refuse_names_and_objects_too_long_for_their_length_fields()
    {
        var longName = new InterfaceInformationObject(InterfaceRole.IncomingIPInterface, null, null, new string('x', 64), null);
        Assert.Throws<ArgumentOutOfRangeException>(() => longName.Write(new byte[longName.EncodedLength]));
        var huge = InterfaceIdentificationObject.ForName(new string('x', 70_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => huge.Write(new byte[huge.EncodedLength]));
    }

    [Fact]
    public void A_length_attribute_without_a_structure_is_written_back_as_read()
    {
        // Time exceeded, length attribute 2 (8 bytes of original datagram), nothing after it.
        byte[] message = [11, 0, 0, 0, 0, 2, 0, 0, 0x45, 0, 0, 28, 0, 0, 0, 0];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), InternetChecksum.Compute(message));
        Assert.True(IcmpV4Message.TryParse(message, out var parsed, out _));
        var error = Assert.IsType<IcmpV4Message.TimeExceeded>(parsed);
        Assert.Equal(2, error.KeptLengthAttribute);
        Assert.Equal(message, error.ToArray());
    }

    [Fact]
    public void Redirect_bodies_are_never_read_as_extensions()
    {
        // RFC 4884 extends only destination unreachable, time exceeded and parameter problem (v4). A redirect whose
        // quote holds a checksum-valid version-2 structure at byte 128 keeps it as quoted data.
        var structure = new IcmpExtensionStructure { Objects = [new MplsLabelStackObject([new MplsLabelEntry(16, 0, true, 1)])] };
        var body = new byte[128 + structure.EncodedLength];
        body[0] = 0x45;
        structure.Write(body.AsSpan(128));
        var redirect = new IcmpV4Message.Redirect { OriginalDatagram = body };
        Assert.True(IcmpV4Message.TryParse(redirect.ToArray(), out var parsed, out _));
        var read = Assert.IsType<IcmpV4Message.Redirect>(parsed);
        Assert.Null(read.Extensions);
        Assert.Equal(body, read.OriginalDatagram.ToArray());

        // The same body in a time exceeded is found by the RFC 4884 §5.5 fixed-128 rule.
        var exceeded = new IcmpV4Message.TimeExceeded { OriginalDatagram = body };
        Assert.True(IcmpV4Message.TryParse(exceeded.ToArray(), out var parsedExceeded, out _));
        Assert.Equal(ExtensionLayout.Fixed128, Assert.IsType<IcmpV4Message.TimeExceeded>(parsedExceeded).Layout);
    }
}
