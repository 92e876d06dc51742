using IcmpKit.Wire.IcmpV6;
using static IcmpKit.Wire.Tests.IcmpV6.V6Quartet;

namespace IcmpKit.Wire.Tests.IcmpV6;

public class UnknownAndNamesTests
{
    [Fact]
    public void Node_information_query_is_kept_as_unknown_data()
    {
        var (src, dst, icmp) = Split(Vectors.NodeInformationQuery);
        AssertEmits(new IcmpV6Message.Unknown(IcmpV6Type.NodeInformationQuery, 0, icmp.AsMemory(8)) { Code = 1 }, src, dst, icmp);
        var unknown = Parse<IcmpV6Message.Unknown>(icmp, src, dst);
        Assert.Equal(IcmpV6Type.NodeInformationQuery, unknown.Type);
        Assert.Equal(0u, unknown.HeaderWord);
        Assert.Equal("12345678"u8.ToArray(), unknown.Body[..8].ToArray());
        Assert.Equal("NodeInformationQuery(code 1)", unknown.DisplayName);
        AssertEmits(unknown, src, dst, icmp);
    }

    [Fact]
    public void An_unassigned_type_is_kept_with_its_word_and_body()
    {
        var bytes = new byte[] { 250, 9, 0, 0, 1, 2, 3, 4, 0xde, 0xad };
        Assert.True(IcmpV6Message.TryParse(bytes, out var message, out _));
        var unknown = Assert.IsType<IcmpV6Message.Unknown>(message);
        Assert.Equal((IcmpV6Type)250, unknown.Type);
        Assert.Equal(0x01020304u, unknown.HeaderWord);
        Assert.Equal("Type250(code 9)", unknown.DisplayName);
        Assert.Equal(bytes, unknown.ToArray());
    }

    [Theory]
    [InlineData(IcmpV6Type.TimeExceeded, 7, "TimeExceeded(code 7)")]
    [InlineData(IcmpV6Type.TimeExceeded, 0, "TimeExceeded(hop limit exceeded in transit)")]
    [InlineData(IcmpV6Type.DestinationUnreachable, 4, "DestinationUnreachable(port unreachable)")]
    [InlineData(IcmpV6Type.ParameterProblem, 2, "ParameterProblem(unrecognized IPv6 option encountered)")]
    [InlineData(IcmpV6Type.PacketTooBig, 0, "PacketTooBig")]
    [InlineData(IcmpV6Type.PacketTooBig, 3, "PacketTooBig(code 3)")]
    [InlineData(IcmpV6Type.EchoRequest, 0, "EchoRequest")]
    [InlineData(IcmpV6Type.EchoReply, 1, "EchoReply(code 1)")]
    [InlineData(IcmpV6Type.ExtendedEchoReply, 4, "ExtendedEchoReply(multiple interfaces satisfy query)")]
    [InlineData((IcmpV6Type)99, 0, "Type99(code 0)")]
    public void Describe_degrades_gracefully(IcmpV6Type type, byte code, string expected) =>
        Assert.Equal(expected, IcmpV6Names.Describe(type, code));

    [Theory]
    [InlineData(IcmpV6Type.DestinationUnreachable, true)]
    [InlineData(IcmpV6Type.ReservedErrorExpansion, true)]
    [InlineData(IcmpV6Type.EchoRequest, false)]
    [InlineData(IcmpV6Type.Redirect, false)]
    public void Types_below_128_are_errors(IcmpV6Type type, bool expected) =>
        Assert.Equal(expected, IcmpV6Message.IsErrorType(type));
}
