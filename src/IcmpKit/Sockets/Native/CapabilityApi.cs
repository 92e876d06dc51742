using System.Runtime.InteropServices;

namespace IcmpKit.Sockets.Native;

/// <summary>
/// Linux capabilities (capabilities(7)): capget/capset on the calling thread, prctl, and what it takes to reach the
/// other threads of the process (tgkill, sigaction, an executable page). Source-generated LibraryImport, AOT-safe.
/// Capabilities belong to each thread, not to the process: capset changes only the thread that calls it.
/// </summary>
internal static unsafe partial class CapabilityApi
{
    private const string Libc = "libc";

    /// <summary>_LINUX_CAPABILITY_VERSION_3: 64-bit sets, as two <see cref="CapabilityData"/> words.</summary>
    internal const uint Version3 = 0x2008_0522;

    /// <summary>CAP_NET_RAW (linux/capability.h): raw and packet sockets, SO_MARK.</summary>
    internal const int NetRaw = 13;

    internal const int PrSetNoNewPrivs = 38;      // PR_SET_NO_NEW_PRIVS (linux/prctl.h)

    [StructLayout(LayoutKind.Sequential)]
    internal struct CapabilityHeader
    {
        public uint Version;
        public int Pid; // 0: the calling thread
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct CapabilityData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    [LibraryImport(Libc, EntryPoint = "capget", SetLastError = true)]
    internal static partial int CapGet(CapabilityHeader* header, CapabilityData* data);

    [LibraryImport(Libc, EntryPoint = "capset", SetLastError = true)]
    internal static partial int CapSet(CapabilityHeader* header, CapabilityData* data);

    [LibraryImport(Libc, EntryPoint = "prctl", SetLastError = true)]
    internal static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Libc, EntryPoint = "getpid")]
    internal static partial int GetPid();

    [LibraryImport(Libc, EntryPoint = "gettid")]
    internal static partial int GetTid();

    [LibraryImport(Libc, EntryPoint = "tgkill", SetLastError = true)]
    internal static partial int TgKill(int processId, int threadId, int signal);

    [LibraryImport(Libc, EntryPoint = "__libc_current_sigrtmax")]
    internal static partial int SignalRealtimeMax();

    [LibraryImport(Libc, EntryPoint = "__libc_current_sigrtmin")]
    internal static partial int SignalRealtimeMin();

    /// <summary>glibc's struct sigaction on Linux (x86-64 and arm64 alike): 152 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SignalAction
    {
        public nint Handler;                 // sa_handler; 0 is SIG_DFL
        public fixed ulong Mask[16];         // sa_mask: 1024 bits
        public int Flags;                    // sa_flags
        public nint Restorer;                // sa_restorer: glibc fills it
    }

    internal const int SaRestart = 0x1000_0000;

    [LibraryImport(Libc, EntryPoint = "sigaction", SetLastError = true)]
    internal static partial int SigAction(int signal, SignalAction* action, SignalAction* previous);

    internal const int ProtRead = 0x1;
    internal const int ProtWrite = 0x2;
    internal const int ProtExec = 0x4;
    internal const int MapPrivate = 0x02;
    internal const int MapAnonymous = 0x20;

    [LibraryImport(Libc, EntryPoint = "mmap", SetLastError = true)]
    internal static partial nint MemoryMap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport(Libc, EntryPoint = "mprotect", SetLastError = true)]
    internal static partial int MemoryProtect(nint address, nuint length, int protection);

    [LibraryImport(Libc, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int MemoryUnmap(nint address, nuint length);

    /// <summary>The calling thread's sets (the low 32 capabilities in <paramref name="low"/>, the rest in <paramref name="high"/>).</summary>
    internal static bool TryGet(out CapabilityData low, out CapabilityData high)
    {
        var header = new CapabilityHeader { Version = Version3, Pid = 0 };
        CapabilityData* data = stackalloc CapabilityData[2];
        bool ok = CapGet(&header, data) == 0;
        low = data[0];
        high = data[1];
        return ok;
    }

    /// <summary>Sets the calling thread's sets; the kernel refuses (EPERM) anything but lowering, and raising E within P.</summary>
    internal static bool TrySet(CapabilityData low, CapabilityData high)
    {
        var header = new CapabilityHeader { Version = Version3, Pid = 0 };
        CapabilityData* data = stackalloc CapabilityData[2];
        data[0] = low;
        data[1] = high;
        return CapSet(&header, data) == 0;
    }
}
