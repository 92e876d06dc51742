using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IcmpKit.Cli.Output;
using IcmpKit.Probe;
using IcmpKit.Sockets;
using IcmpKit.Wire.Extensions;

namespace IcmpKit.Cli.Probe;

/// <summary>
/// `icmpkit probe`: RFC 8335 extended echo. Asks the target (the proxy node) about one of its interfaces, by name,
/// index or address, and prints the reply's code, state and A/4/6 bits.
/// </summary>
internal static class ProbeCommand
{
    private static readonly string[] CodeNames = ["No Error", "Malformed Query", "No Such Interface", "No Such Table Entry", "Multiple Interfaces Satisfy Query"];
    private static readonly string[] StateNames = ["Reserved", "Incomplete", "Reachable", "Stale", "Delay", "Probe", "Failed", "Reserved"];

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var target = new Argument<string>("target") { Description = "The proxy node to ask (IPv4 or IPv6 address or name)." };
        var name = new Option<string?>("--name") { Description = "Probe the interface with this name (e.g. eth0)." };
        var index = new Option<uint?>("--index") { Description = "Probe the interface with this ifindex." };
        var address = new Option<string?>("--address") { Description = "Probe the interface with this address (or a neighbour's, with --remote)." };
        var remote = new Option<bool>("--remote") { Description = "Clear the L bit: the interface is not on the proxy node (RFC 8335 §2)." };
        var count = new Option<int>("-c") { Description = "Probes to send (1 to 255).", DefaultValueFactory = _ => 1 };
        var interval = new Option<double>("-i") { Description = "Seconds between probes.", DefaultValueFactory = _ => 1.0 };
        var timeout = new Option<double>("-W") { Description = "Seconds to wait for each reply.", DefaultValueFactory = _ => 2.0 };
        var v4 = new Option<bool>("-4") { Description = "IPv4 only." };
        var v6 = new Option<bool>("-6") { Description = "IPv6 only." };
        var socketKind = new Option<string?>("--socket") { Description = "Force the socket kind: dgram or raw." };
        var json = new Option<bool>("--ndjson") { Description = "One JSON object per reply (docs/ping-json.md)." };
        var command = new Command("probe", "Ask a node about an interface with RFC 8335 extended echo (PROBE).")
        {
            target, name, index, address, remote, count, interval, timeout, v4, v6, socketKind, json,
        };
        command.SetAction(async (result, token) =>
        {
            void Fail(string text) => stderr.WriteLine($"icmpkit: probe: {text}");
            int given = (result.GetValue(name) is not null ? 1 : 0) + (result.GetValue(index) is not null ? 1 : 0) + (result.GetValue(address) is not null ? 1 : 0);
            if (given != 1)
            {
                Fail("name the interface to probe with exactly one of --name, --index or --address");
                return ExitCodes.Usage;
            }
            int probes = result.GetValue(count);
            if (probes is < 1 or > 255)
            {
                Fail($"bad -c {probes}: give 1 to 255 (the sequence number has 8 bits)");
                return ExitCodes.Usage;
            }
            double seconds = result.GetValue(interval);
            double wait = result.GetValue(timeout);
            if (!double.IsFinite(seconds) || seconds < 0 || seconds > 2_000_000 || !double.IsFinite(wait) || wait <= 0 || wait > 2_000_000)
            {
                Fail("-i and -W are seconds: -i 0 to 2000000, -W above 0 up to 2000000");
                return ExitCodes.Usage;
            }
            InterfaceIdentificationObject query;
            string queryText;
            if (result.GetValue(name) is { } interfaceName)
            {
                if (interfaceName.Length is 0 or > 255)
                {
                    Fail($"bad interface name '{interfaceName}'");
                    return ExitCodes.Usage;
                }
                query = InterfaceIdentificationObject.ForName(interfaceName);
                queryText = $"interface name {interfaceName}";
            }
            else if (result.GetValue(index) is { } interfaceIndex)
            {
                query = InterfaceIdentificationObject.ForIndex(interfaceIndex);
                queryText = string.Create(CultureInfo.InvariantCulture, $"interface index {interfaceIndex}");
            }
            else
            {
                string text = result.GetValue(address)!;
                if (!IPAddress.TryParse(text, out var interfaceAddress))
                {
                    Fail($"bad --address {text}: give an IPv4 or IPv6 address");
                    return ExitCodes.Usage;
                }
                query = InterfaceIdentificationObject.ForAddress(interfaceAddress);
                queryText = $"interface address {interfaceAddress}";
            }
            string host = result.GetValue(target)!;
            var family = result.GetValue(v4) ? AddressFamily.InterNetwork : result.GetValue(v6) ? AddressFamily.InterNetworkV6 : AddressFamily.Unspecified;
            var destination = await HostNames.ResolveAsync(host, family, token).ConfigureAwait(false);
            if (destination is null)
            {
                Fail($"unknown host {host}; check the name, or give an IPv4/IPv6 address");
                return ExitCodes.Usage;
            }
            if (FlagValues.SocketKind(result.GetValue(socketKind), out var kind) is { } socketProblem)
            {
                Fail(socketProblem);
                return ExitCodes.Usage;
            }
            var options = new ProbeOptions
            {
                Interface = query,
                Count = probes,
                Interval = TimeSpan.FromSeconds(seconds),
                Timeout = TimeSpan.FromSeconds(wait),
                Local = !result.GetValue(remote),
                Socket = new IcmpSocketOptions { Kind = kind },
            };
            Prober prober;
            try
            {
                prober = new Prober(destination, options);
            }
            catch (IcmpSocketException e)
            {
                Fail(e.Message);
                return ExitCodes.Usage;
            }
            using var _ = prober;
            Ping.ProcessPrivileges.DropAfterSocketsOpen(stderr, "probe"); // the socket is open: no capability is needed from here on
            bool ndjson = result.GetValue(json);
            stdout.WriteLine(ndjson
                ? JsonOutput.Object(w =>
                {
                    w.WriteString("type", "probe_start");
                    w.WriteNumber("schema", 1);
                    w.WriteString("target", host);
                    w.WriteString("address", destination.ToString());
                    w.WriteString("query", queryText);
                    w.WriteString("socket", prober.SocketKind == IcmpSocketKind.Raw ? "raw" : "dgram");
                })
                : $"PROBE {host} ({destination}): {queryText}");
            int replies = 0;
            int answered = 0;
            await foreach (var item in prober.RunAsync(token).ConfigureAwait(false))
            {
                switch (item)
                {
                    case ProbeReply reply:
                        replies++;
                        answered += reply.Code == 0 ? 1 : 0;
                        stdout.WriteLine(ndjson ? JsonOutput.Object(w => WriteReply(w, reply)) : Text(reply));
                        break;
                    case ProbeError error:
                        stdout.WriteLine(ndjson
                            ? JsonOutput.Object(w =>
                            {
                                w.WriteString("type", "probe_error");
                                w.WriteNumber("seq", error.SequenceNumber);
                                w.WriteString("from", error.From?.ToString());
                                w.WriteNumber("icmp_type", error.Type);
                                w.WriteNumber("icmp_code", error.Code);
                            })
                            : $"From {error.From} seq={error.SequenceNumber} ICMP error type {error.Type} code {error.Code}");
                        break;
                    case ProbeTimeout timeoutEvent:
                        stdout.WriteLine(ndjson
                            ? JsonOutput.Object(w =>
                            {
                                w.WriteString("type", "probe_timeout");
                                w.WriteNumber("seq", timeoutEvent.SequenceNumber);
                            })
                            : $"no reply for seq={timeoutEvent.SequenceNumber}");
                        break;
                }
            }
            if (ndjson)
            {
                stdout.WriteLine(JsonOutput.Object(w =>
                {
                    w.WriteString("type", "probe_summary");
                    w.WriteNumber("transmitted", probes);
                    w.WriteNumber("replies", replies);
                    w.WriteNumber("answered", answered);
                }));
            }
            else
            {
                stdout.WriteLine();
                stdout.WriteLine($"--- {host} probe statistics ---");
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{probes} probes transmitted, {replies} replies, {answered} with no error"));
            }
            // Success is an answer about the interface: a reply coded "No Such Interface" (or any error code) is not one.
            return answered > 0 ? ExitCodes.Success : ExitCodes.NoReply;
        });
        return command;
    }

    /// <summary>
    /// One reply. The State field (RFC 8335 §3) describes a neighbour's entry when the probe named one by address;
    /// for the proxy's own interfaces Linux leaves it 0 ("reserved"), so it is shown only when set.
    /// </summary>
    private static string Text(ProbeReply reply) => string.Create(CultureInfo.InvariantCulture,
        $"reply from {reply.From}: seq={reply.SequenceNumber} code={reply.Code} ({(reply.Code < CodeNames.Length ? CodeNames[reply.Code] : "Unknown")}){(reply.State != 0 ? $" state={StateNames[reply.State & 7]}" : "")} A={(reply.Active ? 1 : 0)} 4={(reply.IPv4 ? 1 : 0)} 6={(reply.IPv6 ? 1 : 0)} time={Ping.IputilsText.FormatRtt(reply.RoundTripTime)} ms");

    private static void WriteReply(Utf8JsonWriter w, ProbeReply reply)
    {
        w.WriteString("type", "probe_reply");
        w.WriteNumber("seq", reply.SequenceNumber);
        w.WriteString("from", reply.From.ToString());
        w.WriteNumber("code", reply.Code);
        if (reply.State != 0)
        {
            w.WriteString("state", StateNames[reply.State & 7].ToLowerInvariant());
        }
        w.WriteBoolean("active", reply.Active);
        w.WriteBoolean("ipv4", reply.IPv4);
        w.WriteBoolean("ipv6", reply.IPv6);
        w.WriteNumber("rtt_ms", Math.Round(reply.RoundTripTime.TotalMilliseconds, 6));
    }

}
