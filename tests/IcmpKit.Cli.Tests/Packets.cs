namespace IcmpKit.Cli.Tests;

/// <summary>
/// Packets made with scapy 2.5.0 (Debian python3-scapy), so the codec is checked against an independent encoder.
/// Each constant names the command that produced it; run it with `/usr/bin/python3 -c "from scapy.all import *; ..."`.
/// </summary>
internal static class Packets
{
    /// <summary>bytes(IP(src="198.18.0.1", dst="198.18.2.2", id=0x1234, ttl=64, flags="DF")/ICMP(type=8, id=0x4242, seq=7)/b"icmpkit!").hex()</summary>
    public const string EchoRequest = "450000241234400040019a7dc6120001c61202020800ff574242000769636d706b697421";

    /// <summary>bytes(IP(src="198.18.0.1", dst="198.18.2.2", id=1, ttl=64)/ICMP(type=13, id=0x77, seq=1, ts_ori=1000, ts_rx=0, ts_tx=0)).hex()</summary>
    public const string TimestampRequest = "45000028000100004001ecacc6120001c61202020d00ee9f00770001000003e80000000000000000";

    /// <summary>
    /// bytes(IP(src="198.18.1.1", dst="198.18.0.1", id=2, ttl=64)/ICMP(type=3, code=4, nexthopmtu=1280)
    ///   /IP(src="198.18.0.1", dst="198.18.2.2", id=0x1234, flags="DF", ttl=63)/ICMP(type=8, id=0x4242, seq=7)).hex()
    /// </summary>
    public const string FragmentationNeeded = "45000038000200004001ed9cc6120101c61200010304f7fb000005004500001c123440003f019b85c6120001c61202020800b5b642420007";

    /// <summary>
    /// bytes(IP(src="198.18.2.2", dst="198.18.0.1", id=3, ttl=64)/ICMP(type=3, code=3)
    ///   /IP(src="198.18.0.1", dst="198.18.2.2", id=5, ttl=63)/UDP(sport=40000, dport=33434)/b"x").hex()
    /// </summary>
    public const string PortUnreachable = "45000039000300004001ec99c6120202c612000103038b3f000000004500001d000500003f11eda3c6120001c61202029c40829a0009dad878";

    /// <summary>bytes(IPv6(src="fd42::1", dst="fd42::2", hlim=64)/ICMPv6EchoRequest(id=0x1111, seq=2, data=b"ab")).hex()</summary>
    public const string IPv6EchoRequest = "60000000000a3a40fd420000000000000000000000000001fd420000000000000000000000000002800012bd111100026162";

    /// <summary>bytes(ICMP(type=0, id=5, seq=6)).hex(): an echo reply starting at the ICMPv4 header.</summary>
    public const string BareIcmpV4EchoReply = "0000fff400050006";

    /// <summary>bytes(ICMPv6EchoRequest(id=0x1111, seq=2, data=b"ab")).hex(): no IPv6 header, so scapy leaves the checksum 0.</summary>
    public const string BareIcmpV6EchoRequest = "80000000111100026162";
}
