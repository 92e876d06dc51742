using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IcmpKit.Cli.Output;
using IcmpKit.Responder;
using IcmpKit.Sockets;

namespace IcmpKit.Cli.Respond;

/// <summary>
/// `icmpkit respond`: answers as one or more addresses behind a path of emulated routers, through a TUN device it
/// creates, routes into and removes on exit (issue 4). This first version takes the path from flags; the config
/// file, extended echo, TCP and the raw-socket mode are still to come.
/// </summary>
internal static class RespondCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var tun = new Option<string>("--tun") { Description = "Name of the TUN device to create (at most 15 bytes).", Required = true };
        var addresses = new Option<string[]>("--address") { Description = "Address to answer as (IPv4 or IPv6; repeat for more).", Required = true, AllowMultipleArgumentsPerToken = true };
        var hops = new Option<string?>("--hops") { Description = "Routers in front of the host: A1,A2,... or a count N (IPv4 198.19.255.k, IPv6 fd42:ffff::k)." };
        var delay = new Option<string?>("--delay") { Description = "Round-trip delay the host adds, e.g. 10ms, 1.5s, 250us (a bare number is ms)." };
        var hopDelay = new Option<string?>("--hop-delay") { Description = "Round-trip delay each hop adds." };
        var loss = new Option<double>("--loss") { Description = "Probability (0 to 1) that the host loses a request." };
        var mask = new Option<string?>("--address-mask") { Description = "Answer address mask requests with this mask (RFC 950; RFC 1122 §3.2.2.9)." };
        var json = new Option<bool>("--json") { Description = "On exit, print the counters as one JSON document." };
        var command = new Command("respond", "Answer ICMP as a host behind emulated routers, through a TUN device.")
        {
            tun, addresses, hops, delay, hopDelay, loss, mask, json,
        };
        command.SetAction((result, token) =>
        {
            void Fail(string text) => stderr.WriteLine($"icmpkit: respond: {text}");
            var hosts = new List<IPAddress>();
            foreach (string text in (result.GetValue(addresses) ?? []).SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries)))
            {
                if (!IPAddress.TryParse(text, out var address))
                {
                    Fail($"bad --address {text}: give an IPv4 or IPv6 address");
                    return Task.FromResult(ExitCodes.Usage);
                }
                hosts.Add(address);
            }
            if (!TryDuration(result.GetValue(delay), out var hostDelay) || !TryDuration(result.GetValue(hopDelay), out var perHop))
            {
                Fail("bad --delay or --hop-delay: give a duration such as 10ms, 1.5s or 250us");
                return Task.FromResult(ExitCodes.Usage);
            }
            double lossValue = result.GetValue(loss);
            if (!double.IsFinite(lossValue) || lossValue is < 0 or > 1)
            {
                Fail($"bad --loss {lossValue.ToString(CultureInfo.InvariantCulture)}: give a probability from 0 to 1");
                return Task.FromResult(ExitCodes.Usage);
            }
            IPAddress? maskValue = null;
            if (result.GetValue(mask) is { } maskText && !IPAddress.TryParse(maskText, out maskValue))
            {
                Fail($"bad --address-mask {maskText}: give a mask such as 255.255.255.0");
                return Task.FromResult(ExitCodes.Usage);
            }
            var (path, problem) = Hops(result.GetValue(hops), hosts, perHop);
            if (path is null)
            {
                Fail(problem!);
                return Task.FromResult(ExitCodes.Usage);
            }
            ResponderCore core;
            try
            {
                core = new ResponderCore(new ResponderOptions { Addresses = hosts, Hops = path, Delay = hostDelay, Loss = lossValue, AddressMask = maskValue });
            }
            catch (ArgumentException e)
            {
                Fail(e.Message.Split('\n')[0]);
                return Task.FromResult(ExitCodes.Usage);
            }
            string name = result.GetValue(tun)!;
            TunDevice device;
            try
            {
                device = TunDevice.Create(name);
                foreach (var address in hosts.Concat(path.Select(h => h.Address)))
                {
                    NetlinkRoutes.Add(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32, name);
                }
            }
            catch (IcmpSocketException e)
            {
                Fail(e.Message);
                return Task.FromResult(ExitCodes.Usage);
            }
            // The device (and with it every route through it) goes when it is closed: on Ctrl+C, SIGTERM or a failure.
            using (device)
            {
                string hopText = path.Count == 0 ? "no hops" : $"{path.Count} hops ({string.Join(", ", path.Select(h => h.Address))})";
                stdout.WriteLine($"respond: {name} up; answering as {string.Join(", ", hosts)} behind {hopText}; Ctrl+C to stop");
                stdout.Flush();
                var responder = new TunResponder(device, core);
                responder.Run(token);
                WriteCounters(core.Counters.Snapshot(), result.GetValue(json), stdout);
            }
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>--hops as a list of addresses, or a count of generated ones in each family the host has.</summary>
    private static (List<ResponderHop>? Hops, string? Problem) Hops(string? text, List<IPAddress> hosts, TimeSpan delay)
    {
        var path = new List<ResponderHop>();
        if (string.IsNullOrEmpty(text))
        {
            return (path, null);
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            if (count is < 0 or > 64)
            {
                return (null, $"bad --hops {text}: give 0 to 64 hops, or their addresses");
            }
            for (int k = 1; k <= count; k++)
            {
                if (hosts.Any(h => h.AddressFamily == AddressFamily.InterNetwork))
                {
                    path.Add(new ResponderHop { Address = IPAddress.Parse($"198.19.255.{k}"), Delay = delay });
                }
                if (hosts.Any(h => h.AddressFamily == AddressFamily.InterNetworkV6))
                {
                    path.Add(new ResponderHop { Address = IPAddress.Parse($"fd42:ffff::{k:x}"), Delay = delay });
                }
            }
            return (path, null);
        }
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPAddress.TryParse(part, out var address))
            {
                return (null, $"bad hop address {part} in --hops: give addresses separated by commas, or a count");
            }
            path.Add(new ResponderHop { Address = address, Delay = delay });
        }
        return (path, null);
    }

    private static bool TryDuration(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        (string number, double scale) = text.EndsWith("us", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1.0)
            : text.EndsWith('s') ? (text[..^1], 1000.0)
            : (text, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double amount) || !double.IsFinite(amount)
            || amount < 0 || amount * scale > 3_600_000)
        {
            return false;
        }
        value = TimeSpan.FromMilliseconds(amount * scale);
        return true;
    }

    private static void WriteCounters(ResponderCountersSnapshot counters, bool json, TextWriter stdout)
    {
        if (json)
        {
            stdout.WriteLine(JsonOutput.Object(w =>
            {
                w.WriteString("type", "respond_summary");
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
            }));
            return;
        }
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"respond: {counters.Received} packets received, {counters.TotalAnswered} answered, {counters.TotalDropped} dropped"));
        foreach (var (kind, count) in counters.Answered.Where(p => p.Value > 0))
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  answered {Snake(kind.ToString())}: {count}"));
        }
        foreach (var (reason, count) in counters.Dropped.Where(p => p.Value > 0))
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  dropped {Snake(reason.ToString())}: {count}"));
        }
    }

    private static string Snake(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
