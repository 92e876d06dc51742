using System.Diagnostics;
using System.Text.RegularExpressions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// `icmpkit respond` (issue 4, first version) inside a throw-away namespace, with iputils ping as the client: the
/// emulated host answers behind two emulated routers, IPv4 and IPv6, with the configured delay; each router sends
/// time exceeded for its TTL; Record Route lists the path; SIGTERM prints the counters and removes the device.
/// </summary>
public sealed partial class RespondKernelTests : IDisposable
{
    private readonly string _namespace = "ik" + Guid.NewGuid().ToString("N")[..6] + "r";
    private readonly string _device = "ikr" + Guid.NewGuid().ToString("N")[..8];

    public RespondKernelTests()
    {
        Netns.Ip("netns", "add", _namespace);
        Netns.Ip("-n", _namespace, "link", "set", "lo", "up");
        // Sources for the client's requests: the routes into the TUN have no address of their own.
        Netns.Ip("-n", _namespace, "addr", "add", "198.18.20.1/32", "dev", "lo");
        Netns.Ip("-n", _namespace, "addr", "add", "fd42:20::1/128", "dev", "lo", "nodad");
    }

    [GeneratedRegex(@"^64 bytes from 198\.18\.21\.1: icmp_seq=\d ttl=62 time=(\d+(\.\d+)?) ms$", RegexOptions.Multiline)]
    private static partial Regex ReplyV4();

    [GeneratedRegex(@"^64 bytes from fd42:21::1: icmp_seq=\d ttl=62 time=(\d+(\.\d+)?) ms$", RegexOptions.Multiline)]
    private static partial Regex ReplyV6();

    private CommandResult Ping(params string[] args) => Netns.Exec(_namespace, "ping", args, TimeSpan.FromSeconds(15));

    [Fact]
    public async Task Iputils_ping_sees_the_emulated_host_and_routers()
    {
        var start = new ProcessStartInfo("ip",
        [
            "netns", "exec", _namespace, IcmpKitBinary.Path, "respond", "--tun", _device,
            "--address", "198.18.21.1", "--address", "fd42:21::1",
            "--hops", "198.18.22.1,198.18.22.2,fd42:22::1,fd42:22::2", "--delay", "5ms", "--hop-delay", "1ms",
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
            // Up once the device exists (the first line says so, but the stream is read to the end below).
            var watch = Stopwatch.StartNew();
            while (Netns.Run("ip", ["-n", _namespace, "link", "show", _device]).ExitCode != 0 && watch.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(100);
            }
            await Task.Delay(300); // routes follow the device
            var v4 = Ping("-c", "3", "-i", "0.2", "-W", "2", "198.18.21.1");
            Assert.True(v4.ExitCode == 0, v4.ToString());
            var times = ReplyV4().Matches(v4.Stdout).Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(3, times.Length);
            Assert.All(times, t => Assert.True(t >= 7.0, $"RTT {t} ms is below the 5 + 1 + 1 ms configured"));

            var v6 = Ping("-6", "-c", "2", "-i", "0.2", "-W", "2", "fd42:21::1");
            Assert.True(v6.ExitCode == 0, v6.ToString());
            Assert.Equal(2, ReplyV6().Count(v6.Stdout));

            Assert.Contains("From 198.18.22.1 icmp_seq=1 Time to live exceeded", Ping("-c", "1", "-t", "1", "-W", "2", "198.18.21.1").Stdout, StringComparison.Ordinal);
            Assert.Contains("From 198.18.22.2 icmp_seq=1 Time to live exceeded", Ping("-c", "1", "-t", "2", "-W", "2", "198.18.21.1").Stdout, StringComparison.Ordinal);
            Assert.Contains("From fd42:22::2 icmp_seq=1 Time exceeded: Hop limit", Ping("-6", "-c", "1", "-t", "2", "-W", "2", "fd42:21::1").Stdout, StringComparison.Ordinal);

            var route = Ping("-c", "1", "-R", "-W", "2", "198.18.21.1");
            Assert.Contains("RR: \t198.18.20.1\n\t198.18.22.1\n\t198.18.22.2\n\t198.18.21.1\n\t198.18.22.2\n\t198.18.22.1\n", route.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            if (!respond.HasExited)
            {
                // The process is `ip netns exec`, which has exec'd icmpkit: the signal reaches icmpkit itself.
                Netns.Run("kill", ["-TERM", respond.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await respond.WaitForExitAsync(limit.Token);
        }
        string output = await stdout;
        Assert.True(respond.ExitCode == 0, output + await stderr);
        Assert.StartsWith($"respond: {_device} up; answering as 198.18.21.1, fd42:21::1 behind 4 hops", output, StringComparison.Ordinal);
        Assert.Matches(@"respond: \d+ packets received, \d+ answered, \d+ dropped\n", output);
        Assert.Contains("  answered echo_reply: 4\n", output, StringComparison.Ordinal); // 3 pings and the -R one
        Assert.Contains("  answered time_exceeded: 2\n", output, StringComparison.Ordinal);
        Assert.Contains("  answered echo_reply_v6: 2\n", output, StringComparison.Ordinal);
        Assert.Contains("  answered time_exceeded_v6: 1\n", output, StringComparison.Ordinal);
        Assert.NotEqual(0, Netns.Run("ip", ["-n", _namespace, "link", "show", _device]).ExitCode);
    }

    [Fact]
    public void Bad_flags_are_one_line_and_exit_2()
    {
        var result = Netns.Exec(_namespace, IcmpKitBinary.Path, ["respond", "--tun", _device, "--address", "198.18.21.x"], TimeSpan.FromSeconds(20));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("icmpkit: respond: bad --address 198.18.21.x: give an IPv4 or IPv6 address\n", result.Stderr);
        var loss = Netns.Exec(_namespace, IcmpKitBinary.Path, ["respond", "--tun", _device, "--address", "198.18.21.1", "--loss", "2"], TimeSpan.FromSeconds(20));
        Assert.Equal(2, loss.ExitCode);
        Assert.StartsWith("icmpkit: respond: bad --loss 2:", loss.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Netns.Run("ip", ["netns", "del", _namespace]);
}
