using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// `icmpkit trace` (the real binary, inside the client namespace) through a chain of five forwarding Linux routers
/// (<see cref="RouterChainTopology"/>): every hop in order and the destination, ICMP and UDP, IPv4 and IPv6, as root on
/// raw sockets and as `nobody` on datagram sockets, at traceroute's defaults (-N 16, -q 3). Each run gets a fresh chain:
/// a Linux router sends about six ICMP errors to one destination, then one a second, so a second trace through the same
/// routers within seconds would meet empty buckets.
/// </summary>
public sealed class TraceKernelTests(ITestOutputHelper output)
{
    private const int Routers = 5;

    private static string Header(string target, bool v6) =>
        $"traceroute to {target} ({target}), 30 hops max, {(v6 ? 80 : 60)} byte packets";

    [Theory]
    [InlineData("icmp", false, false)]
    [InlineData("icmp", true, false)]
    [InlineData("icmp", false, true)]
    [InlineData("icmp", true, true)]
    [InlineData("udp", false, false)]
    [InlineData("udp", true, false)]
    [InlineData("udp", false, true)]
    [InlineData("udp", true, true)]
    public void Every_hop_in_order_and_the_destination_at_default_parallelism(string probe, bool v6, bool asNobody)
    {
        using var net = TraceTools.Chain(Routers, v6);
        string server = TraceTools.Server(net, v6);
        // Root: raw sockets, forced (a root in a namespace whose ping_group_range is open would get datagram ones).
        string[] socket = asNobody ? [] : ["--socket", "raw"];
        var result = TraceTools.Icmpkit(net.Client, asNobody, ["-n", probe == "udp" ? "-U" : "-I", .. socket, server]);
        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0 && result.Stderr.Length == 0, result.ToString());
        string[] expected =
        [
            Header(server, v6),
            .. Enumerable.Range(1, Routers).Select(i => TraceTools.FullHop(i, TraceTools.Router(i, v6))),
            TraceTools.FullHop(Routers + 1, server),
        ];
        Assert.Equal(expected, TraceTools.Masked(result));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Json_gives_every_probe_its_router_and_the_ttl_its_answer_arrived_with(bool v6)
    {
        using var net = TraceTools.Chain(Routers, v6);
        string server = TraceTools.Server(net, v6);
        var result = TraceTools.Icmpkit(net.Client, asNobody: true, ["-n", "--json", server]);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        var root = document.RootElement;
        Assert.Equal("trace", root.GetProperty("type").GetString());
        Assert.Equal("dgram", root.GetProperty("socket").GetString());
        Assert.Equal(v6 ? 80 : 60, root.GetProperty("packet_bytes").GetInt32());
        var hops = root.GetProperty("hops").EnumerateArray().ToList();
        Assert.Equal(Routers + 1, hops.Count);
        for (int i = 1; i <= Routers + 1; i++)
        {
            var hop = hops[i - 1];
            Assert.Equal(i, hop.GetProperty("ttl").GetInt32());
            var probes = hop.GetProperty("probes").EnumerateArray().ToList();
            Assert.Equal(3, probes.Count);
            foreach (var probe in probes)
            {
                Assert.Equal(i <= Routers ? TraceTools.Router(i, v6) : server, probe.GetProperty("from").GetString());
                // Each router sends its error with TTL 64 and each router behind it takes one off: the server's reply too.
                Assert.Equal(64 - (i - 1), probe.GetProperty("reply_ttl").GetInt32());
                Assert.Equal(i <= Routers ? "time_exceeded" : "echo_reply", probe.GetProperty("kind").GetString());
                Assert.True(probe.GetProperty("rtt_ms").GetDouble() > 0, probe.ToString());
                Assert.True(probe.GetProperty("kernel_timestamp").GetBoolean());
            }
        }
        Assert.Equal("reached", root.GetProperty("end").GetProperty("reason").GetString());
        Assert.Equal(Routers + 1, root.GetProperty("end").GetProperty("last_ttl").GetInt32());
    }

    [Fact]
    public void Ndjson_writes_a_line_per_probe_and_per_hop_then_the_end()
    {
        using var net = TraceTools.Chain(Routers, v6: false);
        var result = TraceTools.Icmpkit(net.Client, asNobody: false, ["-n", "-U", "--ndjson", net.ServerV4]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var types = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("type").GetString()).ToList();
        Assert.Equal("start", types[0]);
        Assert.Equal("end", types[^1]);
        Assert.Equal(3 * (Routers + 1), types.Count(t => t == "reply"));
        Assert.Equal(Routers + 1, types.Count(t => t == "hop"));
        Assert.DoesNotContain("timeout", types);
    }

    [Fact]
    public void First_and_max_ttl_bound_the_hops_and_a_trace_that_stops_short_exits_1()
    {
        using var net = TraceTools.Chain(Routers, v6: false);
        var result = TraceTools.Icmpkit(net.Client, asNobody: true, ["-n", "-f", "2", "-m", "3", net.ServerV4]);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(
            [
                $"traceroute to {net.ServerV4} ({net.ServerV4}), 3 hops max, 60 byte packets",
                TraceTools.FullHop(2, TraceTools.Router(2, false)),
                TraceTools.FullHop(3, TraceTools.Router(3, false)),
            ], TraceTools.Masked(result));
    }

    [Theory]
    [InlineData(new string[0], "no permission for an ICMP socket; run as root, grant cap_net_raw (setcap cap_net_raw+ep), or widen net.ipv4.ping_group_range")]
    [InlineData(new[] { "--socket", "raw" }, "no permission for a raw ICMP socket; run as root or grant cap_net_raw (setcap cap_net_raw+ep), or use --socket dgram")]
    [InlineData(new[] { "-U", "--socket", "raw" }, "no permission for a raw ICMP socket; run as root or grant cap_net_raw (setcap cap_net_raw+ep), or use --socket dgram")]
    public void Without_privilege_and_outside_ping_group_range_it_says_what_to_do_and_exits_2(string[] flags, string expected)
    {
        using var net = TraceTools.Chain(1, v6: false);
        RouterChainTopology.Sysctl(net.Client, "net.ipv4.ping_group_range=1 0"); // closed, the default of a new namespace
        var result = TraceTools.Icmpkit(net.Client, asNobody: true, ["-n", .. flags, net.ServerV4]);
        Assert.True(result.ExitCode == 2 && result.Stdout.Length == 0, result.ToString());
        Assert.Equal([$"icmpkit: trace: {expected}"], result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Unprivileged_udp_needs_no_ping_group_range_at_all()
    {
        using var net = TraceTools.Chain(2, v6: false);
        RouterChainTopology.Sysctl(net.Client, "net.ipv4.ping_group_range=1 0");
        var result = TraceTools.Icmpkit(net.Client, asNobody: true, ["-n", "-U", net.ServerV4]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(TraceTools.FullHop(3, net.ServerV4), TraceTools.Masked(result)[^1]);
    }

    [Fact]
    public void Without_n_each_address_is_printed_with_its_reverse_name_from_the_namespace_hosts_file()
    {
        using var net = TraceTools.Chain(2, v6: false);
        // `ip netns exec` mounts /etc/netns/NS/* over /etc: names for the routers, and no DNS server beyond loopback.
        string etc = Path.Combine("/etc/netns", net.Client);
        Directory.CreateDirectory(etc);
        try
        {
            File.WriteAllText(Path.Combine(etc, "hosts"), string.Create(CultureInfo.InvariantCulture,
                $"127.0.0.1 localhost\n{TraceTools.Router(1, false)} r1.trace.test\n{TraceTools.Router(2, false)} r2.trace.test\n"));
            File.WriteAllText(Path.Combine(etc, "resolv.conf"), "nameserver 127.0.0.1\n");
            var result = TraceTools.Icmpkit(net.Client, asNobody: false, [net.ServerV4]);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal(
                [
                    $"traceroute to {net.ServerV4} ({net.ServerV4}), 30 hops max, 60 byte packets",
                    $" 1  r1.trace.test ({TraceTools.Router(1, false)})  <t> ms  <t> ms  <t> ms",
                    $" 2  r2.trace.test ({TraceTools.Router(2, false)})  <t> ms  <t> ms  <t> ms",
                    $" 3  {net.ServerV4} ({net.ServerV4})  <t> ms  <t> ms  <t> ms", // no name: the address stands in, as in traceroute
                ], TraceTools.Masked(result));
        }
        finally
        {
            Directory.Delete(etc, recursive: true);
        }
    }
}
