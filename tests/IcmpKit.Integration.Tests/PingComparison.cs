using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// A copy of iputils ping without its file capability (cap_net_raw): run as an unprivileged user, it can only use ICMP
/// datagram sockets, as icmpkit does without privilege — the reference for the unprivileged path. File.Copy drops the
/// security.capability attribute. The directory is world-readable so that `nobody` can run it; removed on Dispose.
/// </summary>
public sealed class IputilsWithoutCapabilities : IDisposable
{
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public IputilsWithoutCapabilities()
    {
        string directory = Directory.CreateTempSubdirectory("icmpkit-iputils-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        string ping = Netns.Which("ping") ?? "/usr/bin/ping";
        Path = System.IO.Path.Combine(directory, "ping");
        if (File.Exists(ping))
        {
            File.Copy(ping, Path);
            File.SetUnixFileMode(Path, (UnixFileMode)0b111_101_101);
        }
    }

    /// <summary>The capability-less copy (argv[0] of iputils, and so the prefix of its stderr lines).</summary>
    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(System.IO.Path.GetDirectoryName(Path)!, recursive: true);
        }
        catch (IOException)
        {
            // A copy of ping left in /tmp is harmless.
        }
    }
}

/// <summary>One run of iputils and one of icmpkit with the same flags, each in a fresh copy of the same topology.</summary>
internal sealed record PingPair(CommandResult Iputils, string IputilsProgram, CommandResult Icmpkit);

/// <summary>Runs iputils ping and `icmpkit ping` inside namespaces, as root or as `nobody`, and compares what they print.</summary>
internal static partial class PingTools
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>Drops to nobody/nogroup with no supplementary groups and no capabilities.</summary>
    private static readonly string[] Nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];

    public static CommandResult Icmpkit(string ns, bool asNobody, IEnumerable<string> args, TimeSpan? limit = null) =>
        asNobody
            ? Netns.Exec(ns, "setpriv", [.. Nobody, IcmpKitBinary.Path, "ping", .. args], limit ?? Limit)
            : Netns.Exec(ns, IcmpKitBinary.Path, ["ping", .. args], limit ?? Limit);

    /// <summary>iputils: /usr/bin/ping as root (raw sockets), the capability-less copy as nobody (datagram sockets).</summary>
    public static CommandResult Iputils(string ns, string program, bool asNobody, IEnumerable<string> args, TimeSpan? limit = null) =>
        asNobody
            ? Netns.Exec(ns, "setpriv", [.. Nobody, program, .. args], limit ?? Limit)
            : Netns.Exec(ns, program, args, limit ?? Limit);

    /// <summary>Lets every group open ICMP datagram sockets in <paramref name="ns"/> (the setting is per namespace).</summary>
    public static void OpenPingGroupRange(string ns) => RouterChainTopology.Sysctl(ns, "net.ipv4.ping_group_range=0 2147483647");

    /// <summary>
    /// Runs iputils in one fresh topology and icmpkit in another, built alike and prepared alike: each tool meets routers
    /// with full ICMP rate-limit buckets, empty neighbour tables and no cached path MTU, so that neither run changes what
    /// the other sees (the kernel limits errors per source: ~2 unreachable-route errors, ~6 others, then ~1/s).
    /// </summary>
    public static PingPair Compare(ITestOutputHelper output, IputilsWithoutCapabilities capless, int routers, bool v6, bool asNobody,
        Action<RouterChainTopology>? prepare, params string[] args)
    {
        using var forIputils = new RouterChainTopology(routers);
        using var forIcmpkit = new RouterChainTopology(routers);
        foreach (var net in (RouterChainTopology[])[forIputils, forIcmpkit])
        {
            Assert.True(net.SetupError is null, net.SetupError);
            prepare?.Invoke(net);
            if (asNobody)
            {
                OpenPingGroupRange(net.Client);
            }
        }
        if (v6)
        {
            forIputils.WaitForIPv6();
            forIcmpkit.WaitForIPv6();
        }
        string program = asNobody ? capless.Path : Netns.Which("ping") ?? "ping";
        var iputils = Iputils(forIputils.Client, program, asNobody, args);
        var icmpkit = Icmpkit(forIcmpkit.Client, asNobody, args);
        output.WriteLine($"--- iputils: {iputils}");
        output.WriteLine($"--- icmpkit: {icmpkit}");
        Assert.False(iputils.TimedOut, iputils.ToString());
        Assert.False(icmpkit.TimedOut, icmpkit.ToString());
        return new PingPair(iputils, program, icmpkit);
    }

    /// <summary>
    /// icmpkit must print what iputils printed, line for line, with the timing numbers masked (reply times, the summary's
    /// time, the rtt and ipg/ewma figures); stderr lines compared without the program prefix ("ping: " / "icmpkit: ping: ");
    /// the same exit code.
    /// </summary>
    public static void AssertSameAsIputils(PingPair pair, bool ignorePipe = false)
    {
        var expected = Mask(pair.Iputils.Stdout, ignorePipe);
        var actual = Mask(pair.Icmpkit.Stdout, ignorePipe);
        AssertSameLines("stdout", expected, actual, pair);
        AssertSameLines("stderr", StderrLines(pair.Iputils.Stderr, pair.IputilsProgram + ": "), StderrLines(pair.Icmpkit.Stderr, "icmpkit: ping: "), pair);
        Assert.True(pair.Iputils.ExitCode == pair.Icmpkit.ExitCode,
            $"exit code: iputils {pair.Iputils.ExitCode}, icmpkit {pair.Icmpkit.ExitCode}\n{Both(pair)}");
    }

    private static void AssertSameLines(string stream, IReadOnlyList<string> expected, IReadOnlyList<string> actual, PingPair pair)
    {
        if (expected.SequenceEqual(actual, StringComparer.Ordinal))
        {
            return;
        }
        int line = 0;
        while (line < expected.Count && line < actual.Count && expected[line] == actual[line])
        {
            line++;
        }
        Assert.Fail($"{stream} differs from iputils at line {line + 1} (timings masked):\n" +
            $"  iputils: {(line < expected.Count ? Quote(expected[line]) : "<no more lines>")}\n" +
            $"  icmpkit: {(line < actual.Count ? Quote(actual[line]) : "<no more lines>")}\n\n" +
            $"iputils, masked:\n{string.Join('\n', expected)}\n\nicmpkit, masked:\n{string.Join('\n', actual)}\n\n{Both(pair)}");
    }

    /// <summary>Some lines of one run, in order; the failure shows both lists whole, and the run.</summary>
    public static void AssertLines(string who, string what, IEnumerable<string> expected, IEnumerable<string> actual, CommandResult result)
    {
        var e = expected.ToList();
        var a = actual.ToList();
        if (!e.SequenceEqual(a, StringComparer.Ordinal))
        {
            Assert.Fail($"{who}: {what}\nexpected:\n{string.Join('\n', e.Select(Quote))}\nactual:\n{string.Join('\n', a.Select(Quote))}\n\n{result}");
        }
    }

    /// <summary>The "From … icmp_seq=N …" lines of a run.</summary>
    public static IEnumerable<string> FromLines(this CommandResult result) =>
        result.Lines().Where(line => line.StartsWith("From ", StringComparison.Ordinal));

    private static string Quote(string line) => line.Length == 0 ? "<empty line>" : $"'{line}'";

    private static string Both(PingPair pair) => $"iputils: {pair.Iputils}\n\nicmpkit: {pair.Icmpkit}";

    [GeneratedRegex(@" time=\d+(?:\.\d+)? ms")]
    private static partial Regex ReplyTime();

    [GeneratedRegex(@", time \d+ms$")]
    private static partial Regex SummaryTime();

    // iputils prints each figure with exactly three decimals.
    [GeneratedRegex(@"^rtt min/avg/max/mdev = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms")]
    private static partial Regex RttFigures();

    [GeneratedRegex(@"ipg/ewma \d+\.\d{3}/\d+\.\d{3} ms")]
    private static partial Regex IpgFigures();

    [GeneratedRegex(@"(?<=^rtt .*), pipe \d+|^pipe \d+(, )?")]
    private static partial Regex PipeFigure();

    /// <summary>
    /// stdout as lines, with the numbers that depend on timing replaced by placeholders (and, if asked, iputils' "pipe N"
    /// left out, for runs where it is chance).
    /// </summary>
    public static IReadOnlyList<string> Mask(string stdout, bool ignorePipe = false)
    {
        var lines = stdout.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1); // the final newline
        }
        return [.. lines.Select(line =>
        {
            line = ReplyTime().Replace(line, " time=<t> ms");
            line = SummaryTime().Replace(line, ", time <t>ms");
            line = RttFigures().Replace(line, "rtt min/avg/max/mdev = <rtt> ms");
            line = IpgFigures().Replace(line, "ipg/ewma <ipg> ms");
            return ignorePipe ? PipeFigure().Replace(line, "") : line;
        })];
    }

    /// <summary>stderr as lines, each without the program's prefix (iputils: argv[0] + ": ").</summary>
    public static IReadOnlyList<string> StderrLines(string stderr, string prefix) =>
        [.. stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.StartsWith(prefix, StringComparison.Ordinal) ? line[prefix.Length..] : line)];

    /// <summary>iputils' loss figure: printf("%g", (float)(lost * 100.0 / transmitted)).</summary>
    public static string IputilsLossPercent(long transmitted, long received) =>
        ((float)((transmitted - received) * 100.0 / transmitted)).ToString("G6", CultureInfo.InvariantCulture);
}

/// <summary>
/// A command left running inside a namespace (an iputils flood), with its output collected; stopped with SIGINT (as
/// Ctrl-C, so it prints its statistics) and killed on Dispose if still running.
/// </summary>
internal sealed class BackgroundCommand : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    public BackgroundCommand(string ns, string file, params string[] args)
    {
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // `ip netns exec` execs the program: the process is the program itself, and SIGINT reaches it.
        foreach (string arg in (string[])["netns", "exec", ns, file, .. args])
        {
            start.ArgumentList.Add(arg);
        }
        Command = $"ip {string.Join(' ', start.ArgumentList)}";
        _process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {Command}");
        _process.StandardInput.Close();
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    public string Command { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGINT, then waits (bounded) for it to finish; kills it if it does not.</summary>
    public CommandResult Stop(TimeSpan limit)
    {
        if (!_process.HasExited)
        {
            Netns.Run("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        }
        bool exited = _process.WaitForExit(limit);
        if (!exited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5_000);
        }
        Task.WaitAll([_stdout, _stderr], TimeSpan.FromSeconds(5));
        return new CommandResult(Command, exited ? _process.ExitCode : -1,
            _stdout.IsCompletedSuccessfully ? _stdout.Result : "", _stderr.IsCompletedSuccessfully ? _stderr.Result : "", !exited);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }
}

/// <summary>The lines of a ping run's stdout, for the assertions that name one line.</summary>
internal static class PingOutput
{
    public static string[] Lines(this CommandResult result) => result.Stdout.Split('\n');

    public static string SummaryLine(this CommandResult result) =>
        result.Lines().SingleOrDefault(line => line.Contains(" packets transmitted, ", StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"no summary line:\n{result}");
}
