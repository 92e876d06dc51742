using System.Runtime.InteropServices;

namespace IcmpKit.Sockets.Native;

/// <summary>
/// Native buffers for one recvmmsg call: a message slot per packet, each with its data buffer, address and
/// control area. Allocated once per receiving thread, so receiving allocates nothing.
/// </summary>
internal sealed unsafe class ReceiveBatch : IDisposable
{
    internal const int ControlBytes = 512;   // timestamp + TTL + TOS + IP options + error report, with room to spare
    internal const int AddressBytes = 32;

    private readonly byte* _memory;

    internal ReceiveBatch(int capacity, int packetBytes = 65536 + 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        FromErrorQueue = new bool[capacity];
        PacketBytes = packetBytes;
        nuint perSlot = (nuint)(sizeof(MMsgHdr) + sizeof(IoVec) + ControlBytes + AddressBytes + packetBytes);
        _memory = (byte*)NativeMemory.AlignedAlloc(perSlot * (nuint)capacity, 64);
        Headers = (MMsgHdr*)_memory;
        var vectors = (IoVec*)(Headers + capacity);
        byte* controls = (byte*)(vectors + capacity);
        byte* names = controls + (capacity * ControlBytes);
        byte* data = names + (capacity * AddressBytes);
        for (int i = 0; i < capacity; i++)
        {
            vectors[i] = new IoVec { Base = data + ((long)i * packetBytes), Length = (nuint)packetBytes };
            Headers[i] = default;
            Headers[i].Header.IoVectors = vectors + i;
            Headers[i].Header.IoVectorCount = 1;
            Headers[i].Header.Control = controls + (i * ControlBytes);
            Headers[i].Header.Name = names + (i * AddressBytes);
        }
    }

    internal int Capacity { get; }

    internal int PacketBytes { get; }

    internal MMsgHdr* Headers { get; }

    /// <summary>Which slots were read from the error queue.</summary>
    internal bool[] FromErrorQueue { get; }

    /// <summary>Restores the in/out lengths the kernel overwrote, before slot <paramref name="index"/> is reused.</summary>
    internal void Reset(int index)
    {
        ref var header = ref Headers[index].Header;
        header.NameLength = AddressBytes;
        header.ControlLength = ControlBytes;
        header.Flags = 0;
        Headers[index].Length = 0;
    }

    public void Dispose() => NativeMemory.AlignedFree(_memory);
}
