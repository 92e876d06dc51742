using System.Globalization;
using System.Net;
using System.Net.Sockets;
using IcmpKit.Ping;
using IcmpKit.Sockets;

namespace IcmpKit.Cli.Ping;

/// <summary>iputils ping's text, line for line where it can (iputils ping.c / ping_common.c, Debian 12 20221126).</summary>
internal sealed class PingTextReport(TextWriter stdout, TextWriter stderr) : IPingReport
{
    private readonly RecordRouteMemory _route = new();
    private readonly bool[] _answered = new bool[65536];
    private readonly Dictionary<IPAddress, string> _names = [];
    private PingArguments _arguments = null!;
    private bool _v6;
    private bool _flood;
    private long _sent;

    public void Start(PingStart start)
    {
        _arguments = start.Arguments;
        _v6 = start.Arguments.Address.AddressFamily == AddressFamily.InterNetworkV6;
        _flood = start.Arguments.Options.Flood;
        var a = start.Arguments;
        if (a.Verbose)
        {
            string why = start.Pinger.SocketKind == IcmpSocketKind.Raw && start.Pinger.WhyNotDatagram.Length > 0 ? $" ({start.Pinger.WhyNotDatagram})" : "";
            stdout.WriteLine($"icmpkit: using a {(start.Pinger.SocketKind == IcmpSocketKind.Raw ? "raw" : "datagram")} ICMP socket{why}, identifier {start.Pinger.Identifier}");
        }
        if (a.PatternHex is { } pattern && !a.Quiet)
        {
            stdout.WriteLine($"PATTERN: 0x{pattern}");
        }
        string from = start.SourceText is { } source ? $" from {source}:" : "";
        int size = a.Options.RequestType switch
        {
            PingRequestType.Timestamp => 12,
            PingRequestType.AddressMask => 4,
            PingRequestType.Information => 0,
            _ => a.Options.PayloadSize,
        };
        if (_v6)
        {
            stdout.WriteLine($"PING {a.Host}({a.Address}){(from.Length > 0 ? from : "")} {size} data bytes");
        }
        else
        {
            // iputils reserves the whole 40-byte options space whenever -R or -T is given.
            int total = size + 28 + (a.Options.Socket.IPv4Options.IsEmpty ? 0 : 40);
            stdout.WriteLine($"PING {a.Host} ({a.Address}){(from.Length > 0 ? from : "")} {size}({total}) bytes of data.");
        }
    }

    public void Event(PingEvent item)
    {
        switch (item)
        {
            case PingSent sent:
                OnSent(sent.SequenceNumber);
                break;
            case PingSendFailed failed:
                stderr.WriteLine($"icmpkit: ping: sendmsg: {failed.Message}");
                break;
            case PingReply reply:
                OnReply(reply);
                break;
            case PingError error:
                OnError(error);
                break;
        }
    }

    private void OnSent(ushort sequence)
    {
        // iputils -O: before sending, say so when the previous request is still unanswered.
        if (_arguments.ReportOutstanding && _sent > 0 && !_arguments.Quiet && !_answered[(ushort)(sequence - 1)])
        {
            stdout.WriteLine($"{Prefix(DateTimeOffset.UtcNow)}no answer yet for icmp_seq={(ushort)(sequence - 1)}");
        }
        _answered[sequence] = false;
        _sent++;
        if (_flood && !_arguments.Quiet)
        {
            stdout.Write('.');
        }
    }

    private void OnReply(PingReply reply)
    {
        if (!reply.IsChecksumBad)
        {
            _answered[reply.SequenceNumber] = true;
        }
        if (_arguments.Quiet)
        {
            return;
        }
        if (_flood)
        {
            stdout.Write(reply.IsChecksumBad ? "\bC" : "\b \b");
            return;
        }
        var line = new System.Text.StringBuilder();
        line.Append(Prefix(reply.ReceivedAt));
        line.Append(CultureInfo.InvariantCulture, $"{reply.Bytes} bytes from {Name(reply.From)}: icmp_seq={reply.SequenceNumber}");
        if (reply.TimeToLive is { } ttl)
        {
            line.Append(CultureInfo.InvariantCulture, $" ttl={ttl}");
        }
        if (reply.WrongData is { } cut && cut.Index == reply.Bytes - 8)
        {
            // Shorter than the request: the engine marks the first missing byte, which has no value to show. iputils
            // (gather_statistics) ends the line with " (truncated)" here and prints nothing more for the reply.
            line.Append(" (truncated)");
            stdout.WriteLine(line.ToString());
            return;
        }
        if (Timing)
        {
            line.Append(CultureInfo.InvariantCulture, $" time={IputilsText.FormatRtt(reply.RoundTripTime)} ms");
        }
        if (reply.IsDuplicate)
        {
            line.Append(" (DUP!)");
        }
        if (reply.IsChecksumBad)
        {
            line.Append(" (BAD CHECKSUM!)");
        }
        if (reply.WrongData is { } wrong && reply.Timestamps is null)
        {
            line.Append(CultureInfo.InvariantCulture, $"\nwrong data byte #{wrong.Index} should be 0x{wrong.Expected:x} but was 0x{wrong.Actual:x}");
        }
        if (reply.Timestamps is { } t)
        {
            line.Append('\n').Append(TimestampText.Describe(t));
        }
        if (reply.AddressMask is { } mask)
        {
            line.Append(CultureInfo.InvariantCulture, $" mask={mask}");
        }
        if (!reply.IPv4Options.IsEmpty)
        {
            line.Append(IPv4OptionText.Describe(reply.IPv4Options.Span, _route));
        }
        stdout.WriteLine(line.ToString());
    }

    private void OnError(PingError error)
    {
        if (_arguments.Quiet)
        {
            return;
        }
        if (_flood)
        {
            stdout.Write('E');
            return;
        }
        if (error.IsLocal)
        {
            // iputils receive_error_msg(): local errors go to stderr, without a sequence number.
            stderr.WriteLine(error.Mtu is { } mtu
                ? $"icmpkit: ping: local error: message too long, mtu{(_v6 ? ": " : "=")}{mtu}" // iputils words the two families differently
                : $"icmpkit: ping: local error: {IcmpSocket.DescribeError(error.ErrorNumber)}");
            return;
        }
        string from = error.From is null ? "?" : Name(error.From);
        stdout.WriteLine($"{Prefix(DateTimeOffset.UtcNow)}From {from} icmp_seq={error.SequenceNumber} {IputilsText.Describe(error)}");
    }

    public void End(PingEnd end)
    {
        var s = end.Statistics;
        stdout.WriteLine();
        stdout.WriteLine($"--- {_arguments.Host} ping statistics ---");
        var line = new System.Text.StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{s.Transmitted} packets transmitted, {s.Received} received");
        if (s.Duplicates > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $", +{s.Duplicates} duplicates");
        }
        if (end.Corrupted > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $", +{end.Corrupted} corrupted");
        }
        if (s.Errors > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $", +{s.Errors} errors");
        }
        if (s.FormatIputilsLossPercent() is { } loss)
        {
            line.Append(CultureInfo.InvariantCulture, $", {loss}% packet loss");
        }
        // iputils: 1000 * tv_sec + (tv_nsec + 500000) / 1000000, milliseconds rounded.
        long milliseconds = (long)((end.Elapsed.Ticks + (TimeSpan.TicksPerMillisecond / 2)) / TimeSpan.TicksPerMillisecond);
        line.Append(CultureInfo.InvariantCulture, $", time {milliseconds}ms");
        stdout.WriteLine(line.ToString());
        // iputils always ends with this line, empty when there is nothing to put on it.
        var rtt = new List<string>();
        if (Timing && s.FormatIputilsRtt() is { } numbers)
        {
            rtt.Add($"rtt min/avg/max/mdev = {numbers} ms");
        }
        if (end.Pipe > 1)
        {
            rtt.Add(string.Create(CultureInfo.InvariantCulture, $"pipe {end.Pipe}"));
        }
        var options = _arguments.Options;
        if (Timing && (options.Interval == TimeSpan.Zero || options.Flood || options.Adaptive) && s.FormatIputilsIpgEwma(end.Elapsed) is { } ipg)
        {
            rtt.Add($"ipg/ewma {ipg} ms");
        }
        stdout.WriteLine(string.Join(", ", rtt));
        if (_arguments.Stats)
        {
            foreach (string extra in StatisticsText.Lines(s, options.Interval))
            {
                stdout.WriteLine(extra);
            }
        }
    }

    /// <summary>
    /// iputils times replies only when the data can hold its timeval (16 bytes): with less it prints no "time=" and
    /// no rtt line. The text keeps to that, line for line; the RTT is still measured (from the send times kept here)
    /// and given by --json, --ndjson and --stats.
    /// </summary>
    private bool Timing => _arguments.Options.RequestType != PingRequestType.Echo || _arguments.Options.PayloadSize >= 16;

    private string Prefix(DateTimeOffset at)
    {
        if (!_arguments.PrintTimestamps)
        {
            return "";
        }
        long micros = (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        return string.Create(CultureInfo.InvariantCulture, $"[{micros / 1_000_000}.{micros % 1_000_000:000000}] ");
    }

    /// <summary>iputils pr_addr(): the address, or "name (address)" when the target was a name and -n is not given.</summary>
    private string Name(IPAddress address)
    {
        if (_arguments.Numeric || IPAddress.TryParse(_arguments.Host, out _))
        {
            return address.ToString();
        }
        if (!_names.TryGetValue(address, out string? text))
        {
            string? name = address.Equals(_arguments.Address) ? _arguments.Host : ReverseLookup(address);
            text = name is null ? address.ToString() : $"{name} ({address})";
            _names[address] = text;
        }
        return text;
    }

    private static string? ReverseLookup(IPAddress address)
    {
        try
        {
            var lookup = Dns.GetHostEntryAsync(address);
            return lookup.Wait(TimeSpan.FromSeconds(1)) ? lookup.Result.HostName : null; // a slow resolver must not stall the run
        }
        catch (AggregateException)
        {
            return null;
        }
    }
}
