using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// `icmpkit ping` (the real binary, inside the client namespace) against the Linux kernel as host and router, compared
/// line for line with iputils ping (Debian 12, 20221126) run with the same flags in a fresh copy of the same topology:
/// echo replies, time exceeded, a silent host, timestamp requests, and the unprivileged (datagram socket) path.
/// Topology: client – router – server (<see cref="RouterChainTopology"/>, one router).
/// </summary>
public sealed partial class PingKernelTests(IputilsWithoutCapabilities capless, ITestOutputHelper output) : IClassFixture<IputilsWithoutCapabilities>
{
    private static string Server(bool v6) => RouterChainTopology.LinkAddress(1, 2, v6);
    private static string RouterNear(bool v6) => RouterChainTopology.LinkAddress(0, 2, v6);
    private static string Silent(bool v6) => RouterChainTopology.LinkAddress(1, 3, v6);

    private static RouterChainTopology NewTopology(bool v6)
    {
        var net = new RouterChainTopology();
        Assert.True(net.SetupError is null, net.SetupError);
        if (v6)
        {
            net.WaitForIPv6();
        }
        return net;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Echo_replies_through_the_router_match_iputils(bool v6, bool asNobody)
    {
        var pair = PingTools.Compare(output, capless, 1, v6, asNobody, null, "-c", "3", "-i", "0.2", "-W", "2", Server(v6));
        var reply = new Regex($@"^64 bytes from {Regex.Escape(Server(v6))}: icmp_seq=(\d+) ttl=63 time=\d+(\.\d+)? ms$");
        foreach (var (who, result) in (ValueTuple<string, CommandResult>[])[("iputils", pair.Iputils), ("icmpkit", pair.Icmpkit)])
        {
            Assert.True(result.ExitCode == 0, $"{who}: {result}");
            PingTools.AssertLines(who, "three replies, ttl=63", ["1", "2", "3"], result.Lines().Select(l => reply.Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value), result);
            Assert.StartsWith("3 packets transmitted, 3 received, 0% packet loss, time ", result.SummaryLine(), StringComparison.Ordinal);
        }
        PingTools.AssertSameAsIputils(pair);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)] // datagram socket: the error comes only through IP_RECVERR / MSG_ERRQUEUE
    [InlineData(true, true)]  // IPV6_RECVERR
    public void Ttl_1_gets_time_exceeded_from_the_router_as_iputils_prints_it(bool v6, bool asNobody)
    {
        var pair = PingTools.Compare(output, capless, 1, v6, asNobody, null, "-c", "2", "-i", "0.3", "-t", "1", "-W", "2", Server(v6));
        string text = v6 ? "Time exceeded: Hop limit" : "Time to live exceeded";
        foreach (var (who, result) in (ValueTuple<string, CommandResult>[])[("iputils", pair.Iputils), ("icmpkit", pair.Icmpkit)])
        {
            Assert.True(result.ExitCode == 1, $"{who}: {result}");
            PingTools.AssertLines(who, "one error line per request", [$"From {RouterNear(v6)} icmp_seq=1 {text}", $"From {RouterNear(v6)} icmp_seq=2 {text}"],
                result.FromLines(), result);
            Assert.StartsWith("2 packets transmitted, 0 received, +2 errors, 100% packet loss, time ", result.SummaryLine(), StringComparison.Ordinal);
        }
        PingTools.AssertSameAsIputils(pair);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_silent_host_prints_what_iputils_prints(bool v6)
    {
        // On the server's link but nobody has it: the router's ARP / neighbour solicitation goes unanswered.
        var pair = PingTools.Compare(output, capless, 1, v6, false, null, "-c", "2", "-i", "0.2", "-W", "1", Silent(v6));
        foreach (var (who, result) in (ValueTuple<string, CommandResult>[])[("iputils", pair.Iputils), ("icmpkit", pair.Icmpkit)])
        {
            Assert.True(result.ExitCode == 1, $"{who}: {result}");
            Assert.StartsWith("2 packets transmitted, 0 received, 100% packet loss, time ", result.SummaryLine(), StringComparison.Ordinal);
        }
        // iputils ends with an empty line here: no rtt (nothing received) and no "pipe" (nothing was acknowledged).
        PingTools.AssertSameAsIputils(pair);
    }

    [GeneratedRegex(@", time (\d+)ms$", RegexOptions.Multiline)]
    private static partial Regex SummaryTime();

    [Fact]
    public void The_summary_time_runs_from_the_first_to_the_last_request_as_in_iputils()
    {
        // iputils finish(): time = (time of the last request sent) - (start); the final wait for replies (-W) is not in it.
        // Three requests 0.2 s apart to a silent host: iputils says about 400ms, whatever -W is.
        var pair = PingTools.Compare(output, capless, 1, false, false, null, "-c", "3", "-i", "0.2", "-W", "3", Silent(false));
        long iputils = long.Parse(SummaryTime().Match(pair.Iputils.Stdout).Groups[1].Value, CultureInfo.InvariantCulture);
        long icmpkit = long.Parse(SummaryTime().Match(pair.Icmpkit.Stdout).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(iputils, 350, 1500);
        Assert.True(Math.Abs(icmpkit - iputils) < 1000,
            $"summary time: iputils {iputils}ms (first to last request), icmpkit {icmpkit}ms; with -W 3 a difference near 3000ms means the final wait was counted\n{pair.Icmpkit}");
    }

    [GeneratedRegex(@"^20 bytes from 198\.18\.1\.2: icmp_seq=(\d+) ttl=63 time=\d+(\.\d+)? ms$")]
    private static partial Regex TimestampReply();

    [GeneratedRegex(@"^originate=(\d+) receive=(\d+) transmit=(\d+)$")]
    private static partial Regex TimestampValues();

    [Fact]
    public void Timestamp_requests_are_answered_by_the_kernel_with_its_clock()
    {
        using var net = NewTopology(false);
        long before = (long)DateTime.UtcNow.TimeOfDay.TotalMilliseconds;
        var result = PingTools.Icmpkit(net.Client, false, ["--type", "timestamp", "-c", "3", "-i", "0.2", "-W", "2", Server(false)]);
        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Lines();
        Assert.Equal("PING 198.18.1.2 (198.18.1.2) 12(40) bytes of data.", lines[0]);
        var replies = lines.Select((line, index) => (Match: TimestampReply().Match(line), Index: index)).Where(r => r.Match.Success).ToList();
        Assert.Equal(["1", "2", "3"], replies.Select(r => r.Match.Groups[1].Value));
        foreach (var (_, index) in replies)
        {
            // The line after each reply: the three RFC 792 times, milliseconds since midnight UT.
            var times = TimestampValues().Match(lines[index + 1]);
            Assert.True(times.Success, $"no originate/receive/transmit line after '{lines[index]}':\n{result}");
            long originate = long.Parse(times.Groups[1].Value, CultureInfo.InvariantCulture);
            long receive = long.Parse(times.Groups[2].Value, CultureInfo.InvariantCulture);
            long transmit = long.Parse(times.Groups[3].Value, CultureInfo.InvariantCulture);
            Assert.All([originate, receive, transmit], t => Assert.InRange(t, 0, 86_399_999));
            // Linux stamps receive and transmit with one reading (icmp_timestamp()); same clock as ours, so close to originate.
            Assert.Equal(receive, transmit);
            Assert.True(DayDistance(receive, originate) <= 1000, $"receive {receive} is far from originate {originate}");
            Assert.True(DayDistance(originate, before) <= 60_000, $"originate {originate} is not now ({before})");
        }
        Assert.StartsWith("3 packets transmitted, 3 received, 0% packet loss, time ", result.SummaryLine(), StringComparison.Ordinal);
    }

    private static long DayDistance(long a, long b)
    {
        long d = Math.Abs(a - b) % 86_400_000;
        return Math.Min(d, 86_400_000 - d);
    }

    [Fact]
    public void Timestamp_requests_without_privilege_fail_in_one_line_that_does_not_suggest_a_datagram_socket()
    {
        // A datagram ICMP socket sends only echo requests, so without CAP_NET_RAW a timestamp request cannot be sent at
        // all, even where ping_group_range allows datagram sockets: exit 2 and one line that says so.
        using var net = NewTopology(false);
        PingTools.OpenPingGroupRange(net.Client);
        var result = PingTools.Icmpkit(net.Client, true, ["--type", "timestamp", "-c", "1", "-W", "1", Server(false)]);
        output.WriteLine(result.ToString());
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("icmpkit: ping: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("--socket dgram", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_unprivileged_user_gets_a_datagram_socket_and_replies(bool v6)
    {
        using var net = NewTopology(v6);
        PingTools.OpenPingGroupRange(net.Client);
        var result = PingTools.Icmpkit(net.Client, true, ["-v", "-c", "2", "-i", "0.2", "-W", "2", Server(v6)]);
        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.Lines(), line => line.StartsWith("icmpkit: using a datagram ICMP socket", StringComparison.Ordinal));
        Assert.Equal(2, result.Lines().Count(line => line.StartsWith($"64 bytes from {Server(v6)}: icmp_seq=", StringComparison.Ordinal)));
        Assert.StartsWith("2 packets transmitted, 2 received, 0% packet loss, time ", result.SummaryLine(), StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Without_privilege_and_outside_ping_group_range_it_exits_2_with_one_line(bool v6)
    {
        using var net = NewTopology(v6);
        RouterChainTopology.Sysctl(net.Client, "net.ipv4.ping_group_range=1 0"); // closed (the default of a new namespace)
        var result = PingTools.Icmpkit(net.Client, true, ["-c", "1", "-W", "1", Server(v6)]);
        output.WriteLine(result.ToString());
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("icmpkit: ping: ", line, StringComparison.Ordinal);
        Assert.Contains("ping_group_range", line, StringComparison.Ordinal);

        // The reference: iputils without its capability fails the same way (exit 2).
        var iputils = PingTools.Iputils(net.Client, capless.Path, true, ["-c", "1", "-W", "1", Server(v6)]);
        output.WriteLine(iputils.ToString());
        Assert.Equal(2, iputils.ExitCode);
    }
}

/// <summary>
/// ICMP destination unreachable from the Linux router, compared line for line with iputils: routes of type unreachable
/// and prohibit, nftables `reject with icmp(v6) type …` on forwarded echo requests (ping cannot trigger port or protocol
/// unreachable otherwise), and fragmentation needed / packet too big from the 1280-byte link.
/// </summary>
public sealed class PingUnreachableKernelTests(IputilsWithoutCapabilities capless, ITestOutputHelper output) : IClassFixture<IputilsWithoutCapabilities>
{
    private static string Server(bool v6) => RouterChainTopology.LinkAddress(1, 2, v6);
    private static string RouterNear(bool v6) => RouterChainTopology.LinkAddress(0, 2, v6);

    /// <summary>Checks the error lines and the summary of a run that got one ICMP error per request.</summary>
    private static void AssertErrors(PingPair pair, string from, string text, int count)
    {
        foreach (var (who, result) in (ValueTuple<string, CommandResult>[])[("iputils", pair.Iputils), ("icmpkit", pair.Icmpkit)])
        {
            Assert.True(result.ExitCode == 1, $"{who}: {result}");
            PingTools.AssertLines(who, "one error line per request", Enumerable.Range(1, count).Select(seq => $"From {from} icmp_seq={seq} {text}"),
                result.FromLines(), result);
            Assert.StartsWith($"{count} packets transmitted, 0 received, +{count} errors, 100% packet loss, time ", result.SummaryLine(), StringComparison.Ordinal);
        }
    }

    [Theory]
    // The kernel: RTN_UNREACHABLE -> EHOSTUNREACH -> code 1; RTN_PROHIBIT -> EACCES -> code 13 (communication
    // administratively prohibited, "Packet filtered" in iputils). IPv6: code 0 (no route) and code 1 (administratively prohibited).
    [InlineData(false, "unreachable", "Destination Host Unreachable", false)]
    [InlineData(false, "prohibit", "Packet filtered", false)]
    [InlineData(true, "unreachable", "Destination unreachable: No route", false)]
    [InlineData(true, "prohibit", "Destination unreachable: Administratively prohibited", false)]
    [InlineData(false, "unreachable", "Destination Host Unreachable", true)]
    [InlineData(true, "prohibit", "Destination unreachable: Administratively prohibited", true)]
    public void Unreachable_and_prohibit_routes_on_the_router(bool v6, string routeType, string text, bool asNobody)
    {
        // Two requests: a fresh router gives a source 2 unreachable-route errors at once (the route limiter and
        // icmp_ratelimit share the token bucket), then about one every 2 s.
        string target = RouterChainTopology.Elsewhere(9, v6);
        var pair = PingTools.Compare(output, capless, 1, v6, asNobody,
            net => Netns.Ip("-n", net.Router, v6 ? "-6" : "-4", "route", "add", routeType, RouterChainTopology.ElsewherePrefix(9, v6)),
            "-c", "2", "-i", "0.3", "-W", "2", target);
        AssertErrors(pair, RouterNear(v6), text, 2);
        PingTools.AssertSameAsIputils(pair);
    }

    [Theory]
    [InlineData(false, "icmp type port-unreachable", "Destination Port Unreachable", false)]
    [InlineData(false, "icmp type prot-unreachable", "Destination Protocol Unreachable", false)]
    [InlineData(false, "icmp type net-prohibited", "Destination Net Prohibited", false)]
    [InlineData(false, "icmp type port-unreachable", "Destination Port Unreachable", true)]
    [InlineData(false, "icmp type prot-unreachable", "Destination Protocol Unreachable", true)]
    [InlineData(true, "icmpv6 type port-unreachable", "Destination unreachable: Port unreachable", false)]
    [InlineData(true, "icmpv6 type addr-unreachable", "Destination unreachable: Address unreachable", false)]
    [InlineData(true, "icmpv6 type port-unreachable", "Destination unreachable: Port unreachable", true)]
    // iputils 20221126 has words for codes 0-4 only; 5 (source address failed ingress/egress policy, RFC 4443) and 6
    // (reject route to destination) are "Unknown code N".
    [InlineData(true, "icmpv6 type policy-fail", "Destination unreachable: Unknown code 5", false)]
    [InlineData(true, "icmpv6 type reject-route", "Destination unreachable: Unknown code 6", false)]
    public void Errors_from_an_nftables_reject_on_the_router(bool v6, string reject, string text, bool asNobody)
    {
        string match = v6 ? "icmpv6 type echo-request" : "icmp type echo-request";
        var pair = PingTools.Compare(output, capless, 1, v6, asNobody,
            net => net.Nft(net.Router, $$"""
                table inet ikreject {
                    chain forward {
                        type filter hook forward priority 0; policy accept;
                        {{match}} reject with {{reject}}
                    }
                }
                """),
            "-c", "2", "-i", "0.3", "-W", "2", Server(v6));
        AssertErrors(pair, RouterNear(v6), text, 2);
        PingTools.AssertSameAsIputils(pair);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Fragmentation_needed_then_local_errors_as_iputils(bool v6, bool asNobody)
    {
        // 1400 data bytes with DF onto the 1280-byte link: the router answers the first request with the MTU; the
        // kernel keeps it (route exception), so the next two fail in sendmsg and come back as local errors.
        var pair = PingTools.Compare(output, capless, 1, v6, asNobody, null, "-M", "do", "-s", "1400", "-c", "3", "-i", "0.3", "-W", "2", Server(v6));
        string text = v6 ? "Packet too big: mtu=1280" : "Frag needed and DF set (mtu = 1280)";
        // iputils' own words differ by family: ping.c "mtu=%u", ping6_common.c "mtu: %u".
        string local = v6 ? "local error: message too long, mtu: 1280" : "local error: message too long, mtu=1280";
        foreach (var (who, result, prefix) in (ValueTuple<string, CommandResult, string>[])
            [("iputils", pair.Iputils, pair.IputilsProgram + ": "), ("icmpkit", pair.Icmpkit, "icmpkit: ping: ")])
        {
            Assert.True(result.ExitCode == 1, $"{who}: {result}");
            PingTools.AssertLines(who, "the router's error for the first request only", [$"From {RouterNear(v6)} icmp_seq=1 {text}"], result.FromLines(), result);
            PingTools.AssertLines(who, "stderr: a local error for each later request (program prefix removed)", [local, local], PingTools.StderrLines(result.Stderr, prefix), result);
            Assert.StartsWith("3 packets transmitted, 0 received, +3 errors, 100% packet loss, time ", result.SummaryLine(), StringComparison.Ordinal);
        }
        PingTools.AssertSameAsIputils(pair);
    }
}

/// <summary>
/// Four namespaces, client – router 1 – router 2 – server (<see cref="RouterChainTopology"/> with two routers): Record
/// Route lists both routers (as root through a raw socket, and without privilege through a datagram socket, where the
/// options come back in an IP_RETOPTS control message), and TTL 2 expires at the second router.
/// </summary>
public sealed class PingTwoRouterTests(IputilsWithoutCapabilities capless, ITestOutputHelper output) : IClassFixture<IputilsWithoutCapabilities>
{
    private static string Address(int link, int host, bool v6 = false) => RouterChainTopology.LinkAddress(link, host, v6);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Record_route_through_two_routers_lists_both_as_iputils(bool asNobody)
    {
        string server = Address(2, 2);
        var pair = PingTools.Compare(output, capless, 2, false, asNobody, null, "-R", "-c", "3", "-i", "0.2", "-W", "2", server);
        // Out: the client, each router's outgoing address, the server; back: the server, each router's outgoing address
        // toward the client, the client. iputils prints the route of the first reply, then "(same route)".
        string[] route =
        [
            $"RR: \t{Address(0, 1)}", $"\t{Address(1, 1)}", $"\t{Address(2, 1)}", $"\t{server}",
            $"\t{server}", $"\t{Address(1, 2)}", $"\t{Address(0, 2)}", $"\t{Address(0, 1)}", "",
        ];
        foreach (var (who, result) in (ValueTuple<string, CommandResult>[])[("iputils", pair.Iputils), ("icmpkit", pair.Icmpkit)])
        {
            Assert.True(result.ExitCode == 0, $"{who}: {result}");
            var lines = result.Lines();
            Assert.Equal($"PING {server} ({server}) 56(124) bytes of data.", lines[0]);
            Assert.Matches($@"^64 bytes from {Regex.Escape(server)}: icmp_seq=1 ttl=62 time=\d+(\.\d+)? ms$", lines[1]);
            PingTools.AssertLines(who, "the recorded route after the first reply", route, lines.Skip(2).Take(route.Length), result);
            Assert.Equal(2, lines.Count(l => l.EndsWith(" ms\t(same route)", StringComparison.Ordinal)));
            Assert.StartsWith("3 packets transmitted, 3 received, 0% packet loss, time ", result.SummaryLine(), StringComparison.Ordinal);
        }
        PingTools.AssertSameAsIputils(pair);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Ttl_2_expires_at_the_second_router(bool v6, bool asNobody)
    {
        var pair = PingTools.Compare(output, capless, 2, v6, asNobody, null, "-c", "2", "-i", "0.3", "-t", "2", "-W", "2", Address(2, 2, v6));
        string text = v6 ? "Time exceeded: Hop limit" : "Time to live exceeded";
        string router2 = Address(1, 2, v6);
        foreach (var (who, result) in (ValueTuple<string, CommandResult>[])[("iputils", pair.Iputils), ("icmpkit", pair.Icmpkit)])
        {
            Assert.True(result.ExitCode == 1, $"{who}: {result}");
            PingTools.AssertLines(who, "one error line per request, from the second router", [$"From {router2} icmp_seq=1 {text}", $"From {router2} icmp_seq=2 {text}"],
                result.FromLines(), result);
        }
        PingTools.AssertSameAsIputils(pair);
    }
}
