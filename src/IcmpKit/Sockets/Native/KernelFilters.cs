using System.Runtime.InteropServices;

namespace IcmpKit.Sockets.Native;

/// <summary>
/// Kernel-side filters for raw ICMP sockets, which otherwise see every ICMP packet of the host: classic BPF on the
/// identifier (as iputils' install_filter does for its one identifier) and ICMP6_FILTER on the type (RFC 3542 §3.2).
/// </summary>
internal static unsafe class KernelFilters
{
    // Classic BPF opcodes (linux/filter.h).
    private const ushort LoadByteAbsolute = 0x30;      // BPF_LD  | BPF_B | BPF_ABS
    private const ushort LoadHalfAbsolute = 0x28;      // BPF_LD  | BPF_H | BPF_ABS
    private const ushort LoadByteIndexed = 0x50;       // BPF_LD  | BPF_B | BPF_IND
    private const ushort LoadHalfIndexed = 0x48;       // BPF_LD  | BPF_H | BPF_IND
    private const ushort LoadIPHeaderLength = 0xb1;    // BPF_LDX | BPF_B | BPF_MSH: X = 4 * (P[k] & 0xf)
    private const ushort SubtractConstant = 0x14;      // BPF_ALU | BPF_SUB | BPF_K
    private const ushort JumpIfEqual = 0x15;           // BPF_JMP | BPF_JEQ | BPF_K
    private const ushort JumpIfGreaterOrEqual = 0x35;  // BPF_JMP | BPF_JGE | BPF_K
    private const ushort JumpIfGreater = 0x25;         // BPF_JMP | BPF_JGT | BPF_K
    private const ushort Return = 0x06;                // BPF_RET | BPF_K
    private const uint Accept = 0xFFFF_FFFF;
    private const uint Drop = 0;

    /// <summary>
    /// IPv4 (packets start with the IP header): drop requests (our own come back on loopback, and other hosts'
    /// pings to us are not ours); drop replies whose identifier is outside [first, first+count); keep the rest,
    /// errors included (their quotes are matched in user space, where the quoted header length is checked).
    /// IPv6 (packets start with the ICMPv6 header): keep errors (types 1–4) and replies in the range, drop the rest.
    /// </summary>
    internal static SockFilter[] IdentifierProgram(bool v6, ushort first, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first + count, 65536);
        if (v6)
        {
            return
            [
                new() { Code = LoadByteAbsolute, K = 0 },                                  // 0: A = type
                new() { Code = JumpIfEqual, JumpIfTrue = 4, JumpIfFalse = 0, K = 129 },    // 1: echo reply → 6
                new() { Code = JumpIfEqual, JumpIfTrue = 3, JumpIfFalse = 0, K = 161 },    // 2: extended echo reply → 6
                new() { Code = JumpIfGreater, JumpIfTrue = 6, JumpIfFalse = 0, K = 4 },    // 3: not an error → drop
                new() { Code = JumpIfEqual, JumpIfTrue = 5, JumpIfFalse = 0, K = 0 },      // 4: type 0 is reserved → drop
                new() { Code = Return, K = Accept },                                       // 5: an error
                new() { Code = LoadHalfAbsolute, K = 4 },                                  // 6: A = identifier
                new() { Code = SubtractConstant, K = first },                              // 7
                new() { Code = JumpIfGreaterOrEqual, JumpIfTrue = 1, JumpIfFalse = 0, K = (uint)count }, // 8
                new() { Code = Return, K = Accept },                                       // 9
                new() { Code = Return, K = Drop },                                         // 10
            ];
        }
        return
        [
            new() { Code = LoadIPHeaderLength, K = 0 },                                    // 0: X = IP header length
            new() { Code = LoadByteIndexed, K = 0 },                                       // 1: A = ICMP type
            new() { Code = JumpIfEqual, JumpIfTrue = 8, JumpIfFalse = 0, K = 0 },          // 2: echo reply → 11
            new() { Code = JumpIfEqual, JumpIfTrue = 7, JumpIfFalse = 0, K = 14 },         // 3: timestamp reply → 11
            new() { Code = JumpIfEqual, JumpIfTrue = 6, JumpIfFalse = 0, K = 16 },         // 4: information reply → 11
            new() { Code = JumpIfEqual, JumpIfTrue = 5, JumpIfFalse = 0, K = 18 },         // 5: address mask reply → 11
            new() { Code = JumpIfEqual, JumpIfTrue = 4, JumpIfFalse = 0, K = 43 },         // 6: extended echo reply → 11
            new() { Code = JumpIfEqual, JumpIfTrue = 7, JumpIfFalse = 0, K = 8 },          // 7: echo request → drop
            new() { Code = JumpIfEqual, JumpIfTrue = 6, JumpIfFalse = 0, K = 13 },         // 8: timestamp request → drop
            new() { Code = JumpIfEqual, JumpIfTrue = 5, JumpIfFalse = 0, K = 42 },         // 9: extended echo request → drop
            new() { Code = Return, K = Accept },                                           // 10: errors and the rest
            new() { Code = LoadHalfIndexed, K = 4 },                                       // 11: A = identifier
            new() { Code = SubtractConstant, K = first },                                  // 12
            new() { Code = JumpIfGreaterOrEqual, JumpIfTrue = 1, JumpIfFalse = 0, K = (uint)count }, // 13
            new() { Code = Return, K = Accept },                                           // 14
            new() { Code = Return, K = Drop },                                             // 15
        ];
    }

    /// <summary>Attaches <see cref="IdentifierProgram"/>; returns 0 or the errno.</summary>
    internal static int AttachIdentifierFilter(int fd, bool v6, ushort first, int count)
    {
        var program = IdentifierProgram(v6, first, count);
        fixed (SockFilter* instructions = program)
        {
            var fprog = new SockFprog { Length = (ushort)program.Length, Filter = instructions };
            return LinuxSocketApi.SetSockOpt(fd, Levels.Socket, OptionNames.AttachFilter, &fprog, (uint)sizeof(SockFprog)) == 0
                ? 0
                : Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>ICMP6_FILTER: block every type but the errors (1–4) and the echo and extended echo replies.</summary>
    internal static void AttachIcmpV6TypeFilter(int fd)
    {
        uint* blocked = stackalloc uint[8];
        for (int i = 0; i < 8; i++)
        {
            blocked[i] = uint.MaxValue; // ICMP6_FILTER_SETBLOCKALL: a set bit blocks the type
        }
        foreach (int type in (ReadOnlySpan<int>)[1, 2, 3, 4, 129, 161])
        {
            blocked[type >> 5] &= ~(1u << (type & 31)); // ICMP6_FILTER_SETPASS
        }
        if (LinuxSocketApi.SetSockOpt(fd, Levels.IcmpV6, OptionNames.IcmpV6Filter, blocked, 32) != 0)
        {
            throw new IcmpSocketException($"cannot set ICMP6_FILTER: {LinuxSocketApi.Describe(Marshal.GetLastPInvokeError())}");
        }
    }
}
