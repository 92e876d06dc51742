using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Xunit.Abstractions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// Issue 6 §4: a copy of the CLI granted CAP_NET_RAW by file capability (setcap), run as `nobody` in a namespace whose
/// ping_group_range refuses datagram ICMP sockets, so that only the capability can open its socket (a raw one). While
/// it pings, /proc shows that no thread of the process holds any capability (inheritable, permitted, effective,
/// ambient) and that each has no_new_privs; the pings go on.
/// <para>
/// The binary is the published CLI (<see cref="IcmpKitBinary.Path"/>, a framework-dependent apphost: the capability
/// is on the apphost, the ELF executable the kernel runs, which loads the runtime into its own process; `dotnet
/// IcmpKit.Cli.dll` would need it on `dotnet`, which is not done) or, when ICMPKIT_AOT_BINARY names one, the Native AOT
/// build (`bench/ping/build.sh aot`: 74 s to 3 min to build here, too slow for every run). Either is copied with its
/// directory to a fresh temporary directory, since setcap on the build output would be undone by the next build and the
/// test must not leave a capable binary behind.
/// </para>
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PrivilegeTests(ITestOutputHelper output) : IDisposable
{
    private readonly List<string> _namespaces = [];
    private readonly string _directory = CreateDirectory();

    private static string CreateDirectory()
    {
        string directory = Directory.CreateTempSubdirectory("icmpkit-privilege-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101); // nobody must reach the binary
        return directory;
    }

    public void Dispose() => Netns.DeleteAll(_namespaces, _directory);

    /// <summary>The binary under test, copied with its directory and given <paramref name="capability"/> with setcap.</summary>
    private string CapableCopy(string capability)
    {
        string source = Environment.GetEnvironmentVariable("ICMPKIT_AOT_BINARY") is { Length: > 0 } aot ? aot : IcmpKitBinary.Path;
        string from = Path.GetDirectoryName(source)!;
        string to = Path.Combine(_directory, "bin");
        Directory.CreateDirectory(to);
        File.SetUnixFileMode(to, (UnixFileMode)0b111_101_101);
        foreach (string file in Directory.GetFiles(from))
        {
            string copy = Path.Combine(to, Path.GetFileName(file));
            File.Copy(file, copy);
            File.SetUnixFileMode(copy, (UnixFileMode)0b111_101_101);
        }
        string binary = Path.Combine(to, Path.GetFileName(source));
        var setcap = Netns.Run(Netns.Which("setcap") ?? "setcap", [capability, binary]);
        Assert.True(setcap.ExitCode == 0, $"setcap (Debian libcap2-bin) failed: {setcap}");
        var getcap = Netns.Run(Netns.Which("getcap") ?? "getcap", [binary]);
        output.WriteLine($"{source} -> {getcap.Stdout.Trim()}");
        Assert.Contains("cap_net_raw=", getcap.Stdout, StringComparison.Ordinal);
        return binary;
    }

    /// <summary>A namespace with loopback up and ping_group_range closed ("1 0", a new namespace's default, set anyway).</summary>
    private string Namespace()
    {
        Assert.True(Netns.IsRoot(), "the privilege test needs root (namespaces, setcap); run it as root, as CI does");
        string ns = "ik" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)) + "v";
        Netns.Ip("netns", "add", ns);
        _namespaces.Add(ns);
        Netns.Ip("-n", ns, "link", "set", "lo", "up");
        Netns.Sysctl(ns, "net.ipv4.ping_group_range=1 0");
        Netns.Sysctl(ns, "net.ipv4.icmp_echo_enable_probe=1");
        return ns;
    }

    [Theory]
    [InlineData("cap_net_raw+p")]  // permitted only: IcmpKit raises it into the effective set around socket() itself
    [InlineData("cap_net_raw+ep")] // effective from exec: it is dropped all the same
    public void A_capable_binary_run_by_nobody_pings_through_a_raw_socket_and_holds_no_capability_while_it_does(string capability)
    {
        string binary = CapableCopy(capability);
        string ns = Namespace();
        using var ping = new WatchedProcess(ns, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary,
            "ping", "-v", "-c", "6", "-i", "0.2", "-W", "2", "127.0.0.1"]);
        // The drop happens once the socket is open, before the first line: from the first reply on, it must be over.
        if (!ping.WaitForLine(line => line.StartsWith("64 bytes from 127.0.0.1: icmp_seq=1 ", StringComparison.Ordinal), TimeSpan.FromSeconds(20)))
        {
            Assert.Fail($"no first reply\n{ping.Finish(TimeSpan.FromSeconds(5))}");
        }
        var threads = ThreadStatus(ping.Id);
        var result = ping.Finish(TimeSpan.FromSeconds(20));
        output.WriteLine(result.ToString());
        output.WriteLine(string.Join('\n', threads.Select(t => $"{t.Key}: {Describe(t.Value)}")));

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n');
        // The capability was there and was used: nobody, outside ping_group_range, got a raw socket.
        Assert.StartsWith("icmpkit: using a raw ICMP socket (the datagram ICMP socket was refused (Permission denied)", lines[0], StringComparison.Ordinal);
        Assert.Equal(6, lines.Count(l => l.StartsWith("64 bytes from 127.0.0.1: icmp_seq=", StringComparison.Ordinal)));
        Assert.Contains("6 packets transmitted, 6 received, 0% packet loss", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
        AssertNoThreadHoldsAnything(threads, result);
    }

    [Fact]
    public void A_capable_binary_run_by_nobody_probes_through_a_raw_socket_and_holds_no_capability_while_it_does()
    {
        string binary = CapableCopy("cap_net_raw+p");
        string ns = Namespace();
        using var probe = new WatchedProcess(ns, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary,
            "probe", "--name", "lo", "-c", "4", "-i", "0.3", "127.0.0.1"]);
        if (!probe.WaitForLine(line => line.StartsWith("reply from 127.0.0.1: seq=1 ", StringComparison.Ordinal), TimeSpan.FromSeconds(20)))
        {
            Assert.Fail($"no first reply\n{probe.Finish(TimeSpan.FromSeconds(5))}");
        }
        var threads = ThreadStatus(probe.Id);
        var result = probe.Finish(TimeSpan.FromSeconds(20));
        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("4 probes transmitted, 4 replies", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
        AssertNoThreadHoldsAnything(threads, result);
    }

    /// <summary>
    /// `icmpkit trace` (issue 6 §4): its raw sockets (ICMP for -I, TCP for -T) open with the capability raised by
    /// IcmpKit itself (+p only), then the CLI drops every capability once the run has started. The namespace's nftables
    /// drop every packet that arrives with TTL / hop limit 1 on loopback, so hop 1 stays silent for -w 1 and the process
    /// lives long enough to be read; hop 2 is the destination, which shows the sockets still work after the drop.
    /// </summary>
    [Theory]
    [InlineData("-I", "127.0.0.1", "cap_net_raw+p")]
    [InlineData("-T -p 80", "127.0.0.1", "cap_net_raw+p")]
    [InlineData("-I", "::1", "cap_net_raw+p")]
    [InlineData("-I", "127.0.0.1", "cap_net_raw+ep")]
    public void A_capable_binary_run_by_nobody_traces_through_raw_sockets_and_holds_no_capability_while_it_does(string method, string target, string capability)
    {
        string binary = CapableCopy(capability);
        string ns = Namespace();
        string rules = Path.Combine(_directory, "silent-hop-1.nft");
        File.WriteAllText(rules, "table inet silent {\n chain input {\n  type filter hook input priority 0;\n  ip ttl 1 drop\n  ip6 hoplimit 1 drop\n }\n}\n");
        var nft = Netns.Exec(ns, "nft", ["-f", rules]);
        Assert.True(nft.ExitCode == 0, nft.ToString());
        using var trace = new WatchedProcess(ns, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary,
            "trace", .. method.Split(' '), "-n", "-w", "1", "-q", "2", "-m", "4", target]);
        // The header is printed after the drop; hop 1's wait keeps the process alive past it.
        if (!trace.WaitForLine(line => line.StartsWith($"traceroute to {target} ({target}), 4 hops max", StringComparison.Ordinal), TimeSpan.FromSeconds(20)))
        {
            Assert.Fail($"no header\n{trace.Finish(TimeSpan.FromSeconds(5))}");
        }
        var threads = ThreadStatus(trace.Id);
        var result = trace.Finish(TimeSpan.FromSeconds(20));
        output.WriteLine(result.ToString());
        output.WriteLine(string.Join('\n', threads.Select(t => $"{t.Key}: {Describe(t.Value)}")));

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n');
        Assert.Equal(" 1  * *", lines[1]);
        Assert.Matches($"^ 2  {System.Text.RegularExpressions.Regex.Escape(target)}  [0-9.]+ ms  [0-9.]+ ms$", lines[2]);
        Assert.Equal("", result.Stderr);
        AssertNoThreadHoldsAnything(threads, result);
    }

    [Fact]
    public void A_capable_binary_run_by_nobody_runs_mtr_through_a_raw_socket_and_holds_no_capability_while_it_does()
    {
        // The continuous runner drops as the one-shot one does; --ndjson prints its start line after the drop, and the
        // rounds (1 s apart) keep the process alive to be read.
        string binary = CapableCopy("cap_net_raw+p");
        string ns = Namespace();
        using var mtr = new WatchedProcess(ns, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary,
            "mtr", "--ndjson", "-c", "3", "-n", "127.0.0.1"]);
        if (!mtr.WaitForLine(line => line.StartsWith("{\"type\":\"start\"", StringComparison.Ordinal), TimeSpan.FromSeconds(20)))
        {
            Assert.Fail($"no start line\n{mtr.Finish(TimeSpan.FromSeconds(5))}");
        }
        var threads = ThreadStatus(mtr.Id);
        var result = mtr.Finish(TimeSpan.FromSeconds(20));
        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("\"socket\":\"raw\"", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("{\"type\":\"end\",\"reason\":\"rounds_done\",\"rounds\":3,\"reached\":true", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
        AssertNoThreadHoldsAnything(threads, result);
    }

    private static void AssertNoThreadHoldsAnything(Dictionary<int, Dictionary<string, string>> threads, CommandResult result)
    {
        Assert.True(threads.Count >= 2, $"a .NET process has several threads; /proc showed {threads.Count}\n{result}");
        foreach (var (tid, status) in threads)
        {
            string what = $"thread {tid}: {Describe(status)}";
            Assert.True(status.GetValueOrDefault("Uid") == "65534\t65534\t65534\t65534", $"runs as nobody: {what}");
            foreach (string set in (string[])["CapInh", "CapPrm", "CapEff", "CapAmb"])
            {
                Assert.True(status.GetValueOrDefault(set) == "0000000000000000", $"{set} is empty: {what}\n{result}");
            }
            Assert.True(status.GetValueOrDefault("NoNewPrivs") == "1", $"no_new_privs: {what}");
        }
    }

    private static string Describe(Dictionary<string, string> status) =>
        string.Join(' ', ((string[])["Name", "Uid", "CapInh", "CapPrm", "CapEff", "CapAmb", "NoNewPrivs"]).Select(f => $"{f}={status.GetValueOrDefault(f)}"));

    /// <summary>/proc/PID/task/*/status of every thread: the process's own status is its main thread's, and capabilities belong to each thread.</summary>
    private static Dictionary<int, Dictionary<string, string>> ThreadStatus(int pid)
    {
        var threads = new Dictionary<int, Dictionary<string, string>>();
        string tasks = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/task";
        if (!Directory.Exists(tasks))
        {
            return threads; // the process is gone: the caller's assertions say so, with its output
        }
        foreach (string task in Directory.GetDirectories(tasks))
        {
            var fields = new Dictionary<string, string>();
            foreach (string line in File.ReadAllLines(Path.Combine(task, "status")))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    fields[line[..colon]] = line[(colon + 1)..].Trim();
                }
            }
            threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = fields;
        }
        return threads;
    }

    /// <summary>
    /// `ip netns exec NS ARGS…` left running, its stdout read line by line. `ip netns exec` and `setpriv` both exec, so
    /// the process started here becomes the CLI itself: <see cref="Id"/> is the CLI's pid.
    /// </summary>
    private sealed class WatchedProcess : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];
        private readonly System.Text.StringBuilder _stderr = new();
        private readonly string _command;

        public WatchedProcess(string ns, string[] args)
        {
            var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            foreach (string arg in (string[])["netns", "exec", ns, .. args])
            {
                start.ArgumentList.Add(arg);
            }
            _command = $"ip {string.Join(' ', start.ArgumentList)}";
            _process = new Process { StartInfo = start };
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_lines)
                    {
                        _lines.Add(e.Data);
                        Monitor.PulseAll(_lines);
                    }
                }
            };
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_stderr)
                    {
                        _stderr.AppendLine(e.Data);
                    }
                }
            };
            _process.Start();
            _process.StandardInput.Close();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Id => _process.Id;

        public bool WaitForLine(Func<string, bool> match, TimeSpan limit)
        {
            var deadline = DateTime.UtcNow + limit;
            lock (_lines)
            {
                while (!_lines.Any(match))
                {
                    var left = deadline - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero)
                    {
                        return false;
                    }
                    Monitor.Wait(_lines, left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
                    if (_process.HasExited && !_lines.Any(match))
                    {
                        Monitor.Wait(_lines, 200); // the last lines may still be on their way from the pipe
                        return _lines.Any(match);
                    }
                }
                return true;
            }
        }

        public CommandResult Finish(TimeSpan limit)
        {
            bool exited = _process.WaitForExit(limit);
            if (!exited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5_000);
            }
            else
            {
                _process.WaitForExit(); // only the untimed wait also waits for the last output events
            }
            string stdout;
            lock (_lines)
            {
                stdout = string.Join('\n', _lines) + (_lines.Count > 0 ? "\n" : "");
            }
            string stderr;
            lock (_stderr)
            {
                stderr = _stderr.ToString();
            }
            return new CommandResult(_command, exited ? _process.ExitCode : -1, stdout, stderr, !exited);
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
}
