using System.Diagnostics;
using System.Text;

namespace IcmpKit.Integration.Tests;

/// <summary>What a finished (or timed-out and killed) command left behind.</summary>
internal sealed record CommandResult(string Command, int ExitCode, string Stdout, string Stderr, bool TimedOut)
{
    public override string ToString() =>
        $"`{Command}` {(TimedOut ? "timed out and was killed" : $"exited {ExitCode}")}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs commands, on the host or inside a network namespace, always with a time limit.</summary>
internal static class Netns
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>; kills the whole process tree at the time limit.</summary>
    public static CommandResult Run(string file, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        string command = $"{file} {string.Join(' ', start.ArgumentList)}";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {command}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        bool exited = process.WaitForExit(timeout ?? DefaultTimeout);
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5_000);
        }
        // Bounded: the pipes close once the process (tree) is gone.
        Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(5));
        return new CommandResult(command, exited ? process.ExitCode : -1,
            stdout.IsCompletedSuccessfully ? stdout.Result : "", stderr.IsCompletedSuccessfully ? stderr.Result : "", !exited);
    }

    /// <summary>`ip netns exec NS file args…`.</summary>
    public static CommandResult Exec(string ns, string file, IEnumerable<string> args, TimeSpan? timeout = null) =>
        Run("ip", ["netns", "exec", ns, file, .. args], timeout);

    /// <summary>Runs a command that must succeed; throws with its output otherwise.</summary>
    public static CommandResult Check(string file, params string[] args)
    {
        var result = Run(file, args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"setup command failed: {result}");
        }
        return result;
    }

    /// <summary>`ip ARGS…`, which must succeed.</summary>
    public static CommandResult Ip(params string[] args) => Check("ip", args);

    /// <summary>Sets a sysctl inside a namespace (sysctls such as ping_group_range are per namespace).</summary>
    public static void Sysctl(string ns, string setting)
    {
        var result = Exec(ns, "sysctl", ["-qw", setting]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"setup command failed: {result}");
        }
    }

    /// <summary>
    /// Deletes the namespaces a topology made (their veth ends, and so the peers, go with them) and its temporary
    /// directory; throws after trying them all when one could not be deleted.
    /// </summary>
    public static void DeleteAll(List<string> namespaces, string directory)
    {
        var errors = new List<string>();
        foreach (string ns in namespaces)
        {
            var result = Run("ip", ["netns", "del", ns], TimeSpan.FromSeconds(10));
            if (result.ExitCode != 0)
            {
                errors.Add(result.ToString());
            }
        }
        namespaces.Clear();
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless; the namespaces are what matter.
        }
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("cleanup failed: " + string.Join("\n", errors));
        }
    }

    /// <summary>The full path of a program on PATH, or null.</summary>
    public static string? Which(string program)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':')
            .Concat(["/usr/sbin", "/usr/bin", "/sbin", "/bin"]))
        {
            string path = Path.Combine(dir, program);
            if (File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    /// <summary>Whether this process runs as root (uid 0), which namespaces, veths and captures need.</summary>
    public static bool IsRoot()
    {
        // /proc/self/status: "Uid:\treal\teffective\tsaved\tfs".
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                string[] ids = line[4..].Split('\t', StringSplitOptions.RemoveEmptyEntries);
                return ids.Length > 1 && ids[1] == "0";
            }
        }
        return false;
    }
}

/// <summary>
/// A packet capture running inside a namespace (`ip netns exec NS tshark -i IF -w FILE`), bounded by an
/// autostop duration and stopped with SIGINT so the file is complete; killed on Dispose if still running.
/// </summary>
internal sealed class PacketCapture : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _capturing = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PacketCapture(string ns, string device, string path, bool pcapng, TimeSpan maxDuration)
    {
        Path = path;
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["netns", "exec", ns, "tshark", "-i", device, "-n", "-q", "-F", pcapng ? "pcapng" : "pcap", "-w", path,
            "-a", $"duration:{(int)maxDuration.TotalSeconds}"])
        {
            start.ArgumentList.Add(arg);
        }
        _process = new Process { StartInfo = start };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
            if (e.Data.Contains("Capturing on", StringComparison.Ordinal))
            {
                _capturing.TrySetResult();
            }
        };
        _process.OutputDataReceived += (_, _) => { };
        _process.Start();
        _process.StandardInput.Close();
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public string Path { get; }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Waits until tshark says it is capturing; throws with its stderr if it does not within the limit.</summary>
    public void WaitUntilCapturing(TimeSpan limit)
    {
        if (!_capturing.Task.Wait(limit))
        {
            throw new InvalidOperationException($"tshark did not start capturing within {limit.TotalSeconds} s (exited: {_process.HasExited}); stderr:\n{Stderr}");
        }
        // dumpcap prints "Capturing on" as it opens the device; give the ring a moment before traffic starts.
        Thread.Sleep(500);
    }

    /// <summary>SIGINT, as Ctrl-C: tshark writes the last packets and closes the file. Kills it after the limit.</summary>
    public void Stop(TimeSpan limit)
    {
        if (_process.HasExited)
        {
            return;
        }
        Netns.Run("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        if (!_process.WaitForExit(limit))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5_000);
            throw new InvalidOperationException($"tshark did not stop within {limit.TotalSeconds} s of SIGINT and was killed; stderr:\n{Stderr}");
        }
        _process.WaitForExit(); // drain the stderr events
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
