using System.Globalization;
using System.Text.Json;

namespace IcmpKit.Integration.Tests.Injection;

/// <summary>
/// One scenario against `icmpkit ping`: the same arguments run twice at once in the client namespace, once for the text
/// (iputils' lines) and once with --json (the counters), each with its own identifier, so the injector answers both.
/// </summary>
internal sealed class InjectedPing
{
    /// <summary>Each run is bounded; none should come near it (every scenario settles every request within milliseconds).</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    private InjectedPing(InjectionLab lab, string scenario, CommandResult text, CommandResult json, int seen, int sent)
    {
        Lab = lab;
        Scenario = scenario;
        Text = text;
        Json = json;
        Seen = seen;
        Sent = sent;
    }

    public InjectionLab Lab { get; }
    public string Scenario { get; }
    public CommandResult Text { get; }
    public CommandResult Json { get; }

    /// <summary>Requests the injector saw during the scenario (both runs), and frames it sent.</summary>
    public int Seen { get; }
    public int Sent { get; }

    /// <summary>Runs `icmpkit ping --socket SOCKET ARGS… TARGET` (text and --json) against <paramref name="scenario"/>.</summary>
    public static InjectedPing Run(InjectionLab lab, string scenario, bool once, string socket, string target, params string[] args)
    {
        Assert.True(lab.SetupError is null, lab.SetupError);
        lab.Use(scenario, once);
        string[] common = ["ping", "--socket", socket, .. args, target];
        var text = Task.Run(() => Netns.Exec(lab.Client, IcmpKitBinary.Path, common, Limit));
        var json = Task.Run(() => Netns.Exec(lab.Client, IcmpKitBinary.Path, [.. common[..^1], "--json", target], Limit));
        Task.WaitAll(text, json);
        var (seen, sent) = lab.Stats();
        var run = new InjectedPing(lab, scenario, text.Result, json.Result, seen, sent);
        Assert.False(run.Text.TimedOut, $"no hang: the text run was killed at the {Limit.TotalSeconds} s limit\n{run}");
        Assert.False(run.Json.TimedOut, $"no hang: the --json run was killed at the {Limit.TotalSeconds} s limit\n{run}");
        return run;
    }

    public override string ToString() =>
        $"scenario {Scenario}: injector saw {Seen} request(s), sent {Sent} frame(s)\n--- text: {Text}\n--- json: {Json}\n--- injector log (whole lab):\n{Lab.InjectorLog}";

    /// <summary>
    /// The text run printed exactly <paramref name="expected"/> (times masked as <see cref="PingTools.Mask"/> does: each
    /// reply's time=, the summary's time and the rtt figures), nothing on stderr, and exited <paramref name="exitCode"/>.
    /// </summary>
    public void AssertText(IEnumerable<string> expected, int exitCode)
    {
        var want = expected.ToList();
        var got = PingTools.Mask(Text.Stdout);
        if (!want.SequenceEqual(got, StringComparer.Ordinal))
        {
            int line = 0;
            while (line < want.Count && line < got.Count && want[line] == got[line])
            {
                line++;
            }
            Assert.Fail($"text differs at line {line + 1}:\n  expected: {(line < want.Count ? want[line] : "<no more lines>")}\n" +
                $"  actual:   {(line < got.Count ? got[line] : "<no more lines>")}\n\nexpected (masked):\n{string.Join('\n', want)}\n\n" +
                $"actual (masked):\n{string.Join('\n', got)}\n\n{this}");
        }
        Assert.True(Text.Stderr.Length == 0, $"nothing on stderr\n{this}");
        Assert.True(Text.ExitCode == exitCode, $"text run: exit code {Text.ExitCode}, expected {exitCode}\n{this}");
    }

    /// <summary>
    /// The --json run's counters and exit code; every reply's RTT (and the summary's maximum) between 0 and 1 s, whatever
    /// the echoed data said; and the injector saw every request of both runs (so nothing passed for want of traffic).
    /// </summary>
    public void AssertCounters(long transmitted, long received, long errors = 0, long duplicates = 0, long corrupted = 0, int exitCode = 0)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(Json.Stdout);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            Assert.Fail($"the --json run did not print one JSON document: {e.Message}\n{this}");
            return;
        }
        var summary = root.GetProperty("summary");
        var counters = (summary.GetProperty("transmitted").GetInt64(), summary.GetProperty("received").GetInt64(),
            summary.GetProperty("errors").GetInt64(), summary.GetProperty("duplicates").GetInt64(), summary.GetProperty("corrupted").GetInt64());
        Assert.True(counters == (transmitted, received, errors, duplicates, corrupted),
            $"counters (transmitted, received, errors, duplicates, corrupted): expected {(transmitted, received, errors, duplicates, corrupted)}, got {counters}\n{this}");
        Assert.True(summary.GetProperty("exit_code").GetInt32() == exitCode && Json.ExitCode == exitCode,
            $"--json run: exit code {Json.ExitCode} (summary says {summary.GetProperty("exit_code")}), expected {exitCode}\n{this}");
        Assert.True(Json.Stderr.Length == 0, $"nothing on stderr\n{this}");
        foreach (var item in root.GetProperty("events").EnumerateArray())
        {
            if (item.GetProperty("type").GetString() is "reply" or "duplicate")
            {
                double rtt = item.GetProperty("rtt_ms").GetDouble();
                Assert.True(rtt is >= 0 and < 1000, $"no absurd RTT: {rtt.ToString(CultureInfo.InvariantCulture)} ms\n{this}");
            }
        }
        if (summary.GetProperty("rtt_max_ms") is { ValueKind: JsonValueKind.Number } max)
        {
            Assert.True(max.GetDouble() is >= 0 and < 1000, $"no absurd RTT: rtt_max_ms {max}\n{this}");
        }
        Assert.True(Seen == 2 * transmitted, $"the injector saw {Seen} requests; the two runs sent {transmitted} each\n{this}");
    }

    /// <summary>The --json run's events of one type (e.g. "error"), for checks beyond the counters.</summary>
    public List<JsonElement> JsonEvents(string type)
    {
        using var document = JsonDocument.Parse(Json.Stdout);
        return [.. document.RootElement.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("type").GetString() == type).Select(e => e.Clone())];
    }
}

/// <summary>iputils' lines around the replies, as `icmpkit ping` prints them (the timing numbers masked).</summary>
internal static class PingLines
{
    public static string Header(string target, int dataBytes = 56) =>
        target.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"PING {target}({target}) {dataBytes} data bytes")
            : string.Create(CultureInfo.InvariantCulture, $"PING {target} ({target}) {dataBytes}({dataBytes + 28}) bytes of data.");

    public static string Reply(string from, int sequence, int bytes = 64, string suffix = "") =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes from {from}: icmp_seq={sequence} ttl=64 time=<t> ms{suffix}");

    /// <summary>The blank line, the title, the counts, and the rtt line (empty when nothing was received).</summary>
    public static string[] Summary(string target, int transmitted, int received, int errors = 0, int duplicates = 0, int corrupted = 0)
    {
        string counts = string.Create(CultureInfo.InvariantCulture, $"{transmitted} packets transmitted, {received} received")
            + (duplicates > 0 ? string.Create(CultureInfo.InvariantCulture, $", +{duplicates} duplicates") : "")
            + (corrupted > 0 ? string.Create(CultureInfo.InvariantCulture, $", +{corrupted} corrupted") : "")
            + (errors > 0 ? string.Create(CultureInfo.InvariantCulture, $", +{errors} errors") : "")
            + $", {PingTools.IputilsLossPercent(transmitted, received)}% packet loss, time <t>ms";
        return ["", $"--- {target} ping statistics ---", counts, received > 0 ? "rtt min/avg/max/mdev = <rtt> ms" : ""];
    }
}
