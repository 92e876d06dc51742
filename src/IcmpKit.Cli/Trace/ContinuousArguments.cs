using System.Globalization;
using System.Net;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

internal enum ContinuousOutputMode
{
    /// <summary>A table redrawn in place every round (stdout is a terminal).</summary>
    Live,

    /// <summary>mtr --report: the table once, after the rounds.</summary>
    Report,

    Json,
    Ndjson,
}

/// <summary>The checked arguments of one continuous trace (`icmpkit mtr`, `icmpkit trace --continuous`).</summary>
internal sealed record ContinuousArguments
{
    /// <summary>mtr's rounds for --report (and --json) when -c is not given: its default report cycles.</summary>
    public const int DefaultReportRounds = 10;

    /// <summary>mtr's default fields: Loss%, Snt, a space, Last, Avg, Best, Wrst, StDev.</summary>
    public const string DefaultFields = "LS NABWV";

    /// <summary>"mtr" or "trace": the verb errors are reported under.</summary>
    public required string Verb { get; init; }
    public required string Host { get; init; }
    public required IPAddress Address { get; init; }
    public required ContinuousTraceOptions Options { get; init; }
    public bool Numeric { get; init; }

    /// <summary>mtr -b: a name and its address, "name (address)"; else the name alone, as mtr.</summary>
    public bool ShowAddressWithName { get; init; }
    public bool ShowExtensions { get; init; }
    public ContinuousOutputMode Output { get; init; }
    public string Fields { get; init; } = DefaultFields;

    /// <summary>mtr --report-wide: the host column as wide as the longest name instead of cut at 25 characters.</summary>
    public bool Wide { get; init; }

    /// <summary>A count of rounds, 1 or more (mtr's -c); a line saying what to give otherwise.</summary>
    public static bool TryRounds(string text, string flag, out int rounds, out string? problem)
    {
        problem = null;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out rounds) && rounds >= 1)
        {
            return true;
        }
        problem = $"bad {flag} value '{text}'; give the number of rounds, 1 or more";
        return false;
    }

    /// <summary>
    /// Seconds between rounds, at least 0.001 (mtr lets root go below 1 s; the kernel's rate limits make a fast round
    /// costly to routers, which pacing then notices) and at most a day.
    /// </summary>
    public static bool TryInterval(string text, string flag, out TimeSpan interval, out string? problem)
    {
        problem = null;
        interval = default;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            && double.IsFinite(seconds) && seconds >= 0.001 && seconds <= 86_400)
        {
            interval = TimeSpan.FromSeconds(seconds);
            return true;
        }
        problem = $"bad {flag} value '{text}'; give seconds between rounds, 0.001 to 86400";
        return false;
    }

    /// <summary>mtr -o: letters of <see cref="MtrFields"/>, each known; a line naming the stray letter otherwise.</summary>
    public static bool TryFields(string text, string flag, out string? problem)
    {
        problem = null;
        foreach (char c in text)
        {
            if (MtrFields.Find(c) is null)
            {
                problem = $"bad {flag} field '{c}' in '{text}'; give letters of {MtrFields.Letters} (mtr's, a space for a gap)";
                return false;
            }
        }
        if (text.Length == 0)
        {
            problem = $"bad {flag} value ''; give letters of {MtrFields.Letters}";
            return false;
        }
        return true;
    }
}
