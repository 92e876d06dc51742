using System.Globalization;
using System.Text.Json;

namespace IcmpKit.Cli.Tests;

/// <summary>`icmpkit ping --json` and `--ndjson` (docs/ping-json.md, schema 1), against loopback.</summary>
public class PingJsonTests
{
    private static readonly string[] ReplyKeys =
        ["type", "seq", "from", "bytes", "rtt_ms", "ttl", "tos", "kernel_timestamp", "received_at"];

    private static readonly string[] SummaryKeys =
    [
        "transmitted", "received", "duplicates", "corrupted", "errors", "loss_percent", "time_ms", "pipe",
        "rtt_min_ms", "rtt_avg_ms", "rtt_max_ms", "rtt_mdev_ms", "rtt_sample_stddev_ms", "rtt_jitter_ms",
        "rtt_mean_abs_diff_ms", "rtt_p50_ms", "rtt_p90_ms", "rtt_p99_ms", "rtt_ewma_ms", "outage_ms", "reply_ttls",
        "exit_code",
    ];

    private static string[] Keys(JsonElement o) => [.. o.EnumerateObject().Select(p => p.Name)];

    private static CliResult RunOk(params string[] args)
    {
        var result = CliRunner.Run(["ping", .. args]);
        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        Assert.Empty(result.Stderr);
        return result;
    }

    // ---- --json ----

    /// <summary>The strict check itself: it must catch the repeated "type" that schema 1's --json once had.</summary>
    [Fact]
    public void Strict_check_catches_a_repeated_key()
    {
        Assert.ThrowsAny<Exception>(() => StrictJson.AssertNoDuplicateKeys("{\"type\":\"start\",\"schema\":1,\"type\":\"ping\"}"));
        Assert.ThrowsAny<Exception>(() => StrictJson.AssertNoDuplicateKeys("{\"a\":[{\"x\":1,\"x\":2}]}"));
        StrictJson.AssertNoDuplicateKeys("{\"type\":\"ping\",\"events\":[{\"type\":\"reply\"},{\"type\":\"reply\"}],\"summary\":{\"type\":1}}");
    }

    [Fact]
    public void Json_is_one_strict_document_with_type_ping_once()
    {
        var result = RunOk("-c", "3", "-i", "0.05", "-W", "2", "--json", "127.0.0.1");
        var line = Assert.Single(result.StdoutLines);
        StrictJson.AssertNoDuplicateKeys(result.Stdout);
        Assert.Equal(1, CountOccurrences(line, "\"type\":\"ping\""));
        Assert.Equal(0, CountOccurrences(line, "\"type\":\"start\"")); // docs: the intended document has only "ping"
        Assert.Equal(0, CountOccurrences(line, "\"type\":\"summary\"")); // the summary object has no type in --json
        var doc = StrictJson.Parse(result.Stdout);
        Assert.Equal(JsonValueKind.Object, doc.ValueKind);
        Assert.Equal("ping", doc.GetProperty("type").GetString());
        Assert.Equal(1, doc.GetProperty("schema").GetInt32());
        Assert.Equal("127.0.0.1", doc.GetProperty("target").GetString());
        Assert.Equal("127.0.0.1", doc.GetProperty("address").GetString());
        Assert.Equal("ipv4", doc.GetProperty("family").GetString());
        Assert.Equal("echo", doc.GetProperty("request").GetString());
        Assert.Equal(56, doc.GetProperty("data_bytes").GetInt32());
        Assert.Contains(doc.GetProperty("socket").GetString(), new[] { "raw", "dgram" });
        Assert.InRange(doc.GetProperty("identifier").GetInt32(), 0, 65535);
        string[] expectedKeys = doc.TryGetProperty("socket_reason", out _)
            ? ["schema", "target", "address", "family", "request", "data_bytes", "socket", "socket_reason", "identifier"]
            : ["schema", "target", "address", "family", "request", "data_bytes", "socket", "identifier"];
        var keys = Keys(doc);
        Assert.Equal(["events", "summary"], keys[^2..]);
        Assert.Equal(expectedKeys.Order(StringComparer.Ordinal), keys.Where(k => k is not ("type" or "events" or "summary")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Json_replies_and_summary_agree()
    {
        var result = RunOk("-c", "4", "-i", "0.05", "-W", "2", "--json", "127.0.0.1");
        var doc = StrictJson.Parse(result.Stdout);
        var events = doc.GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal(4, events.Length);
        var rtts = new List<double>();
        for (int i = 0; i < events.Length; i++)
        {
            var e = events[i];
            Assert.Equal(ReplyKeys, Keys(e));
            Assert.Equal("reply", e.GetProperty("type").GetString());
            Assert.Equal(i + 1, e.GetProperty("seq").GetInt32());
            Assert.Equal("127.0.0.1", e.GetProperty("from").GetString());
            Assert.Equal(64, e.GetProperty("bytes").GetInt32());
            double rtt = e.GetProperty("rtt_ms").GetDouble();
            Assert.InRange(rtt, 0.0001, 1000);
            Assert.Equal(Math.Round(rtt, 4), rtt); // 100 ns resolution: at most 4 decimals
            rtts.Add(rtt);
            Assert.Equal(64, e.GetProperty("ttl").GetInt32());
            Assert.Equal(0, e.GetProperty("tos").GetInt32());
            Assert.True(e.GetProperty("kernel_timestamp").GetBoolean());
            string at = e.GetProperty("received_at").GetString()!;
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}\+00:00$", at);
            var received = DateTimeOffset.Parse(at, CultureInfo.InvariantCulture);
            Assert.InRange((DateTimeOffset.UtcNow - received).TotalSeconds, 0, 30);
        }
        AssertSummaryAgreesWithReplies(doc.GetProperty("summary"), rtts, transmitted: 4, exitCode: 0, hasType: false);
        Assert.Equal(0, doc.GetProperty("summary").GetProperty("outage_ms").GetInt64());
    }

    /// <summary>The summary's figures, recomputed from the replies' rtt_ms as docs/ping-json.md defines them.</summary>
    internal static void AssertSummaryAgreesWithReplies(JsonElement s, List<double> rtts, int transmitted, int exitCode, bool hasType)
    {
        Assert.Equal(hasType ? ["type", .. SummaryKeys] : SummaryKeys, Keys(s));
        Assert.Equal(transmitted, s.GetProperty("transmitted").GetInt32());
        Assert.Equal(rtts.Count, s.GetProperty("received").GetInt32());
        Assert.Equal(0, s.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, s.GetProperty("corrupted").GetInt32());
        Assert.Equal(0, s.GetProperty("errors").GetInt32());
        Assert.Equal((transmitted - rtts.Count) * 100.0 / transmitted, s.GetProperty("loss_percent").GetDouble(), 6);
        Assert.True(s.GetProperty("time_ms").GetDouble() >= 0);
        Assert.Equal(exitCode, s.GetProperty("exit_code").GetInt32());
        if (rtts.Count == 0)
        {
            foreach (string key in SummaryKeys.Where(k => k.StartsWith("rtt_", StringComparison.Ordinal)))
            {
                Assert.True(s.GetProperty(key).ValueKind == JsonValueKind.Null, key + " should be null without replies");
            }
            Assert.Empty(s.GetProperty("reply_ttls").EnumerateObject());
            Assert.Equal(0, s.GetProperty("pipe").GetInt32());
            return;
        }
        Assert.Equal(1, s.GetProperty("pipe").GetInt32());
        // iputils' figures: whole microseconds, truncated.
        static double Micros(double ms) => Math.Floor((ms * 1000) + 1e-6);
        var micros = rtts.Select(Micros).ToList();
        Assert.Equal(micros.Min() / 1000, s.GetProperty("rtt_min_ms").GetDouble(), 6);
        Assert.Equal(micros.Max() / 1000, s.GetProperty("rtt_max_ms").GetDouble(), 6);
        Assert.Equal(Math.Floor(micros.Sum() / micros.Count) / 1000, s.GetProperty("rtt_avg_ms").GetDouble(), 6);
        double mdev = s.GetProperty("rtt_mdev_ms").GetDouble();
        Assert.InRange(mdev, 0, (micros.Max() - micros.Min()) / 1000 + 0.001);
        // Nearest-rank percentiles: always a measured RTT.
        var sorted = rtts.OrderBy(x => x).ToList();
        double Rank(int p) => sorted[Math.Max(0, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];
        Assert.Equal(Rank(50), s.GetProperty("rtt_p50_ms").GetDouble(), 6);
        Assert.Equal(Rank(90), s.GetProperty("rtt_p90_ms").GetDouble(), 6);
        Assert.Equal(Rank(99), s.GetProperty("rtt_p99_ms").GetDouble(), 6);
        double ewma = rtts[0];
        foreach (double x in rtts.Skip(1))
        {
            ewma += (x - ewma) / 8;
        }
        Assert.Equal(ewma, s.GetProperty("rtt_ewma_ms").GetDouble(), 2e-6);
        if (rtts.Count >= 2)
        {
            double mean = rtts.Average();
            double stddev = Math.Sqrt(rtts.Sum(x => (x - mean) * (x - mean)) / (rtts.Count - 1));
            Assert.Equal(stddev, s.GetProperty("rtt_sample_stddev_ms").GetDouble(), 2e-6);
            double jitter = 0;
            double sumAbs = 0;
            for (int i = 1; i < rtts.Count; i++)
            {
                double d = Math.Abs(rtts[i] - rtts[i - 1]);
                jitter += (d - jitter) / 16;
                sumAbs += d;
            }
            Assert.Equal(jitter, s.GetProperty("rtt_jitter_ms").GetDouble(), 2e-6);
            Assert.Equal(sumAbs / (rtts.Count - 1), s.GetProperty("rtt_mean_abs_diff_ms").GetDouble(), 2e-6);
        }
        var ttls = s.GetProperty("reply_ttls").EnumerateObject().ToArray();
        var only = Assert.Single(ttls);
        Assert.Equal("64", only.Name);
        Assert.Equal(rtts.Count, only.Value.GetInt32());
    }

    [Fact]
    public void Json_parses_with_JsonNode_which_refuses_repeated_keys()
    {
        var result = RunOk("-c", "1", "-W", "2", "--json", "::1");
        var node = System.Text.Json.Nodes.JsonNode.Parse(result.Stdout)!; // threw "An item with the same key" with the old "type" twice
        Assert.Equal("ping", (string?)node["type"]);
        Assert.Equal("ipv6", (string?)node["family"]);
        Assert.Equal("::1", (string?)node["events"]![0]!["from"]);
    }

    [Fact]
    public void Json_with_no_replies_has_timeouts_nulls_and_exit_code_1()
    {
        var result = CliRunner.Run(["ping", "-c", "2", "-i", "0.2", "-W", "1", "--type", "info", "--json", "127.0.0.1"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Stderr);
        var doc = StrictJson.Parse(Assert.Single(result.StdoutLines));
        var events = doc.GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal(2, events.Length);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(["type", "seq"], Keys(events[i]));
            Assert.Equal("timeout", events[i].GetProperty("type").GetString());
            Assert.Equal(i + 1, events[i].GetProperty("seq").GetInt32());
        }
        var s = doc.GetProperty("summary");
        AssertSummaryAgreesWithReplies(s, [], transmitted: 2, exitCode: 1, hasType: false);
        Assert.Equal(400, s.GetProperty("outage_ms").GetInt64()); // 2 lost × -i 0.2
        Assert.Equal(100, s.GetProperty("loss_percent").GetDouble());
    }

    [Fact]
    public void Json_record_route_reply_carries_the_options_in_hex()
    {
        var doc = StrictJson.Parse(RunOk("-c", "1", "-W", "2", "-R", "--json", "127.0.0.1").Stdout);
        var reply = doc.GetProperty("events")[0];
        string hex = reply.GetProperty("ip_options_hex").GetString()!;
        Assert.Matches("^[0-9a-f]+$", hex);
        Assert.Equal(80, hex.Length); // 40 option bytes
        // Record Route (7), length 39, pointer 20: loopback recorded 127.0.0.1 four times (the text's RR block).
        Assert.StartsWith("072714", hex, StringComparison.Ordinal);
        Assert.Equal(string.Concat(Enumerable.Repeat("7f000001", 4)), hex[6..38]);
    }

    // ---- --ndjson ----

    [Fact]
    public void Ndjson_start_first_one_reply_per_line_in_order_summary_last()
    {
        var result = RunOk("-c", "5", "-i", "0.05", "-W", "2", "--ndjson", "127.0.0.1");
        var lines = result.StdoutLines;
        Assert.Equal(7, lines.Length);
        var objects = lines.Select(l =>
        {
            var o = StrictJson.Parse(l);
            Assert.Equal(JsonValueKind.Object, o.ValueKind);
            Assert.Equal("type", o.EnumerateObject().First().Name); // every line has "type", first
            return o;
        }).ToArray();
        var start = objects[0];
        Assert.Equal("start", start.GetProperty("type").GetString());
        Assert.Equal(1, start.GetProperty("schema").GetInt32());
        Assert.Equal("echo", start.GetProperty("request").GetString());
        Assert.Equal(56, start.GetProperty("data_bytes").GetInt32());
        var rtts = new List<double>();
        for (int i = 1; i <= 5; i++)
        {
            Assert.Equal(ReplyKeys, Keys(objects[i]));
            Assert.Equal("reply", objects[i].GetProperty("type").GetString());
            Assert.Equal(i, objects[i].GetProperty("seq").GetInt32());
            Assert.Equal(64, objects[i].GetProperty("ttl").GetInt32());
            Assert.True(objects[i].GetProperty("kernel_timestamp").GetBoolean());
            rtts.Add(objects[i].GetProperty("rtt_ms").GetDouble());
        }
        var receivedAt = objects[1..6].Select(o => DateTimeOffset.Parse(o.GetProperty("received_at").GetString()!, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(receivedAt.OrderBy(t => t), receivedAt);
        Assert.Equal("summary", objects[6].GetProperty("type").GetString());
        AssertSummaryAgreesWithReplies(objects[6], rtts, transmitted: 5, exitCode: 0, hasType: true);
    }

    [Fact]
    public void Ndjson_over_ipv6_names_the_family()
    {
        var result = RunOk("-c", "2", "-i", "0.05", "-W", "2", "--ndjson", "::1");
        var objects = result.StdoutLines.Select(StrictJson.Parse).ToArray();
        Assert.Equal(4, objects.Length);
        Assert.Equal("ipv6", objects[0].GetProperty("family").GetString());
        Assert.Equal("::1", objects[0].GetProperty("address").GetString());
        Assert.All(objects[1..3], o => Assert.Equal("::1", o.GetProperty("from").GetString()));
        Assert.All(objects[1..3], o => Assert.Equal(64, o.GetProperty("ttl").GetInt32()));
    }

    [Fact]
    public void Ndjson_timestamp_replies_carry_the_rfc_792_times()
    {
        var result = RunOk("-c", "2", "-i", "0.2", "-W", "2", "--type", "timestamp", "--ndjson", "127.0.0.1");
        var objects = result.StdoutLines.Select(StrictJson.Parse).ToArray();
        Assert.Equal(4, objects.Length);
        Assert.Equal("timestamp", objects[0].GetProperty("request").GetString());
        for (int i = 1; i <= 2; i++)
        {
            var r = objects[i];
            Assert.Equal("reply", r.GetProperty("type").GetString());
            Assert.Equal(i, r.GetProperty("seq").GetInt32());
            Assert.Equal(20, r.GetProperty("bytes").GetInt32());
            Assert.Equal([.. ReplyKeys, "originate_ms", "receive_ms", "transmit_ms", "arrival_ms"], Keys(r));
            long originate = r.GetProperty("originate_ms").GetInt64();
            long receive = r.GetProperty("receive_ms").GetInt64();
            long transmit = r.GetProperty("transmit_ms").GetInt64();
            long arrival = r.GetProperty("arrival_ms").GetInt64();
            foreach (long t in new[] { originate, receive, transmit, arrival })
            {
                Assert.InRange(t, 0, 86_399_999);
            }
            Assert.InRange((receive - originate + 86_400_000) % 86_400_000, 0, 1000);
            Assert.InRange((arrival - transmit + 86_400_000) % 86_400_000, 0, 1000);
            // arrival_ms is the kernel's receive time, in ms since midnight UT, as received_at says.
            var receivedAt = DateTimeOffset.Parse(r.GetProperty("received_at").GetString()!, CultureInfo.InvariantCulture);
            Assert.Equal((long)receivedAt.UtcDateTime.TimeOfDay.TotalMilliseconds, arrival);
        }
        Assert.Equal("summary", objects[3].GetProperty("type").GetString());
    }

    /// <summary>docs/ping-json.md: request is named as the --type value, and data_bytes is what the request carries
    /// after its 8-byte header (RFC 792/950: 12 for timestamp, 4 for mask, 0 for information).</summary>
    [Theory]
    [InlineData("timestamp", "timestamp", 12)]
    [InlineData("mask", "mask", 4)]
    [InlineData("info", "info", 0)]
    public void Ndjson_start_names_the_request_and_data_bytes_as_documented(string type, string request, int dataBytes)
    {
        var result = CliRunner.Run(["ping", "-c", "1", "-W", "1", "--type", type, "--ndjson", "127.0.0.1"]);
        var start = StrictJson.Parse(result.StdoutLines[0]);
        Assert.Equal("start", start.GetProperty("type").GetString());
        Assert.Equal(request, start.GetProperty("request").GetString());
        Assert.Equal(dataBytes, start.GetProperty("data_bytes").GetInt32());
    }

    [Theory]
    [InlineData("mask")]
    [InlineData("info")]
    public void Ndjson_unanswered_requests_time_out_and_the_run_exits_1(string type)
    {
        var result = CliRunner.Run(["ping", "-c", "2", "-i", "0.2", "-W", "1", "--type", type, "--ndjson", "127.0.0.1"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Stderr);
        var objects = result.StdoutLines.Select(StrictJson.Parse).ToArray();
        Assert.Equal(["start", "timeout", "timeout", "summary"], objects.Select(o => o.GetProperty("type").GetString()));
        Assert.Equal(1, objects[1].GetProperty("seq").GetInt32());
        Assert.Equal(2, objects[2].GetProperty("seq").GetInt32());
        Assert.Equal("raw", objects[0].GetProperty("socket").GetString());
        AssertSummaryAgreesWithReplies(objects[3], [], transmitted: 2, exitCode: 1, hasType: true);
    }

    [Fact]
    public void Ndjson_writes_no_text()
    {
        var result = RunOk("-c", "1", "-W", "2", "-p", "ab", "-D", "--ndjson", "127.0.0.1");
        Assert.DoesNotContain("PATTERN", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("PING", result.Stdout, StringComparison.Ordinal);
        Assert.All(result.StdoutLines, l => Assert.StartsWith("{\"type\":", l, StringComparison.Ordinal));
    }

    private static int CountOccurrences(string text, string what)
    {
        int count = 0;
        for (int at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + 1, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
