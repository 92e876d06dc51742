using System.Text.RegularExpressions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// `icmpkit probe` (RFC 8335) against the Linux kernel, which answers extended echo when
/// net.ipv4.icmp_echo_enable_probe=1: by name, index and address, IPv4 and IPv6, raw and (as an unprivileged user)
/// datagram sockets, and an interface that does not exist.
/// </summary>
public sealed partial class ProbeKernelTests : IClassFixture<KernelTopology>
{
    private readonly KernelTopology _net;

    public ProbeKernelTests(KernelTopology net)
    {
        _net = net;
        Assert.True(net.SetupError is null, net.SetupError);
        Netns.Exec(_net.Server, "sysctl", ["-qw", "net.ipv4.icmp_echo_enable_probe=1"]);
    }

    [GeneratedRegex(@"^reply from (\S+): seq=(\d+) code=(\d) \(([A-Za-z ]+)\)( state=\w+)? A=([01]) 4=([01]) 6=([01]) time=\d+(\.\d+)? ms$", RegexOptions.Multiline)]
    private static partial Regex ReplyLine();

    private CommandResult Probe(params string[] args) =>
        Netns.Exec(_net.Client, IcmpKitBinary.Path, ["probe", .. args], TimeSpan.FromSeconds(20));

    [Theory]
    [InlineData("--name", "lo", KernelTopology.ServerV4)]
    [InlineData("--index", "1", KernelTopology.ServerV4)]
    [InlineData("--address", "127.0.0.1", KernelTopology.ServerV4)]
    [InlineData("--name", "lo", KernelTopology.ServerV6)]
    public void The_kernel_reports_its_loopback_interface_active_with_both_families(string how, string what, string target)
    {
        var result = Probe(how, what, "-c", "2", "-i", "0.2", target);
        Assert.True(result.ExitCode == 0, result.ToString());
        var replies = ReplyLine().Matches(result.Stdout);
        Assert.Equal(2, replies.Count);
        foreach (Match reply in replies)
        {
            Assert.Equal(target, reply.Groups[1].Value);
            Assert.Equal("0", reply.Groups[3].Value);            // No Error
            Assert.Equal(["1", "1", "1"], new[] { reply.Groups[6].Value, reply.Groups[7].Value, reply.Groups[8].Value }); // A, 4, 6
        }
        Assert.Equal(["1", "2"], replies.Select(m => m.Groups[2].Value));
        Assert.Contains("2 probes transmitted, 2 replies, 2 with no error", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("state=", result.Stdout, StringComparison.Ordinal); // not meaningful for the proxy's own interface
    }

    [Fact]
    public void An_interface_that_does_not_exist_gets_code_2_no_such_interface()
    {
        var result = Probe("--name", "nosuch0", KernelTopology.ServerV4);
        Assert.Equal(1, result.ExitCode); // a reply, but no answer about an interface
        var reply = ReplyLine().Match(result.Stdout);
        Assert.True(reply.Success, result.ToString());
        Assert.Equal("2", reply.Groups[3].Value);
        Assert.Equal("No Such Interface", reply.Groups[4].Value);
        Assert.Equal("0", reply.Groups[6].Value);
    }

    [Fact]
    public void Without_probe_enabled_nothing_answers_and_the_exit_code_is_1()
    {
        Netns.Exec(_net.Server, "sysctl", ["-qw", "net.ipv4.icmp_echo_enable_probe=0"]);
        try
        {
            var result = Probe("--name", "lo", "-W", "0.5", KernelTopology.ServerV4);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("no reply for seq=1", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("1 probes transmitted, 0 replies, 0 with no error", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Netns.Exec(_net.Server, "sysctl", ["-qw", "net.ipv4.icmp_echo_enable_probe=1"]);
        }
    }

    [Fact]
    public void An_unprivileged_user_probes_through_a_datagram_socket()
    {
        Netns.Exec(_net.Client, "sysctl", ["-qw", "net.ipv4.ping_group_range=0 2147483647"]);
        try
        {
            var result = Netns.Exec(_net.Client, "setpriv",
                ["--reuid=65534", "--regid=65534", "--clear-groups", IcmpKitBinary.Path, "probe", "--name", "lo", KernelTopology.ServerV4],
                TimeSpan.FromSeconds(20));
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Single(ReplyLine().Matches(result.Stdout));
            var forced = Netns.Exec(_net.Client, "setpriv",
                ["--reuid=65534", "--regid=65534", "--clear-groups", IcmpKitBinary.Path, "probe", "--socket", "raw", "--name", "lo", KernelTopology.ServerV4],
                TimeSpan.FromSeconds(20));
            Assert.Equal(2, forced.ExitCode);
            Assert.StartsWith("icmpkit: probe: no permission for a raw ICMP socket;", forced.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Netns.Exec(_net.Client, "sysctl", ["-qw", "net.ipv4.ping_group_range=1 0"]);
        }
    }
}
