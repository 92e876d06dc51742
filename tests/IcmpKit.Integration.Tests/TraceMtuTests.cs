using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// `icmpkit trace --mtu` through a chain of three Linux routers whose links after router 1 and router 2 carry 1300 and
/// 1280 bytes: the probes start at the client's interface MTU (1500) with DF, router 1 answers "fragmentation needed" /
/// "packet too big" with 1300, router 2 with 1280 (Linux never rate-limits those: icmpv4_mask_allow(), and ICMPv6 type 2
/// is outside icmpv6_ratemask), and each MTU shows on the first hop that needed it, as tracepath reports them.
/// </summary>
public sealed partial class TraceMtuTests(ITestOutputHelper output)
{
    private const int Routers = 3;

    /// <summary>A chain with link 1 at 1300 bytes and link 2 at 1280 (the smallest IPv6 link, RFC 8200 §5).</summary>
    private static RouterChainTopology Chain(bool v6)
    {
        var net = TraceTools.Chain(Routers, v6);
        try
        {
            SetLinkMtu(net.RouterNames[0] + "b", net.RouterNames[0], net.RouterNames[1] + "a", net.RouterNames[1], 1300);
            SetLinkMtu(net.RouterNames[1] + "b", net.RouterNames[1], net.RouterNames[2] + "a", net.RouterNames[2], 1280);
            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    private static void SetLinkMtu(string nearDevice, string nearNs, string farDevice, string farNs, int mtu)
    {
        string text = mtu.ToString(CultureInfo.InvariantCulture);
        Netns.Ip("-n", nearNs, "link", "set", nearDevice, "mtu", text);
        Netns.Ip("-n", farNs, "link", "set", farDevice, "mtu", text);
    }

    [Theory]
    [InlineData("-I", false, true)]
    [InlineData("-I", true, false)]
    [InlineData("-U", false, false)]
    [InlineData("-U", true, true)]
    [InlineData("-T", false, false)]
    [InlineData("-T", true, false)]
    public void Each_link_mtu_shows_on_the_first_hop_that_needs_it_and_every_hop_answers(string probe, bool v6, bool asNobody)
    {
        using var net = Chain(v6);
        string server = TraceTools.Server(net, v6);
        string[] socket = asNobody || probe == "-T" ? [] : ["--socket", "raw"];
        var result = TraceTools.Icmpkit(net.Client, asNobody, ["-n", "--mtu", probe, .. socket, server]);
        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0 && result.Stderr.Length == 0, result.ToString());
        Assert.Equal(
            [
                $"traceroute to {server} ({server}), 30 hops max, 1500 byte packets",
                TraceTools.FullHop(1, TraceTools.Router(1, v6)) + "  pmtu 1500",
                TraceTools.FullHop(2, TraceTools.Router(2, v6)) + "  pmtu 1300",
                TraceTools.FullHop(3, TraceTools.Router(3, v6)) + "  pmtu 1280",
                TraceTools.FullHop(4, server),
            ], TraceTools.Masked(result));
    }

    [GeneratedRegex(@"^\s*(\d+)\??:\s+(\S+).*\bpmtu (\d+)")]
    private static partial Regex TracepathMtu();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reports_the_mtus_tracepath_reports_with_the_routers_that_reported_them(bool v6)
    {
        CommandResult tracepath, icmpkit;
        using (var net = Chain(v6))
        {
            tracepath = Netns.Exec(net.Client, Netns.Which("tracepath") ?? throw new InvalidOperationException(
                "tracepath is missing; install it (DEBIAN_FRONTEND=noninteractive apt-get install -y iputils-tracepath)"),
                ["-n", TraceTools.Server(net, v6)], TraceTools.Limit);
        }
        using (var net = Chain(v6))
        {
            icmpkit = TraceTools.Icmpkit(net.Client, asNobody: true, ["-n", "--mtu", "-U", "--json", TraceTools.Server(net, v6)]);
        }
        output.WriteLine($"--- tracepath: {tracepath}\n--- icmpkit: {icmpkit}");
        Assert.True(tracepath.ExitCode == 0 && icmpkit.ExitCode == 0, $"{tracepath}\n{icmpkit}");

        // tracepath: " 1?: [LOCALHOST]  pmtu 1500", then " 2:  198.18.0.2  0.020ms pmtu 1300": the probe of TTL 2 was too
        // big, and router 1 said so.
        var theirs = tracepath.Stdout.Split('\n').Select(line => TracepathMtu().Match(line)).Where(m => m.Success)
            .Select(m => (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value, int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)))
            .ToList();
        using var document = JsonDocument.Parse(icmpkit.Stdout);
        var ours = document.RootElement.GetProperty("hops").EnumerateArray().Where(h => h.TryGetProperty("pmtu", out _))
            .Select(h => (h.GetProperty("ttl").GetInt32(), h.GetProperty("pmtu_from").GetString() ?? "[LOCALHOST]", h.GetProperty("pmtu").GetInt32()))
            .ToList();
        Assert.Equal([(1, "[LOCALHOST]", 1500), (2, TraceTools.Router(1, v6), 1300), (3, TraceTools.Router(2, v6), 1280)], theirs);
        Assert.Equal(theirs, ours);
        Assert.Contains("Resume: pmtu 1280", tracepath.Stdout, StringComparison.Ordinal);
    }
}
