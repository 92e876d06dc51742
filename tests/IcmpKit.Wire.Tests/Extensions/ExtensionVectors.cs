namespace IcmpKit.Wire.Tests.Extensions;

/// <summary>
/// RFC 4884 extension structures from scapy 2.5.0 (scapy.contrib.icmp_extensions), each cross-checked with
/// tshark 4.0.17 (<c>tshark -V</c> on a pcap written by <c>wrpcap</c>). scapy's contrib layer computes the structure
/// checksum over the 4-byte header only and miscounts object lengths, so lengths and checksums are given explicitly
/// (the checksum is the value tshark reports as correct).
/// </summary>
internal static class ExtensionVectors
{
    // /usr/bin/python3 -c "from scapy.all import *; from scapy.contrib.icmp_extensions import *; print(bytes(IPv6(src='fd42::fe',dst='fd42::1')/ICMPv6TimeExceeded(length=16)/Raw(bytes(IPv6(src='fd42::1',dst='fd42::9',hlim=1)/ICMPv6EchoRequest(id=0x4242,seq=7,data=b'probe')).ljust(128,b'\0'))/ICMPExtensionHeader(chksum=0xd00d)/ICMPExtensionMPLS(stack=[MPLS(label=16000,cos=5,s=1,ttl=1)])).hex())"
    // tshark: "Length of original datagram: 16", "Checksum: 0xd00d [correct]", "Label: 16000, Exp: 5, S: 1, TTL: 1"
    public const string IcmpV6TimeExceededWithMpls = "6000000000943a40fd4200000000000000000000000000fefd420000000000000000000000000001030056e51000000060000000000d3a01fd420000000000000000000000000001fd4200000000000000000000000000098000fe094242000770726f62650000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002000d00d0008010103e80b01";

    // The same without chksum=0xd00d: scapy writes 0xdfff; tshark: "Checksum: 0xdfff incorrect, should be 0xd00d".
    public const string IcmpV6TimeExceededWithBadStructureChecksum = "6000000000943a40fd4200000000000000000000000000fefd420000000000000000000000000001030046f31000000060000000000d3a01fd420000000000000000000000000001fd4200000000000000000000000000098000fe094242000770726f62650000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002000dfff0008010103e80b01";

    // /usr/bin/python3 -c "from scapy.all import *; from scapy.contrib.icmp_extensions import *; print(bytes(IP(src='198.18.0.254',dst='198.18.0.1')/ICMP(type=11,code=0,length=32)/Raw(bytes(IP(src='198.18.0.1',dst='198.18.9.9',ttl=1,id=1)/UDP(sport=40000,dport=33434)).ljust(128,b'\0'))/ICMPExtensionHeader(chksum=0x3c3a)/ICMPExtensionMPLS(len=12,stack=[MPLS(label=24001,cos=0,s=0,ttl=255),MPLS(label=16,cos=7,s=1,ttl=1)])/ICMPExtensionInterfaceInformation(len=28,interface_role=0,has_ifindex=1,has_ipaddr=1,has_ifname=1,has_mtu=1,ifindex=7,afi=1,ip4='198.18.0.254',ifname_len=8,ifname=b'eth0\0\0\0',mtu=1500)/ICMPExtensionInterfaceInformation(len=28,interface_role=2,has_ifindex=1,has_ipaddr=1,ifindex=3,afi=2,ip6='fd42::fe')).hex())"
    // tshark: checksum 0x3c3a correct; MPLS 24001/0/0/255 and 16/7/1/1; interface information role 0 with ifIndex 7,
    // 198.18.0.254, name "eth0", MTU 1500; role 2 with ifIndex 3 and fd42::fe.
    public const string IcmpV4TimeExceededWithInterfaceInformation = "450000e4000100004001ecf4c61200fec61200010b008a28002000004500001c00010000011124a2c6120001c61209099c40829a00084bd40000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000020003c3a000c010105dc10ff00010f01001c020f0000000700010000c61200fe0865746830000000000005dc001c028c0000000300020000fd4200000000000000000000000000fe";
}
