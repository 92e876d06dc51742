using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using IcmpKit.Ping;
using IcmpKit.Sockets;
using IcmpKit.Statistics;

namespace IcmpKit.Cli.Ping;

/// <summary>
/// `icmpkit ping`: iputils' flags and text, line for line where it can. This first version covers the core
/// flags; the full option set, kernel timestamps and JSON output come with the socket layer.
/// </summary>
internal static class PingCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var target = new Argument<string>("destination") { Description = "Host name or IPv4/IPv6 address." };
        var count = new Option<int?>("-c") { Description = "Stop after sending this many requests." };
        var interval = new Option<double>("-i") { Description = "Seconds between requests (below 0.002 only as root).", DefaultValueFactory = _ => 1.0 };
        var timeout = new Option<double>("-W") { Description = "Seconds to wait for each reply.", DefaultValueFactory = _ => 10.0 };
        var deadline = new Option<double?>("-w") { Description = "Stop after this many seconds." };
        var size = new Option<int>("-s") { Description = "Data bytes per request (0 to 65507).", DefaultValueFactory = _ => 56 };
        var ttl = new Option<int?>("-t") { Description = "IP time to live / hop limit (1 to 255)." };
        var quiet = new Option<bool>("-q") { Description = "Print only the summary." };
        var v4 = new Option<bool>("-4") { Description = "Use IPv4 only." };
        var v6 = new Option<bool>("-6") { Description = "Use IPv6 only." };
        var verbose = new Option<bool>("-v") { Description = "Say which socket kind is used, and why." };
        var socketKind = new Option<string?>("--socket") { Description = "Force the socket kind: dgram or raw." };
        socketKind.AcceptOnlyFromAmong("dgram", "raw");
        var command = new Command("ping", "Send ICMP echo requests, as iputils ping.")
        {
            target, count, interval, timeout, deadline, size, ttl, quiet, v4, v6, verbose, socketKind,
        };
        command.SetAction(async (result, token) =>
        {
            string host = result.GetValue(target)!;
            var problem = Validate(result.GetValue(count), result.GetValue(interval), result.GetValue(timeout), result.GetValue(deadline),
                result.GetValue(size), result.GetValue(ttl), result.GetValue(v4) && result.GetValue(v6));
            if (problem is not null)
            {
                stderr.WriteLine($"icmpkit: ping: {problem}");
                return ExitCodes.Usage;
            }
            var family = result.GetValue(v4) ? AddressFamily.InterNetwork : result.GetValue(v6) ? AddressFamily.InterNetworkV6 : AddressFamily.Unspecified;
            if (IPAddress.TryParse(host, out var literal) && family != AddressFamily.Unspecified && literal.AddressFamily != family)
            {
                string flag = family == AddressFamily.InterNetwork ? "-4" : "-6";
                stderr.WriteLine($"icmpkit: ping: {host} is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address; drop {flag} or give another address");
                return ExitCodes.Usage;
            }
            var address = await ResolveAsync(host, family, token).ConfigureAwait(false);
            if (address is null)
            {
                stderr.WriteLine($"icmpkit: ping: unknown host {host}; check the name, or give an IPv4/IPv6 address");
                return ExitCodes.Usage;
            }
            var options = new PingOptions
            {
                Count = result.GetValue(count),
                Interval = TimeSpan.FromSeconds(result.GetValue(interval)),
                Timeout = TimeSpan.FromSeconds(result.GetValue(timeout)),
                Deadline = result.GetValue(deadline) is { } w ? TimeSpan.FromSeconds(w) : null,
                PayloadSize = result.GetValue(size),
                TimeToLive = result.GetValue(ttl),
                SocketKind = result.GetValue(socketKind) switch { "dgram" => IcmpSocketKind.Datagram, "raw" => IcmpSocketKind.Raw, _ => null },
            };
            return await RunAsync(host, address, options, result.GetValue(quiet), result.GetValue(verbose), stdout, stderr, token).ConfigureAwait(false);
        });
        return command;
    }

    private static string? Validate(int? count, double interval, double timeout, double? deadline, int size, int? ttl, bool both)
    {
        if (both)
        {
            return "-4 and -6 exclude each other; give one";
        }
        if (count is < 1)
        {
            return $"bad number of packets to transmit: -c {count}; give 1 or more";
        }
        if (!double.IsFinite(interval) || interval < 0 || interval > 2_000_000)
        {
            return $"bad timing interval: -i {interval.ToString(CultureInfo.InvariantCulture)}; give seconds, 0 or more";
        }
        // iputils: intervals below 2 ms need privilege (a flood by an unprivileged user is refused).
        if (interval < 0.002 && !Environment.IsPrivilegedProcess)
        {
            return "cannot flood; minimal interval allowed for user is 2ms (-i 0.002)";
        }
        if (!double.IsFinite(timeout) || timeout <= 0 || timeout > 2_000_000)
        {
            return $"bad linger time: -W {timeout.ToString(CultureInfo.InvariantCulture)}; give seconds above 0";
        }
        if (deadline is { } w && (!double.IsFinite(w) || w <= 0 || w > 2_000_000))
        {
            return $"bad wait time: -w {w.ToString(CultureInfo.InvariantCulture)}; give seconds above 0";
        }
        if (size is < 0 or > 65507)
        {
            return $"invalid -s value: '{size}': out of range: 0 <= value <= 65507";
        }
        if (ttl is < 1 or > 255)
        {
            return $"invalid -t value: '{ttl}': out of range: 1 <= value <= 255";
        }
        return null;
    }

    private static async Task<IPAddress?> ResolveAsync(string host, AddressFamily family, CancellationToken token)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return family == AddressFamily.Unspecified || literal.AddressFamily == family ? literal : null;
        }
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, family, token).ConfigureAwait(false);
            return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static async Task<int> RunAsync(string host, IPAddress address, PingOptions options, bool quiet, bool verbose,
        TextWriter stdout, TextWriter stderr, CancellationToken token)
    {
        Pinger pinger;
        try
        {
            pinger = new Pinger(address, options);
        }
        catch (IcmpSocketException e)
        {
            stderr.WriteLine($"icmpkit: ping: {e.Message}");
            return ExitCodes.Usage;
        }
        using var _ = pinger;
        if (verbose)
        {
            string why = pinger.SocketKind == IcmpSocketKind.Raw && pinger.WhyNotDatagram.Length > 0 ? $" ({pinger.WhyNotDatagram})" : "";
            stdout.WriteLine($"icmpkit: using a {(pinger.SocketKind == IcmpSocketKind.Raw ? "raw" : "datagram")} ICMP socket{why}");
        }
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        stdout.WriteLine(v6
            ? $"PING {host} ({address}) {options.PayloadSize} data bytes"
            : $"PING {host} ({address}) {options.PayloadSize}({options.PayloadSize + 28}) bytes of data.");
        var rtts = new RttStatistics();
        int transmitted = 0, received = 0, duplicates = 0, errors = 0;
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            await foreach (var item in pinger.RunAsync(token).ConfigureAwait(false))
            {
                switch (item)
                {
                    case PingSent:
                        transmitted++;
                        break;
                    case PingReply reply:
                        if (reply.IsDuplicate)
                        {
                            duplicates++;
                        }
                        else
                        {
                            received++;
                            rtts.Add(reply.RoundTripTime.TotalMilliseconds);
                        }
                        if (!quiet)
                        {
                            string ttlText = reply.TimeToLive is { } t ? $" {(v6 ? "hlim" : "ttl")}={t}" : "";
                            string dup = reply.IsDuplicate ? " (DUP!)" : "";
                            stdout.WriteLine($"{reply.Bytes} bytes from {reply.From}: icmp_seq={reply.SequenceNumber}{ttlText} time={IputilsText.FormatRtt(reply.RoundTripTime)} ms{dup}");
                        }
                        break;
                    case PingError error:
                        errors++;
                        if (!quiet)
                        {
                            stdout.WriteLine($"From {error.From} icmp_seq={error.SequenceNumber} {IputilsText.Describe(error)}");
                        }
                        break;
                }
            }
        }
        catch (SocketException e)
        {
            stderr.WriteLine($"icmpkit: ping: sending to {address} failed: {e.Message}");
            return ExitCodes.Usage;
        }
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        stdout.WriteLine();
        stdout.WriteLine($"--- {host} ping statistics ---");
        var line = new System.Text.StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{transmitted} packets transmitted, {received} received");
        if (duplicates > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $", +{duplicates} duplicates");
        }
        if (errors > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $", +{errors} errors");
        }
        double loss = transmitted == 0 ? 0 : (transmitted - received) * 100.0 / transmitted;
        line.Append(CultureInfo.InvariantCulture, $", {loss:G6}% packet loss, time {(long)elapsed.TotalMilliseconds}ms");
        stdout.WriteLine(line.ToString());
        if (received > 0)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rtt min/avg/max/mdev = {rtts.MinimumMilliseconds:F3}/{rtts.AverageMilliseconds:F3}/{rtts.MaximumMilliseconds:F3}/{rtts.MeanDeviation:F3} ms"));
        }
        return received > 0 ? ExitCodes.Success : ExitCodes.NoReply;
    }
}
