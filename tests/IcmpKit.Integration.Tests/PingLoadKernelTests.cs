using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// The ping tests that load the machine (floods, 400 paced requests): run alone, after the parallel ones, so that they
/// neither slow the other kernel tests nor are slowed by them (2 cores).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PingLoadCollection
{
    public const string Name = "kernel ping load";
}

/// <summary>
/// `icmpkit ping` under load against the Linux kernel: random loss from nftables `numgen random` on the server (counted
/// exactly by nftables counters), exact counts while an iputils flood runs against the same target from the same
/// namespace, the 16-bit sequence wrapping past 65535, and the flood summary compared with iputils'.
/// Every run is bounded: a count, a deadline (-w) and a process time limit.
/// </summary>
[Collection(PingLoadCollection.Name)]
public sealed partial class PingLoadKernelTests(IputilsWithoutCapabilities capless, ITestOutputHelper output) : IClassFixture<IputilsWithoutCapabilities>
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(120);

    private static string Server(bool v6) => RouterChainTopology.LinkAddress(1, 2, v6);

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

    [GeneratedRegex(@"^(\d+) packets transmitted, (\d+) received, ([0-9.]+)% packet loss, time \d+ms$")]
    private static partial Regex Summary();

    // iputils at -i 0.01 with sub-millisecond replies: no pipe (1), or a small one when a reply is late by a whole
    // interval or more on a busy machine (pipe = 1 + the requests sent after it before it came back).
    [GeneratedRegex(@"^rtt min/avg/max/mdev = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms(, pipe [2-5])?$")]
    private static partial Regex RttOnly();

    [GeneratedRegex(@", pipe (\d+)")]
    private static partial Regex Pipe();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Random_loss_from_nftables_is_counted_exactly(bool v6)
    {
        const int Count = 400;
        const double Loss = 0.2;
        using var net = NewTopology(v6);
        string icmp = v6 ? "icmpv6" : "icmp";
        net.Nft(net.Server, $$"""
            table inet ikloss {
                counter requests { }
                counter dropped { }
                chain input {
                    type filter hook input priority 0; policy accept;
                    {{icmp}} type echo-request counter name "requests"
                    {{icmp}} type echo-request numgen random mod 100 < 20 counter name "dropped" drop
                }
            }
            """);
        var result = PingTools.Icmpkit(net.Client, false, ["-q", "-c", Count.ToString(CultureInfo.InvariantCulture), "-i", "0.01", "-W", "1", Server(v6)], RunLimit);
        output.WriteLine(result.ToString());
        Assert.False(result.TimedOut, result.ToString());
        long requests = RouterChainTopology.NftCounter(net.Server, "ikloss", "requests");
        long dropped = RouterChainTopology.NftCounter(net.Server, "ikloss", "dropped");
        output.WriteLine($"server: {requests} requests, {dropped} dropped");

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = Summary().Match(result.SummaryLine());
        Assert.True(summary.Success, $"summary line: '{result.SummaryLine()}'");
        long transmitted = long.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture);
        long received = long.Parse(summary.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.Equal(Count, transmitted);
        Assert.Equal(Count, requests);                   // every request reached the server…
        Assert.Equal(Count - dropped, received);         // …and every one not dropped there came back and was counted
        Assert.Equal(PingTools.IputilsLossPercent(transmitted, received), summary.Groups[3].Value);
        // Binomial(400, 0.2): mean 80, sigma 8; within 4.5 sigma (a false alarm about once in 150 000 runs).
        double sigma = Math.Sqrt(Count * Loss * (1 - Loss));
        Assert.InRange(transmitted - received, Count * Loss - (4.5 * sigma), Count * Loss + (4.5 * sigma));

        // -q: the header, the statistics, and the rtt line as iputils prints it at -i 0.01: every reply is back long
        // before the next request, and a lost request is never acknowledged, so there is no "pipe" (at most a small one
        // if a reply is late; never one that grows with the losses), and no ipg/ewma (only for -f, -A or -i 0).
        string name = Server(v6);
        var lines = PingTools.Mask(result.Stdout);
        Assert.Equal(v6 ? $"PING {name}({name}) 56 data bytes" : $"PING {name} ({name}) 56(84) bytes of data.", lines[0]);
        Assert.Equal(["", $"--- {name} ping statistics ---"], lines.Skip(1).Take(2));
        Assert.Equal(5, lines.Count);
        Assert.True(RttOnly().IsMatch(result.Lines()[4]),
            $"rtt line as iputils prints it here: 'rtt min/avg/max/mdev = a/b/c/d ms' (perhaps ', pipe 2'), was '{result.Lines()[4]}' ({transmitted - received} lost)");
        Assert.Equal("", result.Stderr);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Exact_counts_while_an_iputils_flood_runs_against_the_same_target(bool v6)
    {
        using var net = NewTopology(v6);
        // Both use raw sockets (root) and so both see every echo reply in the namespace: each must keep to its own.
        using var flood = new BackgroundCommand(net.Client, Netns.Which("ping") ?? "ping", "-f", "-q", "-c", "2000000", "-w", "10", Server(v6));
        Thread.Sleep(500);
        if (flood.HasExited)
        {
            Assert.Fail($"the flood did not start: {flood.Stop(TimeSpan.FromSeconds(5))}");
        }

        var result = PingTools.Icmpkit(net.Client, false, ["-q", "-c", "200", "-i", "0.005", "-W", "2", Server(v6)], TimeSpan.FromSeconds(30));
        bool overlapped = !flood.HasExited;
        var floodResult = flood.Stop(TimeSpan.FromSeconds(15));
        output.WriteLine(result.ToString());
        output.WriteLine(floodResult.ToString());
        Assert.False(result.TimedOut, result.ToString());
        Assert.True(overlapped, $"the flood ended before icmpkit did, so they did not overlap:\n{floodResult}");
        var floodSummary = Summary().Match(floodResult.SummaryLine());
        Assert.True(floodSummary.Success && long.Parse(floodSummary.Groups[1].Value, CultureInfo.InvariantCulture) > 1000, $"the flood did not flood:\n{floodResult}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("200 packets transmitted, 200 received, 0% packet loss, time ", result.SummaryLine(), StringComparison.Ordinal);
        Assert.DoesNotContain("duplicates", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("corrupted", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("errors", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sequence_numbers_wrap_past_65535_without_duplicates(bool v6)
    {
        const int Count = 66_000;
        using var net = NewTopology(v6);
        string icmp = v6 ? "icmpv6" : "icmp";
        net.Nft(net.Server, $$"""
            table inet ikwrap {
                counter requests { }
                counter seqzero { }
                chain input {
                    type filter hook input priority 0; policy accept;
                    {{icmp}} type echo-request counter name "requests"
                    {{icmp}} type echo-request {{icmp}} sequence 0 counter name "seqzero"
                }
            }
            """);
        var result = PingTools.Icmpkit(net.Client, false, ["-f", "-q", "-c", Count.ToString(CultureInfo.InvariantCulture), "-w", "60", Server(v6)], RunLimit);
        output.WriteLine(result.ToString());
        Assert.False(result.TimedOut, result.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith($"{Count} packets transmitted, {Count} received, 0% packet loss, time ", result.SummaryLine(), StringComparison.Ordinal);
        Assert.DoesNotContain("duplicates", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
        Assert.Equal(Count, RouterChainTopology.NftCounter(net.Server, "ikwrap", "requests"));
        // Sequence numbers 1…65535, then 0, 1, …: 0 went on the wire exactly once, so the sequence really wrapped.
        Assert.Equal(1, RouterChainTopology.NftCounter(net.Server, "ikwrap", "seqzero"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Flood_summary_matches_iputils(bool v6)
    {
        var pair = PingTools.Compare(output, capless, 1, v6, false, null, "-f", "-q", "-c", "3000", "-W", "2", Server(v6));
        foreach (var (who, result) in (ValueTuple<string, CommandResult>[])[("iputils", pair.Iputils), ("icmpkit", pair.Icmpkit)])
        {
            Assert.True(result.ExitCode == 0, $"{who}: {result}");
            Assert.StartsWith("3000 packets transmitted, 3000 received, 0% packet loss, time ", result.SummaryLine(), StringComparison.Ordinal);
        }
        // iputils -f keeps one request in flight: the next goes when the reply is back, or after 10 ms without one, so
        // its pipe is 1 (not printed) or 2 when the 10 ms timer fires first — which run gets a "pipe 2" is chance, so the
        // pipe is compared apart: icmpkit, which also keeps one request in flight on the wire, must not report more
        // than a few.
        PingTools.AssertSameAsIputils(pair, ignorePipe: true);
        var pipe = Pipe().Match(pair.Icmpkit.Stdout);
        Assert.True(!pipe.Success || int.Parse(pipe.Groups[1].Value, CultureInfo.InvariantCulture) <= 5,
            $"icmpkit -f reports '{pipe.Value.TrimStart(',', ' ')}'; iputils -f reports none or 'pipe 2' (one request in flight)\n{pair.Icmpkit}\n{pair.Iputils}");
    }
}
