using System.Buffers.Binary;
using System.Net;
using IcmpKit.Sockets;
using IcmpKit.Tests.Transport;
using IcmpKit.Trace;
using IcmpKit.Trace.Probes;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Tests.Trace;

/// <summary>
/// Matching answers to probes from what a socket hands over: a raw socket's whole ICMP errors (the quote names the
/// probe), datagram sockets' error-queue entries (the probe itself, or its port), echo replies; and what is not ours.
/// </summary>
public class ProbeResponseReaderTests
{
    private static readonly IPAddress Local = IPAddress.Parse("198.18.0.1");
    private static readonly IPAddress Target = IPAddress.Parse("198.18.5.2");
    private static readonly IPAddress Router = IPAddress.Parse("198.18.2.2");
    private static readonly IPAddress LocalV6 = IPAddress.Parse("fd42::1");
    private static readonly IPAddress TargetV6 = IPAddress.Parse("fd42:0:5::2");
    private static readonly IPAddress RouterV6 = IPAddress.Parse("fd42:0:2::2");
    private const ushort Identifier = 0x4d2;
    private const ushort SourcePort = 40001;

    private static readonly ProbeSignature Icmp = new(TraceProbeKind.Icmp, Target, Identifier, 0);
    private static readonly ProbeSignature Udp = new(TraceProbeKind.Udp, Target, 0, SourcePort);

    /// <summary>An echo request as the trace sends it: 8 bytes of header, 32 of traceroute's filler.</summary>
    private static byte[] Echo(ushort sequence, bool v6 = false, ushort identifier = Identifier)
    {
        var message = new byte[40];
        message[0] = (byte)(v6 ? 128 : 8);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), identifier);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), sequence);
        for (int i = 8; i < message.Length; i++)
        {
            message[i] = (byte)(0x40 + (i & 0x3f));
        }
        return message;
    }

    private static byte[] UdpProbe(ushort port, ushort sourcePort = SourcePort)
    {
        var datagram = new byte[40];
        BinaryPrimitives.WriteUInt16BigEndian(datagram, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), port);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), 40);
        return datagram;
    }

    private static byte[] QuoteV4(byte[] transport, byte protocol = 1, IPAddress? destination = null) =>
        Packets.IPv4(Local, destination ?? Target, transport, ttl: 1, protocol: protocol);

    private static byte[] QuoteV6(byte[] transport, byte protocol = 58)
    {
        var header = new IPv6Header
        {
            PayloadLength = (ushort)transport.Length,
            NextHeader = protocol,
            UpperLayerProtocol = protocol,
            HopLimit = 1,
            Source = LocalV6,
            Destination = TargetV6,
        };
        var bytes = new byte[header.HeaderLength + transport.Length];
        int at = header.Write(bytes);
        transport.CopyTo(bytes.AsSpan(at));
        return bytes;
    }

    /// <summary>What a raw IPv4 socket reads: the router's IP header (TTL 62), then its ICMP error.</summary>
    private static ReceivedPacket Raw(byte[] icmp, IPAddress? from = null) => new()
    {
        Data = Packets.IPv4(from ?? Router, Local, icmp, ttl: 62),
        KernelTimestampNanoseconds = 1_000,
        TimeToLive = -1,
    };

    [Fact]
    public void A_raw_time_exceeded_quoting_our_echo_names_its_sequence_the_router_and_its_ttl()
    {
        var response = ProbeResponseReader.FromIcmpPacket(Raw(Packets.TimeExceededV4(QuoteV4(Echo(7)))), Icmp, hasIPv4Header: true);

        Assert.NotNull(response);
        Assert.Equal(((ushort)7, TraceReplyKind.TimeExceeded, Router, (int?)62, (byte)11, (byte)0), (response.Key, response.Kind, response.From, response.ReplyTtl, response.Type, response.Code));
        Assert.Equal(1_000, response.ReceivedAtNanoseconds);
        Assert.Null(response.Extensions);
    }

    [Fact]
    public void Errors_about_other_probes_are_not_ours()
    {
        Assert.Null(ProbeResponseReader.FromIcmpPacket(Raw(Packets.TimeExceededV4(QuoteV4(Echo(7, identifier: Identifier + 1)))), Icmp, true));
        Assert.Null(ProbeResponseReader.FromIcmpPacket(Raw(Packets.TimeExceededV4(QuoteV4(Echo(7), destination: Router))), Icmp, true));
        Assert.Null(ProbeResponseReader.FromIcmpPacket(Raw(Packets.Flip(Packets.TimeExceededV4(QuoteV4(Echo(7))), 2)), Icmp, true)); // bad checksum
        Assert.Null(ProbeResponseReader.FromIcmpPacket(Raw(Packets.UnreachableV4(QuoteV4(UdpProbe(33440, SourcePort + 1), protocol: 17), 3)), Udp, true));
        Assert.Null(ProbeResponseReader.FromIcmpPacket(Raw(Packets.TimeExceededV4(QuoteV4(Echo(7)))), Udp, true)); // an ICMP probe is no UDP probe
        Assert.Null(ProbeResponseReader.FromIcmpPacket(Raw(Packets.EchoReplyV4(Identifier + 1, 9, new byte[32]), Target), Icmp, true));
    }

    [Fact]
    public void A_port_unreachable_quoting_our_udp_probe_names_its_destination_port()
    {
        var response = ProbeResponseReader.FromIcmpPacket(Raw(Packets.UnreachableV4(QuoteV4(UdpProbe(33440), protocol: 17), 3), Target), Udp, true);

        Assert.NotNull(response);
        Assert.Equal(((ushort)33440, TraceReplyKind.PortUnreachable, Target), (response.Key, response.Kind, response.From));
    }

    [Fact]
    public void Fragmentation_needed_carries_the_mtu_and_ends_the_path()
    {
        var response = ProbeResponseReader.FromIcmpPacket(Raw(Packets.UnreachableV4(QuoteV4(Echo(3)), 4, nextHopMtu: 1280)), Icmp, true);

        Assert.NotNull(response);
        Assert.Equal((TraceReplyKind.Unreachable, (int?)1280), (response.Kind, response.Mtu));
    }

    [Fact]
    public void Our_echo_reply_is_the_destination()
    {
        var response = ProbeResponseReader.FromIcmpPacket(Raw(Packets.EchoReplyV4(Identifier, 9, new byte[32]), Target), Icmp, true);

        Assert.NotNull(response);
        Assert.Equal(((ushort)9, TraceReplyKind.EchoReply, Target, (int?)62), (response.Key, response.Kind, response.From, response.ReplyTtl));
    }

    [Fact]
    public void Rfc_4884_extensions_of_a_raw_error_are_parsed()
    {
        var mpls = new IcmpExtensionStructure { Objects = [new MplsLabelStackObject([new MplsLabelEntry(16005, 0, true, 1)])] };
        var error = new IcmpV4Message.TimeExceeded { OriginalDatagram = QuoteV4(Echo(5)), Extensions = mpls, Layout = ExtensionLayout.LengthAttribute }.ToArray();

        var response = ProbeResponseReader.FromIcmpPacket(Raw(error), Icmp, true);

        var stack = Assert.IsType<MplsLabelStackObject>(Assert.Single(response!.Extensions!.Objects));
        Assert.Equal(new MplsLabelEntry(16005, 0, true, 1), Assert.Single(stack.Entries));
    }

    [Fact]
    public void IPv6_errors_and_replies_are_matched_the_same_way()
    {
        ProbeResponse? Read(byte[] icmp, IPAddress from, ProbeSignature probe) => ProbeResponseReader.FromIcmpPacket(new ReceivedPacket
        {
            Data = icmp,
            SourceAddress = from.GetAddressBytes(),
            TimeToLive = 61,
            KernelTimestampNanoseconds = 5,
        }, probe, hasIPv4Header: false);
        var icmp6 = new ProbeSignature(TraceProbeKind.Icmp, TargetV6, Identifier, 0);
        var udp6 = new ProbeSignature(TraceProbeKind.Udp, TargetV6, 0, SourcePort);

        var exceeded = Read(new IcmpV6Message.TimeExceeded { OriginalDatagram = QuoteV6(Echo(4, v6: true)) }.ToArray(RouterV6, LocalV6), RouterV6, icmp6);
        Assert.Equal(((ushort)4, TraceReplyKind.TimeExceeded, RouterV6, (int?)61, true), (exceeded!.Key, exceeded.Kind, exceeded.From, exceeded.ReplyTtl, exceeded.IsV6));

        var tooBig = Read(Packets.PacketTooBigV6(QuoteV6(Echo(6, v6: true)), 1280), RouterV6, icmp6);
        Assert.Equal(((ushort)6, TraceReplyKind.Unreachable, (int?)1280), (tooBig!.Key, tooBig.Kind, tooBig.Mtu));

        var port = Read(new IcmpV6Message.DestinationUnreachable { Code = 4, OriginalDatagram = QuoteV6(UdpProbe(33450), 17) }.ToArray(TargetV6, LocalV6), TargetV6, udp6);
        Assert.Equal(((ushort)33450, TraceReplyKind.PortUnreachable), (port!.Key, port.Kind));

        var reply = Read(Packets.EchoReplyV6(Identifier, 8, new byte[32]), TargetV6, icmp6);
        Assert.Equal(((ushort)8, TraceReplyKind.EchoReply), (reply!.Key, reply.Kind));
    }

    /// <summary>An IP_RECVERR entry: the kernel's summary, and what of the probe came back as data.</summary>
    private static ReceivedPacket Queued(byte[] data, ErrorOrigin origin, byte type, byte code, uint info = 0, IPAddress? offender = null) => new()
    {
        Data = data,
        SourceAddress = (origin == ErrorOrigin.IcmpV6 ? TargetV6 : Target).GetAddressBytes(),
        KernelTimestampNanoseconds = 7,
        TimeToLive = 63,
        FromErrorQueue = true,
        HasErrorReport = true,
        ErrorOrigin = origin,
        ErrorNumber = 113,
        ErrorType = type,
        ErrorCode = code,
        ErrorInfo = info,
        OffenderAddress = (offender ?? (origin == ErrorOrigin.IcmpV6 ? RouterV6 : Router)).GetAddressBytes(),
    };

    [Fact]
    public void A_datagram_socket_error_names_the_probe_by_the_echo_it_quotes_or_by_the_queued_port()
    {
        var icmp = ProbeResponseReader.FromErrorQueue(Queued(Echo(11), ErrorOrigin.IcmpV4, 11, 0), Icmp, addressPort: 0);
        Assert.Equal(((ushort)11, TraceReplyKind.TimeExceeded, Router, (int?)63, 113), (icmp!.Key, icmp.Kind, icmp.From, icmp.ReplyTtl, icmp.ErrorNumber));

        var udp = ProbeResponseReader.FromErrorQueue(Queued(new byte[32], ErrorOrigin.IcmpV4, 3, 3, offender: Target), Udp, addressPort: 33441);
        Assert.Equal(((ushort)33441, TraceReplyKind.PortUnreachable, Target), (udp!.Key, udp.Kind, udp.From));

        var tooBig = ProbeResponseReader.FromErrorQueue(Queued(Echo(12, v6: true), ErrorOrigin.IcmpV6, 2, 0, info: 1280),
            new ProbeSignature(TraceProbeKind.Icmp, TargetV6, Identifier, 0), addressPort: 0);
        Assert.Equal(((ushort)12, (int?)1280, true), (tooBig!.Key, tooBig.Mtu, tooBig.IsV6));
    }

    [Fact]
    public void Queued_entries_that_are_not_ours_or_not_routers_are_skipped()
    {
        Assert.Null(ProbeResponseReader.FromErrorQueue(Queued(Echo(11, identifier: 99), ErrorOrigin.IcmpV4, 11, 0), Icmp, 0));
        Assert.Null(ProbeResponseReader.FromErrorQueue(Queued(Echo(11), ErrorOrigin.Local, 0, 0), Icmp, 0));
        Assert.Null(ProbeResponseReader.FromErrorQueue(Queued(Echo(11), ErrorOrigin.IcmpV4, 5, 1), Icmp, 0)); // a redirect
        Assert.Null(ProbeResponseReader.FromErrorQueue(Queued([8, 0], ErrorOrigin.IcmpV4, 11, 0), Icmp, 0));
    }

    [Fact]
    public void Extensions_are_found_in_a_queued_error_after_the_quote_padded_to_128_bytes()
    {
        var mpls = new IcmpExtensionStructure { Objects = [new MplsLabelStackObject([new MplsLabelEntry(24, 0, true, 255)])] };
        var structure = new byte[mpls.EncodedLength];
        mpls.Write(structure);
        // ICMP datagram socket: the data runs from the quoted ICMP header (the 20-byte IP header was stripped) to the end.
        var data = new byte[128 - 20 + structure.Length];
        Echo(11).CopyTo(data, 0);
        structure.CopyTo(data, 128 - 20);

        var response = ProbeResponseReader.FromErrorQueue(Queued(data, ErrorOrigin.IcmpV4, 11, 0), Icmp, 0);
        var stack = Assert.IsType<MplsLabelStackObject>(Assert.Single(response!.Extensions!.Objects));
        Assert.Equal(24, Assert.Single(stack.Entries).Label);

        // UDP: the kernel stripped the UDP header too; IPv6: the 40-byte header, 8-byte words.
        Assert.NotNull(ProbeResponseReader.QueuedExtensions(data.AsSpan(8), v6: false, strippedHeader: 8));
        var data6 = new byte[128 - 40 + structure.Length];
        structure.CopyTo(data6, 128 - 40);
        Assert.NotNull(ProbeResponseReader.QueuedExtensions(data6, v6: true, strippedHeader: 0));
        // No structure, or one whose checksum fails: none.
        Assert.Null(ProbeResponseReader.QueuedExtensions(Echo(11), v6: false, strippedHeader: 0));
        data[^1] ^= 1;
        Assert.Null(ProbeResponseReader.QueuedExtensions(data, v6: false, strippedHeader: 0));
    }

    [Theory]
    [InlineData(false, 11, 0, TraceReplyKind.TimeExceeded)]
    [InlineData(false, 11, 1, TraceReplyKind.Unreachable)]
    [InlineData(false, 3, 3, TraceReplyKind.PortUnreachable)]
    [InlineData(false, 3, 1, TraceReplyKind.Unreachable)]
    [InlineData(false, 12, 0, TraceReplyKind.Unreachable)]
    [InlineData(false, 0, 0, TraceReplyKind.EchoReply)]
    [InlineData(true, 3, 0, TraceReplyKind.TimeExceeded)]
    [InlineData(true, 1, 4, TraceReplyKind.PortUnreachable)]
    [InlineData(true, 1, 0, TraceReplyKind.Unreachable)]
    [InlineData(true, 2, 0, TraceReplyKind.Unreachable)]
    [InlineData(true, 129, 0, TraceReplyKind.EchoReply)]
    public void Only_time_exceeded_in_transit_lets_the_trace_go_on(bool v6, byte type, byte code, TraceReplyKind expected) =>
        Assert.Equal(expected, ProbeResponseReader.Classify(v6, type, code));
}
