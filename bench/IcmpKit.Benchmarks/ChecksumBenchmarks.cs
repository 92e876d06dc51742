using BenchmarkDotNet.Attributes;
using IcmpKit.Wire.Checksum;

namespace IcmpKit.Benchmarks;

/// <summary>
/// <see cref="InternetChecksum.Compute"/> against a scalar 16-bit reference loop, over buffers that stay
/// in cache (64 B, 1500 B, 64 KiB). GB/s = Size / Mean(ns).
/// </summary>
[MemoryDiagnoser]
public class ChecksumBenchmarks
{
    private byte[] _data = [];

    [Params(64, 1500, 65536)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(1071).NextBytes(_data);
        ushort fast = InternetChecksum.Compute(_data);
        ushort reference = ScalarReference(_data);
        if (fast != reference)
        {
            throw new InvalidOperationException($"InternetChecksum.Compute = {fast:X4}, scalar reference = {reference:X4} for {Size} bytes.");
        }
    }

    [Benchmark]
    public ushort Compute() => InternetChecksum.Compute(_data);

    [Benchmark(Baseline = true)]
    public ushort Scalar16() => ScalarReference(_data);

    /// <summary>RFC 1071 §4.1, one big-endian 16-bit word at a time.</summary>
    private static ushort ScalarReference(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += (uint)((data[i] << 8) | data[i + 1]);
        }
        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }
}
