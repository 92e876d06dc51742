using System.Net;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.Quoting;
using static IcmpKit.Wire.Tests.IcmpV4.V4Wire;

namespace IcmpKit.Wire.Tests.IcmpV4;

public class TimeExceededTests
{
    // RFC 792 style: the header and 8 bytes of a 36-byte echo request.
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=11,code=0)/Raw(bytes(IP(src='198.18.0.1',dst='198.18.9.9',ttl=1,id=0xbeef)/ICMP(type=8,id=0x1234,seq=7)/b'abcdefgh')[:28])).hex())"
    private static readonly byte[] QuotingEcho = Hex("0b0086950000000045000024beef0000010165bbc6120001c61209090800542f12340007");

    // The whole UDP probe quoted.
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=11,code=0)/IP(src='198.18.0.1',dst='198.18.9.9',ttl=1,id=0x1111)/UDP(sport=54321,dport=33435)/(b'\x00'*12)).hex())"
    private static readonly byte[] QuotingUdp =
        Hex("0b008a5400000000450000281111000001111386c6120001c6120909d431829b001413ca000000000000000000000000");

    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=11,code=0)/Raw(bytes(IP(src='198.18.0.1',dst='198.18.9.9',ttl=2,id=0x2222)/TCP(sport=40001,dport=443,seq=0xdeadbeef,flags='S'))[:28])).hex())"
    private static readonly byte[] QuotingTcp = Hex("0b00b96500000000450000282222000002060180c6120001c61209099c4101bbdeadbeef");

    [Fact]
    public void Read_through_the_view()
    {
        Assert.True(IcmpV4Packet.TryRead(QuotingEcho, out var icmp, out _));
        Assert.Equal(IcmpV4Type.TimeExceeded, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(0x8695, icmp.Checksum);
        Assert.True(icmp.IsChecksumValid);
        Assert.Equal(0, icmp.LengthAttribute);
        Assert.Equal(0u, icmp.RestOfHeader);
        Assert.Equal(QuotingEcho[8..], icmp.Body.ToArray());
        Assert.True(icmp.IsError);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Write_from_a_value(int which)
    {
        var known = which switch { 0 => QuotingEcho, 1 => QuotingUdp, _ => QuotingTcp };
        var message = new IcmpV4Message.TimeExceeded { Code = 0, OriginalDatagram = known.AsMemory(8) };
        Assert.Equal(known, Emit(message));
    }

    [Fact]
    public void Parse_quoting_an_echo_request()
    {
        var m = Parse<IcmpV4Message.TimeExceeded>(QuotingEcho);
        Assert.Equal(IcmpV4TimeExceededCode.TtlExceededInTransit, m.TimeExceededCode);
        Assert.Equal(0x8695, m.Checksum);
        Assert.True(m.ChecksumValid);
        Assert.Equal(0u, m.Unused);
        Assert.Equal(0, m.LengthAttribute);
        Assert.Null(m.Extensions);
        Assert.Equal(ExtensionLayout.None, m.Layout);
        Assert.Equal("TimeExceeded(time to live exceeded in transit)", m.DisplayName);

        var quote = m.Quote;
        Assert.True(quote.Error.IsNone);
        Assert.True(quote.IsTruncated);
        Assert.Null(quote.IPv6);
        var ip = quote.IPv4!;
        Assert.Equal(20, ip.HeaderLength);
        Assert.Equal(36, ip.TotalLength);
        Assert.Equal(0xbeef, ip.Identification);
        Assert.Equal(1, ip.TimeToLive);
        Assert.Equal(1, ip.Protocol);
        Assert.Equal(0x65bb, ip.HeaderChecksum);
        Assert.True(ip.HeaderChecksumValid);
        Assert.False(ip.DontFragment);
        Assert.Equal(IPAddress.Parse("198.18.0.1"), ip.Source);
        Assert.Equal(IPAddress.Parse("198.18.9.9"), ip.Destination);
        Assert.Empty(ip.Options);
        var icmp = Assert.IsType<QuotedIcmp>(quote.Transport);
        Assert.Equal(8, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(0x542f, icmp.Checksum);
        Assert.Equal(0x1234, icmp.Identifier);
        Assert.Equal(7, icmp.SequenceNumber);
        Assert.False(icmp.IsV6);
    }

    [Fact]
    public void QuotedProbe_reads_the_echo_quote_without_allocating()
    {
        var quote = QuotingEcho.AsSpan(8);
        Assert.True(QuotedProbe.TryRead(quote, out var probe, out var error));
        Assert.True(error.IsNone);
        Assert.Equal(1, probe.Protocol);
        Assert.Equal(8, probe.IcmpType);
        Assert.Equal(0x1234, probe.IcmpIdentifier);
        Assert.Equal(7, probe.IcmpSequenceNumber);
        Assert.Equal(new byte[] { 198, 18, 0, 1 }, probe.SourceAddress.ToArray());
        Assert.Equal(new byte[] { 198, 18, 9, 9 }, probe.DestinationAddress.ToArray());
        Assert.Equal(8, probe.TransportHeader.Length);
        Assert.Equal(8, probe.Transport.Length);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int sum = 0;
        for (int i = 0; i < 100; i++)
        {
            Assert.True(QuotedProbe.TryRead(quote, out var p, out _));
            sum += p.IcmpIdentifier + p.IcmpSequenceNumber + p.Protocol + p.DestinationAddress[3];
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100 * (0x1234 + 7 + 1 + 9), sum);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Parse_quoting_udp()
    {
        var m = Parse<IcmpV4Message.TimeExceeded>(QuotingUdp);
        Assert.Equal(0x8a54, m.Checksum);
        var quote = m.Quote;
        Assert.False(quote.IsTruncated);
        Assert.Equal((byte)17, quote.Protocol);
        Assert.Equal(0x1111, quote.IPv4!.Identification);
        Assert.Equal(new QuotedUdp(54321, 33435, 20, 0x13ca), quote.Transport);
        Assert.Equal(20, quote.TransportBytes.Length);

        Assert.True(QuotedProbe.TryRead(m.OriginalDatagram.Span, out var probe, out _));
        Assert.Equal(54321, probe.SourcePort);
        Assert.Equal(33435, probe.DestinationPort);
        Assert.Equal(20, probe.Transport.Length);
    }

    [Fact]
    public void Parse_quoting_tcp()
    {
        var m = Parse<IcmpV4Message.TimeExceeded>(QuotingTcp);
        Assert.Equal(0xb965, m.Checksum);
        var quote = m.Quote;
        Assert.True(quote.IsTruncated);
        Assert.Equal(2, quote.IPv4!.TimeToLive);
        Assert.Equal(6, quote.IPv4.Protocol);
        var tcp = Assert.IsType<QuotedTcp>(quote.Transport);
        Assert.Equal(40001, tcp.SourcePort);
        Assert.Equal(443, tcp.DestinationPort);
        Assert.Equal(0xdeadbeefu, tcp.SequenceNumber);
    }

    [Fact]
    public void Emit_parsed_gives_the_same_bytes()
    {
        AssertRoundTrip(QuotingEcho);
        AssertRoundTrip(QuotingUdp);
        AssertRoundTrip(QuotingTcp);
    }

    [Fact]
    public void Unknown_code_is_kept_and_named_gracefully()
    {
        var bytes = (byte[])QuotingEcho.Clone();
        bytes[1] = 7;
        var m = Assert.IsType<IcmpV4Message.TimeExceeded>(ParseAllowingBadChecksum(bytes));
        Assert.Equal(7, m.Code);
        Assert.False(m.ChecksumValid);
        Assert.Equal("TimeExceeded(code 7)", m.DisplayName);
        Assert.Equal(7, Emit(m)[1]);
        Assert.Equal("TimeExceeded(fragment reassembly time exceeded)", (m with { Code = 1 }).DisplayName);
    }

    private static IcmpV4Message ParseAllowingBadChecksum(byte[] bytes)
    {
        Assert.True(IcmpV4Message.TryParse(bytes, out var m, out _));
        return m!;
    }
}
