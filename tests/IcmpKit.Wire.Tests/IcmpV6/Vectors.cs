namespace IcmpKit.Wire.Tests.IcmpV6;

/// <summary>Whole IPv6 packets carrying ICMPv6, produced by scapy 2.5.0; each with its command.</summary>
internal static class Vectors
{
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fd42::1',dst='fd42::2')/ICMPv6EchoRequest(id=0x1234,seq=1,data=b'abcd')).hex())"
    public const string EchoRequest = "60000000000c3a40fd420000000000000000000000000001fd4200000000000000000000000000028000ae341234000161626364";

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fd42::2',dst='fd42::1',hlim=63)/ICMPv6EchoReply(id=0x1234,seq=1,data=b'abcd')).hex())"
    public const string EchoReply = "60000000000c3a3ffd420000000000000000000000000002fd4200000000000000000000000000018100ad341234000161626364";

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fd42::2',dst='fd42::1')/ICMPv6DestUnreach(code=4)/IPv6(src='fd42::1',dst='fd42::2')/UDP(sport=40000,dport=33434)/b'xyz').hex())"
    public const string PortUnreachable = "60000000003b3a40fd420000000000000000000000000002fd420000000000000000000000000001010492ce0000000060000000000b1140fd420000000000000000000000000001fd4200000000000000000000000000029c40829a000bf3fa78797a";

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fd42::fe',dst='fd42::1')/ICMPv6DestUnreach(code=0)/IPv6(src='fd42::1',dst='fd42:9::1')/ICMPv6EchoRequest(id=7,seq=2)).hex())"
    public const string NoRoute = "6000000000383a40fd4200000000000000000000000000fefd42000000000000000000000000000101006902000000006000000000083a40fd420000000000000000000000000001fd4200090000000000000000000000018000852300070002";

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fd42::fe',dst='fd42::1')/ICMPv6PacketTooBig(mtu=1280)/IPv6(src='fd42::1',dst='fd42::2')/ICMPv6EchoRequest(id=0x99,seq=3,data=b'x'*16)).hex())"
    public const string PacketTooBig = "6000000000483a40fd4200000000000000000000000000fefd420000000000000000000000000001020062f2000005006000000000183a40fd420000000000000000000000000001fd4200000000000000000000000000028000c0c40099000378787878787878787878787878787878";

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fd42::fe',dst='fd42::1')/ICMPv6TimeExceeded(code=0)/IPv6(src='fd42::1',dst='fd42::9',hlim=1)/ICMPv6EchoRequest(id=0x4242,seq=7,data=b'probe')).hex())"
    public const string TimeExceeded = "60000000003d3a40fd4200000000000000000000000000fefd4200000000000000000000000000010300673c0000000060000000000d3a01fd420000000000000000000000000001fd4200000000000000000000000000098000fe094242000770726f6265";

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fd42::2',dst='fd42::1')/ICMPv6ParamProblem(code=1,ptr=6)/IPv6(src='fd42::1',dst='fd42::2',nh=253)/Raw(b'\x00'*8)).hex())"
    public const string ParameterProblem = "6000000000383a40fd420000000000000000000000000002fd4200000000000000000000000000010401a92b00000006600000000008fd40fd420000000000000000000000000001fd4200000000000000000000000000020000000000000000";

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fd42::fe',dst='fd42::1')/ICMPv6TimeExceeded()/IPv6(src='fd42::1',dst='fd42::9',hlim=1)/IPv6ExtHdrHopByHop(options=[RouterAlert()])/IPv6ExtHdrFragment(m=1,id=0xabcdef01)/ICMPv6EchoRequest(id=0x5151,seq=9,data=b'frag')).hex())"
    public const string QuoteWithExtensionHeaders = "60000000004c3a40fd4200000000000000000000000000fefd42000000000000000000000000000103009a4a0000000060000000001c0001fd420000000000000000000000000001fd4200000000000000000000000000092c000502000001003a000001abcdef0180006bf55151000966726167";

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fd42::fe',dst='fd42::1')/ICMPv6TimeExceeded(code=1)/IPv6(src='fd42::1',dst='fd42::2')/IPv6ExtHdrFragment(nh=58,offset=185,id=0x1000)/b'tail-of-datagram').hex())"
    public const string QuoteOfNonInitialFragment = "6000000000483a40fd4200000000000000000000000000fefd42000000000000000000000000000103011741000000006000000000182c40fd420000000000000000000000000001fd4200000000000000000000000000023a0005c8000010007461696c2d6f662d646174616772616d";

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fe80::1',dst='ff02::2',hlim=255)/ICMPv6ND_RS()/ICMPv6NDOptSrcLLAddr(lladdr='02:00:00:00:00:01')).hex())"
    public const string RouterSolicitation = "6000000000103afffe800000000000000000000000000001ff02000000000000000000000000000285007a2c000000000101020000000001";

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fe80::fe',dst='ff02::1',hlim=255)/ICMPv6ND_RA(chlim=64,M=1,O=0,prf=0,routerlifetime=1800,reachabletime=30000,retranstimer=1000)/ICMPv6NDOptSrcLLAddr(lladdr='02:00:00:00:00:fe')/ICMPv6NDOptMTU(mtu=1500)/ICMPv6NDOptPrefixInfo(prefixlen=64,L=1,A=1,validlifetime=86400,preferredlifetime=14400,prefix='fd42:1::')).hex())"
    public const string RouterAdvertisement = "6000000000403afffe8000000000000000000000000000feff0200000000000000000000000000018600e0bb4080070800007530000003e801010200000000fe05010000000005dc030440c0000151800000384000000000fd420001000000000000000000000000";

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fd42::1',dst='ff02::1:ff00:2',hlim=255)/ICMPv6ND_NS(tgt='fd42::2')/ICMPv6NDOptSrcLLAddr(lladdr='02:00:00:00:00:01')).hex())"
    public const string NeighborSolicitation = "6000000000203afffd420000000000000000000000000001ff0200000000000000000001ff00000287007d1300000000fd4200000000000000000000000000020101020000000001";

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fd42::2',dst='fd42::1',hlim=255)/ICMPv6ND_NA(R=1,S=1,O=0,tgt='fd42::2')/ICMPv6NDOptDstLLAddr(lladdr='02:00:00:00:00:02')).hex())"
    public const string NeighborAdvertisement = "6000000000203afffd420000000000000000000000000002fd4200000000000000000000000000018800bbd3c0000000fd4200000000000000000000000000020201020000000002";

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fe80::fe',dst='fd42::1',hlim=255)/ICMPv6ND_Redirect(tgt='fe80::2',dst='fd42:9::9')/ICMPv6NDOptDstLLAddr(lladdr='02:00:00:00:00:02')/ICMPv6NDOptRedirectedHdr(pkt=bytes(IPv6(src='fd42::1',dst='fd42:9::9')/ICMPv6EchoRequest(id=1,seq=1)))).hex())"
    public const string Redirect = "6000000000683afffe8000000000000000000000000000fefd4200000000000000000000000000018900dbb100000000fe800000000000000000000000000002fd420009000000000000000000000009020102000000000204070000000000006000000000083a40fd420000000000000000000000000001fd4200090000000000000000000000098000852200010001";

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fd42::1',dst='fd42::2')/ICMPv6NIQueryNOOP(nonce=b'12345678')).hex())"
    public const string NodeInformationQuery = "6000000000133a40fd420000000000000000000000000001fd4200000000000000000000000000028b01a953000000003132333435363738000000";

    // RFC 8335 extended echo: scapy 2.5 has no class for types 160/161, so the body is packed by hand; tshark 4.0.17
    // (tshark -V) decodes each as "Extended Echo request/reply" with correct ICMPv6 and structure checksums.
    // /usr/bin/python3 -c "from scapy.all import *; from scapy.contrib.icmp_extensions import *; import struct; e=bytes(ICMPExtensionHeader(chksum=0)/ICMPExtensionObject(len=8,classnum=3,classtype=1)/b'eth0'); e=e[:2]+checksum(e).to_bytes(2,'big')+e[4:]; p=IPv6(src='fd42::1',dst='fd42::2')/ICMPv6Unknown(type=160,code=0,msgbody=struct.pack('!HBB',0x0abc,1,1)+e); print(bytes(p).hex())"
    public const string ExtendedEchoByName = "6000000000143a40fd420000000000000000000000000001fd420000000000000000000000000002a000596b0abc010120000f520008030165746830";

    // Same, with: e=bytes(ICMPExtensionHeader(chksum=0)/ICMPExtensionObject(len=8,classnum=3,classtype=2)/struct.pack('!I',2)); ... msgbody=struct.pack('!HBB',0x0abc,2,1)+e
    public const string ExtendedEchoByIndex = "6000000000143a40fd420000000000000000000000000001fd420000000000000000000000000002a000586b0abc02012000dcf30008030200000002";

    // Same, with: e=bytes(ICMPExtensionHeader(chksum=0)/ICMPExtensionObject(len=24,classnum=3,classtype=3)/(struct.pack('!HBB',2,16,0)+inet_pton(socket.AF_INET6,'fd42::2'))); ... msgbody=struct.pack('!HBB',0x0abc,3,0)+e
    public const string ExtendedEchoByAddress = "6000000000243a40fd420000000000000000000000000001fd420000000000000000000000000002a000575c0abc03002000cf9d0018030300021000fd420000000000000000000000000002";

    // /usr/bin/python3 -c "from scapy.all import *; import struct; p=IPv6(src='fd42::2',dst='fd42::1')/ICMPv6Unknown(type=161,code=0,msgbody=struct.pack('!HBB',0x0abc,3,(2<<5)|0b101)); print(bytes(p).hex())"
    public const string ExtendedEchoReplyReachable = "6000000000083a40fd420000000000000000000000000002fd420000000000000000000000000001a10056330abc0345";

    // /usr/bin/python3 -c "from scapy.all import *; import struct; p=IPv6(src='fd42::2',dst='fd42::1')/ICMPv6Unknown(type=161,code=2,msgbody=struct.pack('!HBB',0x0abc,1,0)); print(bytes(p).hex())"
    public const string ExtendedEchoReplyNoSuchInterface = "6000000000083a40fd420000000000000000000000000002fd420000000000000000000000000001a10258760abc0100";
}
