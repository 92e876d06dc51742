using System.Runtime.InteropServices;

namespace IcmpKit.Sockets.Native;

/// <summary>
/// Clears the capability sets of another thread of this process, which capset(2) cannot do: since Linux 2.6.24 a thread
/// may change only its own. A .NET process has a dozen threads before Main runs (finalizer, signal handling, the thread
/// pool, the JIT's), each holding the capabilities the executable was granted, so clearing only the calling thread
/// would leave them all one capset away from CAP_NET_RAW. The same problem made Go add syscall.AllThreadsSyscall and
/// libcap add libpsx; this is their method: a signal to each thread, whose handler makes the system calls on it.
/// <para>
/// The handler must be async-signal-safe and must not enter the .NET runtime (a thread can be interrupted anywhere,
/// inside the GC too), so it is not managed code: a few machine instructions in a page of their own, which make the
/// two system calls, prctl(PR_SET_NO_NEW_PRIVS, 1) and capset(all sets empty), and return. Written for x86-64 only
/// (the encodings are spelled out below); elsewhere <see cref="TryInstall"/> says no and the caller reports it.
/// The handler stays installed for the life of the process: a signal still queued for a thread when the caller has
/// seen it clean runs it again, harmlessly (lowering is always allowed), where a default disposition would kill it.
/// </para>
/// </summary>
internal static unsafe class EveryThreadDrop
{
    private const int PageSize = 4096;
    private const int HeaderOffset = 64;
    private const int DataOffset = 80;

    private static readonly Lock Gate = new();
    private static int _signal;

    /// <summary>The signal whose handler drops the receiving thread's capabilities; 0 until installed.</summary>
    internal static int InstalledSignal => Volatile.Read(ref _signal);

    /// <summary>
    /// x86-64, System V: the handler gets the signal number in edi and may clobber rax, rcx, rdx, rsi, rdi, r8-r11 (the
    /// kernel restores the interrupted context at sigreturn). Offsets are from the start of the page; the capability
    /// header (version 3, pid 0 = this thread) is at 64 and the two zeroed data words at 80.
    /// </summary>
    private static ReadOnlySpan<byte> X64Handler =>
    [
        0xB8, 0x9D, 0x00, 0x00, 0x00,             //  0: mov eax, 157           ; SYS_prctl
        0xBF, 0x26, 0x00, 0x00, 0x00,             //  5: mov edi, 38            ; PR_SET_NO_NEW_PRIVS
        0xBE, 0x01, 0x00, 0x00, 0x00,             // 10: mov esi, 1
        0x31, 0xD2,                               // 15: xor edx, edx
        0x45, 0x31, 0xD2,                         // 17: xor r10d, r10d
        0x45, 0x31, 0xC0,                         // 20: xor r8d, r8d
        0x0F, 0x05,                               // 23: syscall
        0xB8, 0x7E, 0x00, 0x00, 0x00,             // 25: mov eax, 126           ; SYS_capset
        0x48, 0x8D, 0x3D, HeaderOffset - 37, 0x00, 0x00, 0x00, // 30: lea rdi, [rip + 27] -> 64
        0x48, 0x8D, 0x35, DataOffset - 44, 0x00, 0x00, 0x00,   // 37: lea rsi, [rip + 36] -> 80
        0x0F, 0x05,                               // 44: syscall
        0xC3,                                     // 46: ret
    ];

    /// <summary>
    /// Installs the handler on a real-time signal nobody else handles (from SIGRTMAX down; .NET uses SIGRTMIN for its
    /// own thread activation). False on an architecture without a handler here, or when the kernel refuses the page.
    /// </summary>
    internal static bool TryInstall()
    {
        lock (Gate)
        {
            if (_signal != 0)
            {
                return true;
            }
            if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
            {
                return false;
            }
            int signal = FreeRealtimeSignal();
            if (signal == 0)
            {
                return false;
            }
            nint page = CapabilityApi.MemoryMap(0, PageSize, CapabilityApi.ProtRead | CapabilityApi.ProtWrite,
                CapabilityApi.MapPrivate | CapabilityApi.MapAnonymous, -1, 0);
            if (page == -1)
            {
                return false;
            }
            var bytes = new Span<byte>((void*)page, PageSize);
            bytes.Clear();
            X64Handler.CopyTo(bytes);
            *(CapabilityApi.CapabilityHeader*)(page + HeaderOffset) = new CapabilityApi.CapabilityHeader { Version = CapabilityApi.Version3, Pid = 0 };
            // W^X: writable while written, then executable and never writable again.
            if (CapabilityApi.MemoryProtect(page, PageSize, CapabilityApi.ProtRead | CapabilityApi.ProtExec) != 0)
            {
                CapabilityApi.MemoryUnmap(page, PageSize);
                return false;
            }
            var action = new CapabilityApi.SignalAction { Handler = page, Flags = CapabilityApi.SaRestart };
            if (CapabilityApi.SigAction(signal, &action, null) != 0)
            {
                CapabilityApi.MemoryUnmap(page, PageSize);
                return false;
            }
            Volatile.Write(ref _signal, signal);
            return true;
        }
    }

    private static int FreeRealtimeSignal()
    {
        int lowest = CapabilityApi.SignalRealtimeMin() + 4;
        for (int signal = CapabilityApi.SignalRealtimeMax(); signal >= lowest; signal--)
        {
            CapabilityApi.SignalAction current;
            if (CapabilityApi.SigAction(signal, null, &current) == 0 && current.Handler == 0)
            {
                return signal;
            }
        }
        return 0;
    }

    /// <summary>Asks thread <paramref name="threadId"/> of this process to drop; false when it is gone or refused.</summary>
    internal static bool Ask(int threadId) =>
        InstalledSignal is int signal and not 0 && CapabilityApi.TgKill(CapabilityApi.GetPid(), threadId, signal) == 0;
}
