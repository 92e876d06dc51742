using IcmpKit.Wire.IcmpV4;
using static IcmpKit.Wire.Tests.IcmpV4.V4Wire;

namespace IcmpKit.Wire.Tests.IcmpV4;

/// <summary>
/// Bits RFC 792 calls unused are data like any other: what was read is written back (as the ICMPv6 errors,
/// destination unreachable and source quench already do), so emit(parse(x)) == x for every error message.
/// </summary>
public class UnusedBitsTests
{
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=11,code=0,reserved=0xaa,unused=0xbbcc)/Raw(bytes(IP(src='198.18.0.1',dst='198.18.9.9',ttl=1,id=0xbeef)/ICMP(type=8,id=0x1234,seq=7)/b'abcdefgh')[:28])).hex())"
    private static readonly byte[] TimeExceeded = Hex("0b0020c8aa00bbcc45000024beef0000010165bbc6120001c61209090800542f12340007");

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=12,code=0,ptr=20,unused=0xbbcc)/Raw(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=5,options=[IPOption_Router_Alert()])/UDP(sport=1000,dport=2000))[:32])).hex())"
    private static readonly byte[] ParameterProblem = Hex("0c00b0741400bbcc46000020000500004011599cc6120001c61200029404000003e807d0000867fe");

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=3,code=3,reserved=0xaa,nexthopmtu=0xbbcc)/IP(src='198.18.0.1',dst='198.18.0.2',id=0x4242)/UDP(sport=40000,dport=33434)/b'probe').hex())"
    private static readonly byte[] DestinationUnreachable = Hex("03032376aa00bbcc45000021424200004011ac62c6120001c61200029c40829a000d0ffc70726f6265");

    [Fact]
    public void Time_exceeded_keeps_both_unused_fields()
    {
        var m = Parse<IcmpV4Message.TimeExceeded>(TimeExceeded);
        Assert.True(m.ChecksumValid);
        Assert.Equal(0, m.LengthAttribute);
        Assert.Equal(0xaa00bbccu, m.Unused);
        AssertRoundTrip(TimeExceeded);
    }

    [Fact]
    public void Parameter_problem_keeps_its_unused_field()
    {
        var m = Parse<IcmpV4Message.ParameterProblem>(ParameterProblem);
        Assert.True(m.ChecksumValid);
        Assert.Equal(20, m.Pointer);
        Assert.Equal(0xbbcc, m.Unused);
        AssertRoundTrip(ParameterProblem);
    }

    [Fact]
    public void Destination_unreachable_keeps_its_unused_byte()
    {
        var m = Parse<IcmpV4Message.DestinationUnreachable>(DestinationUnreachable);
        Assert.Equal(0xaa, m.Unused);
        Assert.Equal(0xbbcc, m.NextHopMtu);
        AssertRoundTrip(DestinationUnreachable);
    }

    [Fact]
    public void Length_attribute_is_not_part_of_the_unused_bits()
    {
        var m = new IcmpV4Message.TimeExceeded { Unused = 0xFFFF_FFFF, OriginalDatagram = TimeExceeded.AsMemory(8) };
        var bytes = Emit(m);
        Assert.Equal(0, bytes[5]);
        Assert.Equal(new byte[] { 0xFF, 0x00, 0xFF, 0xFF }, bytes[4..8]);
    }
}
