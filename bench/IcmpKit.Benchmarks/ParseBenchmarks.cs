using BenchmarkDotNet.Attributes;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.Quoting;

namespace IcmpKit.Benchmarks;

/// <summary>
/// The receive hot paths of a pinger and a tracer, on packets built with the codec's own writers.
/// Each benchmark returns (identifier &lt;&lt; 16 | sequence) or -1 on any failure; setup checks the value.
/// </summary>
[MemoryDiagnoser]
public class ParseBenchmarks
{
    private const ushort Identifier = 0x4B1D;
    private const ushort Sequence = 0x0123;
    private const int Expected = (Identifier << 16) | Sequence;

    private byte[] _echoReply = [];
    private byte[] _timeExceeded = [];

    [GlobalSetup]
    public void Setup()
    {
        // Echo reply: IPv4 header (20) + ICMP echo reply of 64 bytes (8 header + 56 data), as ping sends.
        var icmpEcho = new byte[64];
        var echoWriter = new IcmpV4PacketWriter(icmpEcho);
        echoWriter.SetType(IcmpV4Type.EchoReply);
        echoWriter.SetCode(0);
        echoWriter.SetIdentifier(Identifier);
        echoWriter.SetSequenceNumber(Sequence);
        for (int i = 0; i < echoWriter.Body.Length; i++)
        {
            echoWriter.Body[i] = (byte)(0x10 + i);
        }
        echoWriter.FillChecksum();
        _echoReply = BuildIPv4([192, 0, 2, 1], [198, 51, 100, 7], 1, icmpEcho);

        // Time exceeded: IPv4 (20) + ICMP header (8) + the quoted probe: IPv4 (20) + ICMP echo request (64).
        var request = new byte[64];
        var requestWriter = new IcmpV4PacketWriter(request);
        requestWriter.SetType(IcmpV4Type.EchoRequest);
        requestWriter.SetCode(0);
        requestWriter.SetIdentifier(Identifier);
        requestWriter.SetSequenceNumber(Sequence);
        for (int i = 0; i < requestWriter.Body.Length; i++)
        {
            requestWriter.Body[i] = (byte)(0x10 + i);
        }
        requestWriter.FillChecksum();
        byte[] quoted = BuildIPv4([198, 51, 100, 7], [203, 0, 113, 9], 1, request);
        var icmpError = new byte[8 + quoted.Length];
        var errorWriter = new IcmpV4PacketWriter(icmpError);
        errorWriter.SetType(IcmpV4Type.TimeExceeded);
        errorWriter.SetCode(0);
        errorWriter.SetRestOfHeader(0);
        quoted.CopyTo(errorWriter.Body);
        errorWriter.FillChecksum();
        _timeExceeded = BuildIPv4([192, 0, 2, 254], [198, 51, 100, 7], 1, icmpError);

        Check(nameof(EchoReply), EchoReply());
        Check(nameof(TimeExceededMatch), TimeExceededMatch());
    }

    private static void Check(string name, int value)
    {
        if (value != Expected)
        {
            throw new InvalidOperationException($"{name} returned {value:X}, expected {Expected:X}: the benchmark would measure a failing path.");
        }
    }

    private static byte[] BuildIPv4(byte[] source, byte[] destination, byte protocol, byte[] payload)
    {
        var packet = new byte[20 + payload.Length];
        var writer = new IPv4PacketWriter(packet);
        writer.SetVersionAndHeaderLength(20);
        writer.SetTypeOfService(0);
        writer.SetTotalLength((ushort)packet.Length);
        writer.SetIdentification(0x1C46);
        writer.SetFlagsAndFragmentOffset(false, true, false, 0);
        writer.SetTimeToLive(64);
        writer.SetProtocol(protocol);
        writer.SetSourceAddress(source);
        writer.SetDestinationAddress(destination);
        writer.FillHeaderChecksum();
        payload.CopyTo(packet.AsSpan(20));
        return packet;
    }

    /// <summary>
    /// Target (1): IPv4 header checks, header checksum, ICMP checksum over the 64-byte message,
    /// type check, identifier and sequence read.
    /// </summary>
    [Benchmark]
    public int EchoReply()
    {
        if (!IPv4Packet.TryRead(_echoReply, out var ip, out _) || !ip.IsHeaderChecksumValid || ip.Protocol != 1)
        {
            return -1;
        }
        if (!IcmpV4Packet.TryRead(ip.Payload, out var icmp, out _) || !icmp.IsChecksumValid || icmp.Type != IcmpV4Type.EchoReply)
        {
            return -1;
        }
        return (icmp.Identifier << 16) | icmp.SequenceNumber;
    }

    /// <summary>
    /// Target (2): outer IPv4 TryRead, ICMP TryRead, QuotedProbe.TryRead on the body, quoted
    /// identifier and sequence read (no checksums, as in the target's definition).
    /// </summary>
    [Benchmark]
    public int TimeExceededMatch()
    {
        if (!IPv4Packet.TryRead(_timeExceeded, out var ip, out _))
        {
            return -1;
        }
        if (!IcmpV4Packet.TryRead(ip.Payload, out var icmp, out _) || icmp.Type != IcmpV4Type.TimeExceeded)
        {
            return -1;
        }
        if (!QuotedProbe.TryRead(icmp.Body, out var probe, out _) || probe.Protocol != 1 || probe.IcmpType != (byte)IcmpV4Type.EchoRequest)
        {
            return -1;
        }
        return (probe.IcmpIdentifier << 16) | probe.IcmpSequenceNumber;
    }
}
