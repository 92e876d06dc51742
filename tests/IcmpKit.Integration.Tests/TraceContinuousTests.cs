using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// `icmpkit mtr` and `icmpkit trace --continuous` through a chain of five Linux routers, beside mtr 0.95 (Debian's
/// mtr-tiny) in the same topology: the same hops in the same order, every probe answered, the same report layout.
/// </summary>
public sealed partial class TraceContinuousTests(ITestOutputHelper output)
{
    private const int Routers = 5;

    /// <summary>One hop line of a report: " 1.|-- 198.18.0.2   0.0%   5   0.1   0.1   0.1   0.1   0.0".</summary>
    internal sealed record ReportHop(int Ttl, string Host, double LossPercent, int Sent, string Line);

    [GeneratedRegex(@"^ +(\d+)\.\|-- (\S+) +(\d+\.\d)%? +(\d+)(?: +\d+\.\d){5}$")]
    private static partial Regex HopLine();

    [GeneratedRegex(@"\d+\.\d")]
    private static partial Regex Number();

    internal static List<ReportHop> ParseReport(string stdout) =>
    [
        .. stdout.Split('\n').Select(line => HopLine().Match(line)).Where(m => m.Success).Select(m => new ReportHop(
            int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value,
            double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture), m.Value)),
    ];

    /// <summary>mtr 0.95 (mtr-tiny), as root (it needs privilege below 1 s between rounds).</summary>
    internal static CommandResult Mtr(string ns, params string[] args)
    {
        string program = Netns.Which("mtr") ?? throw new InvalidOperationException(
            "mtr is missing; install it (DEBIAN_FRONTEND=noninteractive apt-get install -y mtr-tiny)");
        return Netns.Exec(ns, program, args, TimeSpan.FromSeconds(90));
    }

    internal static CommandResult IcmpkitMtr(string ns, params string[] args) => Netns.Exec(ns, IcmpKitBinary.Path, ["mtr", .. args], TimeSpan.FromSeconds(90));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_report_lists_every_hop_in_order_with_every_probe_answered_as_mtr_does(bool v6)
    {
        // Five rounds, 0.2 s apart: each router sends five errors, within its burst of six.
        using var net = TraceTools.Chain(Routers, v6);
        string server = TraceTools.Server(net, v6);
        var mtr = Mtr(net.Client, "--report", "-n", "-c", "5", "-i", "0.2", server);
        var ours = IcmpkitMtr(net.Client, "--report", "-n", "-c", "5", "-i", "0.2", server);
        output.WriteLine($"--- mtr: {mtr}\n--- icmpkit: {ours}");

        Assert.True(ours.ExitCode == 0, ours.ToString());
        string[] path = [.. Enumerable.Range(1, Routers).Select(i => TraceTools.Router(i, v6)), server];
        var hops = ParseReport(ours.Stdout);
        Assert.Equal(path, hops.Select(h => h.Host));
        Assert.Equal(Enumerable.Range(1, Routers + 1), hops.Select(h => h.Ttl));
        Assert.All(hops, h => Assert.Equal((0.0, 5), (h.LossPercent, h.Sent)));

        Assert.True(mtr.ExitCode == 0, mtr.ToString());
        var theirs = ParseReport(mtr.Stdout);
        Assert.Equal(path, theirs.Select(h => h.Host));
        Assert.All(theirs, h => Assert.Equal((0.0, 5), (h.LossPercent, h.Sent)));
        // The same layout: "Start: …", the same header, and hop lines equal but for the times.
        string[] ourLines = ours.Stdout.TrimEnd('\n').Split('\n'), theirLines = mtr.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(theirLines.Length, ourLines.Length);
        Assert.StartsWith("Start: ", ourLines[0], StringComparison.Ordinal);
        Assert.Equal(theirLines[1], ourLines[1]);
        Assert.Equal(theirs.Select(h => Number().Replace(h.Line, "t")), hops.Select(h => Number().Replace(h.Line, "t")));
    }

    [Fact]
    public void Trace_continuous_is_the_same_run_as_mtr_unprivileged_too()
    {
        using var net = TraceTools.Chain(Routers, v6: false);
        var run = Netns.Exec(net.Client, "setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", IcmpKitBinary.Path,
            "trace", "--continuous", "--report", "-n", "-c", "3", "--interval", "0.2", net.ServerV4], TimeSpan.FromSeconds(60));
        output.WriteLine(run.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        var hops = ParseReport(run.Stdout);
        Assert.Equal([.. Enumerable.Range(1, Routers).Select(i => TraceTools.Router(i, false)), net.ServerV4], hops.Select(h => h.Host));
        Assert.All(hops, h => Assert.Equal((0.0, 3), (h.LossPercent, h.Sent)));
    }

    /// <summary>
    /// Continuous mode with the other probes: TCP SYN to a closed port (the server's kernel answers RST, RFC 9293
    /// §3.10.7.1) and Paris UDP (one flow for every probe): every router in order, then the server, nothing lost.
    /// </summary>
    [Theory]
    [InlineData(false, "-T", "-p", "80")]
    [InlineData(true, "-T", "-p", "80")]
    [InlineData(false, "-U", "--paris")]
    [InlineData(true, "-U", "--paris")]
    public void Tcp_and_paris_udp_probes_report_every_hop_too(bool v6, params string[] probe)
    {
        using var net = TraceTools.Chain(Routers, v6);
        string server = TraceTools.Server(net, v6);
        var run = Netns.Exec(net.Client, IcmpKitBinary.Path,
            ["trace", "--continuous", "--report", "-n", "-c", "3", "--interval", "0.2", .. probe, server], TimeSpan.FromSeconds(60));
        output.WriteLine(run.ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        var hops = ParseReport(run.Stdout);
        Assert.Equal([.. Enumerable.Range(1, Routers).Select(i => TraceTools.Router(i, v6)), server], hops.Select(h => h.Host));
        Assert.All(hops, h => Assert.Equal((0.0, 3), (h.LossPercent, h.Sent)));
    }

    /// <summary>
    /// On a terminal (a pseudo-terminal from util-linux's script) the table is drawn live: redrawn in place each round
    /// (cursor up, erase to end of line), and the last frame has every hop of the third round.
    /// </summary>
    [Fact]
    public void On_a_terminal_the_table_is_redrawn_in_place_every_round()
    {
        using var net = TraceTools.Chain(Routers, v6: false);
        string command = $"{IcmpKitBinary.Path} trace --continuous -n -c 3 --interval 0.2 {net.ServerV4}";
        var run = Netns.Exec(net.Client, "script", ["-qfec", command, "/dev/null"], TimeSpan.FromSeconds(60));
        output.WriteLine(run.ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        // Every frame but the first starts by moving the cursor up over the one before.
        string[] frames = run.Stdout.Split("\u001b[", StringSplitOptions.None).Where(f => f.Length > 0 && char.IsDigit(f[0]) && f.TrimStart("0123456789".ToCharArray()).StartsWith("A\r", StringComparison.Ordinal)).ToArray();
        Assert.True(frames.Length >= 2, $"expected the table redrawn in place at least twice:\n{run.Stdout}");
        Assert.Contains("round 1,", run.Stdout, StringComparison.Ordinal);
        string last = run.Stdout[run.Stdout.LastIndexOf("round ", StringComparison.Ordinal)..];
        Assert.StartsWith("round 3,", last, StringComparison.Ordinal);
        string plain = last.Replace("\u001b[K", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal);
        var hops = ParseReport(string.Join('\n', plain.Split('\n').Select(l => l.TrimEnd())));
        Assert.Equal([.. Enumerable.Range(1, Routers).Select(i => TraceTools.Router(i, false)), net.ServerV4], hops.Select(h => h.Host));
        Assert.All(hops, h => Assert.Equal((0.0, 3), (h.LossPercent, h.Sent)));
    }

    [Fact]
    public void Json_is_one_strict_document_with_every_hops_statistics()
    {
        using var net = TraceTools.Chain(Routers, v6: false);
        var run = IcmpkitMtr(net.Client, "--json", "-n", "-c", "4", "-i", "0.2", net.ServerV4);
        output.WriteLine(run.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = run.Stdout.TrimEnd('\n').Split('\n');
        using var document = JsonDocument.Parse(Assert.Single(lines), new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        var root = document.RootElement;
        Assert.Equal("mtr", root.GetProperty("type").GetString());
        Assert.Equal(1, root.GetProperty("schema").GetInt32());
        Assert.Equal("continuous", root.GetProperty("mode").GetString());
        Assert.Equal(200, root.GetProperty("interval_ms").GetDouble());
        Assert.Equal(4, root.GetProperty("rounds_requested").GetInt32());
        Assert.True(root.GetProperty("pacing").GetBoolean());
        var hops = root.GetProperty("hops").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, Routers + 1), hops.Select(h => h.GetProperty("ttl").GetInt32()));
        foreach (var hop in hops)
        {
            Assert.Equal(4, hop.GetProperty("sent").GetInt64());
            Assert.Equal(4, hop.GetProperty("received").GetInt64());
            Assert.Equal(0, hop.GetProperty("loss_percent").GetDouble());
            Assert.Equal(0, hop.GetProperty("rate_limited").GetInt64());
            Assert.Equal(JsonValueKind.Null, hop.GetProperty("paced_interval_ms").ValueKind);
            double best = hop.GetProperty("best_ms").GetDouble(), avg = hop.GetProperty("avg_ms").GetDouble(), worst = hop.GetProperty("worst_ms").GetDouble();
            Assert.True(best <= avg && avg <= worst, hop.ToString());
            Assert.True(hop.GetProperty("stdev_ms").GetDouble() >= 0);
            Assert.True(hop.GetProperty("jitter_avg_ms").GetDouble() <= hop.GetProperty("jitter_max_ms").GetDouble());
            Assert.Equal(JsonValueKind.Number, hop.GetProperty("interarrival_jitter_ms").ValueKind);
        }
        Assert.Equal("echo_reply", hops[^1].GetProperty("last_reply").GetProperty("kind").GetString());
        var end = root.GetProperty("end");
        Assert.Equal(("rounds_done", 4, true), (end.GetProperty("reason").GetString(), end.GetProperty("rounds").GetInt32(), end.GetProperty("reached").GetBoolean()));
    }

    [Fact]
    public void Ndjson_has_a_line_per_probe_and_per_round_then_the_end()
    {
        using var net = TraceTools.Chain(2, v6: false);
        var run = IcmpkitMtr(net.Client, "--ndjson", "-n", "-c", "3", "-i", "0.2", net.ServerV4);
        output.WriteLine(run.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.TrimEnd('\n').Split('\n').Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }).ToList();
        var types = lines.Select(l => l.GetProperty("type").GetString()).ToList();
        Assert.Equal("start", types[0]);
        Assert.Equal("end", types[^1]);
        // 3 rounds of 3 hops; in the first round, a probe sent beyond the destination before its answer was read is
        // answered too (by the destination), and shown nowhere else.
        var replies = lines.Where(l => l.GetProperty("type").GetString() == "reply").ToList();
        Assert.Equal(9, replies.Count(l => l.GetProperty("ttl").GetInt32() <= 3));
        Assert.All(replies.Where(l => l.GetProperty("ttl").GetInt32() > 3), l => Assert.Equal(1, l.GetProperty("round").GetInt32()));
        Assert.Equal([1, 2, 3], lines.Where(l => l.GetProperty("type").GetString() == "round").Select(l => l.GetProperty("round").GetInt32()));
        Assert.All(lines.Where(l => l.GetProperty("type").GetString() == "reply"), l => Assert.InRange(l.GetProperty("round").GetInt32(), 1, 3));
        var last = lines[^1].GetProperty("hops").EnumerateArray().ToList();
        Assert.Equal([3L, 3L, 3L], last.Select(h => h.GetProperty("received").GetInt64()));
    }
}
