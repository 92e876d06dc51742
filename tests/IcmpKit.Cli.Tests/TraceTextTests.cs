using System.Net;
using IcmpKit.Cli.Trace;
using IcmpKit.Trace;
using IcmpKit.Wire.Extensions;

namespace IcmpKit.Cli.Tests;

/// <summary>
/// traceroute's words for answers (parse_icmp_res(), case for case) and its hop line (print_probe()): the address once per
/// run of equal answers, "*" for silence, the annotation after the time, the extensions with -e.
/// </summary>
public class TraceTextTests
{
    private static TraceReply Reply(bool v6, byte type, byte code, TraceReplyKind kind, int? mtu = null, string from = "198.18.1.2",
        double ms = 1.5, IcmpExtensionStructure? extensions = null) =>
        new(IPAddress.Parse(from), TimeSpan.FromMilliseconds(ms), kind, v6, type, code) { Mtu = mtu, Extensions = extensions };

    [Theory]
    [InlineData(false, 3, 0, "!N")]
    [InlineData(false, 3, 6, "!N")]
    [InlineData(false, 3, 8, "!N")]
    [InlineData(false, 3, 11, "!N")]
    [InlineData(false, 3, 1, "!H")]
    [InlineData(false, 3, 7, "!H")]
    [InlineData(false, 3, 12, "!H")]
    [InlineData(false, 3, 2, "!P")]
    [InlineData(false, 3, 5, "!S")]
    [InlineData(false, 3, 9, "!X")]
    [InlineData(false, 3, 10, "!X")]
    [InlineData(false, 3, 13, "!X")]
    [InlineData(false, 3, 14, "!V")]
    [InlineData(false, 3, 15, "!C")]
    [InlineData(false, 3, 16, "!<16>")]
    [InlineData(false, 11, 1, "!<11-1>")]
    [InlineData(false, 12, 0, "!<12-0>")]
    [InlineData(true, 1, 0, "!N")]
    [InlineData(true, 1, 1, "!X")]
    [InlineData(true, 1, 2, "!H")]
    [InlineData(true, 1, 3, "!H")]
    [InlineData(true, 1, 5, "!<5>")]
    [InlineData(true, 1, 6, "!<6>")]
    [InlineData(true, 3, 1, "!<3-1>")]
    [InlineData(true, 4, 0, "!<4-0>")]
    public void Annotations_are_traceroutes(bool v6, byte type, byte code, string expected) =>
        Assert.Equal(expected, TraceAnnotations.Annotation(Reply(v6, type, code, TraceReplyKind.Unreachable)));

    [Fact]
    public void The_destination_and_the_routers_on_the_way_have_no_annotation_and_too_big_has_its_mtu()
    {
        Assert.Equal("", TraceAnnotations.Annotation(Reply(false, 11, 0, TraceReplyKind.TimeExceeded)));
        Assert.Equal("", TraceAnnotations.Annotation(Reply(false, 3, 3, TraceReplyKind.PortUnreachable)));
        Assert.Equal("", TraceAnnotations.Annotation(Reply(true, 1, 4, TraceReplyKind.PortUnreachable)));
        Assert.Equal("", TraceAnnotations.Annotation(Reply(false, 0, 0, TraceReplyKind.EchoReply)));
        Assert.Equal("!F-1280", TraceAnnotations.Annotation(Reply(false, 3, 4, TraceReplyKind.Unreachable, mtu: 1280)));
        Assert.Equal("!F-1280", TraceAnnotations.Annotation(Reply(true, 2, 0, TraceReplyKind.Unreachable, mtu: 1280)));
    }

    [Fact]
    public void Extensions_read_as_traceroute_prints_them()
    {
        var structure = new IcmpExtensionStructure
        {
            Objects =
            [
                new MplsLabelStackObject([new MplsLabelEntry(16005, 0, false, 1), new MplsLabelEntry(24, 5, true, 254)]),
                new UnknownExtensionObject(9, 3, new byte[] { 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1 }),
            ],
        };
        Assert.Equal("MPLS:L=16005,E=0,S=0,T=1/L=24,E=5,S=1,T=254;9/3:deadbeef,00000001", TraceAnnotations.Extensions(structure));
    }

    private static string Line(TraceHop hop, bool extensions = false)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        var arguments = new TraceArguments
        {
            Host = "198.18.9.2",
            Address = IPAddress.Parse("198.18.9.2"),
            Options = new TraceOptions(),
            Numeric = true,
            ShowExtensions = extensions,
        };
        new TraceTextReport(stdout, arguments, names: null).HopAsync(hop).GetAwaiter().GetResult();
        return stdout.ToString().TrimEnd('\n');
    }

    [Fact]
    public void A_hop_line_prints_an_address_again_only_when_it_changes_and_stars_for_silence()
    {
        var a = Reply(false, 11, 0, TraceReplyKind.TimeExceeded, from: "198.18.1.2") with { RoundTripTime = TimeSpan.FromTicks(519) };
        var b = Reply(false, 11, 0, TraceReplyKind.TimeExceeded, from: "198.18.7.2") with { RoundTripTime = TimeSpan.FromTicks(123_456) };
        Assert.Equal(" 3  198.18.1.2  0.052 ms *  12.346 ms", Line(new TraceHop(3, [new(0, 1, a), new(1, 1, null), new(2, 1, a with { RoundTripTime = TimeSpan.FromTicks(123_456) })])));
        Assert.Equal("12  198.18.1.2  0.052 ms 198.18.7.2  12.346 ms 198.18.1.2  0.052 ms", Line(new TraceHop(12, [new(0, 1, a), new(1, 1, b), new(2, 1, a)])));
        Assert.Equal(" 1  * * *", Line(new TraceHop(1, [new(0, 2, null), new(1, 2, null), new(2, 2, null)])));
        var unreachable = Reply(false, 3, 1, TraceReplyKind.Unreachable, from: "198.18.4.2", ms: 2);
        Assert.Equal(" 5  198.18.4.2  2.000 ms !H  2.000 ms !H *", Line(new TraceHop(5, [new(0, 1, unreachable), new(1, 1, unreachable), new(2, 1, null)])));
    }

    [Fact]
    public void With_e_extensions_follow_the_address_and_a_change_of_them_prints_the_address_again()
    {
        var mpls = new IcmpExtensionStructure { Objects = [new MplsLabelStackObject([new MplsLabelEntry(100, 0, true, 1)])] };
        var labelled = Reply(false, 11, 0, TraceReplyKind.TimeExceeded, ms: 1, extensions: mpls);
        var plain = Reply(false, 11, 0, TraceReplyKind.TimeExceeded, ms: 1);
        Assert.Equal(" 2  198.18.1.2 <MPLS:L=100,E=0,S=1,T=1>  1.000 ms  1.000 ms 198.18.1.2  1.000 ms",
            Line(new TraceHop(2, [new(0, 1, labelled), new(1, 1, labelled), new(2, 1, plain)]), extensions: true));
        Assert.Equal(" 2  198.18.1.2  1.000 ms  1.000 ms  1.000 ms", Line(new TraceHop(2, [new(0, 1, labelled), new(1, 1, labelled), new(2, 1, plain)])));
    }
}
