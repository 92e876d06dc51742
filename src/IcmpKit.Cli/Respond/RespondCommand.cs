using System.CommandLine;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IcmpKit.Responder;
using IcmpKit.Sockets;

namespace IcmpKit.Cli.Respond;

/// <summary>
/// `icmpkit respond`: answers as one or more addresses behind a path of emulated routers (issue 4), either through a
/// TUN device it creates, routes into and removes on exit, or on an existing interface through a packet socket.
/// Settings come from flags, a config file (docs/respond.md), or both (flags win).
/// </summary>
internal static class RespondCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var tun = new Option<string?>("--tun") { Description = "Create this TUN device (at most 15 bytes) and route the addresses into it." };
        var onInterface = new Option<string?>("--interface") { Description = "Instead of a TUN: answer ICMP on this existing interface through a packet socket (turn the kernel's echo replies off: net.ipv4.icmp_echo_ignore_all=1)." };
        var addresses = new Option<string[]>("--address") { Description = "Address to answer as (IPv4 or IPv6; repeat for more).", AllowMultipleArgumentsPerToken = true };
        var hops = new Option<string?>("--hops") { Description = "Routers in front of the host: A1,A2,... or a count N (IPv4 198.19.255.k, IPv6 fd42:ffff::k)." };
        var delay = new Option<string?>("--delay") { Description = "Round-trip delay the host adds, e.g. 10ms, 1.5s, 250us (a bare number is ms)." };
        var hopDelay = new Option<string?>("--hop-delay") { Description = "Round-trip delay each hop adds." };
        var loss = new Option<double?>("--loss") { Description = "Probability (0 to 1) that the host loses a request." };
        var mask = new Option<string?>("--address-mask") { Description = "Answer address mask requests with this mask (RFC 950; RFC 1122 §3.2.2.9)." };
        var tcp = new Option<string?>("--tcp") { Description = "Answer to a TCP SYN: reset (RST, a closed port) or silent (a filtered port)." };
        var config = new Option<string?>("--config") { Description = "JSON file with every setting, per hop too (docs/respond.md); flags given override it." };
        var seed = new Option<int?>("--seed") { Description = "Seed for loss, jitter, duplication and reordering, for repeatable runs." };
        var status = new Option<double?>("--status") { Description = "Print the counters every N seconds (default: each second in place on a terminal, else only on SIGQUIT and exit)." };
        var json = new Option<bool>("--json") { Description = "Counters as JSON: one line per report (--status, SIGQUIT) and a summary on exit." };
        var command = new Command("respond", "Answer ICMP as a host behind emulated routers, through a TUN device or on an interface.")
        {
            tun, onInterface, addresses, hops, delay, hopDelay, loss, mask, tcp, config, seed, status, json,
        };
        command.SetAction((result, token) =>
        {
            void Fail(string text) => stderr.WriteLine($"icmpkit: respond: {text}");
            string? device = result.GetValue(tun);
            string? link = result.GetValue(onInterface);
            if ((device is null) == (link is null))
            {
                Fail("give either --tun NAME (a new TUN device) or --interface NAME (an existing interface)");
                return Task.FromResult(ExitCodes.Usage);
            }
            double? interval = result.GetValue(status);
            if (interval is double seconds && !(seconds >= 0.1 && seconds <= 86_400))
            {
                Fail("bad --status: give seconds from 0.1 to 86400");
                return Task.FromResult(ExitCodes.Usage);
            }
            var arguments = new RespondArguments
            {
                ConfigFile = result.GetValue(config),
                Addresses = result.GetValue(addresses) ?? [],
                Hops = result.GetValue(hops),
                Delay = result.GetValue(delay),
                HopDelay = result.GetValue(hopDelay),
                Loss = result.GetValue(loss),
                AddressMask = result.GetValue(mask),
                Tcp = result.GetValue(tcp),
                Seed = result.GetValue(seed),
            };
            var (options, problem) = arguments.Resolve();
            if (options is null)
            {
                Fail(problem!);
                return Task.FromResult(ExitCodes.Usage);
            }
            ResponderCore core;
            try
            {
                core = new ResponderCore(options);
            }
            catch (ArgumentException e)
            {
                Fail(e.Message.Split('\n')[0]);
                return Task.FromResult(ExitCodes.Usage);
            }
            ResponderCore.WarmUp(options); // so the first real answers are on time
            var report = new RespondReport(stdout, result.GetValue(json), interval, live: interval is null && !Console.IsOutputRedirected && stdout == Console.Out);
            try
            {
                return Task.FromResult(device is not null
                    ? RunOnTun(device, options, core, report, token)
                    : RunOnInterface(link!, options, core, report, token));
            }
            catch (IcmpSocketException e)
            {
                Fail(e.Message);
                return Task.FromResult(ExitCodes.Usage);
            }
        });
        return command;
    }

    private static int RunOnTun(string name, ResponderOptions options, ResponderCore core, RespondReport report, CancellationToken token)
    {
        // The device (and with it every route through it) goes when it is closed: on Ctrl+C, SIGTERM or a failure.
        using var device = TunDevice.Create(name);
        foreach (var address in options.Addresses.Concat(options.Hops.Select(h => h.Address)))
        {
            NetlinkRoutes.Add(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32, name);
        }
        report.Started($"{name} up", options);
        var responder = new TunResponder(device, core);
        return Serve(core, report, () => responder.Run(token), token);
    }

    private static int RunOnInterface(string name, ResponderOptions options, ResponderCore core, RespondReport report, CancellationToken token)
    {
        using var socket = PacketSocket.Open(name);
        report.Started($"on {name}", options);
        var responder = new InterfaceResponder(socket, core);
        return Serve(core, report, () => responder.Run(token), token);
    }

    /// <summary>Runs the adapter on this thread; counters go out on SIGQUIT, every --status interval, and at the end.</summary>
    private static int Serve(ResponderCore core, RespondReport report, Action run, CancellationToken token)
    {
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, context =>
        {
            context.Cancel = true;
            report.Status(core.Counters.Snapshot());
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var ticker = report.Interval is TimeSpan every
            ? Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(every);
                try
                {
                    while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
                    {
                        report.Status(core.Counters.Snapshot());
                    }
                }
                catch (OperationCanceledException)
                {
                    // stopping
                }
            }, CancellationToken.None)
            : Task.CompletedTask;
        run();
        stop.Cancel();
        ticker.Wait(TimeSpan.FromSeconds(2), CancellationToken.None);
        report.Summary(core.Counters.Snapshot());
        return ExitCodes.Success;
    }
}
