using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace IcmpKit.Wire.Checksum;

/// <summary>
/// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of the data
/// taken as 16-bit big-endian words. Add spans in order, then <see cref="Finish"/>.
/// </summary>
/// <remarks>
/// RFC 1071 §2(B): the one's complement sum is independent of byte order, so the sum is accumulated over
/// native-order words (64 bits, or vector lanes widened to 64 bits) and swapped once at the end. A span that
/// starts at an odd position of the whole sum has its partial sum byte-swapped (RFC 1071 §2(B) again).
/// </remarks>
public struct InternetChecksum
{
    private ulong _sum;      // native-order partial sum, carries not yet folded
    private bool _odd;       // an odd number of bytes has been added so far

    /// <summary>Adds bytes that follow those added before.</summary>
    public void Add(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        ulong part = SumNative(data);
        if (_odd)
        {
            part = SwapBytes16(Fold(part));
        }
        _sum = AddWithCarry(_sum, part);
        if ((data.Length & 1) != 0)
        {
            _odd = !_odd;
        }
    }

    /// <summary>Adds one 16-bit big-endian word (must start at an even position).</summary>
    public void AddWord(ushort value)
    {
        Span<byte> word = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(word, value);
        Add(word);
    }

    /// <summary>Adds the IPv4 pseudo-header (RFC 768 / RFC 793 §3.1): source, destination, zero, protocol, length.</summary>
    public void AddIPv4PseudoHeader(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, byte protocol, ushort length)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(source.Length, 4);
        ArgumentOutOfRangeException.ThrowIfNotEqual(destination.Length, 4);
        Span<byte> tail = stackalloc byte[4];
        tail[0] = 0;
        tail[1] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(tail[2..], length);
        Add(source);
        Add(destination);
        Add(tail);
    }

    /// <summary>Adds the IPv6 pseudo-header (RFC 8200 §8.1): source, destination, 32-bit length, 24 zero bits, next header.</summary>
    public void AddIPv6PseudoHeader(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, byte nextHeader, uint length)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(source.Length, 16);
        ArgumentOutOfRangeException.ThrowIfNotEqual(destination.Length, 16);
        Span<byte> tail = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(tail, length);
        tail[4] = 0;
        tail[5] = 0;
        tail[6] = 0;
        tail[7] = nextHeader;
        Add(source);
        Add(destination);
        Add(tail);
    }

    /// <summary>The checksum field value (host order; write it big-endian).</summary>
    public readonly ushort Finish()
    {
        ushort folded = (ushort)Fold(_sum);
        if (BitConverter.IsLittleEndian)
        {
            folded = BinaryPrimitives.ReverseEndianness(folded);
        }
        return (ushort)~folded;
    }

    /// <summary>The checksum of one span.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        var c = new InternetChecksum();
        c.Add(data);
        return c.Finish();
    }

    /// <summary>
    /// True when data that contains its own checksum field sums to all ones (RFC 1071 §1: the receiver's check).
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> data) => Compute(data) == 0;

    /// <summary>
    /// RFC 1624 §3 incremental update (eqn. 3): HC' = ~(~HC + ~m + m') for one 16-bit field changed from
    /// <paramref name="oldWord"/> to <paramref name="newWord"/>.
    /// </summary>
    public static ushort Update(ushort checksum, ushort oldWord, ushort newWord)
    {
        uint sum = (uint)(ushort)~checksum + (ushort)~oldWord + newWord;
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        ushort updated = (ushort)~sum;
        // Eqn. 3 yields 0x0000 only when the rest of the data sums to a one's complement zero; 0xFFFF verifies in
        // both of those cases (the rest all 0x0000, or summing to 0xFFFF), 0x0000 only in the second. So 0xFFFF.
        return updated == 0 ? (ushort)0xFFFF : updated;
    }

    private static ulong AddWithCarry(ulong a, ulong b)
    {
        ulong s = a + b;
        return s + (s < a ? 1UL : 0UL);
    }

    private static ulong Fold(ulong sum)
    {
        sum = (sum & 0xFFFFFFFF) + (sum >> 32);
        sum = (sum & 0xFFFFFFFF) + (sum >> 32);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return sum;
    }

    private static ulong SwapBytes16(ulong folded16) => ((folded16 & 0xFF) << 8) | (folded16 >> 8);

    /// <summary>The native-order one's complement sum of <paramref name="data"/>, not folded.</summary>
    private static ulong SumNative(ReadOnlySpan<byte> data)
    {
        ulong sum = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && data.Length >= 128)
        {
            // Each 32-bit lane is widened into 64-bit accumulators, so no carry is lost until
            // 2^32 vectors have been added: far more than any span.
            var acc0 = Vector256<ulong>.Zero;
            var acc1 = Vector256<ulong>.Zero;
            var acc2 = Vector256<ulong>.Zero;
            var acc3 = Vector256<ulong>.Zero;
            ReadOnlySpan<uint> words = MemoryMarshal.Cast<byte, uint>(data);
            int vectors = words.Length / 16 * 16;
            ref uint start = ref MemoryMarshal.GetReference(words);
            for (int w = 0; w < vectors; w += 16)
            {
                var a = Vector256.LoadUnsafe(ref start, (nuint)w);
                var b = Vector256.LoadUnsafe(ref start, (nuint)(w + 8));
                var (a0, a1) = Vector256.Widen(a);
                var (b0, b1) = Vector256.Widen(b);
                acc0 += a0;
                acc1 += a1;
                acc2 += b0;
                acc3 += b1;
            }
            var total = (acc0 + acc1) + (acc2 + acc3);
            for (int lane = 0; lane < Vector256<ulong>.Count; lane++)
            {
                sum = AddWithCarry(sum, total.GetElement(lane));
            }
            i = vectors * 4;
        }
        else if (Vector128.IsHardwareAccelerated && data.Length >= 64)
        {
            var acc0 = Vector128<ulong>.Zero;
            var acc1 = Vector128<ulong>.Zero;
            ReadOnlySpan<uint> words = MemoryMarshal.Cast<byte, uint>(data);
            int vectors = words.Length / 4 * 4;
            ref uint start = ref MemoryMarshal.GetReference(words);
            for (int w = 0; w < vectors; w += 4)
            {
                var (lo, hi) = Vector128.Widen(Vector128.LoadUnsafe(ref start, (nuint)w));
                acc0 += lo;
                acc1 += hi;
            }
            var total = acc0 + acc1;
            sum = AddWithCarry(sum, total.GetElement(0));
            sum = AddWithCarry(sum, total.GetElement(1));
            i = vectors * 4;
        }

        ReadOnlySpan<byte> rest = data[i..];
        int k = 0;
        for (; k + 8 <= rest.Length; k += 8)
        {
            // A native-order read is deliberate here and only here: the sum is byte-order independent.
            sum = AddWithCarry(sum, MemoryMarshal.Read<ulong>(rest[k..]));
        }
        ulong tail = 0;
        int shift = 0;
        for (; k < rest.Length; k++, shift += 8)
        {
            tail |= (ulong)rest[k] << shift;
        }
        // A trailing odd byte is the high-order byte of a big-endian word padded with zero (RFC 1071 §4.1);
        // in native little-endian order that is simply its position in the word, as assembled above.
        if (!BitConverter.IsLittleEndian && shift > 0)
        {
            tail = BinaryPrimitives.ReverseEndianness(tail);
        }
        return AddWithCarry(sum, tail);
    }
}
