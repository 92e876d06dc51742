namespace IcmpKit.Cli.Tests;

/// <summary>
/// Bad values and combinations of -T, -p, --paris, --mtu and --multipath: one line on stderr that says what to do, nothing
/// on stdout, exit 2, before anything is sent.
/// </summary>
public class TraceFlowBadValueTests
{
    [Theory]
    [InlineData(new[] { "-T", "--socket", "dgram", "127.0.0.1" }, "icmpkit: trace: TCP probes (-T) are sent from a raw socket; drop --socket dgram")]
    [InlineData(new[] { "-I", "-T", "127.0.0.1" }, "icmpkit: trace: -I, -U and -T exclude each other; give one")]
    [InlineData(new[] { "-U", "-T", "127.0.0.1" }, "icmpkit: trace: -I, -U and -T exclude each other; give one")]
    [InlineData(new[] { "-p", "80", "127.0.0.1" }, "icmpkit: trace: -p 80 sets the port of TCP (-T) or UDP (-U) probes; add -T or -U, or drop -p")]
    [InlineData(new[] { "-T", "-p", "0", "127.0.0.1" }, "icmpkit: trace: bad port '0' (-p); give 1 to 65535")]
    [InlineData(new[] { "-T", "-p", "65536", "127.0.0.1" }, "icmpkit: trace: bad port '65536' (-p); give 1 to 65535")]
    [InlineData(new[] { "-T", "-p", "http", "127.0.0.1" }, "icmpkit: trace: bad port 'http' (-p); give 1 to 65535")]
    [InlineData(new[] { "-U", "-p", "65400", "127.0.0.1" }, "icmpkit: trace: -p 65400 leaves no room for the probes' ports (270 from it); give at most 65266")]
    [InlineData(new[] { "-U", "--paris", "-p", "65500", "127.0.0.1" }, "icmpkit: trace: -p 65500 leaves no room for the probes' ports (128 from it); give at most 65408")]
    [InlineData(new[] { "--mtu", "127.0.0.1", "100" }, "icmpkit: trace: --mtu sets the packet length itself (the interface MTU, then each MTU reported); drop packetlen 100")]
    [InlineData(new[] { "--mtu", "--multipath", "127.0.0.1" }, "icmpkit: trace: --mtu and --multipath exclude each other; give one")]
    public void Exact_line(string[] args, string expected)
    {
        var result = CliRunner.Run(["trace", .. args]);
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode} for 'trace {string.Join(' ', args)}'\n{result.Stdout}\n{result.Stderr}");
        Assert.True(result.Stdout.Length == 0, "stdout should be empty: " + result.Stdout);
        Assert.Equal([expected], result.StderrLines);
        CliRunner.AssertNoStackTrace(result);
    }

    [Fact]
    public void A_udp_port_with_room_for_every_probe_is_taken()
    {
        // 65266 + 270 ports (30 hops × 3 probes × 3 sends) = 65536: the last port is 65535. Checked before any socket
        // opens, so -n and a bad interface show the port passed: the next complaint is the interface.
        var result = CliRunner.Run(["trace", "-n", "-U", "-p", "65266", "-i", "nosuch0", "127.0.0.1"]);
        Assert.Equal(["icmpkit: trace: no interface named nosuch0; list them with `ip link`"], result.StderrLines);
    }
}
