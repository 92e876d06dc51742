using System.Net;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;
using IcmpKit.Wire.Rules;

namespace IcmpKit.Wire.Tests.Rules;

public class IcmpErrorGuardTests
{
    private const string Host = "198.18.0.1";
    private const string Peer = "198.18.0.2";
    private static readonly byte[] Udp = [0x9c, 0x40, 0x82, 0x9a, 0, 8, 0, 0];

    private static byte[] V4(string source, string destination, byte protocol, byte[] payload, int fragmentOffset = 0)
    {
        var header = new IPv4Header
        {
            Source = IPAddress.Parse(source),
            Destination = IPAddress.Parse(destination),
            Protocol = protocol,
            FragmentOffset = fragmentOffset,
            TotalLength = (ushort)(20 + payload.Length),
        };
        var bytes = new byte[20 + payload.Length];
        header.Write(bytes);
        payload.CopyTo(bytes, 20);
        return bytes;
    }

    private static byte[] Icmp4(byte type) => [type, 0, 0, 0, 0, 0, 0, 0];

    // RFC 1122 §3.2.2 and RFC 1812 §4.3.2.7: the IPv4 table.
    public static TheoryData<string, byte[], ErrorSuppression> IPv4Cases => new()
    {
        { "UDP datagram between hosts", V4(Host, Peer, IPProtocol.Udp, Udp), ErrorSuppression.None },
        { "about a destination unreachable", V4(Host, Peer, IPProtocol.Icmp, Icmp4(3)), ErrorSuppression.IsIcmpError },
        { "about a time exceeded", V4(Host, Peer, IPProtocol.Icmp, Icmp4(11)), ErrorSuppression.IsIcmpError },
        { "about a redirect", V4(Host, Peer, IPProtocol.Icmp, Icmp4(5)), ErrorSuppression.IsIcmpError },
        { "about a source quench", V4(Host, Peer, IPProtocol.Icmp, Icmp4(4)), ErrorSuppression.IsIcmpError },
        { "about a parameter problem", V4(Host, Peer, IPProtocol.Icmp, Icmp4(12)), ErrorSuppression.IsIcmpError },
        { "about an ICMP header with no bytes", V4(Host, Peer, IPProtocol.Icmp, []), ErrorSuppression.IsIcmpError },
        { "about an echo request", V4(Host, Peer, IPProtocol.Icmp, Icmp4(8)), ErrorSuppression.None },
        { "about an echo reply", V4(Host, Peer, IPProtocol.Icmp, Icmp4(0)), ErrorSuppression.None },
        { "about an unknown ICMP type", V4(Host, Peer, IPProtocol.Icmp, Icmp4(99)), ErrorSuppression.None },
        { "non-initial fragment", V4(Host, Peer, IPProtocol.Udp, Udp, fragmentOffset: 185), ErrorSuppression.NonInitialFragment },
        { "non-initial fragment of an echo", V4(Host, Peer, IPProtocol.Icmp, Icmp4(8), fragmentOffset: 1), ErrorSuppression.NonInitialFragment },
        { "to 224.0.0.1", V4(Host, "224.0.0.1", IPProtocol.Udp, Udp), ErrorSuppression.MulticastDestination },
        { "to 239.255.255.250", V4(Host, "239.255.255.250", IPProtocol.Udp, Udp), ErrorSuppression.MulticastDestination },
        { "to the limited broadcast", V4(Host, "255.255.255.255", IPProtocol.Udp, Udp), ErrorSuppression.BroadcastDestination },
        { "from 0.0.0.0", V4("0.0.0.0", Peer, IPProtocol.Udp, Udp), ErrorSuppression.InvalidSource },
        { "from 127.0.0.1", V4("127.0.0.1", Peer, IPProtocol.Udp, Udp), ErrorSuppression.InvalidSource },
        { "from 224.0.0.1", V4("224.0.0.1", Peer, IPProtocol.Udp, Udp), ErrorSuppression.InvalidSource },
        { "from 240.0.0.1", V4("240.0.0.1", Peer, IPProtocol.Udp, Udp), ErrorSuppression.InvalidSource },
        { "from 255.255.255.255", V4("255.255.255.255", Peer, IPProtocol.Udp, Udp), ErrorSuppression.InvalidSource },
        { "header cut to 10 bytes", V4(Host, Peer, IPProtocol.Udp, Udp)[..10], ErrorSuppression.Malformed },
        { "IHL below 5", [.. V4(Host, Peer, IPProtocol.Udp, Udp).Select((b, i) => i == 0 ? (byte)0x44 : b)], ErrorSuppression.Malformed },
        { "an IPv6 packet", [0x60, .. new byte[47]], ErrorSuppression.Malformed },
        { "empty", [], ErrorSuppression.Malformed },
    };

    [Theory]
    [MemberData(nameof(IPv4Cases))]
    public void IPv4_table(string name, byte[] datagram, ErrorSuppression expected)
    {
        Assert.NotNull(name);
        Assert.Equal(expected, IcmpErrorGuard.CheckIPv4(datagram));
    }

    [Fact]
    public void IPv4_quote_cut_after_8_bytes_of_payload_is_still_judged()
    {
        var datagram = V4(Host, Peer, IPProtocol.Icmp, [3, 3, 0, 0, 0, 0, 0, 0, 0x45, 0, 0, 28]);
        Assert.Equal(ErrorSuppression.IsIcmpError, IcmpErrorGuard.CheckIPv4(datagram.AsSpan(0, 28)));
    }

    [Fact]
    public void IPv4_link_layer_broadcast()
    {
        var datagram = V4(Host, Peer, IPProtocol.Udp, Udp);
        Assert.Equal(ErrorSuppression.LinkLayerBroadcast, IcmpErrorGuard.CheckIPv4(datagram, receivedAsLinkLayerBroadcast: true));
        // An ICMP error is reported as such first.
        Assert.Equal(ErrorSuppression.IsIcmpError, IcmpErrorGuard.CheckIPv4(V4(Host, Peer, IPProtocol.Icmp, Icmp4(3)), receivedAsLinkLayerBroadcast: true));
    }

    [Fact]
    public void IPv4_directed_broadcast_through_the_predicate()
    {
        static bool Subnet(IPAddress address) => address.Equals(IPAddress.Parse("198.18.0.255"));
        var toBroadcast = V4(Host, "198.18.0.255", IPProtocol.Udp, Udp);
        Assert.Equal(ErrorSuppression.None, IcmpErrorGuard.CheckIPv4(toBroadcast));
        Assert.Equal(ErrorSuppression.BroadcastDestination, IcmpErrorGuard.CheckIPv4(toBroadcast, isDirectedBroadcast: Subnet));
        var fromBroadcast = V4("198.18.0.255", Peer, IPProtocol.Udp, Udp);
        Assert.Equal(ErrorSuppression.InvalidSource, IcmpErrorGuard.CheckIPv4(fromBroadcast, isDirectedBroadcast: Subnet));
        Assert.Equal(ErrorSuppression.None, IcmpErrorGuard.CheckIPv4(V4(Host, Peer, IPProtocol.Udp, Udp), isDirectedBroadcast: Subnet));
    }

    private static byte[] V6(string source, string destination, byte nextHeader, byte[] payload, int fragmentOffset = -1)
    {
        var extension = fragmentOffset < 0 ? [] : new byte[] { nextHeader, 0, (byte)(fragmentOffset >> 5), (byte)(fragmentOffset << 3), 0, 0, 0, 1 };
        var header = new IPv6Header
        {
            Source = IPAddress.Parse(source),
            Destination = IPAddress.Parse(destination),
            NextHeader = fragmentOffset < 0 ? nextHeader : IPProtocol.Fragment,
            PayloadLength = (ushort)(extension.Length + payload.Length),
        };
        var fixedHeader = new byte[40];
        header.Write(fixedHeader);
        return [.. fixedHeader, .. extension, .. payload];
    }

    private static byte[] Icmp6(IcmpV6Type type) => [(byte)type, 0, 0, 0, 0, 0, 0, 0];

    private const string A = "fd42::1";
    private const string B = "fd42::2";

    // RFC 4443 §2.4(e): the IPv6 table, for a destination unreachable (no exemption applies).
    public static TheoryData<string, byte[], ErrorSuppression> IPv6Cases => new()
    {
        { "UDP between hosts", V6(A, B, IPProtocol.Udp, Udp), ErrorSuppression.None },
        { "about an echo request", V6(A, B, IPProtocol.IcmpV6, Icmp6(IcmpV6Type.EchoRequest)), ErrorSuppression.None },
        { "about a destination unreachable", V6(A, B, IPProtocol.IcmpV6, Icmp6(IcmpV6Type.DestinationUnreachable)), ErrorSuppression.IsIcmpError },
        { "about a packet too big", V6(A, B, IPProtocol.IcmpV6, Icmp6(IcmpV6Type.PacketTooBig)), ErrorSuppression.IsIcmpError },
        { "about an error after a first fragment header", V6(A, B, IPProtocol.IcmpV6, Icmp6(IcmpV6Type.TimeExceeded), fragmentOffset: 0), ErrorSuppression.IsIcmpError },
        { "about a non-initial fragment whose bytes look like an error", V6(A, B, IPProtocol.IcmpV6, Icmp6(IcmpV6Type.TimeExceeded), fragmentOffset: 100), ErrorSuppression.None },
        { "about an ICMPv6 header with no bytes", V6(A, B, IPProtocol.IcmpV6, []), ErrorSuppression.IsIcmpError },
        { "about a redirect", V6(A, B, IPProtocol.IcmpV6, Icmp6(IcmpV6Type.Redirect)), ErrorSuppression.IsRedirect },
        { "to ff02::1", V6(A, "ff02::1", IPProtocol.Udp, Udp), ErrorSuppression.MulticastDestination },
        { "from ::", V6("::", B, IPProtocol.Udp, Udp), ErrorSuppression.InvalidSource },
        { "from ff02::1", V6("ff02::1", B, IPProtocol.Udp, Udp), ErrorSuppression.InvalidSource },
        { "cut to 39 bytes", V6(A, B, IPProtocol.Udp, Udp)[..39], ErrorSuppression.Malformed },
        { "an IPv4 datagram", V4(Host, Peer, IPProtocol.Udp, [.. Udp, .. new byte[20]]), ErrorSuppression.Malformed },
    };

    [Theory]
    [MemberData(nameof(IPv6Cases))]
    public void IPv6_table(string name, byte[] packet, ErrorSuppression expected)
    {
        Assert.NotNull(name);
        Assert.Equal(expected, IcmpErrorGuard.CheckIPv6(packet, IcmpV6Type.DestinationUnreachable, 4));
    }

    [Theory]
    [InlineData(IcmpV6Type.DestinationUnreachable, 0, false, ErrorSuppression.MulticastDestination)]
    [InlineData(IcmpV6Type.TimeExceeded, 0, false, ErrorSuppression.MulticastDestination)]
    [InlineData(IcmpV6Type.PacketTooBig, 0, false, ErrorSuppression.None)]
    [InlineData(IcmpV6Type.ParameterProblem, 2, true, ErrorSuppression.None)]
    [InlineData(IcmpV6Type.ParameterProblem, 2, false, ErrorSuppression.MulticastDestination)]
    [InlineData(IcmpV6Type.ParameterProblem, 0, true, ErrorSuppression.MulticastDestination)]
    public void IPv6_multicast_destination_exemptions(IcmpV6Type type, byte code, bool highBitsAre10, ErrorSuppression expected)
    {
        var packet = V6(A, "ff02::1", IPProtocol.Udp, Udp);
        Assert.Equal(expected, IcmpErrorGuard.CheckIPv6(packet, type, code, optionHighBitsAre10: highBitsAre10));
        // Received as a link-layer multicast to a unicast address: the same exemptions.
        var unicast = V6(A, B, IPProtocol.Udp, Udp);
        var link = expected == ErrorSuppression.None ? ErrorSuppression.None : ErrorSuppression.LinkLayerBroadcast;
        Assert.Equal(link, IcmpErrorGuard.CheckIPv6(unicast, type, code, receivedAsLinkLayerMulticast: true, optionHighBitsAre10: highBitsAre10));
    }

    [Fact]
    public void IPv6_exempt_error_still_refuses_an_unspecified_source()
    {
        var packet = V6("::", "ff02::1", IPProtocol.Udp, Udp);
        Assert.Equal(ErrorSuppression.InvalidSource, IcmpErrorGuard.CheckIPv6(packet, IcmpV6Type.PacketTooBig, 0));
    }
}
