using System.Diagnostics;
using System.Globalization;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Sockets;

/// <summary>What <see cref="Privileges.DropAll"/> found and did.</summary>
public enum PrivilegeDrop
{
    /// <summary>No thread held any capability (unprivileged, datagram sockets): nothing to do.</summary>
    NothingHeld,
    /// <summary>Every thread held some; now none holds any, and none can gain any through execve.</summary>
    Dropped,
    /// <summary>Some thread still holds a capability (no handler for this architecture, or a thread did not answer).</summary>
    Incomplete,
}

/// <summary>
/// Least privilege for a binary granted CAP_NET_RAW with <c>setcap cap_net_raw+p</c> (docs/ping.md, "Privileges"), as
/// the capability-aware iputils does it: the capability stays in the permitted set and is raised into the effective set
/// only around the system calls that need it (socket() for a raw ICMP socket, SO_MARK), on the thread that makes them;
/// once a command's sockets are open, <see cref="DropAll"/> clears the effective, permitted and inheritable sets of every
/// thread of the process and sets no_new_privs, so nothing that runs later (parsing hostile replies) holds a capability
/// or can get one back. Root is treated alike: after <see cref="DropAll"/> it is uid 0 without capabilities.
/// </summary>
public static class Privileges
{
    private static readonly TimeSpan DropLimit = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan AskAgainAfter = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Raises CAP_NET_RAW into the calling thread's effective set when it is permitted but not effective (a binary with
    /// <c>cap_net_raw+p</c>); dispose on the same thread to lower it again. A no-op when it is already effective (root,
    /// <c>+ep</c>) or not permitted at all (then the system call fails as it would have).
    /// </summary>
    internal static NetRawScope RaiseNetRaw()
    {
        const uint bit = 1u << CapabilityApi.NetRaw;
        if (!CapabilityApi.TryGet(out var low, out var high) || (low.Effective & bit) != 0 || (low.Permitted & bit) == 0)
        {
            return default;
        }
        low.Effective |= bit;
        return new NetRawScope(CapabilityApi.TrySet(low, high));
    }

    /// <summary>Lowers what <see cref="RaiseNetRaw"/> raised.</summary>
    internal readonly struct NetRawScope(bool raised) : IDisposable
    {
        public void Dispose()
        {
            if (raised && CapabilityApi.TryGet(out var low, out var high))
            {
                low.Effective &= ~(1u << CapabilityApi.NetRaw);
                CapabilityApi.TrySet(low, high);
            }
        }
    }

    /// <summary>
    /// Clears every capability set of every thread of this process and sets no_new_privs on each (capset and prctl act
    /// on the calling thread only, so the others are reached by a signal whose handler makes the same calls; see
    /// <see cref="EveryThreadDrop"/>). Call it once the sockets are open: they keep working, but no new raw socket can
    /// be opened afterwards. Waits (at most 2 s) until /proc shows no thread with a capability.
    /// </summary>
    public static PrivilegeDrop DropAll()
    {
        var holding = ThreadsHoldingCapabilities();
        if (holding.Count == 0)
        {
            return PrivilegeDrop.NothingHeld;
        }
        int self = CapabilityApi.GetTid();
        DropCallingThread();
        bool canAsk = EveryThreadDrop.TryInstall();
        var asked = new Dictionary<int, long>();
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            holding = ThreadsHoldingCapabilities();
            if (holding.Count == 0)
            {
                return PrivilegeDrop.Dropped;
            }
            if (Stopwatch.GetElapsedTime(start) > DropLimit || (!canAsk && holding.Any(tid => tid != self)))
            {
                return PrivilegeDrop.Incomplete;
            }
            foreach (int tid in holding)
            {
                if (tid == self)
                {
                    DropCallingThread();
                }
                else if (!asked.TryGetValue(tid, out long at) || Stopwatch.GetElapsedTime(at) > AskAgainAfter)
                {
                    // A thread created meanwhile by one not yet cleared inherited its sets: it is asked in its turn.
                    EveryThreadDrop.Ask(tid);
                    asked[tid] = Stopwatch.GetTimestamp();
                }
            }
            Thread.Sleep(1);
        }
    }

    private static void DropCallingThread()
    {
        CapabilityApi.Prctl(CapabilityApi.PrSetNoNewPrivs, 1, 0, 0, 0);
        CapabilityApi.TrySet(default, default);
    }

    /// <summary>
    /// The threads of this process (ids from /proc/self/task) with any capability in their inheritable, permitted,
    /// effective or ambient set, as the kernel reports them in /proc/self/task/TID/status.
    /// </summary>
    public static IReadOnlyCollection<int> ThreadsHoldingCapabilities()
    {
        var holding = new List<int>();
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories("/proc/self/task");
        }
        catch (IOException)
        {
            return holding;
        }
        foreach (string task in tasks)
        {
            if (!int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out int tid))
            {
                continue;
            }
            string status;
            try
            {
                status = File.ReadAllText(Path.Combine(task, "status"));
            }
            catch (IOException)
            {
                continue; // the thread ended meanwhile
            }
            if (HoldsCapability(status))
            {
                holding.Add(tid);
            }
        }
        return holding;
    }

    /// <summary>True when a status file's CapInh, CapPrm, CapEff or CapAmb line is not all zeros.</summary>
    internal static bool HoldsCapability(string status)
    {
        foreach (var line in status.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("CapInh:") || line.StartsWith("CapPrm:") || line.StartsWith("CapEff:") || line.StartsWith("CapAmb:"))
            {
                if (line[7..].Trim().TrimStart('0').Length > 0)
                {
                    return true;
                }
            }
        }
        return false;
    }
}
