using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IcmpKit.Integration.Tests.Injection;

/// <summary>
/// One scenario against `icmpkit trace -n -m 2`: the same arguments run twice at once in the client namespace, once for
/// the text (traceroute's lines) and once with --json (the probes of each hop), each with its own ICMP identifier or UDP
/// source port, so the injector (which keeps its per-run state by that flow) answers both alike.
/// </summary>
internal sealed partial class InjectedTrace
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    private InjectedTrace(InjectionLab lab, string scenario, CommandResult text, CommandResult json, int sent)
    {
        Lab = lab;
        Scenario = scenario;
        Text = text;
        Json = json;
        Sent = sent;
    }

    public InjectionLab Lab { get; }
    public string Scenario { get; }
    public CommandResult Text { get; }
    public CommandResult Json { get; }

    /// <summary>Frames the injector sent during the scenario (both runs).</summary>
    public int Sent { get; }

    /// <summary>Runs `icmpkit trace -n -m 2 -w 1 --socket SOCKET PROBE ARGS… TARGET` (text and --json) against <paramref name="scenario"/>.</summary>
    public static InjectedTrace Run(InjectionLab lab, string scenario, string probe, string socket, string target, params string[] args) =>
        Run(lab, scenario, probe, socket, target, minimumSent: 12, args);

    /// <summary>As above, for a scenario that answers at least <paramref name="minimumSent"/> probes of the two runs (12: all of them).</summary>
    public static InjectedTrace Run(InjectionLab lab, string scenario, string probe, string socket, string target, int minimumSent, params string[] args) =>
        Run(lab, scenario, probe, socket, target, args, afterTarget: [], minimumSent);

    /// <summary>As above, with <paramref name="afterTarget"/> after the target (the packet length, a positional argument).</summary>
    public static InjectedTrace Run(InjectionLab lab, string scenario, string probe, string socket, string target, string[] args, string[] afterTarget,
        int minimumSent = 12)
    {
        Assert.True(lab.SetupError is null, lab.SetupError);
        lab.Use(scenario);
        string[] common = ["trace", "-n", "-m", "2", "-w", "1", probe, "--socket", socket, .. args];
        var text = Task.Run(() => Netns.Exec(lab.Client, IcmpKitBinary.Path, [.. common, target, .. afterTarget], Limit));
        var json = Task.Run(() => Netns.Exec(lab.Client, IcmpKitBinary.Path, [.. common, "--json", target, .. afterTarget], Limit));
        Task.WaitAll(text, json);
        var (_, sent) = lab.Stats();
        var run = new InjectedTrace(lab, scenario, text.Result, json.Result, sent);
        Assert.False(run.Text.TimedOut, $"no hang: the text run was killed at the {Limit.TotalSeconds} s limit\n{run}");
        Assert.False(run.Json.TimedOut, $"no hang: the --json run was killed at the {Limit.TotalSeconds} s limit\n{run}");
        // 3 probes to each of 2 hops in each of the 2 runs were answered, at least once each (unless the scenario is silent somewhere).
        Assert.True(run.Sent >= minimumSent, $"the injector answered every probe it was meant to ({minimumSent} frames at least)\n{run}");
        return run;
    }

    public override string ToString() =>
        $"scenario {Scenario}: injector sent {Sent} frame(s)\n--- text: {Text}\n--- json: {Json}\n--- injector log (whole lab):\n{Lab.InjectorLog}";

    [GeneratedRegex(@"\b\d+\.\d{3} ms\b")]
    private static partial Regex Time();

    /// <summary>The lines of stdout with each probe's time masked as "&lt;t&gt; ms".</summary>
    public static List<string> Mask(string stdout) =>
        [.. stdout.Split('\n').Select(line => Time().Replace(line, "<t> ms")).Where(line => line.Length > 0)];

    /// <summary>The text run printed exactly <paramref name="expected"/> (times masked), nothing on stderr, and exited <paramref name="exitCode"/>.</summary>
    public void AssertText(IEnumerable<string> expected, int exitCode = 0)
    {
        var want = expected.ToList();
        var got = Mask(Text.Stdout);
        Assert.True(want.SequenceEqual(got, StringComparer.Ordinal),
            $"expected (masked):\n{string.Join('\n', want)}\n\nactual (masked):\n{string.Join('\n', got)}\n\n{this}");
        Assert.True(Text.Stderr.Length == 0, $"nothing on stderr\n{this}");
        Assert.True(Text.ExitCode == exitCode, $"text run: exit code {Text.ExitCode}, expected {exitCode}\n{this}");
    }

    /// <summary>
    /// The --json run: the socket used, how it ended, and per hop each probe's answering address (null: timed out) and
    /// kind, in probe order; every RTT between 0 and 1 s, whatever the injector sent.
    /// </summary>
    public void AssertJson(string socket, bool reached, params (string? From, string? Kind)[][] hops)
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
        Assert.True(root.GetProperty("socket").GetString() == socket, $"socket {socket}\n{this}");
        Assert.True(root.GetProperty("end").GetProperty("reached").GetBoolean() == reached, $"reached: {reached}\n{this}");
        Assert.True(Json.ExitCode == (reached ? 0 : 1), $"--json run: exit code {Json.ExitCode}\n{this}");
        Assert.True(Json.Stderr.Length == 0, $"nothing on stderr\n{this}");
        var got = root.GetProperty("hops").EnumerateArray().Select(hop => hop.GetProperty("probes").EnumerateArray()
            .Select(p => (From: p.TryGetProperty("from", out var f) ? f.GetString() : null, Kind: p.TryGetProperty("kind", out var k) ? k.GetString() : null))
            .ToArray()).ToArray();
        string Show((string? From, string? Kind)[][] h) => string.Join(" | ", h.Select(x => string.Join(", ", x.Select(p => $"{p.From ?? "*"} {p.Kind}"))));
        Assert.True(Show(hops) == Show(got), $"hops: expected {Show(hops)}\n  actual {Show(got)}\n{this}");
        foreach (var hop in root.GetProperty("hops").EnumerateArray())
        {
            foreach (var probe in hop.GetProperty("probes").EnumerateArray())
            {
                if (probe.TryGetProperty("rtt_ms", out var rtt))
                {
                    Assert.True(rtt.GetDouble() is >= 0 and < 1000, $"no absurd RTT: {rtt.GetDouble().ToString(CultureInfo.InvariantCulture)} ms\n{this}");
                }
            }
        }
    }

    /// <summary>The --json run's probes of hop <paramref name="ttl"/>.</summary>
    public List<JsonElement> JsonProbes(int ttl)
    {
        using var document = JsonDocument.Parse(Json.Stdout);
        return [.. document.RootElement.GetProperty("hops").EnumerateArray().Where(h => h.GetProperty("ttl").GetInt32() == ttl)
            .SelectMany(h => h.GetProperty("probes").EnumerateArray()).Select(p => p.Clone())];
    }
}

/// <summary>traceroute's lines as `icmpkit trace -n -m 2` prints them (times masked).</summary>
internal static class TraceLines
{
    public static string Header(string target) =>
        string.Create(CultureInfo.InvariantCulture, $"traceroute to {target} ({target}), 2 hops max, {(target.Contains(':', StringComparison.Ordinal) ? 80 : 60)} byte packets");

    /// <summary>A hop answered by one address for all three probes.</summary>
    public static string Hop(int ttl, string from) => $" {ttl}  {from}  <t> ms  <t> ms  <t> ms";
}
