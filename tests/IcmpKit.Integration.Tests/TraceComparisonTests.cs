using Xunit.Abstractions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// `icmpkit trace` beside Linux traceroute 2.1.2 (Debian's), each in a fresh copy of the same chain of five Linux routers:
/// the same lines, the times aside. Not as `nobody` with ICMP: traceroute loses every other probe there (docs/trace.md,
/// "Where IcmpKit differs"), which <see cref="TraceKernelTests"/> shows IcmpKit does not.
/// </summary>
public sealed class TraceComparisonTests(ITestOutputHelper output)
{
    private const int Routers = 5;

    [Theory]
    [InlineData("icmp", false, false)]
    [InlineData("icmp", true, false)]
    [InlineData("udp", false, false)]
    [InlineData("udp", true, false)]
    [InlineData("udp", false, true)]
    [InlineData("udp", true, true)]
    public void Prints_what_Linux_traceroute_prints_but_the_times(string probe, bool v6, bool asNobody)
    {
        // icmpkit -U is traceroute's default method (a port per probe from 33434); traceroute -U keeps to port 53.
        string[] method = probe == "udp" ? [] : ["-I"];
        CommandResult traceroute, icmpkit;
        using (var net = TraceTools.Chain(Routers, v6))
        {
            traceroute = TraceTools.Traceroute(net.Client, asNobody, ["-n", .. method, TraceTools.Server(net, v6)]);
        }
        using (var net = TraceTools.Chain(Routers, v6))
        {
            icmpkit = TraceTools.Icmpkit(net.Client, asNobody, ["-n", probe == "udp" ? "-U" : "-I", TraceTools.Server(net, v6)]);
        }
        output.WriteLine($"--- traceroute: {traceroute}\n--- icmpkit: {icmpkit}");
        Assert.True(traceroute.ExitCode == 0, traceroute.ToString());
        Assert.Equal(0, icmpkit.ExitCode);
        Assert.Equal(TraceTools.Masked(traceroute), TraceTools.Masked(icmpkit));
    }

    [Theory]
    [InlineData("icmp", false)]
    [InlineData("icmp", true)]
    [InlineData("udp", false)]
    [InlineData("udp", true)]
    public void An_unreachable_destination_prints_as_in_traceroute_rate_limited_errors_and_all(string probe, bool v6)
    {
        // The last router has no route: "network unreachable" for every probe that reaches it, as many as its limiter lets
        // through (IPv4: two here; the third probe prints "*" for both tools), and nothing beyond.
        string target = RouterChainTopology.Elsewhere(1, v6);
        CommandResult traceroute, icmpkit;
        using (var net = TraceTools.Chain(Routers, v6))
        {
            traceroute = TraceTools.Traceroute(net.Client, asNobody: false, ["-n", .. (probe == "udp" ? Array.Empty<string>() : ["-I"]), target]);
        }
        using (var net = TraceTools.Chain(Routers, v6))
        {
            icmpkit = TraceTools.Icmpkit(net.Client, asNobody: false, ["-n", probe == "udp" ? "-U" : "-I", target]);
        }
        output.WriteLine($"--- traceroute: {traceroute}\n--- icmpkit: {icmpkit}");
        Assert.True(icmpkit.ExitCode == 1, icmpkit.ToString()); // traceroute exits 0 whatever the trace found
        Assert.Equal(TraceTools.Masked(traceroute), TraceTools.Masked(icmpkit));
        Assert.Contains(" !N", TraceTools.Masked(icmpkit)[^1], StringComparison.Ordinal);
    }
}
