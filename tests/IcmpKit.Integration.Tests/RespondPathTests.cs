using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// The path tools against `icmpkit respond` (issue 4 §5): Linux traceroute 2.1 (ICMP and UDP), iputils tracepath and
/// mtr each list the configured hops in order and then the host, IPv4 and IPv6, each family on its own path (three
/// IPv4 hops, two IPv6 hops). Each test has a responder of its own, so its per-hop error rate limits (a burst of 6,
/// then 1/s per source, as Linux) start full: a tool here draws at most 5 errors from any hop.
/// </summary>
public sealed partial class RespondPathTests
{
    private const string HostV4 = "198.18.21.1";
    private const string HostV6 = "fd42:21::1";
    private static readonly string[] HopsV4 = ["198.18.22.1", "198.18.22.2", "198.18.22.3"];
    private static readonly string[] HopsV6 = ["fd42:22::1", "fd42:22::2"];

    private static RespondProcess StartPath() => RespondProcess.Start(
        "--address", HostV4, "--address", HostV6, "--hops", string.Join(',', HopsV4.Concat(HopsV6)), "--delay", "2ms", "--hop-delay", "1ms");

    /// <summary>One line of traceroute's output: the TTL, the addresses named, how many probes were answered and how many not.</summary>
    internal sealed record TraceHop(int Ttl, string[] Addresses, int Answered, int Unanswered, string Line);

    [GeneratedRegex(@"^\s*(\d+)\s+(.*)$")]
    private static partial Regex HopLine();

    /// <summary>traceroute's hop lines: " 2  198.18.22.2  2.814 ms  2.812 ms  2.806 ms" (another address may sit among the times).</summary>
    internal static List<TraceHop> ParseTraceroute(string stdout)
    {
        var hops = new List<TraceHop>();
        foreach (string line in stdout.Split('\n').Skip(1))
        {
            var match = HopLine().Match(line);
            if (!match.Success)
            {
                continue;
            }
            string[] tokens = match.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            hops.Add(new TraceHop(
                int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
                tokens.Where(IsAddress).ToArray(),
                tokens.Count(t => t == "ms"),
                tokens.Count(t => t == "*"),
                line));
        }
        return hops;
    }

    /// <summary>A dotted quad or an IPv6 address (IPAddress.TryParse alone takes a time such as "8.595" for 8.0.2.83).</summary>
    private static bool IsAddress(string token) =>
        IPAddress.TryParse(token, out _) && (token.Count(c => c == '.') == 3 || token.Contains(':', StringComparison.Ordinal));

    private static void AssertTrace(CommandResult result, string[] expected, int probesPerHop)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        var hops = ParseTraceroute(result.Stdout);
        Assert.True(hops.Count == expected.Length, result.ToString());
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.Equal(k + 1, hops[k].Ttl);
            Assert.True(hops[k].Addresses.SequenceEqual([expected[k]]), $"hop {k + 1}: expected {expected[k]} alone:\n{result.Stdout}");
            Assert.True(hops[k].Answered == probesPerHop && hops[k].Unanswered == 0, $"hop {k + 1}: expected {probesPerHop} answers:\n{result.Stdout}");
            Assert.DoesNotContain('!', hops[k].Line); // no !H, !N, !X…: every hop forwards
        }
    }

    [Fact]
    public void Traceroute_icmp_lists_every_hop_in_order_then_the_host()
    {
        using var respond = StartPath();
        AssertTrace(respond.Exec("traceroute", "-I", "-n", "-q", "1", "-w", "1", HostV4), [.. HopsV4, HostV4], 1);
        AssertTrace(respond.Exec("traceroute", "-6", "-I", "-n", "-q", "1", "-w", "1", HostV6), [.. HopsV6, HostV6], 1);
    }

    [Fact]
    public void Traceroute_udp_lists_every_hop_in_order_then_the_host_with_three_answers_each()
    {
        using var respond = StartPath();
        // The host's answers here are port unreachables, which the host's own rate limit allows 6 at once: the 3 probes
        // with the host's TTL come before the ones with larger TTLs that reach the host too.
        AssertTrace(respond.Exec("traceroute", "-n", "-q", "3", "-w", "1", HostV4), [.. HopsV4, HostV4], 3);
        AssertTrace(respond.Exec("traceroute", "-6", "-n", "-q", "3", "-w", "1", HostV6), [.. HopsV6, HostV6], 3);
        var exit = respond.Stop();
        Assert.Contains("  answered destination_unreachable: ", exit.Stdout, StringComparison.Ordinal);
        Assert.Contains("  answered destination_unreachable_v6: ", exit.Stdout, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^[ \t]*(\d+)\??:[ \t]+(\S+)[ \t].*?(?:pmtu (\d+))?[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex TracepathLine();

    [GeneratedRegex(@"Resume: pmtu (\d+) hops (\d+) back (\d+)")]
    private static partial Regex TracepathResume();

    /// <summary>What tracepath printed: the node answering each TTL in order, the MTUs reported (by whom), the summary.</summary>
    internal sealed record TracepathRun(List<string> Hops, List<(string Address, int Mtu)> MtuReports, int PathMtu, int HopCount, int Back);

    /// <summary>
    /// tracepath's lines: " 2:  198.18.22.2   2.134ms" for the node answering TTL 2 (the first TTL is asked twice), and
    /// " 3:  198.18.22.2   1.144ms pmtu 1300" when the node at the previous TTL refused a probe as too big.
    /// </summary>
    internal static TracepathRun ParseTracepath(CommandResult result)
    {
        var hops = new List<string>();
        var reports = new List<(string, int)>();
        foreach (Match line in TracepathLine().Matches(result.Stdout))
        {
            string address = line.Groups[2].Value;
            int ttl = int.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture);
            if (address == "[LOCALHOST]")
            {
                continue;
            }
            if (line.Groups[3].Success)
            {
                reports.Add((address, int.Parse(line.Groups[3].Value, CultureInfo.InvariantCulture)));
                continue;
            }
            Assert.True(ttl == hops.Count || ttl == hops.Count + 1, $"TTL {ttl} out of order:\n{result.Stdout}");
            if (ttl == hops.Count + 1)
            {
                hops.Add(address);
            }
            else
            {
                Assert.True(hops[^1] == address, $"TTL {ttl} answered by two nodes:\n{result.Stdout}");
            }
        }
        var resume = TracepathResume().Match(result.Stdout);
        Assert.True(resume.Success, result.ToString());
        int Group(int i) => int.Parse(resume.Groups[i].Value, CultureInfo.InvariantCulture);
        return new TracepathRun(hops, reports, Group(1), Group(2), Group(3));
    }

    /// <summary>
    /// tracepath finds the path MTU with full-size probes: the TUN's MTU is set to 1400 here, so its probes are 1400
    /// bytes and must still be answered by every hop. "back N" is tracepath's reading of the reply's TTL (64 less the
    /// hops it crossed), so it checks the reply TTLs too.
    /// </summary>
    [Fact]
    public void Tracepath_lists_the_hops_in_order_the_path_mtu_and_the_reply_ttl()
    {
        using var respond = StartPath();
        Netns.Ip("-n", respond.Namespace, "link", "set", respond.Device, "mtu", "1400");
        foreach (var (family, host, hops) in new[] { ("-4", HostV4, HopsV4), ("-6", HostV6, HopsV6) })
        {
            var result = respond.Exec("tracepath", family, "-n", host);
            Assert.True(result.ExitCode == 0, result.ToString());
            var run = ParseTracepath(result);
            Assert.True(run.Hops.SequenceEqual([.. hops, host]), result.ToString());
            Assert.Empty(run.MtuReports);
            Assert.Matches(@"\n\s*\d+:\s+" + Regex.Escape(host) + @"\s+\d+\.\d+ms reached\n", result.Stdout);
            Assert.Equal((1400, hops.Length + 1, hops.Length + 1), (run.PathMtu, run.HopCount, run.Back));
        }
    }

    [GeneratedRegex(@"^\s*(\d+)\.\|--\s+(\S+)\s+(\d+\.\d)%\s+(\d+)\s", RegexOptions.Multiline)]
    private static partial Regex MtrLine();

    [Fact]
    public void Mtr_report_lists_the_hops_in_order_without_loss()
    {
        using var respond = StartPath();
        foreach (var (family, host, hops) in new[] { ("-4", HostV4, HopsV4), ("-6", HostV6, HopsV6) })
        {
            // 5 cycles, 0.2 s apart (root may go below 1 s), waiting 1 s for the last answers instead of 5.
            var result = respond.Exec("mtr", family, "--report", "--report-wide", "-n", "-c", "5", "-i", "0.2", "--gracetime", "1", host);
            Assert.True(result.ExitCode == 0, result.ToString());
            var lines = MtrLine().Matches(result.Stdout);
            Assert.True(lines.Select(m => m.Groups[2].Value).SequenceEqual([.. hops, host]), result.ToString());
            Assert.All(lines, m =>
            {
                Assert.Equal("0.0", m.Groups[3].Value);
                Assert.Equal("5", m.Groups[4].Value);
            });
        }
    }
}
