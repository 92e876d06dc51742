using System.Net;
using IcmpKit.Wire.Checksum;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using static IcmpKit.Wire.Tests.IcmpV4.V4Wire;

namespace IcmpKit.Wire.Tests.IcmpV4;

public class ExtendedEchoTests
{
    // Scapy has no type-42 fields: "unused" carries identifier 0x1234, sequence 5 and the L bit; the structure
    // (RFC 4884 §7 header, RFC 8335 §2.1 object class 3) is built with scapy.contrib.icmp_extensions, whose
    // ICMPExtensionHeader sums only its own 4 bytes, so the checksum is recomputed over the whole structure.
    // tshark 4.x decodes all three as "Checksum [correct]" for both the ICMP and the extension checksum.
    // /usr/bin/python3 -c "from scapy.all import *; from scapy.contrib.icmp_extensions import *; import struct, socket; s=bytes(ICMPExtensionHeader(chksum=0)/ICMPExtensionObject(classnum=3,classtype=1)/b'eth0'); s=s[:2]+struct.pack('!H',checksum(s))+s[4:]; print(bytes(ICMP(type=42,code=0,unused=0x12340501)/s).hex())"
    private static readonly byte[] ByName = Hex("2a00beca1234050120000f520008030165746830");

    // /usr/bin/python3 -c "from scapy.all import *; from scapy.contrib.icmp_extensions import *; import struct, socket; s=bytes(ICMPExtensionHeader(chksum=0)/ICMPExtensionObject(classnum=3,classtype=2)/struct.pack('!I',2)); s=s[:2]+struct.pack('!H',checksum(s))+s[4:]; print(bytes(ICMP(type=42,code=0,unused=0x12340600)/s).hex())"
    private static readonly byte[] ByIndex = Hex("2a00bdcb123406002000dcf30008030200000002");

    // /usr/bin/python3 -c "from scapy.all import *; from scapy.contrib.icmp_extensions import *; import struct, socket; s=bytes(ICMPExtensionHeader(chksum=0)/ICMPExtensionObject(classnum=3,classtype=3)/(struct.pack('!HBB',1,4,0)+socket.inet_aton('198.18.0.2'))); s=s[:2]+struct.pack('!H',checksum(s))+s[4:]; print(bytes(ICMP(type=42,code=0,unused=0x12340700)/s).hex())"
    private static readonly byte[] ByAddress = Hex("2a00bccb12340700200012db000c030300010400c6120002");

    // State 2 (Reachable), A and 4 bits set: low byte 010 00 1 1 0 = 0x46.
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=43,code=0,unused=0x12340546)).hex())"
    private static readonly byte[] Reply = Hex("2b00bd8512340546");

    // Code 2: no such interface.
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=43,code=2,unused=0x12340600)).hex())"
    private static readonly byte[] ReplyNoSuchInterface = Hex("2b02bcc912340600");

    private static IcmpExtensionStructure Structure(InterfaceIdentificationObject obj) => new() { Objects = [obj] };

    [Fact]
    public void Read_through_the_view()
    {
        Assert.True(IcmpV4Packet.TryRead(ByName, out var icmp, out _));
        Assert.Equal(IcmpV4Type.ExtendedEchoRequest, icmp.Type);
        Assert.Equal(0xbeca, icmp.Checksum);
        Assert.Equal(0x1234, icmp.Identifier);
        Assert.Equal(0x0501, icmp.SequenceNumber);
        Assert.Equal(12, icmp.Body.Length);
        Assert.True(icmp.IsChecksumValid);
        Assert.True(InternetChecksum.Verify(icmp.Body));
        Assert.True(InternetChecksum.Verify(ByIndex.AsSpan(8)));
        Assert.True(InternetChecksum.Verify(ByAddress.AsSpan(8)));
        Assert.False(icmp.IsError);
    }

    [Fact]
    public void Write_requests_from_values()
    {
        Assert.Equal(ByName, Emit(new IcmpV4Message.ExtendedEchoRequest(0x1234, 5, true, Structure(InterfaceIdentificationObject.ForName("eth0")))));
        Assert.Equal(ByIndex, Emit(new IcmpV4Message.ExtendedEchoRequest(0x1234, 6, false, Structure(InterfaceIdentificationObject.ForIndex(2)))));
        Assert.Equal(ByAddress, Emit(new IcmpV4Message.ExtendedEchoRequest(0x1234, 7, false,
            Structure(InterfaceIdentificationObject.ForAddress(IPAddress.Parse("198.18.0.2"))))));
    }

    [Fact]
    public void Write_replies_from_values()
    {
        Assert.Equal(Reply, Emit(new IcmpV4Message.ExtendedEchoReply(0x1234, 5, ExtendedEchoState.Reachable, true, true, false)));
        Assert.Equal(ReplyNoSuchInterface, Emit(new IcmpV4Message.ExtendedEchoReply(0x1234, 6, ExtendedEchoState.Reserved, false, false, false)
        {
            Code = (byte)ExtendedEchoReplyCode.NoSuchInterface,
        }));
    }

    [Fact]
    public void Parse_request_by_name()
    {
        var m = Parse<IcmpV4Message.ExtendedEchoRequest>(ByName);
        Assert.Equal(0x1234, m.Identifier);
        Assert.Equal(5, m.SequenceNumber);
        Assert.True(m.Local);
        Assert.Equal(0, m.Reserved);
        Assert.True(m.Trailing.IsEmpty);
        Assert.Equal(0xbeca, m.Checksum);
        Assert.Equal("ExtendedEchoRequest(no error)", m.DisplayName);
        var ext = m.Extensions!;
        Assert.Equal(2, ext.Version);
        Assert.Equal(0x0f52, ext.Checksum);
        Assert.True(ext.ChecksumValid);
        Assert.True(ext.ObjectError.IsNone);
        var id = m.InterfaceIdentification!;
        Assert.Equal(InterfaceIdentificationKind.ByName, id.Kind);
        Assert.Equal("eth0", id.Name);
        Assert.Null(id.Index);
        Assert.Null(id.Address);
    }

    [Fact]
    public void Parse_request_by_index()
    {
        var m = Parse<IcmpV4Message.ExtendedEchoRequest>(ByIndex);
        Assert.Equal(6, m.SequenceNumber);
        Assert.False(m.Local);
        Assert.True(m.Extensions!.ChecksumValid);
        Assert.Equal(InterfaceIdentificationObject.ForIndex(2), m.InterfaceIdentification);
    }

    [Fact]
    public void Parse_request_by_address()
    {
        var m = Parse<IcmpV4Message.ExtendedEchoRequest>(ByAddress);
        Assert.Equal(7, m.SequenceNumber);
        Assert.False(m.Local);
        Assert.True(m.Extensions!.ChecksumValid);
        var id = m.InterfaceIdentification!;
        Assert.Equal(InterfaceIdentificationKind.ByAddress, id.Kind);
        Assert.Equal(IPAddress.Parse("198.18.0.2"), id.Address);
    }

    [Fact]
    public void Parse_replies()
    {
        var m = Parse<IcmpV4Message.ExtendedEchoReply>(Reply);
        Assert.Equal(0x1234, m.Identifier);
        Assert.Equal(5, m.SequenceNumber);
        Assert.Equal(ExtendedEchoState.Reachable, m.State);
        Assert.True(m.Active);
        Assert.True(m.IPv4);
        Assert.False(m.IPv6);
        Assert.Equal(0, m.Reserved);
        Assert.Equal(ExtendedEchoReplyCode.NoError, m.ReplyCode);
        Assert.Equal(0xbd85, m.Checksum);
        Assert.Equal("ExtendedEchoReply(no error)", m.DisplayName);

        var n = Parse<IcmpV4Message.ExtendedEchoReply>(ReplyNoSuchInterface);
        Assert.Equal(ExtendedEchoReplyCode.NoSuchInterface, n.ReplyCode);
        Assert.Equal(6, n.SequenceNumber);
        Assert.Equal(ExtendedEchoState.Reserved, n.State);
        Assert.False(n.Active);
        Assert.False(n.IPv4);
        Assert.False(n.IPv6);
        Assert.Equal("ExtendedEchoReply(no such interface)", n.DisplayName);
    }

    [Theory]
    [InlineData(0x01, ExtendedEchoState.Reserved, false, false, true, 0)]
    [InlineData(0x02, ExtendedEchoState.Reserved, false, true, false, 0)]
    [InlineData(0x04, ExtendedEchoState.Reserved, true, false, false, 0)]
    [InlineData(0x18, ExtendedEchoState.Reserved, false, false, false, 3)]
    [InlineData(0xC7, ExtendedEchoState.Failed, true, true, true, 0)]
    [InlineData(0xA5, ExtendedEchoState.Probe, true, false, true, 0)]
    public void Reply_bits_are_placed_as_in_rfc_8335(byte low, ExtendedEchoState state, bool active, bool v4, bool v6, byte reserved)
    {
        var bytes = (byte[])Reply.Clone();
        bytes[7] = low;
        Assert.True(IcmpV4Message.TryParse(bytes, out var parsed, out _));
        var m = Assert.IsType<IcmpV4Message.ExtendedEchoReply>(parsed);
        Assert.Equal(state, m.State);
        Assert.Equal(active, m.Active);
        Assert.Equal(v4, m.IPv4);
        Assert.Equal(v6, m.IPv6);
        Assert.Equal(reserved, m.Reserved);
        Assert.Equal(low, Emit(m)[7]);
    }

    [Fact]
    public void Emit_parsed_gives_the_same_bytes()
    {
        AssertRoundTrip(ByName);
        AssertRoundTrip(ByIndex);
        AssertRoundTrip(ByAddress);
        AssertRoundTrip(Reply);
        AssertRoundTrip(ReplyNoSuchInterface);
    }

    [Fact]
    public void Reserved_request_bits_are_kept()
    {
        var bytes = (byte[])ByIndex.Clone();
        bytes[7] = 0xFE; // reserved bits all set, L clear
        Assert.True(IcmpV4Message.TryParse(bytes, out var parsed, out _));
        var m = Assert.IsType<IcmpV4Message.ExtendedEchoRequest>(parsed);
        Assert.Equal(0x7F, m.Reserved);
        Assert.False(m.Local);
        Assert.Equal(0xFE, Emit(m)[7]);
    }
}
