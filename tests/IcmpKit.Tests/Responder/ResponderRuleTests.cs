using System.Net;
using IcmpKit.Responder;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv6;
using Microsoft.Extensions.Time.Testing;
using static IcmpKit.Tests.Responder.ResponderTestPackets;

namespace IcmpKit.Tests.Responder;

/// <summary>RFC 1122 §3.2.2, RFC 1812 §4.3.2.7 and RFC 4443 §2.4: when nothing may be sent.</summary>
public sealed class ResponderRuleTests
{
    private static readonly IPAddress Broadcast = IPAddress.Parse("198.19.0.255");

    public static TheoryData<string, byte[], DropReason> Cases() => new()
    {
        { "time exceeded about an ICMP error (RFC 1122 §3.2.2)", Icmp(new IcmpV4Message.DestinationUnreachable { OriginalDatagram = Udp() }, ttl: 1), DropReason.ErrorAboutError },
        { "port unreachable about UDP to the limited broadcast", Udp(IPAddress.Broadcast), DropReason.Broadcast },
        { "port unreachable about UDP to a directed broadcast", Udp(Broadcast), DropReason.Broadcast },
        { "echo to a broadcast address (RFC 1122 §3.2.2.6)", Echo(destination: IPAddress.Broadcast), DropReason.Broadcast },
        { "anything to a multicast address", Udp(IPAddress.Parse("224.0.0.1")), DropReason.Multicast },
        { "IPv6 to a multicast address", EchoV6(destination: IPAddress.Parse("ff02::1")), DropReason.Multicast },
        { "time exceeded about a non-initial fragment", IPv4(Prober, Host, IPProtocol.Udp, Data(16), ttl: 1, fragmentOffset: 10), DropReason.NonInitialFragment },
        { "a non-initial fragment to the host", IPv4(Prober, Host, IPProtocol.Udp, Data(16), fragmentOffset: 10), DropReason.NonInitialFragment },
        { "port unreachable to source 0.0.0.0", Udp(source: IPAddress.Any), DropReason.InvalidSource },
        { "port unreachable to a loopback source", Udp(source: IPAddress.Loopback), DropReason.InvalidSource },
        { "echo from a multicast source", Icmp(new IcmpV4Message.EchoRequest(1, 1, Data(4)), source: IPAddress.Parse("224.1.1.1")), DropReason.InvalidSource },
        { "unknown ICMP type 99", Icmp(new IcmpV4Message.Unknown((IcmpV4Type)99, 0, Data(4))), DropReason.UnknownIcmpType },
        { "unknown ICMPv6 informational type 180 (RFC 4443 §2.4(b))", IPv6(Prober6, Host6, IPProtocol.IcmpV6, new IcmpV6Message.Unknown((IcmpV6Type)180, 0, Data(4)).ToArray(Prober6, Host6)), DropReason.UnknownIcmpType },
        { "an echo reply asks nothing", Icmp(new IcmpV4Message.EchoReply(1, 1, Data(4))), DropReason.NotARequest },
        { "time exceeded about an ICMPv6 error (RFC 4443 §2.4(e.1))", IPv6(Prober6, Host6, IPProtocol.IcmpV6, new IcmpV6Message.TimeExceeded { OriginalDatagram = Data(48) }.ToArray(Prober6, Host6), hopLimit: 1), DropReason.ErrorAboutError },
        { "a packet for someone else", Echo(destination: IPAddress.Parse("198.18.99.99")), DropReason.NotForUs },
        { "a truncated header", Echo()[..19], DropReason.Malformed },
        { "a total length beyond the bytes", Echo()[..40], DropReason.Malformed },
        { "a bad IPv4 header checksum", Corrupt(Echo(), 10), DropReason.BadChecksum },
        { "a bad ICMP checksum", Corrupt(Echo(), 30), DropReason.BadChecksum },
        { "a bad ICMPv6 checksum", Corrupt(EchoV6(), 50), DropReason.BadChecksum },
        { "a bad UDP checksum", Corrupt(Udp(), 40), DropReason.BadChecksum },
        { "a TCP reset is never answered (RFC 9293 §3.10.7.1)", Tcp(0x04, acknowledgment: 5), DropReason.TcpReset },
        { "TCP to a broadcast address", Tcp(0x02, destination: Broadcast), DropReason.Broadcast },
        { "a TCP header shorter than its data offset", Tcp(0x02, dataOffsetWords: 15), DropReason.Malformed },
        { "a bad TCP checksum", Corrupt(Tcp(0x02), 25), DropReason.BadChecksum },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Nothing_is_sent(string rule, byte[] packet, DropReason reason)
    {
        var core = new ResponderCore(new ResponderOptions
        {
            Addresses = [Host, Host6],
            AddressMask = IPAddress.Parse("255.255.255.0"),
            Hops = [new ResponderHop { Address = Hop1 }, new ResponderHop { Address = Hop6 }],
        }, new FakeTimeProvider());
        var sink = new RecordingSink();
        core.Process(packet, sink);
        Assert.True(sink.Sent.Count == 0, rule);
        Assert.Equal(1, core.Counters.Dropped(reason));
    }

    [Fact]
    public void Echo_to_broadcast_is_answered_when_allowed()
    {
        var core = new ResponderCore(new ResponderOptions { Addresses = [Host], AnswerBroadcastEcho = true, AddressMask = IPAddress.Parse("255.255.255.0") }, new FakeTimeProvider());
        var sink = new RecordingSink();
        core.Process(Echo(destination: Broadcast), sink);
        Assert.Equal(Host, ParseV4(sink.Single().Packet).Header.Source); // RFC 1122 §3.2.2.6: from one of our own addresses
    }

    private static byte[] Corrupt(byte[] packet, int at)
    {
        packet[at] ^= 0x40;
        return packet;
    }
}
