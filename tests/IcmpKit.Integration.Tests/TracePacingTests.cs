using System.Text.Json;
using Xunit.Abstractions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// Hops that answer within an ICMP rate limit, probed faster than it: Linux routers (a burst of 6 errors to one source,
/// then one a second) and the responder's per-hop limit. mtr, and IcmpKit with --no-pacing, report the silences as
/// loss at every router though nothing was lost (the destination, whose echo replies are not limited, loses nothing);
/// IcmpKit paces those hops and reports none, with a note and the rate-limited probes apart.
/// </summary>
public sealed class TracePacingTests(ITestOutputHelper output)
{
    private const int Routers = 2;

    /// <summary>Four rounds a second for ten seconds: each router sees four probes a second, four times its budget.</summary>
    private static readonly string[] FastRounds = ["--report", "-n", "-c", "40", "-i", "0.25"];

    [Fact]
    public void Linux_routers_show_false_loss_to_mtr_and_to_naive_probing_but_not_when_paced()
    {
        CommandResult mtr, naive, paced;
        using (var net = TraceTools.Chain(Routers, v6: false))
        {
            mtr = TraceContinuousTests.Mtr(net.Client, [.. FastRounds, net.ServerV4]);
        }
        using (var net = TraceTools.Chain(Routers, v6: false))
        {
            naive = TraceContinuousTests.IcmpkitMtr(net.Client, [.. FastRounds, "--no-pacing", net.ServerV4]);
        }
        using (var net = TraceTools.Chain(Routers, v6: false))
        {
            paced = TraceContinuousTests.IcmpkitMtr(net.Client, [.. FastRounds, net.ServerV4]);
        }
        output.WriteLine($"--- mtr: {mtr}\n--- icmpkit --no-pacing: {naive}\n--- icmpkit: {paced}");

        foreach (var run in new[] { mtr, naive })
        {
            var hops = TraceContinuousTests.ParseReport(run.Stdout);
            Assert.True(hops.Count == Routers + 1, run.ToString());
            // 6 + about 10 answers of 40: well over half lost, at each router; the destination loses none.
            Assert.All(hops.Take(Routers), h => Assert.InRange(h.LossPercent, 40, 100));
            Assert.Equal(0, hops[^1].LossPercent);
        }

        Assert.True(paced.ExitCode == 0, paced.ToString());
        var ours = TraceContinuousTests.ParseReport(paced.Stdout);
        Assert.Equal([.. Enumerable.Range(1, Routers).Select(i => TraceTools.Router(i, false)), "198.18.2.2"], ours.Select(h => h.Host));
        Assert.All(ours, h => Assert.Equal(0, h.LossPercent));
        Assert.Equal(40, ours[^1].Sent);
        Assert.All(ours.Take(Routers), h => Assert.InRange(h.Sent, 8, 30)); // the burst, the answers before pacing, one per 1.25 s after
        for (int i = 1; i <= Routers; i++)
        {
            Assert.Contains($"note: hop {i} ({TraceTools.Router(i, false)}) answers within an ICMP rate limit: probed every 1.1 s from round", paced.Stdout, StringComparison.Ordinal);
        }
    }

    private const string RateLimitedHop = """
        {
          "addresses": ["198.18.21.1"],
          "rateLimit": { "burst": 1000, "perSecond": 1000 },
          "hops": [
            { "address": "198.18.22.1" },
            { "address": "198.18.22.2", "rateLimit": { "burst": 6, "perSecond": 1 } },
            { "address": "198.18.22.3" }
          ]
        }
        """;

    [Fact]
    public void One_rate_limited_hop_of_the_responder_is_paced_and_said_so_in_json()
    {
        using var respond = RespondProcess.StartWithConfig(RateLimitedHop);
        var naive = respond.IcmpKit("mtr", "--json", "-n", "-c", "40", "-i", "0.25", "--no-pacing", "198.18.21.1");
        var paced = respond.IcmpKit("mtr", "--json", "-n", "-c", "40", "-i", "0.25", "198.18.21.1");
        output.WriteLine($"--- --no-pacing: {naive}\n--- paced: {paced}\n--- respond: {respond.Stop()}");

        static List<JsonElement> Hops(CommandResult run)
        {
            using var document = JsonDocument.Parse(run.Stdout);
            return [.. document.RootElement.Clone().GetProperty("hops").EnumerateArray()];
        }
        var naiveHops = Hops(naive);
        Assert.Equal(["198.18.22.1", "198.18.22.2", "198.18.22.3", "198.18.21.1"], naiveHops.Select(h => h.GetProperty("from").GetString()));
        Assert.InRange(naiveHops[1].GetProperty("loss_percent").GetDouble(), 40, 100);
        Assert.All(naiveHops.Where((_, i) => i != 1), h => Assert.Equal(0, h.GetProperty("loss_percent").GetDouble()));
        Assert.All(naiveHops, h => Assert.Equal(JsonValueKind.Null, h.GetProperty("paced_interval_ms").ValueKind));

        Assert.True(paced.ExitCode == 0, paced.ToString());
        var hops = Hops(paced);
        Assert.All(hops, h => Assert.Equal(0, h.GetProperty("loss_percent").GetDouble()));
        Assert.Equal(1100, hops[1].GetProperty("paced_interval_ms").GetDouble());
        Assert.True(hops[1].GetProperty("rate_limited").GetInt64() > 0);
        Assert.All(hops.Where((_, i) => i != 1), h => Assert.Equal((40L, 0L), (h.GetProperty("sent").GetInt64(), h.GetProperty("rate_limited").GetInt64())));
    }

    /// <summary>
    /// The window of 90 (every probe at once) right after other traces spent every hop's budget (a burst of 6, back at
    /// 1/s): no hop answers at first, and none beyond shows that the path goes on. With --no-pacing that is
    /// a trace of stars; paced, each hop's first probe is sent again a second later (the recheck), the routers answer
    /// it, the rest are paced, and every probe is answered.
    /// </summary>
    [Fact]
    public void A_path_whose_budgets_were_just_spent_is_rechecked_and_every_hop_answers()
    {
        const string Host = "198.18.23.1";
        const int Hops = 12;
        using var respond = RespondProcess.Start("--address", Host, "--hops", $"{Hops}", "--hop-delay", "1ms");
        // Ten probes a hop at once, waiting 0.1 s (silent ones sent again at once, no pacing): every hop's burst of 6 is
        // spent, and the trace under test starts right after it in the same shell, before a token comes back (1/s).
        string spend = $"{IcmpKitBinary.Path} trace -n -m {Hops} -q 10 -N {10 * Hops} -w 0.1 --no-pacing {Host} >/dev/null";
        CommandResult AfterSpending(string options) =>
            respond.Exec("sh", "-c", $"{spend}; exec {IcmpKitBinary.Path} trace -n -m {Hops} --json {options} {Host}");

        var naive = AfterSpending("--no-pacing");
        // On a busy machine a token may come back before the trace starts; then its first probes are answered and the
        // run is not the one this test is about (every hop is still answered, through the pacing): try again, 3 times.
        var paced = new List<CommandResult>();
        for (int i = 0; i < 3 && !paced.Any(StartedSilent); i++)
        {
            paced.Add(AfterSpending(""));
        }
        output.WriteLine($"--- --no-pacing: {naive}\n--- paced: {string.Join("\n", paced)}\n--- respond: {respond.Stop()}");

        static List<JsonElement> HopsOf(CommandResult run)
        {
            using var document = JsonDocument.Parse(run.Stdout);
            return [.. document.RootElement.Clone().GetProperty("hops").EnumerateArray()];
        }
        static int Answered(JsonElement hop) => hop.GetProperty("probes").EnumerateArray().Count(p => p.TryGetProperty("from", out _));

        // The host is beyond -m 12: exit 1 either way, and every hop reported.
        Assert.True(naive.ExitCode == 1, naive.ToString());
        Assert.True(HopsOf(naive).Sum(h => 3 - Answered(h)) >= Hops, $"expected the spent budgets to show as stars:\n{naive}");

        foreach (var run in paced)
        {
            Assert.True(run.ExitCode == 1, run.ToString());
            var hops = HopsOf(run);
            Assert.Equal(Hops, hops.Count);
            Assert.All(hops, h => Assert.True(Answered(h) == 3, $"hop {h.GetProperty("ttl")} not answered 3 times:\n{run.Stdout}"));
        }
        var silentStart = paced.FirstOrDefault(StartedSilent);
        Assert.True(silentStart is not null, $"no run started with every budget spent:\n{string.Join("\n", paced)}");
        Assert.All(HopsOf(silentStart), h => Assert.True(h.TryGetProperty("rechecked", out var r) && r.GetBoolean(), $"hop {h.GetProperty("ttl")} not rechecked"));
    }

    /// <summary>No probe was answered at its first send: the budgets were spent when the run began.</summary>
    private static bool StartedSilent(CommandResult run)
    {
        using var document = JsonDocument.Parse(run.Stdout);
        return document.RootElement.GetProperty("hops").EnumerateArray()
            .SelectMany(h => h.GetProperty("probes").EnumerateArray())
            .All(p => !p.TryGetProperty("attempt", out var attempt) || attempt.GetInt32() > 1);
    }
}
