using System.Text.RegularExpressions;

namespace IcmpKit.Cli.Tests;

/// <summary>`icmpkit ping` against the Linux kernel on loopback (a real peer: the kernel answers echo).</summary>
public partial class PingLoopbackTests
{
    [GeneratedRegex(@"^64 bytes from 127\.0\.0\.1: icmp_seq=(\d+) ttl=64 time=\d+(\.\d+)? ms$")]
    private static partial Regex ReplyLineV4();

    [GeneratedRegex(@"^64 bytes from ::1: icmp_seq=(\d+) ttl=64 time=\d+(\.\d+)? ms$")]
    private static partial Regex ReplyLineV6();

    [GeneratedRegex(@"^rtt min/avg/max/mdev = (\d+\.\d{3})/(\d+\.\d{3})/(\d+\.\d{3})/(\d+\.\d{3}) ms$")]
    private static partial Regex RttLine();

    [GeneratedRegex(@"^3 packets transmitted, 3 received, 0% packet loss, time \d+ms$")]
    private static partial Regex SummaryLine();

    [Fact]
    public void Three_pings_to_loopback_print_iputils_lines_and_exit_0()
    {
        var result = CliRunner.Run(["ping", "-c", "3", "-i", "0.05", "-W", "2", "127.0.0.1"]);
        var lines = result.StdoutLines;
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.", lines[0]);
        var sequences = lines.Skip(1).Take(3).Select(l => ReplyLineV4().Match(l)).ToArray();
        Assert.All(sequences, m => Assert.True(m.Success, "not an iputils reply line: " + result.Stdout));
        Assert.Equal(["1", "2", "3"], sequences.Select(m => m.Groups[1].Value));
        Assert.Equal("", lines[4]);
        Assert.Equal("--- 127.0.0.1 ping statistics ---", lines[5]);
        Assert.Matches(SummaryLine(), lines[6]);
        var rtt = RttLine().Match(lines[7]);
        Assert.True(rtt.Success, lines[7]);
        double min = double.Parse(rtt.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        double avg = double.Parse(rtt.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        double max = double.Parse(rtt.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(min <= avg && avg <= max && max < 1000, lines[7]);
        Assert.Equal(8, lines.Length);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public void Ping_to_ipv6_loopback_gets_replies()
    {
        var result = CliRunner.Run(["ping", "-c", "2", "-i", "0.05", "-W", "2", "::1"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("PING ::1(::1) 56 data bytes", result.StdoutLines[0]); // iputils 20221126: no space before "("
        Assert.Equal(2, result.StdoutLines.Count(l => ReplyLineV6().IsMatch(l)));
    }

    [Fact]
    public void Quiet_prints_only_the_header_and_summary()
    {
        var result = CliRunner.Run(["ping", "-q", "-c", "3", "-i", "0.05", "-W", "2", "127.0.0.1"]);
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain(result.StdoutLines, l => l.Contains("bytes from", StringComparison.Ordinal));
        Assert.Matches(SummaryLine(), result.StdoutLines[^2]);
    }

    [Fact]
    public void Payload_size_changes_the_reply_length()
    {
        var result = CliRunner.Run(["ping", "-c", "1", "-s", "1000", "-W", "2", "127.0.0.1"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("PING 127.0.0.1 (127.0.0.1) 1000(1028) bytes of data.", result.StdoutLines[0]);
        Assert.StartsWith("1008 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=", result.StdoutLines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "-c", "0", "127.0.0.1" }, "icmpkit: ping: bad number of packets to transmit: -c 0; give 1 or more")]
    [InlineData(new[] { "-s", "65508", "127.0.0.1" }, "icmpkit: ping: invalid -s value: '65508': out of range: 0 <= value <= 65507")]
    [InlineData(new[] { "-t", "0", "127.0.0.1" }, "icmpkit: ping: invalid -t value: '0': out of range: 1 <= value <= 255")]
    [InlineData(new[] { "-W", "0", "127.0.0.1" }, "icmpkit: ping: bad linger time: -W 0; give seconds above 0")]
    [InlineData(new[] { "-4", "-6", "127.0.0.1" }, "icmpkit: ping: -4 and -6 exclude each other; give one")]
    [InlineData(new[] { "no-such-host.invalid" }, "icmpkit: ping: unknown host no-such-host.invalid; check the name, or give an IPv4/IPv6 address")]
    [InlineData(new[] { "-6", "127.0.0.1" }, "icmpkit: ping: 127.0.0.1 is not an IPv6 address; drop -6 or give another address")]
    public void Bad_input_gets_one_line_and_exit_2(string[] args, string expected)
    {
        var result = CliRunner.Run(["ping", .. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal([expected], result.StderrLines);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public void A_bad_flag_value_is_one_line_and_exit_2()
    {
        var result = CliRunner.Run(["ping", "-c", "many", "127.0.0.1"]);
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("icmpkit: ", line, StringComparison.Ordinal);
        Assert.Contains("many", line, StringComparison.Ordinal);
    }
}
