using System.Text.RegularExpressions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// `icmpkit respond` (issue 4, first version) inside a throw-away namespace, with iputils ping as the client: the
/// emulated host answers behind two emulated routers, IPv4 and IPv6, with the configured delay; each router sends
/// time exceeded for its TTL; Record Route lists the path; SIGTERM prints the counters and removes the device.
/// </summary>
public sealed partial class RespondKernelTests
{
    [GeneratedRegex(@"^64 bytes from 198\.18\.21\.1: icmp_seq=\d ttl=62 time=(\d+(\.\d+)?) ms$", RegexOptions.Multiline)]
    private static partial Regex ReplyV4();

    [GeneratedRegex(@"^64 bytes from fd42:21::1: icmp_seq=\d ttl=62 time=(\d+(\.\d+)?) ms$", RegexOptions.Multiline)]
    private static partial Regex ReplyV6();

    [Fact]
    public void Iputils_ping_sees_the_emulated_host_and_routers()
    {
        using var respond = RespondProcess.Start(
            "--address", "198.18.21.1", "--address", "fd42:21::1",
            "--hops", "198.18.22.1,198.18.22.2,fd42:22::1,fd42:22::2", "--delay", "5ms", "--hop-delay", "1ms");
        CommandResult Ping(params string[] args) => respond.Exec("ping", args);

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

        var exit = respond.Stop();
        Assert.True(exit.ExitCode == 0, exit.ToString());
        Assert.StartsWith($"respond: {respond.Device} up; answering as 198.18.21.1, fd42:21::1 behind 4 hops", exit.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"respond: \d+ packets received, \d+ answered, \d+ dropped\n", exit.Stdout);
        Assert.Contains("  answered echo_reply: 4\n", exit.Stdout, StringComparison.Ordinal); // 3 pings and the -R one
        Assert.Contains("  answered time_exceeded: 2\n", exit.Stdout, StringComparison.Ordinal);
        Assert.Contains("  answered echo_reply_v6: 2\n", exit.Stdout, StringComparison.Ordinal);
        Assert.Contains("  answered time_exceeded_v6: 1\n", exit.Stdout, StringComparison.Ordinal);
        Assert.False(respond.DeviceExists());
    }

    [Fact]
    public void Bad_flags_are_one_line_and_exit_2()
    {
        // In a namespace of its own all the same: were a flag accepted, the device would be made there.
        string ns = "ik" + Guid.NewGuid().ToString("N")[..6] + "r";
        string device = ns + "u";
        Netns.Ip("netns", "add", ns);
        try
        {
            var result = Netns.Exec(ns, IcmpKitBinary.Path, ["respond", "--tun", device, "--address", "198.18.21.x"], TimeSpan.FromSeconds(20));
            Assert.Equal(2, result.ExitCode);
            Assert.Equal("icmpkit: respond: bad --address 198.18.21.x: give an IPv4 or IPv6 address\n", result.Stderr);
            var loss = Netns.Exec(ns, IcmpKitBinary.Path, ["respond", "--tun", device, "--address", "198.18.21.1", "--loss", "2"], TimeSpan.FromSeconds(20));
            Assert.Equal(2, loss.ExitCode);
            Assert.StartsWith("icmpkit: respond: bad --loss 2:", loss.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Netns.Run("ip", ["netns", "del", ns]);
        }
    }

    /// <summary>
    /// 30 UDP datagrams to closed ports at once: a Linux host in another namespace sends 6 port unreachables (a burst
    /// of 6, then 1 per second per source), and so must the responder with its Linux-like defaults.
    /// </summary>
    [Fact]
    public void A_burst_of_30_closed_port_probes_gets_as_many_unreachables_as_from_the_kernel()
    {
        using var respond = RespondProcess.Start("--address", "198.18.21.1");
        string host = respond.Namespace[..^1] + "h";
        string veth = respond.Namespace + "v";
        string script = Path.Combine(Path.GetTempPath(), $"icmpkit-burst-{Guid.NewGuid():N}.py");
        File.WriteAllText(script, """
            import socket, sys, time
            target = sys.argv[1]
            raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            raw.settimeout(0.2)
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for i in range(30):
                udp.sendto(b"x" * 8, (target, 33434 + i))
            count, end = 0, time.time() + 1.0
            while time.time() < end:
                try:
                    data, addr = raw.recvfrom(2048)
                except socket.timeout:
                    continue
                ihl = (data[0] & 0x0F) * 4
                if data[ihl] == 3 and data[ihl + 1] == 3 and addr[0] == target:
                    count += 1
            print(count)
            """);
        Netns.Ip("netns", "add", host);
        try
        {
            Netns.Ip("link", "add", veth + "a", "netns", respond.Namespace, "type", "veth", "peer", "name", veth + "b", "netns", host);
            Netns.Ip("-n", respond.Namespace, "addr", "add", "198.18.23.1/24", "dev", veth + "a");
            Netns.Ip("-n", respond.Namespace, "link", "set", veth + "a", "up");
            Netns.Ip("-n", host, "addr", "add", "198.18.23.2/24", "dev", veth + "b");
            Netns.Ip("-n", host, "link", "set", veth + "b", "up");
            var kernel = respond.Exec("/usr/bin/python3", script, "198.18.23.2");
            Assert.True(kernel.ExitCode == 0, kernel.ToString());
            var emulated = respond.Exec("/usr/bin/python3", script, "198.18.21.1");
            Assert.True(emulated.ExitCode == 0, emulated.ToString());
            Assert.Equal("6", kernel.Stdout.Trim());
            Assert.Equal(kernel.Stdout.Trim(), emulated.Stdout.Trim());
            Assert.Contains("  dropped rate_limited: 24\n", respond.Stop().Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Netns.Run("ip", ["netns", "del", host]);
            File.Delete(script);
        }
    }
}
