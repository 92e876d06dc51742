using System.Net;
using IcmpKit.Responder;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;
using IcmpKit.Wire.Quoting;
using Microsoft.Extensions.Time.Testing;
using static IcmpKit.Tests.Responder.ResponderTestPackets;

namespace IcmpKit.Tests.Responder;

public sealed class ResponderHostTests
{
    // 12:34:56.789 UT: 45296789 ms since midnight.
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 34, 56, 789, TimeSpan.Zero);

    private static ResponderCore Core(ResponderOptions? options = null) =>
        new(options ?? new ResponderOptions { Addresses = [Host, Host6], Delay = TimeSpan.FromMilliseconds(5) }, new FakeTimeProvider(Now));

    [Fact]
    public void Echo_request_gets_an_echo_reply_with_all_data_from_the_address_probed()
    {
        var core = Core();
        var sink = new RecordingSink();
        core.Process(Echo(sequence: 7, dataLength: 1000), sink);

        var (packet, delay) = sink.Single();
        var (header, message) = ParseV4(packet);
        Assert.Equal(Host, header.Source);
        Assert.Equal(Prober, header.Destination);
        Assert.Equal(64, header.TimeToLive);
        Assert.Equal(IPProtocol.Icmp, header.Protocol);
        Assert.False(header.MoreFragments);
        Assert.Equal(0, header.FragmentOffset);
        var reply = Assert.IsType<IcmpV4Message.EchoReply>(message);
        Assert.Equal(0, reply.Code);
        Assert.Equal(0xBEEF, reply.Identifier);
        Assert.Equal(7, reply.SequenceNumber);
        Assert.Equal(Data(1000), reply.Data.ToArray());
        Assert.Equal(TimeSpan.FromMilliseconds(5), delay);
        Assert.Equal(1, core.Counters.Answered(AnswerKind.EchoReply));
        Assert.Equal(1, core.Counters.Received);
    }

    [Fact]
    public void Timestamp_reply_copies_originate_and_gives_milliseconds_since_midnight_UT()
    {
        var sink = new RecordingSink();
        Core().Process(Icmp(new IcmpV4Message.Timestamp(false, 3, 4, 1111, 0, 0)), sink);

        var (header, message) = ParseV4(sink.Single().Packet);
        Assert.Equal(Host, header.Source);
        var reply = Assert.IsType<IcmpV4Message.Timestamp>(message);
        Assert.True(reply.IsReply);
        Assert.Equal((3, 4, 1111u), (reply.Identifier, reply.SequenceNumber, reply.Originate));
        Assert.Equal(45296789u, reply.Receive);
        Assert.Equal(45296789u, reply.Transmit);
        Assert.Equal(20, message.GetEncodedLength());
    }

    [Fact]
    public void Information_request_gets_an_information_reply()
    {
        var sink = new RecordingSink();
        Core().Process(Icmp(new IcmpV4Message.Information(false, 9, 10)), sink);

        var (header, message) = ParseV4(sink.Single().Packet);
        Assert.Equal((Host, Prober), (header.Source, header.Destination));
        Assert.Equal(new IcmpV4Message.Information(true, 9, 10), message with { Checksum = 0 });
    }

    [Fact]
    public void Address_mask_request_is_answered_only_when_a_mask_is_configured()
    {
        var request = Icmp(new IcmpV4Message.AddressMask(false, 5, 6, IPAddress.Any));
        var silent = Core();
        var sink = new RecordingSink();
        silent.Process(request, sink);
        Assert.Empty(sink.Sent);
        Assert.Equal(1, silent.Counters.Dropped(DropReason.MaskNotConfigured));

        var core = Core(new ResponderOptions { Addresses = [Host], AddressMask = IPAddress.Parse("255.255.255.0") });
        core.Process(request, sink);
        var reply = Assert.IsType<IcmpV4Message.AddressMask>(ParseV4(sink.Single().Packet).Message);
        Assert.True(reply.IsReply);
        Assert.Equal((5, 6), (reply.Identifier, reply.SequenceNumber));
        Assert.Equal(IPAddress.Parse("255.255.255.0"), reply.Mask);
        Assert.Equal(1, core.Counters.Answered(AnswerKind.AddressMaskReply));
    }

    [Fact]
    public void Echo_with_record_route_comes_back_with_every_node_of_the_round_trip()
    {
        var core = Core(new ResponderOptions { Addresses = [Host], Hops = [new() { Address = Hop1 }, new() { Address = Hop2 }] });
        var recordRoute = new IPv4RouteOption(IPv4OptionType.RecordRoute, 4, Enumerable.Repeat(IPAddress.Any, 9).ToArray(), ReadOnlyMemory<byte>.Empty);
        var sink = new RecordingSink();
        core.Process(Icmp(new IcmpV4Message.EchoRequest(1, 2, Data(8)), options: [recordRoute]), sink);

        var (header, message) = ParseV4(sink.Single().Packet);
        Assert.Equal(62, header.TimeToLive);
        var route = Assert.IsType<IPv4RouteOption>(header.Options[0]);
        Assert.Equal(IPv4OptionType.RecordRoute, route.Kind);
        Assert.Equal(4 + (5 * 4), route.Pointer);
        Assert.Equal([Hop1, Hop2, Host, Hop2, Hop1], route.Recorded);
        Assert.IsType<IcmpV4Message.EchoReply>(message);
    }

    [Fact]
    public void Echo_with_timestamp_option_records_address_and_time()
    {
        var timestamp = new IPv4TimestampOption(5, 0, IPv4TimestampFlag.AddressAndTimestamp,
            Enumerable.Repeat(new IPv4TimestampEntry(IPAddress.Any, 0), 4).ToArray(), ReadOnlyMemory<byte>.Empty);
        var sink = new RecordingSink();
        Core().Process(Icmp(new IcmpV4Message.EchoRequest(1, 2, Data(8)), options: [timestamp]), sink);

        var option = Assert.IsType<IPv4TimestampOption>(ParseV4(sink.Single().Packet).Header.Options[0]);
        Assert.Equal([new IPv4TimestampEntry(Host, 45296789)], option.Recorded);
        Assert.Equal(13, option.Pointer);
        Assert.Equal(0, option.Overflow);
    }

    [Fact]
    public void IPv6_echo_gets_a_reply_with_a_valid_pseudo_header_checksum()
    {
        var sink = new RecordingSink();
        Core().Process(EchoV6(sequence: 3, dataLength: 100), sink);

        var (header, message) = ParseV6(sink.Single().Packet);
        Assert.Equal((Host6, Prober6), (header.Source, header.Destination));
        Assert.Equal(64, header.HopLimit);
        var reply = Assert.IsType<IcmpV6Message.EchoReply>(message);
        Assert.Equal((0, 0xCAFE, 3), (reply.Code, reply.Identifier, reply.SequenceNumber));
        Assert.Equal(Data(100), reply.Data.ToArray());
    }

    [Fact]
    public void Udp_gets_port_unreachable_quoting_the_whole_datagram()
    {
        var request = Udp(dataLength: 40);
        var sink = new RecordingSink();
        var core = Core();
        core.Process(request, sink);

        var (header, message) = ParseV4(sink.Single().Packet);
        Assert.Equal((Host, Prober, 64), (header.Source, header.Destination, (int)header.TimeToLive));
        Assert.Equal(0xC0, header.TypeOfService);
        var error = Assert.IsType<IcmpV4Message.DestinationUnreachable>(message);
        Assert.Equal(IcmpV4UnreachableCode.PortUnreachable, error.UnreachableCode);
        Assert.Equal(0, error.LengthAttribute);
        Assert.Null(error.Extensions);
        Assert.Equal(request, error.OriginalDatagram.ToArray());
        var quote = error.Quote;
        Assert.True(quote.IPv4!.HeaderChecksumValid);
        Assert.Equal(33434, Assert.IsType<QuotedUdp>(quote.Transport).DestinationPort);
        Assert.Equal(1, core.Counters.UnreachableV4(3));
    }

    [Fact]
    public void Unknown_protocol_gets_protocol_unreachable()
    {
        var sink = new RecordingSink();
        Core().Process(IPv4(Prober, Host, 253, Data(12)), sink);
        var error = Assert.IsType<IcmpV4Message.DestinationUnreachable>(ParseV4(sink.Single().Packet).Message);
        Assert.Equal(IcmpV4UnreachableCode.ProtocolUnreachable, error.UnreachableCode);
    }

    [Fact]
    public void IPv6_unknown_next_header_gets_parameter_problem_code_1_pointing_at_the_field()
    {
        var sink = new RecordingSink();
        var request = IPv6(Prober6, Host6, 253, Data(16));
        Core().Process(request, sink);
        var error = Assert.IsType<IcmpV6Message.ParameterProblem>(ParseV6(sink.Single().Packet).Message);
        Assert.Equal(1, error.Code);
        Assert.Equal(6u, error.Pointer);
        Assert.Equal(request, error.OriginalDatagram.ToArray());
    }

    [Fact]
    public void IPv6_udp_gets_port_unreachable_code_4()
    {
        var sink = new RecordingSink();
        var request = Udp(Host6, source: Prober6);
        Core().Process(request, sink);
        var (header, message) = ParseV6(sink.Single().Packet);
        Assert.Equal((Host6, Prober6), (header.Source, header.Destination));
        var error = Assert.IsType<IcmpV6Message.DestinationUnreachable>(message);
        Assert.Equal(4, error.Code);
        Assert.Equal(request, error.OriginalDatagram.ToArray());
    }

    [Fact]
    public void Counters_snapshot_lists_every_kind_and_reason()
    {
        var core = Core();
        core.Process(Echo(), new RecordingSink());
        core.Process([0x45], new RecordingSink());
        var snapshot = core.Counters.Snapshot();
        Assert.Equal(2, snapshot.Received);
        Assert.Equal(1, snapshot.Answered[AnswerKind.EchoReply]);
        Assert.Equal(1, snapshot.Dropped[DropReason.Malformed]);
        Assert.Equal(Enum.GetValues<DropReason>().Length, snapshot.Dropped.Count);
        Assert.Equal(1, snapshot.TotalAnswered);
        Assert.Equal(1, snapshot.TotalDropped);
    }
}
