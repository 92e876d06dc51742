using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IcmpKit.Integration.Tests;

/// <summary>What `icmpkit respond` printed and returned once it ended.</summary>
internal sealed record RespondExit(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"icmpkit respond exited {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// `icmpkit respond --tun DEVICE OPTIONS…` running in a throw-away namespace of its own, for real clients to talk to.
/// The namespace ("ik" + 6 random hex digits + "t") holds the client's source addresses on lo (the routes into the TUN
/// have no address of their own); <see cref="Start"/> returns once the responder says it is up, which it does after
/// its routes are in place. Dispose stops it with SIGTERM (SIGKILL if it hangs) and deletes the namespace.
/// </summary>
internal sealed class RespondProcess : IDisposable
{
    /// <summary>The client's IPv4 source address (on lo).</summary>
    public const string ClientV4 = "198.18.20.1";

    /// <summary>The client's IPv6 source address (on lo).</summary>
    public const string ClientV6 = "fd42:20::1";

    /// <summary>An IPv4 address on the TUN itself, for clients that listen with pcap (see <see cref="AddressTheDevice"/>).</summary>
    public const string DeviceV4 = "198.18.20.2";

    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<bool> _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? _configFile;
    private RespondExit? _exit;

    private RespondProcess(string? config, string[] options)
    {
        Namespace = "ik" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)) + "t";
        Device = Namespace + "u";
        if (config is not null)
        {
            _configFile = Path.Combine(Path.GetTempPath(), $"icmpkit-{Namespace}.json");
            File.WriteAllText(_configFile, config);
            options = ["--config", _configFile, .. options];
        }
        Netns.Ip("netns", "add", Namespace);
        try
        {
            Netns.Ip("-n", Namespace, "link", "set", "lo", "up");
            Netns.Ip("-n", Namespace, "addr", "add", ClientV4 + "/32", "dev", "lo");
            Netns.Ip("-n", Namespace, "addr", "add", ClientV6 + "/128", "dev", "lo", "nodad");
            var start = new ProcessStartInfo("ip")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            // `ip netns exec` execs icmpkit: the process id is icmpkit's own, so signals reach it.
            foreach (string arg in (string[])["netns", "exec", Namespace, IcmpKitBinary.Path, "respond", "--tun", Device, .. options])
            {
                start.ArgumentList.Add(arg);
            }
            _process = new Process { StartInfo = start, EnableRaisingEvents = true };
            string upLine = $"respond: {Device} up";
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }
                lock (_stdout)
                {
                    _stdout.Append(e.Data).Append('\n');
                }
                if (e.Data.StartsWith(upLine, StringComparison.Ordinal))
                {
                    _up.TrySetResult(true);
                }
            };
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_stderr)
                    {
                        _stderr.Append(e.Data).Append('\n');
                    }
                }
            };
            _process.Exited += (_, _) => _up.TrySetResult(false);
            _process.Start();
            _process.StandardInput.Close();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }
        catch
        {
            Netns.Run("ip", ["netns", "del", Namespace]);
            DeleteConfig();
            throw;
        }
    }

    public string Namespace { get; }

    /// <summary>The TUN device's name (10 bytes, under IFNAMSIZ).</summary>
    public string Device { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the responder with these options (after --tun) and waits until it is up; throws with its output if it is not.</summary>
    public static RespondProcess Start(params string[] options) => Launch(null, options);

    /// <summary>Starts the responder with <paramref name="config"/> (JSON, docs/respond.md) as its --config file, removed on Dispose.</summary>
    public static RespondProcess StartWithConfig(string config, params string[] options) => Launch(config, options);

    private static RespondProcess Launch(string? config, string[] options)
    {
        if (!Netns.IsRoot())
        {
            throw new InvalidOperationException("the respond tests need root (network namespaces, TUN devices); run them as root, as CI does");
        }
        var respond = new RespondProcess(config, options);
        try
        {
            if (!respond._up.Task.Wait(StartLimit) || !respond._up.Task.Result)
            {
                respond._process.WaitForExit(5_000); // its last words, when it ended
                throw new InvalidOperationException($"icmpkit respond did not come up within {StartLimit.TotalSeconds} s:\n{respond.Output()}");
            }
            return respond;
        }
        catch
        {
            respond.Dispose();
            throw;
        }
    }

    /// <summary>Runs a client inside the namespace, bounded in time.</summary>
    public CommandResult Exec(string file, params string[] args) => Netns.Exec(Namespace, file, args, TimeSpan.FromSeconds(30));

    /// <summary>`icmpkit ARGS…` inside the namespace.</summary>
    public CommandResult IcmpKit(params string[] args) => Exec(IcmpKitBinary.Path, args);

    /// <summary>Whether the TUN device exists in the namespace.</summary>
    public bool DeviceExists() => Netns.Run("ip", ["-n", Namespace, "link", "show", Device]).ExitCode == 0;

    /// <summary>The namespace's IPv4 and IPv6 routing tables, for checking nothing still points at the device.</summary>
    public string Routes() =>
        Netns.Run("ip", ["-n", Namespace, "route", "show", "table", "all"]).Stdout + Netns.Run("ip", ["-n", Namespace, "-6", "route", "show", "table", "all"]).Stdout;

    /// <summary>
    /// Puts <see cref="DeviceV4"/> on the TUN. hping3 and nping capture replies with pcap on the interface that holds
    /// their source address (and list only interfaces with an IPv4 address): with the source on lo they never see the
    /// replies, which arrive on the TUN.
    /// </summary>
    public void AddressTheDevice() => Netns.Ip("-n", Namespace, "addr", "add", DeviceV4 + "/32", "dev", Device);

    /// <summary>
    /// A few echo requests to each target, answers not checked: the responder's first packets of each kind pass through
    /// code not yet compiled (several ms), which tests that measure time must not see.
    /// </summary>
    public void WarmUp(params string[] targets)
    {
        foreach (string target in targets)
        {
            Exec("ping", "-c", "5", "-i", "0.01", "-W", "1", "-q", target);
        }
    }

    /// <summary>What it printed so far.</summary>
    public string Output()
    {
        var (stdout, stderr) = Printed();
        return $"stdout:\n{stdout}\nstderr:\n{stderr}";
    }

    private (string Stdout, string Stderr) Printed()
    {
        lock (_stdout)
        {
            lock (_stderr)
            {
                return (_stdout.ToString(), _stderr.ToString());
            }
        }
    }

    /// <summary>SIGTERM, as an operator would stop it, then waits for it to print its counters and exit.</summary>
    public RespondExit Stop() => End("-TERM");

    /// <summary>SIGKILL: no handler runs, only the kernel's cleanup (a TUN that is not persistent goes with its descriptor).</summary>
    public RespondExit Kill() => End("-KILL");

    private RespondExit End(string signal)
    {
        if (_exit is not null)
        {
            return _exit;
        }
        if (!_process.HasExited)
        {
            Netns.Run("kill", [signal, _process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        }
        if (!_process.WaitForExit(StopLimit))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5_000);
            throw new InvalidOperationException($"icmpkit respond did not exit within {StopLimit.TotalSeconds} s of SIG{signal[1..]} and was killed:\n{Output()}");
        }
        _process.WaitForExit(); // drains the output events
        var (stdout, stderr) = Printed();
        _exit = new RespondExit(_process.ExitCode, stdout, stderr);
        return _exit;
    }

    public void Dispose()
    {
        try
        {
            if (_exit is null && !_process.HasExited)
            {
                End("-TERM");
            }
        }
        catch (InvalidOperationException)
        {
            // Killed above; the namespace still goes.
        }
        finally
        {
            _process.Dispose();
            Netns.Run("ip", ["netns", "del", Namespace]);
            DeleteConfig();
        }
    }

    private void DeleteConfig()
    {
        if (_configFile is not null)
        {
            File.Delete(_configFile);
        }
    }
}
