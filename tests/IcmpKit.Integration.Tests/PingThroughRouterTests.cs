using System.Text.RegularExpressions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// `icmpkit ping` run inside the client namespace against the Linux kernel as host and router: replies across a
/// router, time exceeded (-t 1), and unreachable / prohibit routes, for IPv4 and IPv6.
/// </summary>
public sealed partial class PingThroughRouterTests : IClassFixture<KernelTopology>
{
    private readonly KernelTopology _net;

    public PingThroughRouterTests(KernelTopology net)
    {
        _net = net;
        Assert.True(net.SetupError is null, net.SetupError);
    }

    [GeneratedRegex(@"^64 bytes from 198\.18\.1\.2: icmp_seq=\d+ ttl=63 time=\d+(\.\d+)? ms$")]
    private static partial Regex ReplyAcrossRouter();

    private CommandResult Ping(params string[] args) =>
        Netns.Exec(_net.Client, IcmpKitBinary.Path, ["ping", .. args], TimeSpan.FromSeconds(20));

    [Fact]
    public void Replies_across_the_router_have_ttl_63()
    {
        var result = Ping("-c", "2", "-i", "0.2", "-W", "2", KernelTopology.ServerV4);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, result.Stdout.Split('\n').Count(l => ReplyAcrossRouter().IsMatch(l)));
        Assert.Contains("2 packets transmitted, 2 received, 0% packet loss", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Ttl_1_gets_time_exceeded_from_the_router()
    {
        var result = Ping("-c", "1", "-t", "1", "-W", "3", KernelTopology.ServerV4);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"From {KernelTopology.RouterNearV4} icmp_seq=1 Time to live exceeded\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 packets transmitted, 0 received, +1 errors, 100% packet loss", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unreachable", "198.18.9.1", "Destination Host Unreachable")]
    [InlineData("prohibit", "198.18.10.1", "Packet filtered")]
    public void Router_routes_of_type_unreachable_and_prohibit(string routeType, string target, string expected)
    {
        // A topology of its own: the router's per-source token bucket for these errors (shared with time exceeded,
        // about 2 s per error after a burst of a few) would otherwise depend on what the other tests sent before.
        using var net = new KernelTopology();
        Assert.True(net.SetupError is null, net.SetupError);
        string prefix = target[..target.LastIndexOf('.')] + ".0/24";
        Netns.Check("ip", "-n", net.Router, "route", "add", routeType, prefix);
        var result = Netns.Exec(net.Client, IcmpKitBinary.Path, ["ping", "-c", "1", "-W", "3", target], TimeSpan.FromSeconds(20));
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"From {KernelTopology.RouterNearV4} icmp_seq=1 {expected}\n", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv6_replies_and_hop_limit_exceeded()
    {
        var reply = Ping("-c", "1", "-W", "2", KernelTopology.ServerV6);
        Assert.True(reply.ExitCode == 0, reply.ToString());
        // iputils 20221126 prints the hop limit as "ttl=" for IPv6 too.
        Assert.Contains($"64 bytes from {KernelTopology.ServerV6}: icmp_seq=1 ttl=63 time=", reply.Stdout, StringComparison.Ordinal);

        var exceeded = Ping("-c", "1", "-t", "1", "-W", "3", KernelTopology.ServerV6);
        Assert.Equal(1, exceeded.ExitCode);
        Assert.Contains($"From {KernelTopology.RouterNearV6} icmp_seq=1 Time exceeded: Hop limit\n", exceeded.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_silent_target_times_out_with_exit_1()
    {
        // 198.18.1.3 is on the server's link but nobody has it: the router gets no ARP answer and the request dies.
        var result = Ping("-c", "1", "-W", "1", "198.18.1.3");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("1 packets transmitted, 0 received", result.Stdout, StringComparison.Ordinal);
    }
}

/// <summary>The Release CLI that ./icmpkit builds (run-tests builds it before the tests run).</summary>
internal static class IcmpKitBinary
{
    public static string Path { get; } = Find();

    /// <summary>The repository holding this source file (the test assembly may be built elsewhere, e.g. --artifacts-path).</summary>
    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        System.IO.Path.GetDirectoryName(file) ?? ".";

    private static string Find()
    {
        // A binary published elsewhere (parallel work on one checkout must not rebuild artifacts/cli under each other).
        if (Environment.GetEnvironmentVariable("ICMPKIT_BINARY") is { Length: > 0 } given)
        {
            return given;
        }
        foreach (var start in new[] { AppContext.BaseDirectory, SourceDirectory() })
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            string wrapper = System.IO.Path.Combine(dir.FullName, "icmpkit");
            if (File.Exists(wrapper) && Directory.Exists(System.IO.Path.Combine(dir.FullName, "src")))
            {
                var build = Netns.Run(wrapper, ["--version"], TimeSpan.FromMinutes(5));
                if (build.ExitCode != 0)
                {
                    throw new InvalidOperationException($"./icmpkit does not build: {build}");
                }
                return System.IO.Path.Combine(dir.FullName, "artifacts", "cli", "IcmpKit.Cli");
            }
        }
        throw new InvalidOperationException("cannot find the repository's ./icmpkit above " + AppContext.BaseDirectory);
    }
}
