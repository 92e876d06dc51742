using System.Net;
using System.Text.Json;
using IcmpKit.Cli.Output;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

/// <summary>
/// A continuous trace as JSON (docs/trace.md, schema 1 of the trace documents). --ndjson: "start", a "reply" or
/// "timeout" line per probe with its round, "paced" when a hop's pace changes, "round" with every hop's statistics as a
/// round's time ends, "end" with the final statistics. --json: one "mtr" document at the end with the start keys,
/// "hops" and "end".
/// </summary>
internal sealed class ContinuousJsonReport(TextWriter stdout, ContinuousArguments arguments, ReverseNames? names, bool streaming) : IContinuousReport
{
    private Action<Utf8JsonWriter>? _start;

    public void Start(TraceStarted started)
    {
        ArgumentNullException.ThrowIfNull(started);
        var options = arguments.Options;
        _start = w =>
        {
            w.WriteNumber("schema", TraceJsonReport.Schema);
            w.WriteString("mode", "continuous");
            TraceStartJson.WriteTarget(w, arguments.Host, arguments.Address, started);
            TraceStartJson.WriteSocketAndRange(w, started);
            w.WriteNumber("interval_ms", Math.Round(options.Interval.TotalMilliseconds, 6));
            w.WriteNumber("wait_max_ms", Math.Round(options.Probes.Wait.Max.TotalMilliseconds, 6));
            if (options.Rounds is { } rounds)
            {
                w.WriteNumber("rounds_requested", rounds);
            }
            else
            {
                w.WriteNull("rounds_requested");
            }
            w.WriteBoolean("pacing", options.Pacing);
        };
        if (streaming)
        {
            Write(w =>
            {
                w.WriteString("type", "start");
                _start(w);
            });
        }
    }

    public void Probe(TraceEvent probe)
    {
        if (probe is TraceProbeAnswered { Reply.From: { } from })
        {
            names?.Start(from);
        }
        if (!streaming)
        {
            return;
        }
        switch (probe)
        {
            case TraceProbeAnswered answered:
                Write(w =>
                {
                    w.WriteString("type", "reply");
                    w.WriteNumber("ttl", answered.Ttl);
                    w.WriteNumber("round", answered.Probe + 1);
                    TraceJsonReport.WriteReply(w, answered.Reply, name: null, withName: false);
                });
                break;
            case TraceProbeTimedOut timedOut:
                Write(w =>
                {
                    w.WriteString("type", "timeout");
                    w.WriteNumber("ttl", timedOut.Ttl);
                    w.WriteNumber("round", timedOut.Probe + 1);
                });
                break;
        }
    }

    public void Paced(ContinuousHopPaced paced)
    {
        ArgumentNullException.ThrowIfNull(paced);
        if (!streaming)
        {
            return;
        }
        Write(w =>
        {
            w.WriteString("type", "paced");
            w.WriteNumber("ttl", paced.Ttl);
            WriteAddress(w, "from", paced.From);
            if (paced.Interval is { } interval)
            {
                w.WriteNumber("interval_ms", Math.Round(interval.TotalMilliseconds, 3));
            }
            else
            {
                w.WriteNull("interval_ms");
            }
            w.WriteNumber("round", paced.Round + 1);
            w.WriteNumber("rate_limited", paced.RateLimited);
        });
    }

    public async Task RoundAsync(ContinuousTraceRound round)
    {
        ArgumentNullException.ThrowIfNull(round);
        if (!streaming)
        {
            return;
        }
        var hops = await HopsAsync(round.Hops).ConfigureAwait(false);
        Write(w =>
        {
            w.WriteString("type", "round");
            w.WriteNumber("round", round.Round + 1);
            hops(w);
        });
    }

    public async Task EndAsync(ContinuousTraceCompleted? completed)
    {
        var hops = await HopsAsync(completed?.Hops ?? []).ConfigureAwait(false);
        void End(Utf8JsonWriter w)
        {
            w.WriteString("reason", completed?.Reason switch
            {
                ContinuousTraceEndReason.RoundsDone => "rounds_done",
                ContinuousTraceEndReason.SendFailed => "send_failed",
                _ => "interrupted",
            });
            w.WriteNumber("rounds", completed?.Rounds ?? 0);
            w.WriteBoolean("reached", completed?.Reached == true);
        }
        if (streaming)
        {
            Write(w =>
            {
                w.WriteString("type", "end");
                End(w);
                hops(w);
            });
            return;
        }
        Write(w =>
        {
            w.WriteString("type", "mtr");
            _start?.Invoke(w);
            hops(w);
            w.WriteStartObject("end");
            End(w);
            w.WriteEndObject();
        });
    }

    /// <summary>"hops": per hop its address(es), names (without -n), statistics, pacing and latest answer.</summary>
    private async Task<Action<Utf8JsonWriter>> HopsAsync(IReadOnlyList<ContinuousHop> hops)
    {
        var resolved = new Dictionary<IPAddress, string?>();
        if (names is not null)
        {
            foreach (var address in hops.SelectMany(h => h.Addresses).Distinct())
            {
                resolved[address] = await names.NameAsync(address).ConfigureAwait(false);
            }
        }
        return w =>
        {
            w.WriteStartArray("hops");
            foreach (var hop in hops)
            {
                w.WriteStartObject();
                WriteHop(w, hop, resolved);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        };
    }

    private void WriteHop(Utf8JsonWriter w, ContinuousHop hop, Dictionary<IPAddress, string?> resolved)
    {
        var s = hop.Statistics;
        w.WriteNumber("ttl", hop.Ttl);
        WriteAddress(w, "from", hop.From);
        if (names is not null)
        {
            w.WriteString("name", hop.From is { } from ? resolved.GetValueOrDefault(from) : null);
        }
        w.WriteStartArray("addresses");
        foreach (var address in hop.Addresses)
        {
            w.WriteStringValue(address.ToString());
        }
        w.WriteEndArray();
        w.WriteNumber("sent", s.Sent);
        w.WriteNumber("received", s.Received);
        w.WriteNumber("lost", s.Lost);
        w.WriteNumber("in_flight", s.InFlight);
        w.WriteNumber("loss_percent", Math.Round(s.LossPercent, 3));
        w.WriteNumber("rate_limited", s.RateLimited);
        if (hop.PacedInterval is { } interval)
        {
            w.WriteNumber("paced_interval_ms", Math.Round(interval.TotalMilliseconds, 3));
            w.WriteNumber("paced_from_round", (hop.PacedFromRound ?? 0) + 1);
        }
        else
        {
            w.WriteNull("paced_interval_ms");
        }
        Milliseconds(w, "last_ms", s.LastMilliseconds);
        Milliseconds(w, "avg_ms", s.AverageMilliseconds);
        Milliseconds(w, "best_ms", s.BestMilliseconds);
        Milliseconds(w, "worst_ms", s.WorstMilliseconds);
        Milliseconds(w, "stdev_ms", s.StandardDeviationMilliseconds);
        Milliseconds(w, "gmean_ms", s.GeometricMeanMilliseconds);
        Milliseconds(w, "jitter_ms", s.JitterMilliseconds);
        Milliseconds(w, "jitter_avg_ms", s.MeanJitterMilliseconds);
        Milliseconds(w, "jitter_max_ms", s.WorstJitterMilliseconds);
        Milliseconds(w, "interarrival_jitter_ms", s.InterarrivalJitterMilliseconds);
        if (hop.LastReply is { } reply)
        {
            w.WriteStartObject("last_reply");
            TraceJsonReport.WriteReply(w, reply, name: null, withName: false);
            w.WriteEndObject();
        }
    }

    private static void Milliseconds(Utf8JsonWriter w, string key, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(key, Math.Round(v, 6));
        }
        else
        {
            w.WriteNull(key);
        }
    }

    private static void WriteAddress(Utf8JsonWriter w, string key, IPAddress? address)
    {
        if (address is null)
        {
            w.WriteNull(key);
        }
        else
        {
            w.WriteString(key, address.ToString());
        }
    }

    private void Write(Action<Utf8JsonWriter> body)
    {
        stdout.WriteLine(JsonOutput.Object(body));
        stdout.Flush();
    }
}
