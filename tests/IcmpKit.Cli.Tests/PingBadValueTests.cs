namespace IcmpKit.Cli.Tests;

/// <summary>A bad value for `icmpkit ping`: one line on stderr, nothing on stdout, exit 2, no stack trace.</summary>
public class PingBadValueTests
{
    private static CliResult AssertOneLineExit2(string[] args)
    {
        var result = CliRunner.Run(["ping", .. args]);
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode} for 'ping {string.Join(' ', args)}'\n{result.Stdout}\n{result.Stderr}");
        Assert.True(result.Stdout.Length == 0, "stdout should be empty: " + result.Stdout);
        Assert.Single(result.StderrLines);
        CliRunner.AssertNoStackTrace(result);
        Assert.StartsWith("icmpkit: ", result.StderrLines[0], StringComparison.Ordinal);
        return result;
    }

    /// <summary>Where iputils has words for the problem, icmpkit prints the same line after its own prefix.</summary>
    [Theory]
    [InlineData("-c", "1", "-p", "zz", "127.0.0.1")]
    [InlineData("-c", "1", "-Q", "300", "127.0.0.1")]
    public void Same_line_as_iputils(params string[] args)
    {
        var iputils = IputilsReference.Run(args);
        Assert.Equal(2, iputils.ExitCode);
        var result = AssertOneLineExit2(args);
        Assert.Equal(IputilsReference.WithIcmpkitPrefix(iputils.Stderr), result.Stderr);
    }

    [Theory]
    [InlineData(new[] { "-c", "1", "-p", "zz", "127.0.0.1" }, "icmpkit: ping: patterns must be specified as hex digits: zz")]
    [InlineData(new[] { "-c", "1", "-p", "abg", "127.0.0.1" }, "icmpkit: ping: patterns must be specified as hex digits: abg")]
    [InlineData(new[] { "-c", "1", "-Q", "300", "127.0.0.1" }, "icmpkit: ping: the decimal value of TOS bits must be in range 0-255: 300")]
    [InlineData(new[] { "-c", "1", "-M", "foo", "127.0.0.1" }, "icmpkit: ping: invalid -M argument: foo; give do, want, dont or probe")]
    [InlineData(new[] { "-c", "1", "-l", "0", "127.0.0.1" }, "icmpkit: ping: bad preload value: 0, should be 1..65536 (-l)")]
    [InlineData(new[] { "-c", "1", "-T", "bogus", "127.0.0.1" }, "icmpkit: ping: invalid timestamp type: bogus; give tsonly, tsandaddr or tsprespec")]
    [InlineData(new[] { "-c", "1", "--type", "bogus", "127.0.0.1" }, "icmpkit: ping: invalid --type: bogus; give echo, timestamp, mask or info")]
    [InlineData(new[] { "-c", "1", "--socket", "bogus", "127.0.0.1" }, "icmpkit: ping: invalid --socket: bogus; give dgram or raw")]
    [InlineData(new[] { "-c", "1", "--json", "--ndjson", "127.0.0.1" }, "icmpkit: ping: --json and --ndjson exclude each other; give one")]
    [InlineData(new[] { "-c", "1", "-R", "::1" }, "icmpkit: ping: -R and -T are IPv4 options; ping an IPv4 address")]
    [InlineData(new[] { "-c", "1", "-T", "tsonly", "::1" }, "icmpkit: ping: -R and -T are IPv4 options; ping an IPv4 address")]
    [InlineData(new[] { "-c", "1", "-R", "-T", "tsonly", "127.0.0.1" }, "icmpkit: ping: only one of -T or -R may be used")]
    [InlineData(new[] { "-c", "1", "-x", "127.0.0.1" }, "icmpkit: ping: unknown option '-x'; see 'icmpkit ping --help'")]
    [InlineData(new[] { "-c", "1", "--type", "mask", "::1" }, "icmpkit: ping: --type mask exists only in ICMPv4; give an IPv4 address")]
    public void Exact_line(string[] args, string expected)
    {
        var result = AssertOneLineExit2(args);
        Assert.Equal(expected, result.StderrLines[0]);
    }

    [Theory]
    [InlineData("-c", "1", "-Q", "0x100", "127.0.0.1")]
    [InlineData("-c", "1", "-Q", "x", "127.0.0.1")]
    [InlineData("-c", "1", "-M", "", "127.0.0.1")]
    [InlineData("-c", "1", "-l", "65537", "127.0.0.1")]
    [InlineData("-c", "1", "-T", "tsprespec", "127.0.0.1")]
    [InlineData("-c", "1", "-T", "tsonly", "127.0.0.1", "127.0.0.1")]
    [InlineData("-c", "1", "127.0.0.1", "127.0.0.2")]
    [InlineData("-c", "1", "--bogus", "127.0.0.1")]
    [InlineData("-c", "1", "-4", "::1")]
    public void Other_bad_values(params string[] args) => AssertOneLineExit2(args);

    /// <summary>The unknown flag is named in the line (not taken for a host).</summary>
    [Theory]
    [InlineData("-x")]
    [InlineData("-Z")]
    public void Unknown_flag_is_named(string flag)
    {
        var result = AssertOneLineExit2(["-c", "1", flag, "127.0.0.1"]);
        Assert.Contains($"'{flag}'", result.StderrLines[0], StringComparison.Ordinal);
        Assert.Contains("unknown option", result.StderrLines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Missing_interface_is_named(string target)
    {
        var result = AssertOneLineExit2(["-c", "1", "-W", "1", "-I", "nosuch0", target]);
        Assert.Equal("icmpkit: ping: no interface named nosuch0; list them with `ip link`", result.StderrLines[0]);
        Assert.Equal(2, IputilsReference.Run(["-c", "1", "-W", "1", "-I", "nosuch0", target]).ExitCode);
    }

    [Theory]
    [InlineData("--json")]
    [InlineData("--ndjson")]
    public void Bad_values_under_json_still_go_to_stderr_as_one_line(string mode)
    {
        var result = AssertOneLineExit2(["-c", "1", "-p", "zz", mode, "127.0.0.1"]);
        Assert.Equal("icmpkit: ping: patterns must be specified as hex digits: zz", result.StderrLines[0]);
    }
}
