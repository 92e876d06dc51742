using IcmpKit.Wire.IcmpV4;
using static IcmpKit.Wire.Tests.IcmpV4.V4Wire;

namespace IcmpKit.Wire.Tests.IcmpV4;

public class UnknownTypeAndNamesTests
{
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=77,code=0,unused=0x01020304)/b'hello').hex())"
    private static readonly byte[] Type77 = Hex("4d006b270102030468656c6c6f");

    [Fact]
    public void Read_through_the_view()
    {
        Assert.True(IcmpV4Packet.TryRead(Type77, out var icmp, out _));
        Assert.Equal((IcmpV4Type)77, icmp.Type);
        Assert.Equal(0x6b27, icmp.Checksum);
        Assert.Equal(0x01020304u, icmp.RestOfHeader);
        Assert.Equal("hello"u8.ToArray(), icmp.Body.ToArray());
        Assert.False(icmp.IsError);
        Assert.True(icmp.IsChecksumValid);
    }

    [Fact]
    public void Write_from_a_value()
    {
        Assert.Equal(Type77, Emit(new IcmpV4Message.Unknown((IcmpV4Type)77, 0x01020304, "hello"u8.ToArray())));
    }

    [Fact]
    public void Parse_keeps_the_bytes()
    {
        var m = Parse<IcmpV4Message.Unknown>(Type77);
        Assert.Equal((IcmpV4Type)77, m.Type);
        Assert.Equal((IcmpV4Type)77, m.UnknownType);
        Assert.Equal(0x01020304u, m.HeaderWord);
        Assert.Equal("hello"u8.ToArray(), m.Body.ToArray());
        Assert.Equal(0x6b27, m.Checksum);
        Assert.True(m.ChecksumValid);
        Assert.Equal("Type77(code 0)", m.DisplayName);
    }

    [Fact]
    public void Emit_parsed_gives_the_same_bytes() => AssertRoundTrip(Type77);

    [Theory]
    [InlineData(IcmpV4Type.TimeExceeded, 7, "TimeExceeded(code 7)")]
    [InlineData(IcmpV4Type.TimeExceeded, 0, "TimeExceeded(time to live exceeded in transit)")]
    [InlineData(IcmpV4Type.DestinationUnreachable, 13, "DestinationUnreachable(communication administratively prohibited)")]
    [InlineData(IcmpV4Type.DestinationUnreachable, 16, "DestinationUnreachable(code 16)")]
    [InlineData(IcmpV4Type.EchoRequest, 0, "EchoRequest")]
    [InlineData(IcmpV4Type.EchoRequest, 3, "EchoRequest(code 3)")]
    [InlineData(IcmpV4Type.ParameterProblem, 2, "ParameterProblem(bad length)")]
    [InlineData(IcmpV4Type.RouterAdvertisement, 16, "RouterAdvertisement(does not route common traffic)")]
    [InlineData(IcmpV4Type.ExtendedEchoReply, 4, "ExtendedEchoReply(multiple interfaces satisfy query)")]
    [InlineData(IcmpV4Type.ExtendedEchoReply, 5, "ExtendedEchoReply(code 5)")]
    [InlineData(IcmpV4Type.Photuris, 5, "Photuris(need authorization)")]
    [InlineData((IcmpV4Type)77, 0, "Type77(code 0)")]
    [InlineData((IcmpV4Type)255, 9, "Type255(code 9)")]
    public void Display_names_degrade_gracefully(IcmpV4Type type, byte code, string expected)
    {
        Assert.Equal(expected, IcmpV4Names.Describe(type, code));
    }

    [Fact]
    public void Every_type_and_code_has_a_name()
    {
        for (int type = 0; type < 256; type++)
        {
            for (int code = 0; code < 256; code++)
            {
                string name = IcmpV4Names.Describe((IcmpV4Type)type, (byte)code);
                Assert.False(string.IsNullOrWhiteSpace(name));
            }
        }
    }

    [Fact]
    public void Every_type_parses_from_its_header_alone_or_reports_truncation()
    {
        for (int type = 0; type < 256; type++)
        {
            var bytes = new byte[8];
            bytes[0] = (byte)type;
            bytes[5] = 2; // a valid router advertisement entry size with zero entries
            bool ok = IcmpV4Message.TryParse(bytes, out var m, out var error);
            if (ok)
            {
                Assert.NotNull(m);
                Assert.Equal((IcmpV4Type)type, m.Type);
                Assert.True(error.IsNone);
            }
            else
            {
                Assert.Null(m);
                Assert.Equal(new WireError(WireErrorKind.Truncated, 8), error);
                Assert.Contains((IcmpV4Type)type, new[]
                {
                    IcmpV4Type.TimestampRequest, IcmpV4Type.TimestampReply, IcmpV4Type.AddressMaskRequest,
                    IcmpV4Type.AddressMaskReply, IcmpV4Type.Traceroute,
                });
            }
        }
    }
}
