using System.Globalization;
using System.Net;
using System.Text;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

/// <summary>How a trace is shown: traceroute's text, one JSON document, or a JSON line per probe and per hop.</summary>
internal interface ITraceReport
{
    void Start(TraceStarted started);

    /// <summary>A probe's answer or timeout, as it happens.</summary>
    void Probe(TraceEvent probe);

    Task HopAsync(TraceHop hop);

    void End(TraceCompleted? completed);
}

/// <summary>
/// Linux traceroute 2.1's text (print_header(), print_probe()), line for line: the header, then per hop its TTL in two
/// columns, and per probe "*", or the address (with its name unless -n) when it differs from the previous answered probe
/// of the hop, then "  N.NNN ms" and the annotation. A hop's line is written whole once its probes are settled.
/// </summary>
internal sealed class TraceTextReport(TextWriter stdout, TraceArguments arguments, ReverseNames? names) : ITraceReport, IMultipathReport
{
    private bool _previousHadSeveral;
    private readonly PacedHops _paced = new();

    /// <summary>--multipath: a line per interface of the hop (<see cref="MultipathReport"/>).</summary>
    public async Task MultipathHopAsync(TraceMultipathHop hop)
    {
        ArgumentNullException.ThrowIfNull(hop);
        foreach (string line in await MultipathReport.LinesAsync(hop, AddressTextAsync, _previousHadSeveral).ConfigureAwait(false))
        {
            stdout.WriteLine(line);
        }
        stdout.Flush();
        _previousHadSeveral = hop.Interfaces.Count > 1;
    }

    public void Start(TraceStarted started)
    {
        ArgumentNullException.ThrowIfNull(started);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"traceroute to {arguments.Host} ({arguments.Address}), {started.MaxTtl} hops max, {started.PacketLength} byte packets"));
        if (arguments.Options.Multipath)
        {
            stdout.WriteLine(MultipathReport.ConfidenceLine());
        }
        stdout.Flush();
    }

    public void Probe(TraceEvent probe)
    {
        if (probe is TraceProbeAnswered { Reply.From: { } from })
        {
            names?.Start(from);
        }
        _paced.Remember(probe);
    }

    public async Task HopAsync(TraceHop hop)
    {
        ArgumentNullException.ThrowIfNull(hop);
        _paced.Remember(hop);
        var line = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"{hop.Ttl,2} "));
        TraceReply? previous = null;
        foreach (var probe in hop.Probes)
        {
            if (probe.Reply is not { } reply)
            {
                line.Append(" *");
                continue;
            }
            string? extensions = arguments.ShowExtensions && reply.Extensions is { } e ? TraceAnnotations.Extensions(e) : null;
            // traceroute prints the address again only when it differs from the last answer of the hop with one (or the
            // extensions do).
            bool printAddress = previous is null || !Equals(previous.From, reply.From)
                || (arguments.ShowExtensions && extensions != (previous.Extensions is { } pe ? TraceAnnotations.Extensions(pe) : null));
            if (printAddress && reply.From is { } from)
            {
                line.Append(' ').Append(await AddressTextAsync(from).ConfigureAwait(false));
                if (extensions is not null)
                {
                    line.Append(" <").Append(extensions).Append('>');
                }
            }
            line.Append(string.Create(CultureInfo.InvariantCulture, $"  {reply.RoundTripTime.TotalMilliseconds:F3} ms"));
            string annotation = TraceAnnotations.Annotation(reply);
            if (annotation.Length > 0)
            {
                line.Append(' ').Append(annotation);
            }
            if (reply.From is not null)
            {
                previous = reply;
            }
        }
        if (hop.PathMtu is { } pathMtu)
        {
            // --mtu: tracepath's words, once per MTU, on the first hop that needed it (traceroute prints F=N there).
            line.Append(string.Create(CultureInfo.InvariantCulture, $"  pmtu {pathMtu}"));
        }
        stdout.WriteLine(line.ToString());
        stdout.Flush();
    }

    public void End(TraceCompleted? completed)
    {
        foreach (string note in _paced.Notes())
        {
            stdout.WriteLine(note);
        }
        stdout.Flush();
    }

    /// <summary>traceroute's print_addr(): "address" with -n, else "name (address)", the address standing in for a missing name.</summary>
    private async Task<string> AddressTextAsync(IPAddress address)
    {
        if (names is null)
        {
            return address.ToString();
        }
        string? name = await names.NameAsync(address).ConfigureAwait(false);
        return $"{name ?? address.ToString()} ({address})";
    }
}
