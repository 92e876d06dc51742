using System.CommandLine;
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
            try
            {
                return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
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
}
