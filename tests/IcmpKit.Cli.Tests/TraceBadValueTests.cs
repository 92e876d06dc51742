namespace IcmpKit.Cli.Tests;

/// <summary>A bad value for `icmpkit trace`: one line on stderr, nothing on stdout, exit 2, no stack trace, no probe sent.</summary>
public class TraceBadValueTests
{
    private static CliResult AssertOneLineExit2(string[] args)
    {
        var result = CliRunner.Run(["trace", .. args]);
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode} for 'trace {string.Join(' ', args)}'\n{result.Stdout}\n{result.Stderr}");
        Assert.True(result.Stdout.Length == 0, "stdout should be empty: " + result.Stdout);
        Assert.Single(result.StderrLines);
        CliRunner.AssertNoStackTrace(result);
        Assert.StartsWith("icmpkit: ", result.StderrLines[0], StringComparison.Ordinal);
        return result;
    }

    [Theory]
    [InlineData(new[] { "-q", "0", "127.0.0.1" }, "icmpkit: trace: no more than 10 probes per hop: -q 0; give 1 to 10")]
    [InlineData(new[] { "-q", "11", "127.0.0.1" }, "icmpkit: trace: no more than 10 probes per hop: -q 11; give 1 to 10")]
    [InlineData(new[] { "-m", "256", "127.0.0.1" }, "icmpkit: trace: max hops cannot be more than 255: -m 256")]
    [InlineData(new[] { "-f", "0", "127.0.0.1" }, "icmpkit: trace: first hop out of range: -f 0; give 1 to the max hops (30)")]
    [InlineData(new[] { "-f", "31", "127.0.0.1" }, "icmpkit: trace: first hop out of range: -f 31; give 1 to the max hops (30)")]
    [InlineData(new[] { "-N", "0", "127.0.0.1" }, "icmpkit: trace: bad number of simultaneous probes: -N 0; give 1 or more")]
    [InlineData(new[] { "-q", "three", "127.0.0.1" }, "icmpkit: trace: bad -q value 'three'; give a whole number")]
    [InlineData(new[] { "-w", "x", "127.0.0.1" }, "icmpkit: trace: bad wait specifications 'x' used; give MAX[,HERE[,NEAR]] in seconds and factors, each 0 or more (traceroute's 5.0,3,10)")]
    [InlineData(new[] { "-t", "300", "127.0.0.1" }, "icmpkit: trace: bad TOS value '300' (-t); give 0 to 255, decimal or 0x hex")]
    [InlineData(new[] { "127.0.0.1", "70000" }, "icmpkit: trace: too big packetlen 70000 specified; give at most 65000")]
    [InlineData(new[] { "127.0.0.1", "sixty" }, "icmpkit: trace: bad packetlen 'sixty'; give the packet size in bytes, 0 to 65000")]
    [InlineData(new[] { "--socket", "bogus", "127.0.0.1" }, "icmpkit: trace: invalid --socket: bogus; give dgram or raw")]
    [InlineData(new[] { "--json", "--ndjson", "127.0.0.1" }, "icmpkit: trace: --json and --ndjson exclude each other; give one")]
    [InlineData(new[] { "-I", "-U", "127.0.0.1" }, "icmpkit: trace: -I and -U exclude each other; give one")]
    [InlineData(new[] { "-4", "-6", "127.0.0.1" }, "icmpkit: trace: -4 and -6 exclude each other; give one")]
    [InlineData(new[] { "-4", "::1" }, "icmpkit: trace: ::1 is not an IPv4 address; drop -4 or give another address")]
    [InlineData(new[] { "-s", "127.0.0.1", "::1" }, "icmpkit: trace: IP version mismatch in addresses specified: source 127.0.0.1, destination ::1; give both of one family")]
    [InlineData(new[] { "-s", "here", "127.0.0.1" }, "icmpkit: trace: bad source address 'here' (-s); give an IPv4 or IPv6 address of this host")]
    [InlineData(new[] { "-i", "an-interface-name-too-long", "127.0.0.1" }, "icmpkit: trace: bad interface name 'an-interface-name-too-long' (-i); give a name of 1 to 15 characters, as `ip link` lists them")]
    public void Exact_line(string[] args, string expected)
    {
        var result = AssertOneLineExit2(args);
        Assert.Equal(expected, result.StderrLines[0]);
    }

    /// <summary>Checked when the socket opens (SO_BINDTODEVICE, bind), before anything is sent.</summary>
    [Theory]
    [InlineData(new[] { "-i", "nosuch0", "127.0.0.1" }, "icmpkit: trace: no interface named nosuch0; list them with `ip link`")]
    [InlineData(new[] { "-U", "-i", "nosuch0", "127.0.0.1" }, "icmpkit: trace: no interface named nosuch0; list them with `ip link`")]
    [InlineData(new[] { "-U", "-s", "198.18.77.77", "198.18.77.78" }, "icmpkit: trace: cannot bind to source address 198.18.77.77: Cannot assign requested address; give an address of this host")]
    public void The_socket_refuses_an_interface_or_source_this_host_does_not_have(string[] args, string expected)
    {
        var result = AssertOneLineExit2(args);
        Assert.Equal(expected, result.StderrLines[0]);
    }

    [Theory]
    [InlineData("-w", "-1", "127.0.0.1")]
    [InlineData("-w", "1,2,3,4", "127.0.0.1")]
    [InlineData("-w", "5,,10", "127.0.0.1")]
    [InlineData("-t", "0x100", "127.0.0.1")]
    [InlineData("-m", "-3", "127.0.0.1")]
    [InlineData("127.0.0.1", "-5")]
    [InlineData("-x", "127.0.0.1")]
    [InlineData("--bogus", "127.0.0.1")]
    [InlineData("127.0.0.1", "60", "extra")]
    [InlineData("-i", "", "127.0.0.1")]
    public void Other_bad_values(params string[] args) => AssertOneLineExit2(args);

    [Fact]
    public void No_host_at_all()
    {
        var result = AssertOneLineExit2([]);
        Assert.Contains("icmpkit trace --help", result.StderrLines[0], StringComparison.Ordinal);
    }
}
