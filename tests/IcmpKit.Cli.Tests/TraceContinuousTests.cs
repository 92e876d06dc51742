using System.Net;
using System.Text.Json;
using IcmpKit.Cli.Trace;
using IcmpKit.Trace;
using IcmpKit.Wire.Extensions;

namespace IcmpKit.Cli.Tests;

/// <summary>
/// `icmpkit mtr` and `icmpkit trace --continuous`: bad values (one line, exit 2, nothing sent), mtr's report layout
/// character for character (from mtr 0.95's own output), and the JSON of a real run on loopback parsed strictly.
/// </summary>
public class TraceContinuousTests
{
    private static void AssertOneLineExit2(string[] args, string expected)
    {
        var result = CliRunner.Run(args);
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode} for '{string.Join(' ', args)}'\n{result.Stdout}\n{result.Stderr}");
        Assert.True(result.Stdout.Length == 0, "stdout should be empty: " + result.Stdout);
        CliRunner.AssertNoStackTrace(result);
        Assert.Equal([expected], result.StderrLines);
    }

    [Theory]
    [InlineData(new[] { "mtr", "-c", "0", "127.0.0.1" }, "icmpkit: mtr: bad -c value '0'; give the number of rounds, 1 or more")]
    [InlineData(new[] { "mtr", "-c", "ten", "127.0.0.1" }, "icmpkit: mtr: bad -c value 'ten'; give the number of rounds, 1 or more")]
    [InlineData(new[] { "mtr", "-i", "0", "127.0.0.1" }, "icmpkit: mtr: bad -i value '0'; give seconds between rounds, 0.001 to 86400")]
    [InlineData(new[] { "mtr", "-i", "soon", "127.0.0.1" }, "icmpkit: mtr: bad -i value 'soon'; give seconds between rounds, 0.001 to 86400")]
    [InlineData(new[] { "mtr", "-o", "LSQ", "127.0.0.1" }, "icmpkit: mtr: bad -o field 'Q' in 'LSQ'; give letters of LDRSNBAWVGJMXI (mtr's, a space for a gap)")]
    [InlineData(new[] { "mtr", "-m", "256", "127.0.0.1" }, "icmpkit: mtr: bad -m value 256; give the maximum TTL, 1 to 255")]
    [InlineData(new[] { "mtr", "-f", "5", "-m", "3", "127.0.0.1" }, "icmpkit: mtr: bad -f value 5; give the first TTL, 1 to the maximum (3)")]
    [InlineData(new[] { "mtr", "-s", "big", "127.0.0.1" }, "icmpkit: mtr: bad -s value 'big'; give the packet size in bytes, 0 to 65000 (IcmpKit takes no random sizes)")]
    [InlineData(new[] { "mtr", "-Q", "256", "127.0.0.1" }, "icmpkit: mtr: bad -Q value '256'; give the TOS / traffic class, 0 to 255")]
    [InlineData(new[] { "mtr", "-Z", "0", "127.0.0.1" }, "icmpkit: mtr: bad -Z value '0'; give the seconds to wait for each probe, 0.001 to 3600")]
    [InlineData(new[] { "mtr", "-r", "-j", "127.0.0.1" }, "icmpkit: mtr: --report, --json and --ndjson exclude each other; give one")]
    [InlineData(new[] { "mtr", "-4", "-6", "127.0.0.1" }, "icmpkit: mtr: -4 and -6 exclude each other; give one")]
    [InlineData(new[] { "mtr", "-4", "::1" }, "icmpkit: mtr: ::1 is not an IPv4 address; give one of the family of -4")]
    [InlineData(new[] { "mtr", "--socket", "bogus", "127.0.0.1" }, "icmpkit: mtr: invalid --socket: bogus; give dgram or raw")]
    [InlineData(new[] { "mtr", "-a", "here", "127.0.0.1" }, "icmpkit: mtr: bad source address 'here' (-a); give an IPv4 or IPv6 address of this host")]
    [InlineData(new[] { "mtr", "-I", "an-interface-name-too-long", "127.0.0.1" }, "icmpkit: mtr: bad interface name 'an-interface-name-too-long' (-I); give a name of 1 to 15 characters, as `ip link` lists them")]
    [InlineData(new[] { "trace", "--report", "127.0.0.1" }, "icmpkit: trace: --report goes with --continuous; add it (or use icmpkit mtr)")]
    [InlineData(new[] { "trace", "-c", "3", "127.0.0.1" }, "icmpkit: trace: -c goes with --continuous; add it (or use icmpkit mtr)")]
    [InlineData(new[] { "trace", "--interval", "2", "127.0.0.1" }, "icmpkit: trace: --interval goes with --continuous; add it (or use icmpkit mtr)")]
    [InlineData(new[] { "trace", "--continuous", "-q", "2", "127.0.0.1" }, "icmpkit: trace: -q does not apply to --continuous (one probe per hop per round); leave it out")]
    [InlineData(new[] { "trace", "--continuous", "-N", "4", "127.0.0.1" }, "icmpkit: trace: -N does not apply to --continuous (one probe per hop per round); leave it out")]
    [InlineData(new[] { "trace", "--continuous", "--mtu", "127.0.0.1" }, "icmpkit: trace: --mtu does not go with --continuous (path MTU discovery is a one-shot trace); run them apart")]
    [InlineData(new[] { "trace", "--continuous", "--multipath", "127.0.0.1" }, "icmpkit: trace: --multipath does not go with --continuous (multipath enumeration is a one-shot trace); run them apart")]
    [InlineData(new[] { "trace", "--continuous", "-c", "0", "127.0.0.1" }, "icmpkit: trace: bad -c value '0'; give the number of rounds, 1 or more")]
    [InlineData(new[] { "trace", "--continuous", "--interval", "-1", "127.0.0.1" }, "icmpkit: trace: bad --interval value '-1'; give seconds between rounds, 0.001 to 86400")]
    [InlineData(new[] { "trace", "--continuous", "--order", "LZ", "127.0.0.1" }, "icmpkit: trace: bad --order field 'Z' in 'LZ'; give letters of LDRSNBAWVGJMXI (mtr's, a space for a gap)")]
    [InlineData(new[] { "trace", "--continuous", "-m", "300", "127.0.0.1" }, "icmpkit: trace: max hops cannot be more than 255: -m 300")]
    public void A_bad_value_is_one_line_and_exit_2(string[] args, string expected) => AssertOneLineExit2(args, expected);

    private static ContinuousHop Hop(int ttl, string? from, long sent, params double[] rtts)
    {
        var statistics = new HopStatistics();
        for (int i = 0; i < sent; i++)
        {
            statistics.AddSent();
            if (i < rtts.Length)
            {
                statistics.AddReply(TimeSpan.FromMilliseconds(rtts[i]));
            }
            else
            {
                statistics.AddLoss();
            }
        }
        var address = from is null ? null : IPAddress.Parse(from);
        return new ContinuousHop(ttl, address, address is null ? [] : [address], statistics.Snapshot());
    }

    [Fact]
    public void The_report_table_is_mtrs_character_for_character()
    {
        // mtr 0.95, `mtr --report -n -c 3 127.0.0.1` on host "vm":
        //   HOST: vm                          Loss%   Snt   Last   Avg  Best  Wrst StDev
        //     1.|-- 127.0.0.1                  0.0%     3    0.1   0.1   0.1   0.1   0.0
        var lines = MtrTable.Lines("vm", [Hop(1, "127.0.0.1", 3, 0.1, 0.1, 0.1)], a => a.ToString(), ContinuousArguments.DefaultFields, wide: false, showExtensions: false);
        Assert.Equal(
        [
            "HOST: vm                          Loss%   Snt   Last   Avg  Best  Wrst StDev",
            "  1.|-- 127.0.0.1                  0.0%     3    0.1   0.1   0.1   0.1   0.0",
        ], lines);
    }

    [Fact]
    public void Every_field_letter_has_mtrs_title_and_width()
    {
        // mtr 0.95, `mtr --report -n -c 3 -o "LSD NBAW VJMXI" 127.0.0.1`:
        var lines = MtrTable.Lines("vm", [Hop(1, "127.0.0.1", 3, 0.1, 0.1, 0.1)], a => a.ToString(), "LSD NBAW VJMXI", wide: false, showExtensions: false);
        Assert.Equal("HOST: vm                          Loss%   Snt Drop   Last  Best   Avg  Wrst  StDev Jttr Javg Jmax Jint", lines[0]);
        Assert.Equal("  1.|-- 127.0.0.1                  0.0%     3    0    0.1   0.1   0.1   0.1    0.0  0.0  0.0  0.0  0.0", lines[1]);
    }

    [Fact]
    public void All_loss_loses_its_percent_sign_to_the_next_field_and_a_silent_hop_is_three_question_marks()
    {
        var lines = MtrTable.Lines("vm", [Hop(1, null, 3)], a => a.ToString(), ContinuousArguments.DefaultFields, wide: false, showExtensions: false);
        Assert.Equal("  1.|-- ???                       100.0     3    0.0   0.0   0.0   0.0   0.0", lines[1]);
    }

    [Fact]
    public void Wide_keeps_long_names_whole_and_shifts_the_fields_as_mtr_does()
    {
        // mtr 0.95, `mtr --report-wide -n -c 2 fd42:21::1` through the responder: the header is two columns left of the lines.
        var lines = MtrTable.Lines("vm", [Hop(1, "fd42:22::1", 2, 0.2, 0.2)], a => a.ToString(), ContinuousArguments.DefaultFields, wide: true, showExtensions: false);
        Assert.Equal("HOST: vm         Loss%   Snt   Last   Avg  Best  Wrst StDev", lines[0]);
        Assert.Equal("  1.|-- fd42:22::1  0.0%     2    0.2   0.2   0.2   0.2   0.0", lines[1]);
        // Not wide, a name of more than 25 characters is cut by the fields.
        var cut = MtrTable.Lines("vm", [Hop(1, "fd42:ffff:1234:5678:9abc:def0:1234:5678", 1, 1)], a => a.ToString(), "L", wide: false, showExtensions: false);
        Assert.Equal("  1.|-- fd42:ffff:1234:5678:9abc:  0.0%", cut[1]);
    }

    [Fact]
    public void Other_addresses_and_mpls_labels_follow_the_hop_line()
    {
        var stats = new HopStatistics();
        stats.AddSent();
        stats.AddReply(TimeSpan.FromMilliseconds(1));
        var extensions = new IcmpExtensionStructure { Objects = [new MplsLabelStackObject([new MplsLabelEntry(16001, 0, false, 1), new MplsLabelEntry(16002, 5, true, 1)])] };
        var reply = new TraceReply(IPAddress.Parse("198.18.1.2"), TimeSpan.FromMilliseconds(1), TraceReplyKind.TimeExceeded, false, 11, 0) { Extensions = extensions };
        var hop = new ContinuousHop(2, IPAddress.Parse("198.18.1.2"), [IPAddress.Parse("198.18.1.3"), IPAddress.Parse("198.18.1.2"), IPAddress.Parse("198.18.1.4")],
            stats.Snapshot()) { LastReply = reply };
        var lines = MtrTable.Lines("vm", [hop], a => a.ToString(), "L", wide: false, showExtensions: true);
        Assert.Equal(
        [
            "HOST: vm                          Loss%",
            "  2.|-- 198.18.1.2                 0.0%",
            "    |  `|-- 198.18.1.3",
            "    |   |-- 198.18.1.4",
            "    |   +-- [MPLS: Lbl 16001 Exp 0 S 0 TTL 1]",
            "    |   +-- [MPLS: Lbl 16002 Exp 5 S 1 TTL 1]",
        ], lines);
    }

    [Fact]
    public void A_paced_hop_gets_a_note_under_the_table()
    {
        var stats = new HopStatistics();
        for (int i = 0; i < 9; i++)
        {
            stats.AddSent();
            stats.AddRateLimitedInFlight();
        }
        var hop = new ContinuousHop(3, IPAddress.Parse("198.18.2.2"), [IPAddress.Parse("198.18.2.2")], stats.Snapshot())
        {
            PacedInterval = TimeSpan.FromMilliseconds(1100),
            PacedFromRound = 11,
        };
        var given = new ContinuousHop(4, IPAddress.Parse("198.18.3.2"), [IPAddress.Parse("198.18.3.2")], new HopStatistics().Snapshot());
        Assert.Equal(
        [
            "note: hop 3 (198.18.2.2) answers within an ICMP rate limit: probed every 1.1 s from round 12; 9 probes sent over its budget not counted as loss",
            "note: hop 4 (198.18.3.2) lost as many probes when paced: not a rate limit, its losses count",
        ], MtrTable.PacingNotes([hop, given], new HashSet<int> { 4 }, a => a.ToString()));
    }

    [Theory]
    [InlineData("mtr", "--json", "-n", "-c", "3", "-i", "0.05", "127.0.0.1")]
    [InlineData("trace", "--continuous", "--json", "-n", "-c", "3", "--interval", "0.05", "127.0.0.1")]
    public void Json_of_a_loopback_run_parses_strictly(params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        using var document = JsonDocument.Parse(Assert.Single(result.StdoutLines), new JsonDocumentOptions { AllowTrailingCommas = false });
        var root = document.RootElement;
        Assert.Equal("mtr", root.GetProperty("type").GetString());
        var hop = Assert.Single(root.GetProperty("hops").EnumerateArray());
        Assert.Equal(("127.0.0.1", 3L, 3L, 0.0), (hop.GetProperty("from").GetString(), hop.GetProperty("sent").GetInt64(), hop.GetProperty("received").GetInt64(),
            hop.GetProperty("loss_percent").GetDouble()));
        Assert.Equal("echo_reply", hop.GetProperty("last_reply").GetProperty("kind").GetString());
        Assert.True(root.GetProperty("end").GetProperty("reached").GetBoolean());
    }

    [Fact]
    public void The_report_of_a_loopback_run_is_one_hop_and_exit_0()
    {
        var result = CliRunner.Run(["mtr", "--report", "-n", "-c", "2", "-i", "0.05", "127.0.0.1"]);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.StartsWith("Start: ", result.StdoutLines[0], StringComparison.Ordinal);
        Assert.StartsWith("HOST: ", result.StdoutLines[1], StringComparison.Ordinal);
        Assert.Matches(@"^  1\.\|-- 127\.0\.0\.1 +0\.0% +2( +\d+\.\d){5}$", result.StdoutLines[2]);
        Assert.Equal(3, result.StdoutLines.Length);
    }
}
