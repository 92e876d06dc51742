using System.CommandLine;
using System.Text.Json;
using IcmpKit.Cli;
using IcmpKit.Cli.Decode;

namespace IcmpKit.Fuzz;

/// <summary>
/// The CLI's `icmpkit decode` (src/IcmpKit.Cli/Decode) on fuzzed bytes, console-free: the command writes to string
/// writers, and an exception escapes (System.CommandLine's handler is off) instead of becoming "internal error".
/// </summary>
internal static class Decode
{
    /// <summary>The capture goes through a file, as `decode --pcap FILE` reads one; in /dev/shm when there is one.</summary>
    private static readonly string CapturePath = Path.Combine(
        Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"icmpkit-fuzz-{Environment.ProcessId}.pcap");

    public static void Pcap(byte[] file, bool json)
    {
        File.WriteAllBytes(CapturePath, file);
        Invoke(json ? ["--pcap", CapturePath, "--json"] : ["--pcap", CapturePath], json);
    }

    /// <summary>One packet given as hex; the first byte chooses where it starts (IP, --icmp, --icmpv6) and --json.</summary>
    public static void Packet(byte[] data)
    {
        if (data.Length == 0)
        {
            return;
        }
        string[] start = (data[0] % 3) switch
        {
            0 => [],
            1 => ["--icmp"],
            _ => ["--icmpv6"],
        };
        bool json = (data[0] & 4) != 0;
        string hex = data.Length == 1 ? "" : Convert.ToHexString(data, 1, data.Length - 1);
        if (hex.Length == 0)
        {
            return; // no HEX argument would read stdin instead
        }
        Invoke([.. start, .. json ? ["--json"] : Array.Empty<string>(), hex], json);
    }

    private static void Invoke(string[] args, bool json)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        using var stdin = new StringReader("");
        var command = DecodeCommand.Create(stdout, stderr, stdin);
        var parse = command.Parse(args);
        Check.That(parse.Errors.Count == 0, $"decode {string.Join(' ', args)}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        var configuration = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        int exit = parse.InvokeAsync(configuration).GetAwaiter().GetResult();
        // Malformed input is exit 2 with one line per packet on stderr (DESIGN §5); nothing else is allowed.
        Check.That(exit is ExitCodes.Success or ExitCodes.Usage, $"decode exited {exit}");
        string errors = stderr.ToString();
        Check.That(!errors.Contains("   at ", StringComparison.Ordinal) && !errors.Contains("Exception", StringComparison.Ordinal),
            "decode printed a stack trace");
        if (json)
        {
            foreach (string line in stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var document = JsonDocument.Parse(line); // throws on a line that is not one JSON document
                Check.That(document.RootElement.ValueKind == JsonValueKind.Object, "decode --json printed a line that is not an object");
            }
        }
    }
}
