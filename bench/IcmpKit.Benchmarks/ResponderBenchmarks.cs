using System.Buffers.Binary;
using System.Net;
using BenchmarkDotNet.Attributes;
using IcmpKit.Responder;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Benchmarks;

/// <summary>
/// The responder's core on one echo request, as the TUN adapter calls it for every packet (issue 4 §6: no allocation
/// per packet in the core). The request is a 64-byte ICMP echo (8-byte header + 56 data bytes, as ping sends) to the
/// host address, with no hops, delay or loss configured; the sink only records what was emitted. Each benchmark
/// returns the length of the answer (84 for IPv4, 104 for IPv6) or -1; setup checks the answer itself.
/// </summary>
[MemoryDiagnoser]
public class ResponderBenchmarks
{
    private const ushort Identifier = 0x4B1D;
    private const ushort Sequence = 0x0123;
    private static readonly byte[] ClientV4 = [198, 18, 41, 1];
    private static readonly byte[] HostV4 = [198, 18, 40, 1];
    private static readonly byte[] ClientV6 = IPAddress.Parse("fd42:41::1").GetAddressBytes();
    private static readonly byte[] HostV6 = IPAddress.Parse("fd42:40::1").GetAddressBytes();

    private readonly LastAnswerSink _sink = new();
    private ResponderCore _core = null!;
    private byte[] _echoV4 = [];
    private byte[] _echoV6 = [];

    [GlobalSetup]
    public void Setup()
    {
        _core = new ResponderCore(new ResponderOptions
        {
            Addresses = [new IPAddress(HostV4), new IPAddress(HostV6)],
            RandomSeed = 1,
        });
        _echoV4 = BuildEchoV4();
        _echoV6 = BuildEchoV6();
        CheckV4();
        CheckV6();
        _sink.Keep = false;
    }

    /// <summary>An 84-byte IPv4 echo request in, an 84-byte echo reply out (checked, answered, checksummed).</summary>
    [Benchmark]
    public int EchoV4()
    {
        _sink.Length = -1;
        _core.Process(_echoV4, _sink);
        return _sink.Length;
    }

    /// <summary>A 104-byte IPv6 echo request in, a 104-byte echo reply out.</summary>
    [Benchmark]
    public int EchoV6()
    {
        _sink.Length = -1;
        _core.Process(_echoV6, _sink);
        return _sink.Length;
    }

    private static byte[] BuildEchoV4()
    {
        var packet = new byte[20 + 64];
        var ip = new IPv4PacketWriter(packet);
        ip.SetVersionAndHeaderLength(20);
        ip.SetTypeOfService(0);
        ip.SetTotalLength((ushort)packet.Length);
        ip.SetIdentification(0x1C46);
        ip.SetFlagsAndFragmentOffset(false, true, false, 0);
        ip.SetTimeToLive(64);
        ip.SetProtocol(1);
        ip.SetSourceAddress(ClientV4);
        ip.SetDestinationAddress(HostV4);
        ip.FillHeaderChecksum();
        var icmp = new IcmpV4PacketWriter(packet.AsSpan(20));
        icmp.SetType(IcmpV4Type.EchoRequest);
        icmp.SetCode(0);
        icmp.SetIdentifier(Identifier);
        icmp.SetSequenceNumber(Sequence);
        FillData(icmp.Body);
        icmp.FillChecksum();
        return packet;
    }

    /// <summary>RFC 8200 §3 header, RFC 4443 §4.1 echo request, its checksum over the §2.3 pseudo-header.</summary>
    private static byte[] BuildEchoV6()
    {
        var packet = new byte[40 + 64];
        var ip = new IPv6PacketWriter(packet);
        ip.SetVersionClassFlow(0, 0);
        ip.SetPayloadLength(64);
        ip.SetNextHeader(58); // ICMPv6
        ip.SetHopLimit(64);
        ip.SetSourceAddress(ClientV6);
        ip.SetDestinationAddress(HostV6);
        var icmp = packet.AsSpan(40);
        icmp[0] = (byte)IcmpV6Type.EchoRequest; // no ICMPv6 writer in the codec: the four header fields by hand
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], Identifier);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], Sequence);
        FillData(icmp[8..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], IcmpV6Packet.ComputeChecksum(ClientV6, HostV6, icmp));
        return packet;
    }

    private static void FillData(Span<byte> data)
    {
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(0x10 + i);
        }
    }

    /// <summary>Throws unless the IPv4 answer is a valid echo reply from the host to the client with the request's data.</summary>
    private void CheckV4()
    {
        int length = EchoV4();
        if (length != _echoV4.Length || !IPv4Packet.TryRead(_sink.Last, out var ip, out _) || !ip.IsHeaderChecksumValid
            || !ip.SourceAddressBytes.SequenceEqual(HostV4) || !ip.DestinationAddressBytes.SequenceEqual(ClientV4)
            || !IcmpV4Packet.TryRead(ip.Payload, out var icmp, out _) || !icmp.IsChecksumValid || icmp.Type != IcmpV4Type.EchoReply
            || icmp.Identifier != Identifier || icmp.SequenceNumber != Sequence || !icmp.Body.SequenceEqual(_echoV4.AsSpan(28)))
        {
            throw new InvalidOperationException($"EchoV4 answered {length} bytes, not the expected echo reply: the benchmark would measure another path.");
        }
    }

    private void CheckV6()
    {
        int length = EchoV6();
        if (length != _echoV6.Length || !IPv6Packet.TryRead(_sink.Last, out var ip, out _)
            || !ip.SourceAddressBytes.SequenceEqual(HostV6) || !ip.DestinationAddressBytes.SequenceEqual(ClientV6)
            || !IcmpV6Packet.TryRead(_sink.Last.AsSpan(40), out var icmp, out _) || !icmp.IsChecksumValid(HostV6, ClientV6)
            || icmp.Type != IcmpV6Type.EchoReply || icmp.Identifier != Identifier || icmp.SequenceNumber != Sequence
            || !icmp.Body.SequenceEqual(_echoV6.AsSpan(48)))
        {
            throw new InvalidOperationException($"EchoV6 answered {length} bytes, not the expected echo reply: the benchmark would measure another path.");
        }
    }

    /// <summary>
    /// Records the length of what the core emits; setup turns on <see cref="Keep"/> to copy the answer for checking,
    /// the measured calls copy nothing.
    /// </summary>
    private sealed class LastAnswerSink : IResponderSink
    {
        public int Length { get; set; } = -1;

        public byte[] Last { get; private set; } = [];

        public bool Keep { get; set; } = true;

        public void Emit(ReadOnlySpan<byte> ipPacket, TimeSpan delay)
        {
            Length = delay == TimeSpan.Zero ? ipPacket.Length : -1;
            if (Keep)
            {
                Last = ipPacket.ToArray();
            }
        }
    }
}
