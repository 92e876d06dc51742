using System.Net;
using IcmpKit.Wire.IPv4;

namespace IcmpKit.Wire.Tests.IPv4;

public class IPv4HeaderTests
{
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=1)/ICMP(type=8,id=0x1234,seq=1)/b'abcdefgh').hex())"
    private static readonly byte[] Echo = Convert.FromHexString("45000024000100004001eeb0c6120001c612000208005435123400016162636465666768");

    // A DF datagram with TOS 0xb9 (DSCP 46, ECN 1) and TTL 17.
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=0xabcd,tos=0xb9,ttl=17,flags='DF')/UDP(sport=1,dport=2)).hex())"
    private static readonly byte[] Udp = Convert.FromHexString("45b9001cabcd400011113123c6120001c612000200010002000873b3");

    // A later fragment: MF set, offset 185 (1480 bytes), reserved bit set (RFC 3514).
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=0x1234,flags='evil+MF',frag=185,proto=17)/b'12345678').hex())"
    private static readonly byte[] Fragment = Convert.FromHexString("4500001c1234a0b940113bbcc6120001c61200023132333435363738");

    [Fact]
    public void Read_through_the_view()
    {
        Assert.True(IPv4Packet.TryRead(Echo, out var p, out var error));
        Assert.True(error.IsNone);
        Assert.Equal(4, p.Version);
        Assert.Equal(20, p.HeaderLength);
        Assert.Equal(0, p.TypeOfService);
        Assert.Equal(36, p.TotalLength);
        Assert.Equal(1, p.Identification);
        Assert.False(p.ReservedFlag);
        Assert.False(p.DontFragment);
        Assert.False(p.MoreFragments);
        Assert.Equal(0, p.FragmentOffset);
        Assert.Equal(64, p.TimeToLive);
        Assert.Equal(1, p.Protocol);
        Assert.Equal(0xeeb0, p.HeaderChecksum);
        Assert.True(p.IsHeaderChecksumValid);
        Assert.Equal(IPAddress.Parse("198.18.0.1"), p.SourceAddress);
        Assert.Equal(IPAddress.Parse("198.18.0.2"), p.DestinationAddress);
        Assert.Equal(new byte[] { 198, 18, 0, 1 }, p.SourceAddressBytes.ToArray());
        Assert.True(p.Options.IsEmpty);
        Assert.Equal(Echo[..20], p.Header.ToArray());
        Assert.Equal(Echo[20..], p.Payload.ToArray());
        Assert.Equal(Echo, p.Bytes.ToArray());
        Assert.False(p.IsTruncated);
        Assert.False(p.IsNonInitialFragment);
    }

    [Fact]
    public void Read_tos_and_flags()
    {
        Assert.True(IPv4Packet.TryRead(Udp, out var p, out _));
        Assert.Equal(0xb9, p.TypeOfService);
        Assert.Equal(46, p.Dscp);
        Assert.Equal(1, p.Ecn);
        Assert.True(p.DontFragment);
        Assert.False(p.MoreFragments);
        Assert.Equal(17, p.TimeToLive);
        Assert.True(p.IsHeaderChecksumValid);

        Assert.True(IPv4Packet.TryRead(Fragment, out var f, out _));
        Assert.True(f.ReservedFlag);
        Assert.False(f.DontFragment);
        Assert.True(f.MoreFragments);
        Assert.Equal(185, f.FragmentOffset);
        Assert.True(f.IsNonInitialFragment);
        Assert.True(f.IsHeaderChecksumValid);
    }

    [Fact]
    public void Write_through_the_writer()
    {
        var buffer = new byte[24];
        buffer.AsSpan().Fill(0xA5);
        var w = new IPv4PacketWriter(buffer.AsSpan(0, 20));
        w.SetVersionAndHeaderLength(20);
        w.SetTypeOfService(0xb9);
        w.SetTotalLength(28);
        w.SetIdentification(0xabcd);
        w.SetFlagsAndFragmentOffset(false, true, false, 0);
        w.SetTimeToLive(17);
        w.SetProtocol(17);
        w.SetSourceAddress([198, 18, 0, 1]);
        w.SetDestinationAddress([198, 18, 0, 2]);
        Assert.Equal(0, w.Options.Length);
        w.FillHeaderChecksum();
        Assert.Equal(Udp[..20], buffer[..20]);
        Assert.All(buffer[20..], b => Assert.Equal(0xA5, b));

        var frag = new byte[20];
        frag.AsSpan().Fill(0xA5);
        var f = new IPv4PacketWriter(frag);
        f.SetVersionAndHeaderLength(20);
        f.SetTypeOfService(0);
        f.SetTotalLength(28);
        f.SetIdentification(0x1234);
        f.SetFlagsAndFragmentOffset(true, false, true, 185);
        f.SetTimeToLive(64);
        f.SetProtocol(17);
        f.SetSourceAddress([198, 18, 0, 1]);
        f.SetDestinationAddress([198, 18, 0, 2]);
        f.FillHeaderChecksum();
        Assert.Equal(Fragment[..20], frag);
    }

    [Fact]
    public void Writer_refuses_caller_bugs()
    {
        var buffer = new byte[60];
        Assert.Throws<ArgumentOutOfRangeException>(() => new IPv4PacketWriter(buffer).SetVersionAndHeaderLength(16));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IPv4PacketWriter(buffer).SetVersionAndHeaderLength(64));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IPv4PacketWriter(buffer).SetVersionAndHeaderLength(22));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IPv4PacketWriter(buffer).SetFlagsAndFragmentOffset(false, false, false, 0x2000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IPv4PacketWriter(new byte[19]));
    }

    [Fact]
    public void Parse_to_a_header_value()
    {
        Assert.True(IPv4Header.TryParse(Udp, out var h, out var error));
        Assert.True(error.IsNone);
        Assert.NotNull(h);
        Assert.Equal(0xb9, h.TypeOfService);
        Assert.Equal(46, h.Dscp);
        Assert.Equal(1, h.Ecn);
        Assert.Equal(28, h.TotalLength);
        Assert.Equal(0xabcd, h.Identification);
        Assert.False(h.ReservedFlag);
        Assert.True(h.DontFragment);
        Assert.False(h.MoreFragments);
        Assert.Equal(0, h.FragmentOffset);
        Assert.Equal(17, h.TimeToLive);
        Assert.Equal(17, h.Protocol);
        Assert.Equal(0x3123, h.HeaderChecksum);
        Assert.True(h.HeaderChecksumValid);
        Assert.Equal(IPAddress.Parse("198.18.0.1"), h.Source);
        Assert.Equal(IPAddress.Parse("198.18.0.2"), h.Destination);
        Assert.Empty(h.Options);
        Assert.True(h.OptionsError.IsNone);
        Assert.Equal(20, h.HeaderLength);

        Assert.True(IPv4Header.TryParse(Fragment, out var f, out _));
        Assert.True(f!.ReservedFlag);
        Assert.True(f.MoreFragments);
        Assert.Equal(185, f.FragmentOffset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Emit_parsed_gives_the_same_header(int which)
    {
        var known = which switch { 0 => Echo, 1 => Udp, _ => Fragment };
        Assert.True(IPv4Header.TryParse(known, out var h, out _));
        var buffer = new byte[24];
        buffer.AsSpan().Fill(0xA5);
        Assert.Equal(20, h!.Write(buffer));
        Assert.Equal(known[..20], buffer[..20]);
        Assert.All(buffer[20..], b => Assert.Equal(0xA5, b));
    }

    [Fact]
    public void Write_keeps_a_checksum_only_when_asked()
    {
        Assert.True(IPv4Header.TryParse(Echo, out var h, out _));
        var bad = h! with { HeaderChecksum = 0x1234 };
        var buffer = new byte[20];
        bad.Write(buffer, keepChecksum: true);
        Assert.Equal(new byte[] { 0x12, 0x34 }, buffer[10..12]);
        Assert.True(IPv4Header.TryParse([.. buffer, .. Echo[20..]], out var reread, out _));
        Assert.False(reread!.HeaderChecksumValid);
        bad.Write(buffer);
        Assert.Equal(Echo[..20], buffer);
    }

    [Fact]
    public void Write_refuses_ipv6_addresses()
    {
        var h = new IPv4Header { Source = IPAddress.IPv6Loopback };
        Assert.Throws<ArgumentException>(() => h.Write(new byte[20]));
    }
}
