using System.Net.Sockets;
using System.Text.Json;
using IcmpKit.Cli.Output;
using IcmpKit.Ping;
using IcmpKit.Sockets;
using IcmpKit.Statistics;

namespace IcmpKit.Cli.Ping;

/// <summary>
/// --ndjson: one JSON object per event as it happens; --json: one document at the end with the same objects in
/// "events". snake_case, units in names, a "type" on every object, "schema" on the first (docs/ping-json.md).
/// </summary>
internal sealed class PingJsonReport(TextWriter stdout, bool streaming) : IPingReport
{
    public const int Schema = 1;

    private readonly List<Action<Utf8JsonWriter>> _events = [];
    private Action<Utf8JsonWriter>? _start;
    private PingArguments _arguments = null!;

    public void Start(PingStart start)
    {
        _arguments = start.Arguments;
        var a = start.Arguments;
        string kind = start.Pinger.SocketKind == IcmpSocketKind.Raw ? "raw" : "dgram";
        ushort identifier = start.Pinger.Identifier;
        string why = start.Pinger.WhyNotDatagram;
        string request = a.Options.RequestType switch
        {
            PingRequestType.Timestamp => "timestamp",
            PingRequestType.AddressMask => "mask",
            PingRequestType.Information => "info",
            _ => "echo",
        };
        int dataBytes = a.Options.RequestType switch
        {
            PingRequestType.Timestamp => 12,
            PingRequestType.AddressMask => 4,
            PingRequestType.Information => 0,
            _ => a.Options.PayloadSize,
        };
        // The start object's fields; "type" is written by whoever holds them (a start line, or the whole document).
        _start = w =>
        {
            w.WriteNumber("schema", Schema);
            w.WriteString("target", a.Host);
            w.WriteString("address", a.Address.ToString());
            w.WriteString("family", a.Address.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4");
            w.WriteString("request", request);
            w.WriteNumber("data_bytes", dataBytes);
            w.WriteString("socket", kind);
            if (why.Length > 0)
            {
                w.WriteString("socket_reason", why);
            }
            w.WriteNumber("identifier", identifier);
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

    public void Event(PingEvent item)
    {
        Action<Utf8JsonWriter>? body = item switch
        {
            PingReply reply => w => WriteReply(w, reply),
            PingError error => w => WriteError(w, error),
            PingTimeout timeout => w =>
            {
                w.WriteString("type", "timeout");
                w.WriteNumber("seq", timeout.SequenceNumber);
            },
            PingSendFailed failed => w =>
            {
                w.WriteString("type", "send_failed");
                w.WriteNumber("seq", failed.SequenceNumber);
                w.WriteNumber("errno", failed.ErrorNumber);
                w.WriteString("message", failed.Message);
            },
            _ => null, // "sent" is in the summary's count; a line per request would double a flood's output
        };
        if (body is null)
        {
            return;
        }
        if (streaming)
        {
            Write(body);
        }
        else
        {
            _events.Add(body);
        }
    }

    public void End(PingEnd end)
    {
        void Summary(Utf8JsonWriter w)
        {
            w.WriteString("type", "summary");
            WriteSummary(w, end);
        }
        if (streaming)
        {
            Write(Summary);
            return;
        }
        stdout.WriteLine(JsonOutput.Object(w =>
        {
            w.WriteString("type", "ping");
            _start!(w);
            w.WriteStartArray("events");
            foreach (var body in _events)
            {
                w.WriteStartObject();
                body(w);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("summary");
            WriteSummary(w, end);
            w.WriteEndObject();
        }));
    }

    private void Write(Action<Utf8JsonWriter> body)
    {
        stdout.WriteLine(JsonOutput.Object(body));
        stdout.Flush();
    }

    private static void WriteReply(Utf8JsonWriter w, PingReply reply)
    {
        w.WriteString("type", reply.IsDuplicate ? "duplicate" : "reply");
        w.WriteNumber("seq", reply.SequenceNumber);
        w.WriteString("from", reply.From.ToString());
        w.WriteNumber("bytes", reply.Bytes);
        w.WriteNumber("rtt_ms", Math.Round(reply.RoundTripTime.TotalMilliseconds, 6));
        Optional(w, "ttl", reply.TimeToLive);
        Optional(w, "tos", reply.TrafficClass);
        w.WriteBoolean("kernel_timestamp", reply.IsKernelTimestamp);
        w.WriteString("received_at", reply.ReceivedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        if (reply.IsLate)
        {
            w.WriteBoolean("late", true);
        }
        if (reply.IsFromOtherAddress)
        {
            w.WriteBoolean("other_address", true);
        }
        if (reply.IsChecksumBad)
        {
            w.WriteBoolean("bad_checksum", true);
        }
        if (reply.IsClockAdjusted)
        {
            w.WriteBoolean("clock_adjusted", true);
        }
        if (reply.WrongData is { } wrong)
        {
            w.WriteStartObject("wrong_data");
            w.WriteNumber("index", wrong.Index);
            w.WriteNumber("expected", wrong.Expected);
            w.WriteNumber("actual", wrong.Actual);
            w.WriteEndObject();
        }
        if (!reply.IPv4Options.IsEmpty)
        {
            w.WriteString("ip_options_hex", Convert.ToHexStringLower(reply.IPv4Options.Span));
        }
        if (reply.Timestamps is { } t)
        {
            w.WriteNumber("originate_ms", t.Originate);
            w.WriteNumber("receive_ms", t.Receive);
            w.WriteNumber("transmit_ms", t.Transmit);
            w.WriteNumber("arrival_ms", t.ArrivedMillisecondsSinceMidnight);
        }
        if (reply.AddressMask is { } mask)
        {
            w.WriteString("address_mask", mask.ToString());
        }
    }

    private static void WriteError(Utf8JsonWriter w, PingError error)
    {
        w.WriteString("type", "error");
        w.WriteNumber("seq", error.SequenceNumber);
        if (error.From is not null)
        {
            w.WriteString("from", error.From.ToString());
        }
        w.WriteBoolean("local", error.IsLocal);
        if (!error.IsLocal)
        {
            w.WriteNumber("icmp_type", error.Type);
            w.WriteNumber("icmp_code", error.Code);
            w.WriteString("text", IputilsText.Describe(error));
        }
        else
        {
            w.WriteString("text", error.Mtu is not null ? "message too long" : IcmpSocket.DescribeError(error.ErrorNumber));
        }
        Optional(w, "mtu", error.Mtu);
        if (error.ErrorNumber != 0)
        {
            w.WriteNumber("errno", error.ErrorNumber);
        }
        if (error.Extensions is { } extensions)
        {
            w.WriteStartArray("extension_objects");
            foreach (var item in extensions.Objects)
            {
                w.WriteStartObject();
                w.WriteNumber("class", item.ClassNum);
                w.WriteNumber("c_type", item.ClassType);
                w.WriteString("kind", item.GetType().Name);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
    }

    private void WriteSummary(Utf8JsonWriter w, PingEnd end)
    {
        var s = end.Statistics;
        var snapshot = s.Snapshot();
        w.WriteNumber("transmitted", s.Transmitted);
        w.WriteNumber("received", s.Received);
        w.WriteNumber("duplicates", s.Duplicates);
        w.WriteNumber("corrupted", end.Corrupted);
        w.WriteNumber("errors", s.Errors);
        w.WriteNumber("loss_percent", Math.Round(s.LossPercent, 6));
        w.WriteNumber("time_ms", Math.Round(end.Elapsed.TotalMilliseconds, 3));
        w.WriteNumber("pipe", end.Pipe);
        Optional(w, "rtt_min_ms", Ms(snapshot.IputilsMinimumMicroseconds));
        Optional(w, "rtt_avg_ms", Ms(snapshot.IputilsAverageMicroseconds));
        Optional(w, "rtt_max_ms", Ms(snapshot.IputilsMaximumMicroseconds));
        Optional(w, "rtt_mdev_ms", Ms(snapshot.IputilsMeanDeviationMicroseconds));
        Optional(w, "rtt_sample_stddev_ms", snapshot.SampleStandardDeviationMilliseconds);
        Optional(w, "rtt_jitter_ms", snapshot.JitterMilliseconds);
        Optional(w, "rtt_mean_abs_diff_ms", snapshot.MeanAbsoluteSuccessiveDifferenceMilliseconds);
        Optional(w, "rtt_p50_ms", snapshot.P50Milliseconds);
        Optional(w, "rtt_p90_ms", snapshot.P90Milliseconds);
        Optional(w, "rtt_p99_ms", snapshot.P99Milliseconds);
        Optional(w, "rtt_ewma_ms", snapshot.EwmaMilliseconds);
        w.WriteNumber("outage_ms", (long)s.OutageTime(_arguments.Options.Interval).TotalMilliseconds);
        w.WriteStartObject("reply_ttls");
        foreach (var (ttl, count) in snapshot.ReplyTtlCounts)
        {
            w.WriteNumber(ttl.ToString(System.Globalization.CultureInfo.InvariantCulture), count);
        }
        w.WriteEndObject();
        w.WriteNumber("exit_code", end.ExitCode);
    }

    private static double? Ms(long? microseconds) => microseconds / 1000.0;

    private static void Optional(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, Math.Round(v, 6));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
