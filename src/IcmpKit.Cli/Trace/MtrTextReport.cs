using System.Globalization;
using System.Net;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

/// <summary>How a continuous trace is shown: mtr's report or a live table, one JSON document, or JSON lines.</summary>
internal interface IContinuousReport
{
    void Start(TraceStarted started);

    /// <summary>A probe's answer or timeout, as it happens.</summary>
    void Probe(TraceEvent probe);

    void Paced(ContinuousHopPaced paced);

    Task RoundAsync(ContinuousTraceRound round);

    /// <summary>The end (null when the trace failed before it began).</summary>
    Task EndAsync(ContinuousTraceCompleted? completed);
}

/// <summary>
/// Text: with <paramref name="live"/>, a table redrawn in place every round (ANSI cursor moves; stdout is a terminal),
/// left on screen at the end; else mtr --report: "Start:" at once, the table after the last round. Either way the notes
/// on paced hops follow the table.
/// </summary>
internal sealed class MtrTextReport(TextWriter stdout, ContinuousArguments arguments, ReverseNames? names, bool live) : IContinuousReport
{
    private readonly HashSet<int> _givenUp = [];
    private readonly string _localHost = LocalHostName();
    private int _drawnLines;

    public void Start(TraceStarted started)
    {
        if (!live)
        {
            stdout.WriteLine("Start: " + IsoTime(DateTimeOffset.Now));
            stdout.Flush();
        }
    }

    public void Probe(TraceEvent probe)
    {
        if (probe is TraceProbeAnswered { Reply.From: { } from })
        {
            names?.Start(from);
        }
    }

    public void Paced(ContinuousHopPaced paced)
    {
        ArgumentNullException.ThrowIfNull(paced);
        if (paced.Interval is null)
        {
            _givenUp.Add(paced.Ttl);
        }
    }

    public async Task RoundAsync(ContinuousTraceRound round)
    {
        ArgumentNullException.ThrowIfNull(round);
        if (live)
        {
            await DrawAsync(round.Round + 1, round.Hops).ConfigureAwait(false);
        }
    }

    public async Task EndAsync(ContinuousTraceCompleted? completed)
    {
        if (completed is null)
        {
            return;
        }
        if (live)
        {
            await DrawAsync(completed.Rounds, completed.Hops).ConfigureAwait(false);
            return;
        }
        var name = await NamerAsync(completed.Hops).ConfigureAwait(false);
        foreach (string line in MtrTable.Lines(_localHost, completed.Hops, name, arguments.Fields, arguments.Wide, arguments.ShowExtensions))
        {
            stdout.WriteLine(line);
        }
        foreach (string note in MtrTable.PacingNotes(completed.Hops, _givenUp, name))
        {
            stdout.WriteLine(note);
        }
        stdout.Flush();
    }

    /// <summary>Moves the cursor up over the last drawing and writes over it, line by line, clearing what is left.</summary>
    private async Task DrawAsync(int rounds, IReadOnlyList<ContinuousHop> hops)
    {
        var name = await NamerAsync(hops).ConfigureAwait(false);
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture,
                $"{_localHost} -> {arguments.Host} ({arguments.Address})   round {rounds}, every {arguments.Options.Interval.TotalSeconds:0.0##} s   {IsoTime(DateTimeOffset.Now)}"),
        };
        lines.AddRange(MtrTable.Lines(_localHost, hops, name, arguments.Fields, arguments.Wide, arguments.ShowExtensions));
        lines.AddRange(MtrTable.PacingNotes(hops, _givenUp, name));
        if (_drawnLines > 0)
        {
            stdout.Write(string.Create(CultureInfo.InvariantCulture, $"\u001b[{_drawnLines}A\r"));
        }
        foreach (string line in lines)
        {
            stdout.Write(line + "\u001b[K\n");
        }
        if (lines.Count < _drawnLines)
        {
            stdout.Write("\u001b[J");
        }
        _drawnLines = lines.Count;
        stdout.Flush();
    }

    /// <summary>Names for every hop's addresses (each lookup bounded by <see cref="ReverseNames.Budget"/>), as mtr shows them.</summary>
    private async Task<Func<IPAddress, string>> NamerAsync(IReadOnlyList<ContinuousHop> hops)
    {
        var known = new Dictionary<IPAddress, string?>();
        if (names is not null)
        {
            foreach (var address in hops.SelectMany(h => h.Addresses).Distinct())
            {
                known[address] = await names.NameAsync(address).ConfigureAwait(false);
            }
        }
        return address => known.GetValueOrDefault(address) is { } found
            ? arguments.ShowAddressWithName ? $"{found} ({address})" : found
            : address.ToString();
    }

    /// <summary>mtr's iso_time(): local time as %Y-%m-%dT%H:%M:%S%z.</summary>
    internal static string IsoTime(DateTimeOffset time)
    {
        var offset = time.Offset;
        char sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            + string.Create(CultureInfo.InvariantCulture, $"{sign}{offset.Hours:00}{offset.Minutes:00}");
    }

    /// <summary>mtr's LocalHostname: gethostname().</summary>
    private static string LocalHostName()
    {
        try
        {
            return System.Net.Dns.GetHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "localhost";
        }
    }
}
