using System.Globalization;
using IcmpKit.Cli.Output;
using IcmpKit.Responder;

namespace IcmpKit.Cli.Respond;

/// <summary>
/// What `icmpkit respond` prints: a start line, counter reports while it runs (each --status interval, on SIGQUIT,
/// or refreshed in place each second on a terminal) and the counters at the end; as text or as JSON lines
/// (docs/respond.md). Reports come from the signal handler, the timer and the main thread: one lock orders them.
/// </summary>
internal sealed class RespondReport(TextWriter stdout, bool json, double? statusSeconds, bool live)
{
    private readonly Lock _gate = new();
    private bool _lineOpen;

    /// <summary>How often to report while running; none when only SIGQUIT and the end report.</summary>
    public TimeSpan? Interval { get; } = statusSeconds is double s ? TimeSpan.FromSeconds(s) : live ? TimeSpan.FromSeconds(1) : null;

    public void Started(string where, ResponderOptions options)
    {
        if (json)
        {
            return;
        }
        int hops = options.Hops.Count;
        string hopText = hops == 0 ? "no hops" : $"{hops} hops ({string.Join(", ", options.Hops.Select(h => h.Address))})";
        lock (_gate)
        {
            stdout.WriteLine($"respond: {where}; answering as {string.Join(", ", options.Addresses)} behind {hopText}; Ctrl+C to stop");
            stdout.Flush();
        }
    }

    public void Status(ResponderCountersSnapshot counters)
    {
        lock (_gate)
        {
            if (json)
            {
                stdout.WriteLine(Json("respond_counters", counters));
            }
            else if (live && statusSeconds is null)
            {
                // One line rewritten in place, like a progress line.
                stdout.Write("\r" + Line(counters) + "\u001b[K");
                _lineOpen = true;
            }
            else
            {
                stdout.WriteLine(Line(counters));
            }
            stdout.Flush();
        }
    }

    public void Summary(ResponderCountersSnapshot counters)
    {
        lock (_gate)
        {
            if (_lineOpen)
            {
                stdout.WriteLine();
            }
            if (json)
            {
                stdout.WriteLine(Json("respond_summary", counters));
            }
            else
            {
                stdout.WriteLine(Line(counters));
                foreach (var (kind, count) in counters.Answered.Where(p => p.Value > 0))
                {
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  answered {Snake(kind.ToString())}: {count}"));
                }
                foreach (var (reason, count) in counters.Dropped.Where(p => p.Value > 0))
                {
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  dropped {Snake(reason.ToString())}: {count}"));
                }
                // Besides the answers: copies, held-back answers and redirects (each also counted above as what it came with).
                foreach (var (name, count) in Extras(counters).Where(p => p.Count > 0))
                {
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: {count}"));
                }
            }
            stdout.Flush();
        }
    }

    private static string Line(ResponderCountersSnapshot counters) =>
        string.Create(CultureInfo.InvariantCulture, $"respond: {counters.Received} packets received, {counters.TotalAnswered} answered, {counters.TotalDropped} dropped");

    private static string Json(string type, ResponderCountersSnapshot counters) => JsonOutput.Object(w =>
    {
        w.WriteString("type", type);
        w.WriteNumber("schema", 1);
        w.WriteNumber("received", counters.Received);
        w.WriteStartObject("answered");
        foreach (var (kind, count) in counters.Answered.Where(p => p.Value > 0))
        {
            w.WriteNumber(Snake(kind.ToString()), count);
        }
        w.WriteEndObject();
        w.WriteStartObject("dropped");
        foreach (var (reason, count) in counters.Dropped.Where(p => p.Value > 0))
        {
            w.WriteNumber(Snake(reason.ToString()), count);
        }
        w.WriteEndObject();
        foreach (var (name, count) in Extras(counters))
        {
            w.WriteNumber(name, count);
        }
        WriteCodes(w, "unreachable_v4_codes", counters.UnreachableV4ByCode);
        WriteCodes(w, "unreachable_v6_codes", counters.UnreachableV6ByCode);
    });

    private static (string Name, long Count)[] Extras(ResponderCountersSnapshot counters) =>
    [
        ("duplicated", counters.Duplicated), ("reordered", counters.Reordered), ("redirects_sent", counters.Redirects),
    ];

    private static void WriteCodes(System.Text.Json.Utf8JsonWriter w, string name, IReadOnlyDictionary<byte, long> codes)
    {
        w.WriteStartObject(name);
        foreach (var (code, count) in codes.OrderBy(p => p.Key))
        {
            w.WriteNumber(code.ToString(CultureInfo.InvariantCulture), count);
        }
        w.WriteEndObject();
    }

    internal static string Snake(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
