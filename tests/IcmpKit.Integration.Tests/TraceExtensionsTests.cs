using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// `-e` through the responder's emulated path, whose hops put RFC 4950 MPLS label stacks and RFC 5837 interface
/// information in their time exceeded errors: the hop line shows them as Linux traceroute -e shows the same errors, the
/// JSON decodes them, and tshark decodes the same packets (captured on the responder's TUN) to the same labels and
/// interface (index, name, address, MTU). IPv4 and IPv6, on a datagram socket (the error queue) and a raw one.
/// </summary>
public sealed partial class TraceExtensionsTests(ITestOutputHelper output)
{
    private const string HostV4 = "198.18.21.1";
    private const string HostV6 = "fd42:21::1";

    private const string Config = """
        {
          "addresses": ["198.18.21.1", "fd42:21::1"],
          "hops": [
            { "address": "198.18.22.1", "mpls": [16001, 16002],
              "interface": { "name": "ge-0/0/1", "index": 7, "address": "198.18.22.1", "mtu": 1500 } },
            { "address": "198.18.22.2", "mpls": [16003] },
            { "address": "fd42:22::1", "mpls": [17001],
              "interface": { "name": "xe-1/2/3", "index": 9, "address": "fd42:22::1", "mtu": 9000 } },
            { "address": "fd42:22::2" }
          ]
        }
        """;

    /// <summary>The "&lt;…&gt;" of a hop line, or null.</summary>
    [GeneratedRegex(@"<([^>]*)>")]
    private static partial Regex Extensions();

    private static string? ExtensionText(string stdout, int ttl)
    {
        string line = stdout.Split('\n').Single(l => l.StartsWith(string.Create(CultureInfo.InvariantCulture, $"{ttl,2} "), StringComparison.Ordinal));
        var match = Extensions().Match(line);
        return match.Success ? match.Groups[1].Value : null;
    }

    [Theory]
    [InlineData(false, "dgram")]
    [InlineData(false, "raw")]
    [InlineData(true, "dgram")]
    [InlineData(true, "raw")]
    public void Hop_lines_show_the_extensions_as_traceroute_does_and_json_decodes_them_as_tshark_does(bool v6, string socket)
    {
        string host = v6 ? HostV6 : HostV4;
        string[] family = v6 ? ["-6"] : [];
        using var respond = RespondProcess.StartWithConfig(Config);
        // ping_group_range: let root's group open ICMP datagram sockets in this namespace.
        Netns.Sysctl(respond.Namespace, "net.ipv4.ping_group_range=0 2147483647");
        CommandResult? traceroute = null, text = null, json = null;
        var frames = RespondTsharkTests.CaptureWhile(respond, () =>
        {
            traceroute = respond.Exec("traceroute", [.. family, "-e", "-I", "-n", "-q", "1", "-w", "1", host]);
            text = respond.IcmpKit("trace", "-e", "-n", "-q", "1", "--socket", socket, host);
            json = respond.IcmpKit("trace", "-e", "-n", "-q", "1", "--socket", socket, "--json", host);
        }, "icmp.mpls.label", "icmp.mpls.exp", "icmp.mpls.s", "icmp.mpls.ttl", "icmp.int_info.index", "icmp.int_info.name",
            "icmp.int_info.ipv4", "icmp.int_info.ipv6", "icmp.int_info.mtu");
        output.WriteLine($"--- traceroute: {traceroute}\n--- icmpkit: {text}\n--- json: {json}");

        Assert.True(text!.ExitCode == 0, text.ToString());
        Assert.True(traceroute!.ExitCode == 0, traceroute.ToString());
        string? ours = ExtensionText(text.Stdout, 1);
        Assert.NotNull(ours);
        Assert.Equal(ExtensionText(traceroute.Stdout, 1), ours);
        Assert.StartsWith(v6 ? "MPLS:L=17001,E=0,S=1,T=" : "MPLS:L=16001,E=0,S=0,T=", ours, StringComparison.Ordinal);
        Assert.Contains(";2/15:", ours, StringComparison.Ordinal); // interface information: ifIndex, address, name, MTU
        Assert.Equal(ExtensionText(traceroute.Stdout, 2), ExtensionText(text.Stdout, 2));

        // What tshark decoded from hop 1's errors, against the JSON's decode of the same errors.
        string hop1 = v6 ? "fd42:22::1" : "198.18.22.1";
        var decoded = frames.Where(f => (f.First("ip.src") ?? f.First("ipv6.src")) == hop1 && f["icmp.mpls.label"].Length > 0).ToList();
        Assert.NotEmpty(decoded);
        using var document = JsonDocument.Parse(json!.Stdout);
        var reply = document.RootElement.GetProperty("hops")[0].GetProperty("probes")[0];
        Assert.Equal(hop1, reply.GetProperty("from").GetString());
        var objects = reply.GetProperty("extensions").EnumerateArray().ToList();
        var mpls = objects.Single(o => o.GetProperty("class").GetInt32() == 1).GetProperty("mpls").EnumerateArray().ToList();
        var info = objects.Single(o => o.GetProperty("class").GetInt32() == 2).GetProperty("interface");
        Assert.Equal(reply.GetProperty("extensions_text").GetString(), ours);
        foreach (var frame in decoded)
        {
            RespondTsharkTests.AssertClean([frame]);
            Assert.Equal(frame["icmp.mpls.label"], mpls.Select(e => e.GetProperty("label").GetInt32().ToString(CultureInfo.InvariantCulture)));
            Assert.Equal(frame["icmp.mpls.exp"], mpls.Select(e => e.GetProperty("exp").GetInt32().ToString(CultureInfo.InvariantCulture)));
            Assert.Equal(frame["icmp.mpls.s"], mpls.Select(e => e.GetProperty("bottom_of_stack").GetBoolean() ? "1" : "0"));
            Assert.Equal(frame["icmp.mpls.ttl"], mpls.Select(e => e.GetProperty("ttl").GetInt32().ToString(CultureInfo.InvariantCulture)));
            Assert.Equal(info.GetProperty("if_index").GetInt64().ToString(CultureInfo.InvariantCulture), Assert.Single(frame["icmp.int_info.index"]));
            Assert.Equal(info.GetProperty("name").GetString(), Assert.Single(frame["icmp.int_info.name"]));
            Assert.Equal(info.GetProperty("address").GetString(), Assert.Single(frame[v6 ? "icmp.int_info.ipv6" : "icmp.int_info.ipv4"]));
            Assert.Equal(info.GetProperty("mtu").GetInt64().ToString(CultureInfo.InvariantCulture), Assert.Single(frame["icmp.int_info.mtu"]));
        }
        Assert.Equal("incoming", info.GetProperty("role").GetString());
    }

    [Fact]
    public void The_mtr_report_shows_each_label_as_mtr_does()
    {
        using var respond = RespondProcess.StartWithConfig(Config);
        var run = respond.IcmpKit("mtr", "-r", "-e", "-n", "-c", "2", "-i", "0.2", HostV4);
        output.WriteLine(run.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = run.Stdout.Split('\n');
        int hop1 = Array.FindIndex(lines, l => l.StartsWith("  1.|-- 198.18.22.1", StringComparison.Ordinal));
        Assert.True(hop1 > 0, run.Stdout);
        Assert.Matches(@"^    \|   \+-- \[MPLS: Lbl 16001 Exp 0 S 0 TTL \d+\]$", lines[hop1 + 1]);
        Assert.Matches(@"^    \|   \+-- \[MPLS: Lbl 16002 Exp 0 S 1 TTL \d+\]$", lines[hop1 + 2]);
        Assert.StartsWith("    |   +-- [2/15:00000007,", lines[hop1 + 3], StringComparison.Ordinal);
        Assert.StartsWith("  2.|-- 198.18.22.2", lines[hop1 + 4], StringComparison.Ordinal);
        Assert.Matches(@"^    \|   \+-- \[MPLS: Lbl 16003 Exp 0 S 1 TTL \d+\]$", lines[hop1 + 5]);
    }
}
