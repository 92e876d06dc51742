using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// `icmpkit respond --interface` (issue 4, raw-socket mode): a server namespace whose kernel has echo replies turned
/// off, the responder on its veth end, iputils ping in a client namespace on the other end. Each request gets
/// exactly one reply (the responder's, with its delay), a short TTL gets the emulated hop's time exceeded, and
/// address mask requests — which Linux never answers — are answered.
/// </summary>
public sealed partial class InterfaceResponderTests : IDisposable
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..6];
    private readonly List<string> _namespaces = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("icmpkit-ifresp-").FullName;

    private string Client => "ik" + _id + "c";

    private string Server => "ik" + _id + "s";

    private string ServerDevice => "ikv" + _id + "s";

    public InterfaceResponderTests()
    {
        try
        {
            foreach (string ns in new[] { Client, Server })
            {
                Netns.Ip("netns", "add", ns);
                _namespaces.Add(ns);
                Netns.Ip("-n", ns, "link", "set", "lo", "up");
            }
            Netns.Ip("link", "add", "ikv" + _id + "c", "netns", Client, "type", "veth", "peer", "name", ServerDevice, "netns", Server);
            Netns.Ip("-n", Client, "addr", "add", "198.18.30.1/24", "dev", "ikv" + _id + "c");
            Netns.Ip("-n", Client, "addr", "add", "fd42:30::1/64", "dev", "ikv" + _id + "c", "nodad");
            Netns.Ip("-n", Server, "addr", "add", "198.18.30.2/24", "dev", ServerDevice);
            Netns.Ip("-n", Server, "addr", "add", "fd42:30::2/64", "dev", ServerDevice, "nodad");
            Netns.Ip("-n", Client, "link", "set", "ikv" + _id + "c", "up");
            Netns.Ip("-n", Server, "link", "set", ServerDevice, "up");
            // The documented set-up: the kernel's own echo replies off, so each request gets one answer.
            Netns.Sysctl(Server, "net.ipv4.icmp_echo_ignore_all=1");
            Netns.Sysctl(Server, "net.ipv6.icmp.echo_ignore_all=1");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Dispose() => Netns.DeleteAll(_namespaces, _directory);

    [GeneratedRegex(@"^64 bytes from 198\.18\.30\.2: icmp_seq=\d+ ttl=63 time=(\d+(\.\d+)?) ms$", RegexOptions.Multiline)]
    private static partial Regex ReplyV4();

    [GeneratedRegex(@"^64 bytes from fd42:30::2: icmp_seq=\d+ ttl=63 time=(\d+(\.\d+)?) ms$", RegexOptions.Multiline)]
    private static partial Regex ReplyV6();

    [Fact]
    public async Task Iputils_ping_gets_one_delayed_reply_per_request_and_the_emulated_hop()
    {
        // Before the responder: the kernel is silent, so nothing answers.
        var silent = Netns.Exec(Client, "ping", ["-c", "1", "-W", "1", "198.18.30.2"]);
        Assert.Equal(1, silent.ExitCode);

        var start = new ProcessStartInfo("ip",
        [
            "netns", "exec", Server, IcmpKitBinary.Path, "respond", "--interface", ServerDevice,
            "--address", "198.18.30.2", "--address", "fd42:30::2", "--hops", "198.18.31.1,fd42:31::1",
            "--delay", "10ms", "--address-mask", "255.255.255.0", "--json", "--status", "600",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var respond = Process.Start(start)!;
        var stdout = respond.StandardOutput.ReadToEndAsync();
        var stderr = respond.StandardError.ReadToEndAsync();
        try
        {
            await Task.Delay(1000); // the socket is open once the process has started; give it a moment
            // A first request warms the responder up (JIT): its reply may take tens of ms longer.
            Netns.Exec(Client, "ping", ["-c", "1", "-W", "2", "198.18.30.2"]);
            var v4 = Netns.Exec(Client, "ping", ["-c", "5", "-i", "0.2", "-W", "2", "198.18.30.2"], TimeSpan.FromSeconds(15));
            Assert.True(v4.ExitCode == 0, v4.ToString());
            var times = ReplyV4().Matches(v4.Stdout).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(5, times.Length);
            Assert.DoesNotContain("DUP!", v4.Stdout, StringComparison.Ordinal);
            // Issue 4: the configured delay, within 1 ms. Never less; the median within 1 ms (a busy 2-core machine
            // can delay any one reply by a scheduling quantum).
            Assert.All(times, t => Assert.True(t >= 10.0, $"RTT {t} ms is below the 10 ms configured"));
            Assert.InRange(times.Order().ElementAt(times.Length / 2), 10.0, 11.0);

            var v6 = Netns.Exec(Client, "ping", ["-6", "-c", "3", "-i", "0.2", "-W", "2", "fd42:30::2"], TimeSpan.FromSeconds(15));
            Assert.True(v6.ExitCode == 0, v6.ToString());
            Assert.Equal(3, ReplyV6().Count(v6.Stdout));
            Assert.DoesNotContain("DUP!", v6.Stdout, StringComparison.Ordinal);

            // TTL 1 runs out at the emulated hop, although the server is one real link away.
            var expired = Netns.Exec(Client, "ping", ["-c", "1", "-t", "1", "-W", "2", "198.18.30.2"]);
            Assert.Contains("From 198.18.31.1 icmp_seq=1 Time to live exceeded", expired.Stdout, StringComparison.Ordinal);

            // Address mask: the kernel never answers it (issue 4); the responder does, as configured.
            var mask = Netns.Exec(Client, IcmpKitBinary.Path, ["ping", "--type", "mask", "-c", "1", "-W", "2", "198.18.30.2"], TimeSpan.FromSeconds(15));
            Assert.True(mask.ExitCode == 0, mask.ToString());
            Assert.Contains("255.255.255.0", mask.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            if (!respond.HasExited)
            {
                // SIGQUIT: the counters now, and it carries on (--status 600 keeps the timer out of this test).
                Netns.Run("kill", ["-QUIT", respond.Id.ToString(CultureInfo.InvariantCulture)]);
                await Task.Delay(300);
                Netns.Run("kill", ["-TERM", respond.Id.ToString(CultureInfo.InvariantCulture)]);
            }
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await respond.WaitForExitAsync(limit.Token);
        }
        string output = await stdout;
        Assert.True(respond.ExitCode == 0, output + await stderr);
        string[] lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        using var interim = System.Text.Json.JsonDocument.Parse(lines[0]);
        Assert.Equal("respond_counters", interim.RootElement.GetProperty("type").GetString());
        Assert.Equal(6, interim.RootElement.GetProperty("answered").GetProperty("echo_reply").GetInt32());
        using var summary = System.Text.Json.JsonDocument.Parse(lines[^1]);
        var answered = summary.RootElement.GetProperty("answered");
        Assert.Equal("respond_summary", summary.RootElement.GetProperty("type").GetString());
        Assert.Equal(6, answered.GetProperty("echo_reply").GetInt32()); // the warm-up and 5
        Assert.Equal(3, answered.GetProperty("echo_reply_v6").GetInt32());
        Assert.Equal(1, answered.GetProperty("time_exceeded").GetInt32());
        Assert.Equal(1, answered.GetProperty("address_mask_reply").GetInt32());
    }

    [Fact]
    public void Status_reports_the_counters_every_interval()
    {
        var run = Netns.Exec(Server, "timeout", ["--preserve-status", "-s", "TERM", "1.5", IcmpKitBinary.Path, "respond", "--interface", ServerDevice,
            "--address", "198.18.30.2", "--status", "0.2", "--json"], TimeSpan.FromSeconds(20));
        Assert.True(run.ExitCode == 0, run.ToString());
        var types = run.Stdout.TrimEnd('\n').Split('\n').Select(line =>
        {
            using var document = System.Text.Json.JsonDocument.Parse(line);
            return document.RootElement.GetProperty("type").GetString();
        }).ToArray();
        Assert.Equal("respond_summary", types[^1]);
        // 1.5 s at 0.2 s, less start-up: a handful, every one before the summary.
        Assert.InRange(types.Count(t => t == "respond_counters"), 3, 8);
        Assert.All(types[..^1], t => Assert.Equal("respond_counters", t));
    }

    [Fact]
    public void A_missing_interface_is_one_line_and_exit_2()
    {
        var result = Netns.Exec(Server, IcmpKitBinary.Path, ["respond", "--interface", "nosuch0", "--address", "198.18.30.2"], TimeSpan.FromSeconds(20));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("icmpkit: respond: no interface named nosuch0; `ip link` lists them\n", result.Stderr);
    }
}
