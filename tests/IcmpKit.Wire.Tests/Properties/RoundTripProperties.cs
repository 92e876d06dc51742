using System.Net;
using CsCheck;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;

namespace IcmpKit.Wire.Tests.Properties;

/// <summary>emit(parse(x)) == x over generated valid messages of every type.</summary>
public class RoundTripProperties
{
    private static readonly IPAddress Source = IPAddress.Parse("fd42::1");
    private static readonly IPAddress Destination = IPAddress.Parse("fd42::2");

    [Fact]
    public void IcmpV4_emit_parse_emit_is_stable() =>
        Generators.IcmpV4.Sample(message =>
        {
            var first = message.ToArray();
            Assert.True(IcmpV4Message.TryParse(first, out var parsed, out var error), error.ToString());
            Assert.Equal(message.GetType(), parsed!.GetType());
            Assert.Equal((message.Type, message.Code), (parsed.Type, parsed.Code));
            Assert.True(parsed.ChecksumValid);
            Assert.Equal(first, parsed.ToArray());
        }, iter: 2000);

    [Fact]
    public void IcmpV6_emit_parse_emit_is_stable() =>
        Generators.IcmpV6.Sample(message =>
        {
            var first = message.ToArray(Source, Destination);
            Assert.True(IcmpV6Message.TryParse(first, Source, Destination, out var parsed, out var error), error.ToString());
            Assert.Equal(message.GetType(), parsed!.GetType());
            Assert.Equal((message.Type, message.Code), (parsed.Type, parsed.Code));
            Assert.True(parsed.ChecksumValid);
            Assert.Equal(first, parsed.ToArray(Source, Destination));
        }, iter: 2000);

    [Fact]
    public void Extension_structure_emit_parse_emit_is_stable() =>
        Generators.Structure.Sample(structure =>
        {
            var first = new byte[structure.EncodedLength];
            Assert.Equal(first.Length, structure.Write(first));
            Assert.True(IcmpExtensionStructure.TryParse(first, out var parsed, out _));
            Assert.True(parsed!.ChecksumValid);
            Assert.True(parsed.ObjectError.IsNone);
            Assert.Equal(structure.Objects.Count, parsed.Objects.Count);
            Assert.All(parsed.Objects, o => Assert.False(o is UnknownExtensionObject { Invalid: true }));
            var second = new byte[parsed.EncodedLength];
            parsed.Write(second);
            Assert.Equal(first, second);
        });
}
