using System.Text.Json;
using Xunit.Abstractions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// Load balancing by the Linux kernel (<see cref="TraceMultipathTopology"/>: R1 splits flows over R2a and R2b with the
/// layer-4 hash): Paris mode keeps every probe of a trace on one middle router, classic UDP and TCP probes (a port per
/// probe) meet both, and --multipath lists both with its stopping rule met. IPv4 and IPv6, each test on its own topology.
/// </summary>
public sealed class TraceMultipathTests(ITestOutputHelper output)
{
    private const int Probes = 10;

    private CommandResult Trace(TraceMultipathTopology net, bool asNobody, IEnumerable<string> args)
    {
        var result = TraceTools.Icmpkit(net.Client, asNobody, ["-n", "--json", .. args]);
        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0 && result.Stderr.Length == 0, result.ToString());
        return result;
    }

    /// <summary>Where the answers to the probes of hop <paramref name="ttl"/> came from (a classic trace's JSON document).</summary>
    private static List<string> Answers(CommandResult result, int ttl)
    {
        using var document = JsonDocument.Parse(result.Stdout);
        var hop = document.RootElement.GetProperty("hops").EnumerateArray().Single(h => h.GetProperty("ttl").GetInt32() == ttl);
        return [.. hop.GetProperty("probes").EnumerateArray().Select(p => p.TryGetProperty("from", out var from) ? from.GetString() ?? "local" : "*")];
    }

    [Theory]
    [InlineData(new[] { "-U", "--paris" }, false, true)]
    [InlineData(new[] { "-U", "--paris" }, true, true)]
    [InlineData(new[] { "-U", "--paris", "--socket", "raw" }, false, false)]
    [InlineData(new[] { "-U", "--paris", "--socket", "raw" }, true, false)]
    [InlineData(new[] { "-T", "--paris" }, false, false)]
    [InlineData(new[] { "-T", "--paris" }, true, false)]
    [InlineData(new[] { "-I", "--paris" }, false, true)]
    [InlineData(new[] { "-I", "--paris" }, true, false)]
    public void Paris_mode_keeps_every_probe_of_a_trace_on_one_middle_router(string[] flags, bool v6, bool asNobody)
    {
        using var net = new TraceMultipathTopology();
        Assert.True(net.SetupError is null, net.SetupError);
        string[] middle = TraceMultipathTopology.Middle(v6);
        for (int run = 0; run < 3; run++)
        {
            var result = Trace(net, asNobody, [.. flags, "-q", $"{Probes}", TraceMultipathTopology.ServerAddress(v6)]);
            var answers = Answers(result, 2);
            Assert.Equal(Probes, answers.Count);
            string only = Assert.Single(answers.Distinct());
            Assert.Contains(only, middle);
            Assert.Single(Answers(result, 3).Distinct()); // and one interface of R3 behind it
        }
    }

    [Theory]
    [InlineData(new[] { "-U" }, false)]
    [InlineData(new[] { "-U" }, true)]
    [InlineData(new[] { "-T" }, false)]
    [InlineData(new[] { "-T" }, true)]
    public void Classic_probes_take_a_port_each_and_meet_both_middle_routers(string[] flags, bool v6)
    {
        using var net = new TraceMultipathTopology();
        Assert.True(net.SetupError is null, net.SetupError);
        // Ten flows all hashed one way happen once in 2^9 runs; three runs make that 1 in 10^8.
        var seen = new HashSet<string>();
        for (int run = 0; run < 3 && seen.Count < 2; run++)
        {
            seen.UnionWith(Answers(Trace(net, asNobody: false, [.. flags, "-q", $"{Probes}", TraceMultipathTopology.ServerAddress(v6)]), 2));
        }
        Assert.Equal(TraceMultipathTopology.Middle(v6).Order(), seen.Order());
    }

    [Theory]
    [InlineData(new[] { "-U" }, false, true)]
    [InlineData(new[] { "-U" }, true, true)]
    [InlineData(new[] { "-U", "--socket", "raw" }, false, false)]
    [InlineData(new[] { "-U", "--socket", "raw" }, true, false)]
    [InlineData(new[] { "-T" }, false, false)]
    [InlineData(new[] { "-T" }, true, false)]
    public void Multipath_lists_both_middle_routers_and_the_links_behind_them(string[] flags, bool v6, bool asNobody)
    {
        using var net = new TraceMultipathTopology();
        Assert.True(net.SetupError is null, net.SetupError);
        string server = TraceMultipathTopology.ServerAddress(v6);
        // The rule stops at 6 answers while a hop shows one interface: with two equally likely next hops, all six flows go
        // one way once in 32 runs (the 95% confidence, met). Three runs make a miss 1 in 32768.
        JsonElement[] hops = [];
        for (int run = 0; run < 3; run++)
        {
            using var document = JsonDocument.Parse(Trace(net, asNobody, ["--multipath", .. flags, server]).Stdout);
            Assert.True(document.RootElement.GetProperty("multipath").GetBoolean());
            Assert.Equal(0.95, document.RootElement.GetProperty("multipath_confidence").GetDouble());
            hops = [.. document.RootElement.GetProperty("hops").EnumerateArray().Select(h => h.Clone())];
            if (hops[1].GetProperty("interfaces").GetArrayLength() == 2)
            {
                break;
            }
        }
        Assert.Equal([1, 2, 3, 4], hops.Select(h => h.GetProperty("ttl").GetInt32()));
        Assert.All(hops, hop => Assert.True(hop.GetProperty("complete").GetBoolean(), hop.ToString()));
        static string[] Addresses(JsonElement hop) => [.. hop.GetProperty("interfaces").EnumerateArray().Select(i => i.GetProperty("address").GetString()!)];
        static string[] Predecessors(JsonElement hop) =>
            [.. hop.GetProperty("interfaces").EnumerateArray().SelectMany(i => i.GetProperty("predecessors").EnumerateArray()).Select(p => p.GetString()!).Distinct().Order()];

        Assert.Equal([TraceMultipathTopology.R1(v6)], Addresses(hops[0]));
        Assert.Equal(TraceMultipathTopology.Middle(v6), Addresses(hops[1]));
        Assert.Equal(11, hops[1].GetProperty("probes_needed").GetInt32()); // n_2
        Assert.Equal(TraceMultipathTopology.Middle(v6), Predecessors(hops[2]));
        // R3 answers IPv4 from its address toward R2a whichever way the probe came; IPv6 from the interface it came in on.
        Assert.Equal(v6 ? TraceMultipathTopology.R3(v6) : [TraceMultipathTopology.R3(v6)[0]], Addresses(hops[2]));
        var last = Assert.Single(hops[3].GetProperty("interfaces").EnumerateArray());
        Assert.Equal((server, flags[0] == "-T" ? "tcp_reply" : "port_unreachable"), (last.GetProperty("address").GetString(), last.GetProperty("kind").GetString()));
    }

    [Fact]
    public void Multipath_text_states_the_confidence_and_gives_each_interface_a_line()
    {
        using var net = new TraceMultipathTopology();
        Assert.True(net.SetupError is null, net.SetupError);
        string server = TraceMultipathTopology.ServerAddress(false);
        string[] lines = [];
        for (int run = 0; run < 3 && !lines.Any(l => l.StartsWith("    ", StringComparison.Ordinal)); run++)
        {
            var result = TraceTools.Icmpkit(net.Client, asNobody: true, ["-n", "--multipath", "-U", server]);
            output.WriteLine(result.ToString());
            Assert.True(result.ExitCode == 0, result.ToString());
            lines = [.. TraceTools.Masked(result)];
        }
        string[] middle = TraceMultipathTopology.Middle(false);
        Assert.Equal($"traceroute to {server} ({server}), 30 hops max, 60 byte packets", lines[0]);
        Assert.Equal("multipath (MDA): each hop probed on new flows until another interface would have shown with 95% confidence", lines[1]);
        Assert.Equal($" 1  {TraceMultipathTopology.R1(false)}  <t> ms  6 of 6 flows", lines[2]);
        Assert.Matches($@"^ 2  {middle[0]}  <t> ms  \d+ of 11 flows$", lines[3]);
        Assert.Matches($@"^    {middle[1]}  <t> ms  \d+ of 11 flows$", lines[4]);
        Assert.Equal($" 3  {TraceMultipathTopology.R3(false)[0]}  <t> ms  6 of 6 flows  after {middle[0]}, {middle[1]}", lines[5]);
        Assert.Equal($" 4  {server}  <t> ms  6 of 6 flows", lines[6]);
        Assert.Equal(7, lines.Length);
    }
}
