using System.CommandLine;
using System.Runtime.InteropServices;
using IcmpKit.Cli;
using IcmpKit.Cli.Decode;
using IcmpKit.Cli.Ping;
using IcmpKit.Cli.Probe;
using IcmpKit.Cli.Respond;

return IcmpKitCli.Run(args, Console.Out, Console.Error, Console.In);

namespace IcmpKit.Cli
{
    /// <summary>The `icmpkit` command: verbs, parse errors as one line and exit code 2, never a stack trace.</summary>
    internal static class IcmpKitCli
    {
        public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin)
        {
            var root = new RootCommand("IcmpKit: the ICMP toolkit: ping (echo, timestamp, mask, info), probe (RFC 8335), respond (a host behind emulated routers), and decode ICMPv4/ICMPv6 packets field by field.")
            {
                PingCommand.Create(stdout, stderr),
                ProbeCommand.Create(stdout, stderr),
                Trace.TraceCommand.Create(stdout, stderr),
                Trace.MtrCommand.Create(stdout, stderr),
                RespondCommand.Create(stdout, stderr),
                DecodeCommand.Create(stdout, stderr, stdin),
            };
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                string verb = parse.CommandResult.Command == root ? "icmpkit" : $"icmpkit {parse.CommandResult.Command.Name}";
                // Name the stray token when there is one ("icmpkit bogus"), rather than the first error
                // ("Required command was not provided"); drop the message's full stop before "; see".
                string message = parse.UnmatchedTokens.Count > 0
                    ? $"unknown command or argument '{parse.UnmatchedTokens[0]}'"
                    : parse.Errors[0].Message.TrimEnd('.');
                stderr.WriteLine($"icmpkit: {message}; see '{verb} --help'");
                return ExitCodes.Usage;
            }
            using var stop = new CancellationTokenSource();
            using var signals = new StopSignals(stop);
            try
            {
                // Our own SIGINT/SIGTERM handling (StopSignals), not System.CommandLine's: its handler throws from the
                // signal thread when a second signal arrives (e.g. `timeout` and `kill` both sending SIGTERM).
                var configuration = new InvocationConfiguration
                {
                    Output = stdout,
                    Error = stderr,
                    EnableDefaultExceptionHandler = false,
                    ProcessTerminationTimeout = null,
                };
                return parse.InvokeAsync(configuration, stop.Token).GetAwaiter().GetResult();
            }
#pragma warning disable CA1031 // The last line of defence: one line, exit 2, never a stack trace.
            catch (Exception e)
#pragma warning restore CA1031
            {
                stderr.WriteLine($"icmpkit: internal error: {e.GetType().Name}: {e.Message} (please report this)");
                return ExitCodes.Usage;
            }
        }
    }

    /// <summary>
    /// Ctrl+C and SIGTERM: the first cancels the command's token, so ping prints its summary and respond its counters,
    /// and the process exits 130 / 143 after 2 s if the command has not ended by then (as System.CommandLine does).
    /// Further signals change nothing: `timeout` and `kill` together, or a second Ctrl+C, must not cut the summary short.
    /// </summary>
    internal sealed class StopSignals : IDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly PosixSignalRegistration _interrupt;
        private readonly PosixSignalRegistration _terminate;
        private int _received;

        public StopSignals(CancellationTokenSource stop)
        {
            _stop = stop;
            _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => OnSignal(context, 130));
            _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => OnSignal(context, 143));
        }

        private void OnSignal(PosixSignalContext context, int exitCode)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref _received) > 1)
            {
                return; // already stopping, and the timer below bounds how long that may take
            }
            _stop.Cancel();
            _ = Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None).ContinueWith(_ => Environment.Exit(exitCode), TaskScheduler.Default);
        }

        public void Dispose()
        {
            _interrupt.Dispose();
            _terminate.Dispose();
        }
    }
}
