using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace IcmpKit.Cli.Tests;

/// <summary>
/// iputils ping's flags, each run with the real /usr/bin/ping (iputils 20221126) and with icmpkit, to 127.0.0.1 or ::1:
/// the outputs must be the same line for line once the times are masked (<see cref="IputilsReference.Mask"/>).
/// </summary>
public partial class PingOptionTests
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    // ---- -p ----

    [Theory]
    [InlineData("-c", "2", "-i", "0.2", "-p", "abc", "127.0.0.1")]      // odd digit count: iputils reads 0xab0c
    [InlineData("-c", "2", "-i", "0.2", "-p", "ff00aa", "127.0.0.1")]
    [InlineData("-c", "1", "-p", "00112233445566778899aabbccddeeff0011", "127.0.0.1")] // 16 bytes at most
    [InlineData("-c", "1", "-p", "a", "127.0.0.1")]
    [InlineData("-q", "-c", "2", "-i", "0.2", "-p", "abc", "127.0.0.1")] // no PATTERN line under -q
    [InlineData("-c", "1", "-p", "abc", "-q", "127.0.0.1")]
    [InlineData("-c", "1", "-s", "4", "-p", "abcd", "127.0.0.1")]
    public void Pattern_prints_as_iputils(params string[] args) => IputilsReference.AssertSameAsIputils(args);

    [Theory]
    [InlineData("abc", "PATTERN: 0xab0c")]
    [InlineData("ABC", "PATTERN: 0xab0c")]
    [InlineData("1", "PATTERN: 0x01")]
    [InlineData("ff00aa", "PATTERN: 0xff00aa")]
    [InlineData("00112233445566778899aabbccddeeff0011", "PATTERN: 0x00112233445566778899aabbccddeeff")]
    public void Pattern_line_is_exact(string pattern, string expected)
    {
        var result = CliRunner.Run(["ping", "-c", "1", "-W", "2", "-p", pattern, "127.0.0.1"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(expected, result.StdoutLines[0]);
        Assert.Equal("PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.", result.StdoutLines[1]);
    }

    /// <summary>
    /// The data bytes of the requests, as a raw socket sees them on loopback: from byte 16 on (before it iputils has
    /// its timeval, icmpkit its cookie and send time, by design) they must be iputils' fill, the -p pattern repeated from
    /// the start of the data or byte i = i; and each reply must echo its request's data exactly.
    /// </summary>
    [Theory]
    [InlineData("abc")]
    [InlineData("ff00aa")]
    [InlineData("0102030405")]
    [InlineData(null)]
    public void Request_data_is_iputils_fill_and_the_reply_echoes_it(string? pattern)
    {
        int size = Random.Shared.Next(300, 900); // tells these requests apart from other tests' on a shared loopback
        string[] flags = pattern is null ? ["-c", "2", "-i", "0.05", "-W", "2", "-s", size.ToString(C)]
            : ["-c", "2", "-i", "0.05", "-W", "2", "-s", size.ToString(C), "-p", pattern];
        var iputils = CaptureRun(size, () => Assert.Equal(0, IputilsReference.Run([.. flags, "127.0.0.1"]).ExitCode));
        var icmpkit = CaptureRun(size, () => Assert.Equal(0, CliRunner.Run(["ping", .. flags, "127.0.0.1"]).ExitCode));

        byte[] patternBytes = pattern is null ? [] : PatternBytes(pattern);
        for (int i = 16; i < size; i++)
        {
            byte expected = pattern is null ? (byte)i : patternBytes[i % patternBytes.Length];
            Assert.True(iputils.Request[8 + i] == expected, $"iputils data byte {i} is 0x{iputils.Request[8 + i]:x2}, the test expects 0x{expected:x2}");
        }
        var ours = icmpkit.Request.AsSpan(8 + 16).ToArray();
        var theirs = iputils.Request.AsSpan(8 + 16).ToArray();
        Assert.True(theirs.SequenceEqual(ours),
            $"data bytes 16.. differ: iputils {Convert.ToHexStringLower(theirs)}, icmpkit {Convert.ToHexStringLower(ours)}");
        Assert.Equal(icmpkit.Request.AsSpan(8).ToArray(), icmpkit.Reply.AsSpan(8).ToArray());
        Assert.Equal(iputils.Request.AsSpan(8).ToArray(), iputils.Reply.AsSpan(8).ToArray());
    }

    private static byte[] PatternBytes(string pattern)
    {
        var bytes = new List<byte>();
        for (int at = 0; at < pattern.Length && bytes.Count < 16; at += 2)
        {
            bytes.Add(Convert.ToByte(pattern.Substring(at, Math.Min(2, pattern.Length - at)), 16));
        }
        return [.. bytes];
    }

    /// <summary>Runs <paramref name="run"/> under a raw-socket capture and returns the first echo request of that data
    /// size and the reply with the same identifier and sequence number (ICMP header included).</summary>
    private static (byte[] Request, byte[] Reply) CaptureRun(int size, Action run)
    {
        using var capture = new IcmpV4Capture();
        run();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var packets = capture.Packets.Where(p => p.Length == 8 + size).ToArray();
            var request = packets.FirstOrDefault(p => p[0] == 8);
            var reply = request is null ? null
                : packets.FirstOrDefault(p => p[0] == 0 && p.AsSpan(4, 4).SequenceEqual(request.AsSpan(4, 4)));
            if (request is not null && reply is not null)
            {
                return (request, reply);
            }
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"no echo request and reply of {size} data bytes captured ({packets.Length} packets)");
            Thread.Sleep(20);
        }
    }

    // ---- -s ----

    /// <summary>
    /// iputils prints no "time=" and an empty rtt line when the data is shorter than its timeval (16 bytes), since it
    /// times a reply by the send time carried in the data. Every size from 0 to 16 is run; all differences are listed.
    /// </summary>
    [Fact]
    public void Small_sizes_print_as_iputils()
    {
        var differences = new List<string>();
        for (int size = 0; size <= 16; size++)
        {
            string[] args = ["-c", "1", "-W", "2", "-s", size.ToString(C), "127.0.0.1"];
            var iputils = IputilsReference.Run(args);
            var icmpkit = CliRunner.Run(["ping", .. args]);
            Assert.Equal(0, icmpkit.ExitCode);
            Assert.Equal($"PING 127.0.0.1 (127.0.0.1) {size}({size + 28}) bytes of data.", icmpkit.StdoutLines[0]);
            Assert.StartsWith($"{size + 8} bytes from 127.0.0.1: icmp_seq=1 ttl=64", icmpkit.StdoutLines[1], StringComparison.Ordinal);
            if (IputilsReference.Mask(iputils.Stdout) != IputilsReference.Mask(icmpkit.Stdout))
            {
                differences.Add($"-s {size}:\n  iputils: {string.Join(" | ", iputils.StdoutLines)}\n  icmpkit: {string.Join(" | ", icmpkit.StdoutLines)}");
            }
        }
        Assert.True(differences.Count == 0, "differences from iputils:\n" + string.Join('\n', differences));
    }

    [Theory]
    [InlineData("-c", "1", "-s", "16", "127.0.0.1")]
    [InlineData("-c", "1", "-s", "17", "127.0.0.1")]
    [InlineData("-c", "1", "-s", "1000", "127.0.0.1")]
    [InlineData("-c", "1", "-s", "16", "::1")]
    [InlineData("-c", "1", "-s", "0", "::1")]
    public void Sizes_print_as_iputils(params string[] args) => IputilsReference.AssertSameAsIputils(args);

    // ---- -l, -D, -A, -q, -t, -Q, -I, -m, -4/-6, -O ----

    [Theory]
    [InlineData("-c", "4", "-l", "3", "-i", "0.2", "127.0.0.1")]   // ", pipe 3"
    [InlineData("-c", "2", "-i", "0.2", "-D", "127.0.0.1")]
    [InlineData("-c", "3", "-i", "0.2", "-A", "127.0.0.1")]         // ", ipg/ewma …"
    [InlineData("-c", "3", "-i", "0.01", "-A", "127.0.0.1")]
    [InlineData("-q", "-c", "3", "-i", "0.05", "127.0.0.1")]
    [InlineData("-c", "3", "-i", "0.2", "-t", "5", "127.0.0.1")]
    [InlineData("-c", "2", "-i", "0.2", "-Q", "0x10", "127.0.0.1")]
    [InlineData("-c", "2", "-i", "0.2", "-Q", "16", "::1")]
    [InlineData("-c", "2", "-i", "0.2", "-I", "lo", "127.0.0.1")]
    [InlineData("-c", "2", "-i", "0.2", "-I", "127.0.0.1", "127.0.0.1")]
    [InlineData("-c", "2", "-i", "0.2", "-I", "lo", "::1")]
    [InlineData("-c", "2", "-i", "0.2", "-I", "::1", "::1")]
    [InlineData("-c", "2", "-i", "0.2", "-m", "1", "127.0.0.1")]
    [InlineData("-4", "-c", "1", "127.0.0.1")]
    [InlineData("-6", "-c", "2", "-i", "0.2", "::1")]
    [InlineData("-c", "2", "-i", "0.2", "-W", "1", "-O", "127.0.0.1")]
    public void Flags_print_as_iputils(params string[] args) => IputilsReference.AssertSameAsIputils(args);

    [Fact]
    public void Preload_3_prints_pipe_3()
    {
        var result = CliRunner.Run(["ping", "-c", "4", "-l", "3", "-i", "0.2", "-W", "2", "127.0.0.1"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^rtt min/avg/max/mdev = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms, pipe 3$", result.StdoutLines[^1]);
    }

    [GeneratedRegex(@"^\[(\d+)\.(\d{6})\] 64 bytes from 127\.0\.0\.1: icmp_seq=\d+ ttl=64 time=\d+\.\d+ ms$")]
    private static partial Regex StampedReply();

    [Fact]
    public void D_prefixes_each_reply_with_the_current_unix_time()
    {
        double before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var result = CliRunner.Run(["ping", "-c", "2", "-i", "0.2", "-W", "2", "-D", "127.0.0.1"]);
        double after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        Assert.Equal(0, result.ExitCode);
        var stamps = result.StdoutLines.Skip(1).Take(2).Select(l =>
        {
            var m = StampedReply().Match(l);
            Assert.True(m.Success, l);
            return IputilsReference.Ms(m.Groups[1].Value + "." + m.Groups[2].Value);
        }).ToArray();
        Assert.All(stamps, s => Assert.InRange(s, before - 0.01, after + 0.01));
        Assert.InRange(stamps[1] - stamps[0], 0.15, 1.0); // -i 0.2 between the two
    }

    [Fact]
    public void Adaptive_appends_ipg_ewma_as_iputils()
    {
        var result = CliRunner.Run(["ping", "-c", "3", "-i", "0.2", "-W", "2", "-A", "127.0.0.1"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^rtt min/avg/max/mdev = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms, ipg/ewma \d+\.\d{3}/\d+\.\d{3} ms$", result.StdoutLines[^1]);
    }

    [Fact]
    public void Quiet_prints_exactly_header_blank_and_summary()
    {
        var result = CliRunner.Run(["ping", "-q", "-c", "3", "-i", "0.05", "-W", "2", "127.0.0.1"]);
        Assert.Equal(0, result.ExitCode);
        var lines = result.StdoutLines;
        Assert.Equal(5, lines.Length);
        Assert.Equal("PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.", lines[0]);
        Assert.Equal("", lines[1]);
        Assert.Equal("--- 127.0.0.1 ping statistics ---", lines[2]);
        Assert.Matches(@"^3 packets transmitted, 3 received, 0% packet loss, time \d+ms$", lines[3]);
        Assert.Matches(@"^rtt min/avg/max/mdev = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms$", lines[4]);
    }

    [Theory]
    [InlineData("lo", "PING 127.0.0.1 (127.0.0.1) from 127.0.0.1 lo: 56(84) bytes of data.")]
    [InlineData("127.0.0.1", "PING 127.0.0.1 (127.0.0.1) from 127.0.0.1 : 56(84) bytes of data.")]
    public void Interface_header_names_the_source_as_iputils(string source, string header)
    {
        var result = CliRunner.Run(["ping", "-c", "1", "-W", "2", "-I", source, "127.0.0.1"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(header, result.StdoutLines[0]);
        Assert.Matches(@"^64 bytes from 127\.0\.0\.1: icmp_seq=1 ttl=64 time=", result.StdoutLines[1]);
    }

    [Fact]
    public void Ttl_5_still_reaches_loopback()
    {
        var result = CliRunner.Run(["ping", "-c", "1", "-W", "2", "-t", "5", "--ndjson", "127.0.0.1"]);
        Assert.Equal(0, result.ExitCode);
        var reply = StrictJson.Parse(result.StdoutLines[1]);
        Assert.Equal("reply", reply.GetProperty("type").GetString());
        Assert.Equal(64, reply.GetProperty("ttl").GetInt32()); // the reply's TTL, not ours
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Tos_0x10_comes_back_in_the_reply(string target)
    {
        var result = CliRunner.Run(["ping", "-c", "2", "-i", "0.1", "-W", "2", "-Q", "0x10", "--ndjson", target]);
        Assert.Equal(0, result.ExitCode);
        var replies = result.StdoutLines.Select(StrictJson.Parse).Where(e => e.GetProperty("type").GetString() == "reply").ToArray();
        Assert.Equal(2, replies.Length);
        Assert.All(replies, r => Assert.Equal(16, r.GetProperty("tos").GetInt32()));

        var plain = CliRunner.Run(["ping", "-c", "1", "-W", "2", "--ndjson", target]);
        Assert.Equal(0, StrictJson.Parse(plain.StdoutLines[1]).GetProperty("tos").GetInt32());
    }

    // ---- -f ----

    /// <summary>iputils' flood: "." per request, "\b \b" per reply, then "\n--- … ---" with no line of its own.</summary>
    [Fact]
    public void Flood_prints_dots_and_backspaces_as_iputils()
    {
        var (iputils, icmpkit) = IputilsReference.AssertSameAsIputils("-f", "-c", "200", "127.0.0.1");
        Assert.Equal(0, icmpkit.ExitCode);
        string expected = "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n"
            + string.Concat(Enumerable.Repeat(".\b \b", 200))
            + "\n--- 127.0.0.1 ping statistics ---\n";
        Assert.StartsWith(expected, icmpkit.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\n200 packets transmitted, 200 received, 0% packet loss, time \d+ms\nrtt min/avg/max/mdev = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms, ipg/ewma \d+\.\d{3}/\d+\.\d{3} ms\n$", icmpkit.Stdout);
        Assert.StartsWith(expected, iputils.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Flood_quiet_prints_no_dots()
    {
        var result = CliRunner.Run(["ping", "-f", "-q", "-c", "200", "-W", "2", "127.0.0.1"]);
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain(".\b", result.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n\n--- 127.0.0.1 ping statistics ---\n", result.Stdout, StringComparison.Ordinal);
    }

    // ---- -M ----

    [Theory]
    [InlineData("-c", "1", "-W", "2", "-M", "do", "-s", "65000", "127.0.0.1")] // lo has MTU 65536: fits
    [InlineData("-c", "1", "-W", "2", "-M", "do", "-s", "65507", "127.0.0.1")] // 65535 bytes: fits too
    [InlineData("-c", "1", "-W", "2", "-M", "dont", "-s", "2000", "127.0.0.1")]
    [InlineData("-c", "1", "-W", "2", "-M", "want", "127.0.0.1")]
    [InlineData("-c", "1", "-W", "2", "-M", "do", "-s", "65488", "::1")]       // 65536 bytes on lo: fits
    [InlineData("-c", "2", "-i", "0.2", "-W", "1", "-M", "do", "-s", "65489", "::1")] // one byte over: local error, mtu: 65536
    [InlineData("-c", "1", "-W", "2", "-s", "65527", "::1")]                   // the IPv6 maximum (docs: 65527)
    public void Path_mtu_discovery_as_iputils(params string[] args) => IputilsReference.AssertSameAsIputils(args);

    [Fact]
    public void Local_error_above_the_ipv6_loopback_mtu_goes_to_stderr()
    {
        var result = CliRunner.Run(["ping", "-c", "1", "-W", "1", "-M", "do", "-s", "65489", "::1"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["icmpkit: ping: local error: message too long, mtu: 65536"], result.StderrLines);
        Assert.Equal("PING ::1(::1) 65489 data bytes", result.StdoutLines[0]);
        Assert.Matches(@"^1 packets transmitted, 0 received, \+1 errors, 100% packet loss, time \d+ms$", result.StdoutLines[^1]);
        Assert.EndsWith("ms\n\n", result.Stdout, StringComparison.Ordinal); // iputils' empty rtt line
    }

    // ---- -w ----

    [Fact]
    public void Deadline_without_count_runs_about_a_second_and_exits_0()
    {
        var watch = Stopwatch.StartNew();
        var result = CliRunner.Run(["ping", "-w", "1", "-i", "0.2", "127.0.0.1"]);
        watch.Stop();
        Assert.Equal(0, result.ExitCode);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 3.0);
        var summary = Regex.Match(result.StdoutLines[^2], @"^(\d+) packets transmitted, (\d+) received, 0% packet loss, time \d+ms$");
        Assert.True(summary.Success, result.Stdout);
        int transmitted = int.Parse(summary.Groups[1].Value, C);
        Assert.InRange(transmitted, 4, 6); // iputils: 5 (at 0, 0.2, …, 0.8 s)
        Assert.Equal(summary.Groups[1].Value, summary.Groups[2].Value);
        Assert.Equal(transmitted, result.StdoutLines.Count(l => l.StartsWith("64 bytes from 127.0.0.1: icmp_seq=", StringComparison.Ordinal)));

        var iputils = IputilsReference.Run(["-w", "1", "-i", "0.2", "127.0.0.1"]);
        Assert.Equal(iputils.ExitCode, result.ExitCode);
        int theirs = int.Parse(Regex.Match(iputils.StdoutLines[^2], @"^(\d+) packets").Groups[1].Value, C);
        Assert.InRange(transmitted, theirs - 1, theirs + 1);
    }

    [Fact]
    public void Count_with_deadline_stops_after_the_count()
    {
        var watch = Stopwatch.StartNew();
        var (_, icmpkit) = IputilsReference.AssertSameAsIputils("-c", "3", "-w", "5", "-i", "0.2", "127.0.0.1");
        Assert.Equal(0, icmpkit.ExitCode);
        Assert.Matches(@"^3 packets transmitted, 3 received, 0% packet loss, time \d+ms$", icmpkit.StdoutLines[^2]);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4.5), $"took {watch.Elapsed} for both runs: the deadline of 5 s was waited for");
    }

    // ---- -R, -T ----

    [Fact]
    public void Record_route_prints_the_route_then_same_route()
    {
        var (_, icmpkit) = IputilsReference.AssertSameAsIputils("-c", "3", "-i", "0.2", "-R", "127.0.0.1");
        string masked = IputilsReference.Mask(icmpkit.Stdout);
        Assert.Equal(
            "PING 127.0.0.1 (127.0.0.1) 56(124) bytes of data.\n"
            + "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=… ms\n"
            + "RR: \t127.0.0.1\n\t127.0.0.1\n\t127.0.0.1\n\t127.0.0.1\n\n"
            + "64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=… ms\t(same route)\n"
            + "64 bytes from 127.0.0.1: icmp_seq=3 ttl=64 time=… ms\t(same route)\n"
            + "\n--- 127.0.0.1 ping statistics ---\n"
            + "3 packets transmitted, 3 received, 0% packet loss, time …ms\n"
            + "rtt min/avg/max/mdev = …/…/…/… ms\n",
            masked);
    }

    [Fact]
    public void Timestamp_option_tsonly_prints_as_iputils()
    {
        var (_, icmpkit) = IputilsReference.AssertSameAsIputils("-c", "2", "-i", "0.2", "-T", "tsonly", "127.0.0.1");
        Assert.Equal("PING 127.0.0.1 (127.0.0.1) 56(124) bytes of data.", icmpkit.StdoutLines[0]);
        Assert.Matches(@"^TS: \t\d+ absolute$", icmpkit.StdoutLines[2]);
    }

    [Fact]
    public void Timestamp_option_tsandaddr_prints_as_iputils()
    {
        var (_, icmpkit) = IputilsReference.AssertSameAsIputils("-c", "2", "-i", "0.2", "-T", "tsandaddr", "127.0.0.1");
        // iputils: "56(124)" (it counts 40 option bytes for every -T) and four address/time pairs.
        Assert.Equal("PING 127.0.0.1 (127.0.0.1) 56(124) bytes of data.", icmpkit.StdoutLines[0]);
    }

    [Fact]
    public void Timestamp_option_tsprespec_prints_as_iputils()
    {
        var (_, icmpkit) = IputilsReference.AssertSameAsIputils("-c", "1", "-T", "tsprespec", "127.0.0.1", "127.0.0.1");
        // iputils: "56(124)" and "TS: \t127.0.0.1\t<ms> absolute".
        Assert.Equal("PING 127.0.0.1 (127.0.0.1) 56(124) bytes of data.", icmpkit.StdoutLines[0]);
    }

    // ---- --type (no iputils equivalent) ----

    [GeneratedRegex(@"^originate=(\d+) receive=(\d+) transmit=(\d+)$")]
    private static partial Regex TimestampTimes();

    [GeneratedRegex(@"^clock offset=[+-]?\d+ ms, one-way out=-?\d+ ms, back=-?\d+ ms$")]
    private static partial Regex TimestampDerived();

    [Fact]
    public void Timestamp_request_prints_the_three_times_under_each_reply()
    {
        var result = CliRunner.Run(["ping", "-c", "2", "-i", "0.2", "-W", "2", "--type", "timestamp", "127.0.0.1"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Stderr);
        var lines = result.StdoutLines;
        Assert.Equal("PING 127.0.0.1 (127.0.0.1) 12(40) bytes of data.", lines[0]);
        for (int i = 0; i < 2; i++)
        {
            Assert.Matches($@"^20 bytes from 127\.0\.0\.1: icmp_seq={i + 1} ttl=64 time=\d+\.\d+ ms$", lines[1 + (3 * i)]);
            var times = TimestampTimes().Match(lines[2 + (3 * i)]);
            Assert.True(times.Success, lines[2 + (3 * i)]);
            long originate = long.Parse(times.Groups[1].Value, C);
            long receive = long.Parse(times.Groups[2].Value, C);
            long transmit = long.Parse(times.Groups[3].Value, C);
            Assert.InRange(originate, 0, 86_399_999);
            Assert.InRange((receive - originate + 86_400_000) % 86_400_000, 0, 1000); // same host, same clock
            Assert.Equal(receive, transmit); // Linux writes the same time in both
            Assert.Matches(TimestampDerived(), lines[3 + (3 * i)]);
        }
        Assert.Equal("", lines[7]);
        Assert.Equal("--- 127.0.0.1 ping statistics ---", lines[8]);
        Assert.Matches(@"^2 packets transmitted, 2 received, 0% packet loss, time \d+ms$", lines[9]);
        Assert.Equal(11, lines.Length);
    }

    [Theory]
    [InlineData("mask", "PING 127.0.0.1 (127.0.0.1) 4(32) bytes of data.")]
    [InlineData("info", "PING 127.0.0.1 (127.0.0.1) 0(28) bytes of data.")]
    public void Mask_and_info_requests_are_never_answered_by_linux(string type, string header)
    {
        var result = CliRunner.Run(["ping", "-c", "2", "-i", "0.2", "-W", "1", "--type", type, "127.0.0.1"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Stderr);
        var lines = result.StdoutLines;
        Assert.Equal(4, lines.Length);
        Assert.Equal(header, lines[0]);
        Assert.Equal("", lines[1]);
        Assert.Equal("--- 127.0.0.1 ping statistics ---", lines[2]);
        Assert.Matches(@"^2 packets transmitted, 0 received, 100% packet loss, time \d+ms$", lines[3]);
        Assert.EndsWith("ms\n\n", result.Stdout, StringComparison.Ordinal); // iputils' empty rtt line
        CliRunner.AssertNoStackTrace(result);
    }

    /// <summary>-O needs a request left unanswered; on loopback only a mask request is (Linux never answers it).</summary>
    [Fact]
    public void Outstanding_reports_each_unanswered_request_before_the_next()
    {
        var result = CliRunner.Run(["ping", "-c", "3", "-i", "0.2", "-W", "1", "-O", "-D", "--type", "mask", "127.0.0.1"]);
        Assert.Equal(1, result.ExitCode);
        var lines = result.StdoutLines;
        Assert.Equal("PING 127.0.0.1 (127.0.0.1) 4(32) bytes of data.", lines[0]);
        Assert.Matches(@"^\[\d+\.\d{6}\] no answer yet for icmp_seq=1$", lines[1]);
        Assert.Matches(@"^\[\d+\.\d{6}\] no answer yet for icmp_seq=2$", lines[2]);
        Assert.Equal("", lines[3]);
        Assert.Equal("--- 127.0.0.1 ping statistics ---", lines[4]);
        Assert.Matches(@"^3 packets transmitted, 0 received, 100% packet loss, time \d+ms$", lines[5]);
        Assert.Equal(6, lines.Length);
        Assert.EndsWith("ms\n\n", result.Stdout, StringComparison.Ordinal); // iputils' empty rtt line
    }
}
