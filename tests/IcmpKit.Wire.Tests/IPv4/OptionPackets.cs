namespace IcmpKit.Wire.Tests.IPv4;

/// <summary>IPv4 datagrams with options, from scapy; each carries an 8-byte echo request after the header.</summary>
internal static class OptionPackets
{
    // Record Route with one address recorded (pointer 8) and room for two more; padded with EOL.
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=2,options=[IPOption_RR(pointer=8,routers=['198.18.0.1','0.0.0.0','0.0.0.0'])])/ICMP(type=8,id=1,seq=1)).hex())"
    public static readonly byte[] RecordRoute = Convert.FromHexString(
        "4900002c000200004001c7d2c6120001c6120002070f08c61200010000000000000000000800f7fd00010001");

    // NOP, then Timestamp flag 0 (timestamps only), overflow 3, one slot filled (pointer 9 = full); EOL padding.
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=3,options=[IPOption_NOP(),IPOption_Timestamp(flg=0,oflw=3,pointer=9,timestamp=45296789)])/ICMP(type=8,id=1,seq=1)).hex())"
    public static readonly byte[] TimestampFlag0 = Convert.FromHexString(
        "480000280003000040016a2ec6120001c6120002014408093002b32c950000000800f7fd00010001");

    // Timestamp flag 1 (address and timestamp), a non-standard (high-bit) time, then Router Alert.
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=4,options=[IPOption_Timestamp(flg=1,pointer=13,internet_address='198.18.0.9',timestamp=0x80000001),IPOption_Router_Alert()])/ICMP(type=8,id=1,seq=1)).hex())"
    public static readonly byte[] TimestampFlag1 = Convert.FromHexString(
        "4900002c000400004001bf76c6120001c6120002440c0d01c612000980000001940400000800f7fd00010001");

    // Timestamp flag 3 (prespecified address), nothing recorded yet (pointer 5).
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=5,options=[IPOption_Timestamp(flg=3,pointer=5,internet_address='198.18.0.2',timestamp=0)])/ICMP(type=8,id=1,seq=1)).hex())"
    public static readonly byte[] TimestampFlag3 = Convert.FromHexString(
        "48000028000500004001dc84c6120001c6120002440c0503c6120002000000000800f7fd00010001");

    // LSRR (pointer 4) then SSRR (pointer 8, one hop done) over the same two routers; the second starts at an odd offset.
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=6,options=[IPOption_LSRR(pointer=4,routers=['198.18.1.1','198.18.2.1']),IPOption_SSRR(pointer=8,routers=['198.18.1.1','198.18.2.1'])])/ICMP(type=8,id=1,seq=1)).hex())"
    public static readonly byte[] SourceRoutes = Convert.FromHexString(
        "4b0000340006000040019f48c6120001c6120002830b04c6120101c6120201890b08c6120101c612020100000800f7fd00010001");

    // Router Alert, Stream ID (136, not typed by IcmpKit), an unassigned type 0xde of length 3, NOP, EOL and padding.
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=7,options=[IPOption_Router_Alert(),IPOption(b'\x88\x04\x12\x34'),IPOption(b'\xde\x03\x07'),IPOption_NOP(),IPOption_EOL()])/ICMP(type=8,id=1,seq=1)).hex())"
    public static readonly byte[] AlertAndUnknown = Convert.FromHexString(
        "4900002c000700004001d760c6120001c61200029404000088041234de030701000000000800f7fd00010001");

    public static IEnumerable<object[]> All()
    {
        yield return [nameof(RecordRoute)];
        yield return [nameof(TimestampFlag0)];
        yield return [nameof(TimestampFlag1)];
        yield return [nameof(TimestampFlag3)];
        yield return [nameof(SourceRoutes)];
        yield return [nameof(AlertAndUnknown)];
    }

    public static byte[] ByName(string name) => name switch
    {
        nameof(RecordRoute) => RecordRoute,
        nameof(TimestampFlag0) => TimestampFlag0,
        nameof(TimestampFlag1) => TimestampFlag1,
        nameof(TimestampFlag3) => TimestampFlag3,
        nameof(SourceRoutes) => SourceRoutes,
        nameof(AlertAndUnknown) => AlertAndUnknown,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
