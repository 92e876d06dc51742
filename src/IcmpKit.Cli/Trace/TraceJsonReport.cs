using System.Net;
using System.Text.Json;
using IcmpKit.Cli.Output;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

/// <summary>
/// --ndjson: a "start" line, a "reply" or "timeout" line per probe attempt as it happens, a "hop" line per hop, an "end"
/// line. --json: one "trace" document at the end with the start keys, "hops" and "end". snake_case, units in names, a
/// "type" on every object (docs/trace.md).
/// </summary>
internal sealed class TraceJsonReport(TextWriter stdout, TraceArguments arguments, ReverseNames? names, bool streaming) : ITraceReport, IMultipathReport
{
    /// <summary>--multipath: a hop object with its interfaces (<see cref="MultipathReport.WriteHop"/>).</summary>
    public async Task MultipathHopAsync(TraceMultipathHop hop)
    {
        ArgumentNullException.ThrowIfNull(hop);
        var resolved = new Dictionary<IPAddress, string?>();
        if (names is not null)
        {
            foreach (var item in hop.Interfaces)
            {
                resolved[item.Address] = await names.NameAsync(item.Address).ConfigureAwait(false);
            }
        }
        void Body(Utf8JsonWriter w)
        {
            w.WriteNumber("ttl", hop.Ttl);
            MultipathReport.WriteHop(w, hop, resolved, withNames: names is not null);
        }
        if (streaming)
        {
            Write(w =>
            {
                w.WriteString("type", "hop");
                Body(w);
            });
        }
        else
        {
            _hops.Add(Body);
        }
    }

    public const int Schema = 1;

    private readonly List<Action<Utf8JsonWriter>> _hops = [];
    private readonly PacedHops _paced = new();
    private Action<Utf8JsonWriter>? _start;

    public void Start(TraceStarted started)
    {
        ArgumentNullException.ThrowIfNull(started);
        var options = arguments.Options;
        _start = w =>
        {
            w.WriteNumber("schema", Schema);
            TraceStartJson.WriteTarget(w, arguments.Host, arguments.Address, started);
            FlowJson.WriteStart(w, options);
            TraceStartJson.WriteSocketAndRange(w, started);
            w.WriteNumber("probes_per_hop", started.ProbesPerHop);
            w.WriteNumber("simultaneous_probes", options.EffectiveSimultaneousProbes);
            w.WriteNumber("wait_max_ms", Math.Round(options.Wait.Max.TotalMilliseconds, 6));
            w.WriteNumber("wait_here", options.Wait.Here);
            w.WriteNumber("wait_near", options.Wait.Near);
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
        _paced.Remember(probe);
        if (!streaming)
        {
            return;
        }
        switch (probe)
        {
            case TraceHopPaced paced:
                Write(w => PacedHops.WriteLine(w, paced));
                break;
            case TraceHopRechecked rechecked:
                Write(w => PacedHops.WriteLine(w, rechecked));
                break;
            case TraceProbeAnswered answered:
                Write(w =>
                {
                    w.WriteString("type", "reply");
                    w.WriteNumber("ttl", answered.Ttl);
                    w.WriteNumber("probe", answered.Probe + 1);
                    WriteReply(w, answered.Reply, name: null, withName: false);
                });
                break;
            case TraceProbeTooBig tooBig:
                Write(w => FlowJson.WriteTooBig(w, tooBig));
                break;
            case TraceProbeTimedOut timedOut:
                Write(w =>
                {
                    w.WriteString("type", "timeout");
                    w.WriteNumber("ttl", timedOut.Ttl);
                    w.WriteNumber("probe", timedOut.Probe + 1);
                    w.WriteNumber("attempt", timedOut.Attempt);
                });
                break;
        }
    }

    public async Task HopAsync(TraceHop hop)
    {
        ArgumentNullException.ThrowIfNull(hop);
        var resolved = new Dictionary<IPAddress, string?>();
        if (names is not null)
        {
            foreach (var from in hop.Probes.Select(p => p.Reply?.From).OfType<IPAddress>().Distinct())
            {
                resolved[from] = await names.NameAsync(from).ConfigureAwait(false);
            }
        }
        void Body(Utf8JsonWriter w)
        {
            w.WriteNumber("ttl", hop.Ttl);
            _paced.WriteHopKey(w, hop.Ttl);
            FlowJson.WriteHopPathMtu(w, hop);
            w.WriteStartArray("probes");
            foreach (var probe in hop.Probes)
            {
                w.WriteStartObject();
                w.WriteNumber("probe", probe.Probe + 1);
                w.WriteNumber("attempts", probe.Attempts);
                if (probe.Reply is { } reply)
                {
                    WriteReply(w, reply, reply.From is { } from ? resolved.GetValueOrDefault(from) : null, withName: names is not null);
                }
                else
                {
                    w.WriteBoolean("timeout", true);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (streaming)
        {
            Write(w =>
            {
                w.WriteString("type", "hop");
                Body(w);
            });
        }
        else
        {
            _hops.Add(Body);
        }
    }

    public void End(TraceCompleted? completed)
    {
        void Body(Utf8JsonWriter w)
        {
            w.WriteString("reason", completed?.Reason switch
            {
                TraceEndReason.Reached => "reached",
                TraceEndReason.MaxTtl => "max_ttl",
                TraceEndReason.Unreachable => "unreachable",
                TraceEndReason.SendFailed => "send_failed",
                _ => "interrupted",
            });
            if (completed is not null)
            {
                w.WriteNumber("last_ttl", completed.LastTtl);
            }
            else
            {
                w.WriteNull("last_ttl");
            }
            w.WriteBoolean("reached", completed?.Reason == TraceEndReason.Reached);
        }
        if (streaming)
        {
            Write(w =>
            {
                w.WriteString("type", "end");
                Body(w);
            });
            return;
        }
        stdout.WriteLine(JsonOutput.Object(w =>
        {
            w.WriteString("type", "trace");
            _start?.Invoke(w);
            w.WriteStartArray("hops");
            foreach (var hop in _hops)
            {
                w.WriteStartObject();
                hop(w);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("end");
            Body(w);
            w.WriteEndObject();
        }));
        stdout.Flush();
    }

    internal static void WriteReply(Utf8JsonWriter w, TraceReply reply, string? name, bool withName)
    {
        w.WriteNumber("attempt", reply.Attempt);
        if (reply.From is { } from)
        {
            w.WriteString("from", from.ToString());
        }
        else
        {
            w.WriteNull("from");
        }
        if (withName)
        {
            w.WriteString("name", name);
        }
        w.WriteNumber("rtt_ms", Math.Round(reply.RoundTripTime.TotalMilliseconds, 6));
        if (reply.ReplyTtl is { } ttl)
        {
            w.WriteNumber("reply_ttl", ttl);
        }
        else
        {
            w.WriteNull("reply_ttl");
        }
        w.WriteString("kind", reply.Kind switch
        {
            TraceReplyKind.TimeExceeded => "time_exceeded",
            TraceReplyKind.EchoReply => "echo_reply",
            TraceReplyKind.PortUnreachable => "port_unreachable",
            TraceReplyKind.UdpReply => "udp_reply",
            TraceReplyKind.LocalError => "local_error",
            TraceReplyKind.TcpReply => "tcp_reply",
            _ => "unreachable",
        });
        if (reply.Kind is not (TraceReplyKind.UdpReply or TraceReplyKind.TcpReply))
        {
            w.WriteNumber("icmp_type", reply.IcmpType);
            w.WriteNumber("icmp_code", reply.IcmpCode);
        }
        FlowJson.WriteTcpFlags(w, reply);
        string annotation = TraceAnnotations.Annotation(reply);
        if (annotation.Length > 0)
        {
            w.WriteString("annotation", annotation);
        }
        if (reply.Mtu is { } mtu)
        {
            w.WriteNumber("mtu", mtu);
        }
        w.WriteNumber("flow_key", reply.FlowKey);
        w.WriteBoolean("kernel_timestamp", reply.IsKernelTimestamp);
        if (reply.Extensions is { } extensions)
        {
            w.WriteStartArray("extensions");
            foreach (var item in extensions.Objects)
            {
                var encoded = new byte[item.EncodedLength];
                item.Write(encoded);
                w.WriteStartObject();
                w.WriteNumber("class", item.ClassNum);
                w.WriteNumber("c_type", item.ClassType);
                w.WriteString("payload_hex", Convert.ToHexStringLower(encoded, 4, encoded.Length - 4));
                if (item is Wire.Extensions.MplsLabelStackObject mpls)
                {
                    w.WriteStartArray("mpls");
                    foreach (var entry in mpls.Entries)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("label", entry.Label);
                        w.WriteNumber("exp", entry.TrafficClass);
                        w.WriteBoolean("bottom_of_stack", entry.BottomOfStack);
                        w.WriteNumber("ttl", entry.Ttl);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                if (item is Wire.Extensions.InterfaceInformationObject info)
                {
                    TraceJsonExtensions.WriteInterface(w, info);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("extensions_text", TraceAnnotations.Extensions(extensions));
        }
    }

    private void Write(Action<Utf8JsonWriter> body)
    {
        stdout.WriteLine(JsonOutput.Object(body));
        stdout.Flush();
    }
}
