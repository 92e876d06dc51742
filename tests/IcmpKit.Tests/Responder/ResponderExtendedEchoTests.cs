using System.Net;
using IcmpKit.Responder;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using Microsoft.Extensions.Time.Testing;
using static IcmpKit.Tests.Responder.ResponderTestPackets;

namespace IcmpKit.Tests.Responder;

/// <summary>RFC 8335 extended echo (PROBE) over the host's interface table, as Linux's icmp_build_probe answers it.</summary>
public sealed class ResponderExtendedEchoTests
{
    private static readonly ResponderInterface[] Table =
    [
        new() { Name = "eth0", Index = 2, Addresses = [Host, Host6] },
        new() { Name = "eth1", Index = 3, Addresses = [IPAddress.Parse("198.19.5.5")] },
        new() { Name = "down0", Index = 4, Addresses = [IPAddress.Parse("198.19.6.6"), IPAddress.Parse("fd42:6::6")], Active = false },
        new() { Name = "v6only", Index = 5, Addresses = [IPAddress.Parse("fd42:7::7")] },
        new() { Name = "anycast-a", Index = 6, Addresses = [IPAddress.Parse("198.19.9.9")] },
        new() { Name = "anycast-b", Index = 7, Addresses = [IPAddress.Parse("198.19.9.9")] },
        new() { Name = "bare", Index = 8 },
    ];

    private static ResponderCore Core(bool answer = true) => new(new ResponderOptions
    {
        Addresses = [Host, Host6],
        Interfaces = Table,
        AnswerExtendedEcho = answer,
        Hops = [new ResponderHop { Address = Hop1 }, new ResponderHop { Address = Hop6 }],
    }, new FakeTimeProvider());

    public static TheoryData<string, IcmpExtensionObject?, ExtendedEchoReplyCode, bool, bool, bool> Queries() => new()
    {
        // name, query -> code, A, 4, 6
        { "by name, IPv4 and IPv6 addresses", InterfaceIdentificationObject.ForName("eth0"), ExtendedEchoReplyCode.NoError, true, true, true },
        { "by index, IPv4 only", InterfaceIdentificationObject.ForIndex(3), ExtendedEchoReplyCode.NoError, true, true, false },
        { "by IPv6 address", InterfaceIdentificationObject.ForAddress(IPAddress.Parse("fd42:7::7")), ExtendedEchoReplyCode.NoError, true, false, true },
        { "by IPv4 address", InterfaceIdentificationObject.ForAddress(IPAddress.Parse("198.19.5.5")), ExtendedEchoReplyCode.NoError, true, true, false },
        { "an inactive interface: no A, so no 4 or 6", InterfaceIdentificationObject.ForName("down0"), ExtendedEchoReplyCode.NoError, false, false, false },
        { "an active interface without addresses", InterfaceIdentificationObject.ForIndex(8), ExtendedEchoReplyCode.NoError, true, false, false },
        { "no such name", InterfaceIdentificationObject.ForName("eth9"), ExtendedEchoReplyCode.NoSuchInterface, false, false, false },
        { "no such index", InterfaceIdentificationObject.ForIndex(99), ExtendedEchoReplyCode.NoSuchInterface, false, false, false },
        { "no such address", InterfaceIdentificationObject.ForAddress(IPAddress.Parse("198.18.99.99")), ExtendedEchoReplyCode.NoSuchInterface, false, false, false },
        { "an address on two interfaces", InterfaceIdentificationObject.ForAddress(IPAddress.Parse("198.19.9.9")), ExtendedEchoReplyCode.MultipleInterfacesSatisfyQuery, false, false, false },
        { "no extension structure", null, ExtendedEchoReplyCode.MalformedQuery, false, false, false },
        { "an object of another class", new UnknownExtensionObject(ExtensionClass.InterfaceInformation, 2, new byte[4]), ExtendedEchoReplyCode.MalformedQuery, false, false, false },
        { "an unknown C-Type", new UnknownExtensionObject(ExtensionClass.InterfaceIdentification, 9, new byte[4]), ExtendedEchoReplyCode.MalformedQuery, false, false, false },
        { "an index of 8 bytes", new UnknownExtensionObject(ExtensionClass.InterfaceIdentification, 2, new byte[8]), ExtendedEchoReplyCode.MalformedQuery, false, false, false },
        { "an empty object", new UnknownExtensionObject(ExtensionClass.InterfaceIdentification, 1, ReadOnlyMemory<byte>.Empty), ExtendedEchoReplyCode.MalformedQuery, false, false, false },
        { "AFI 1 with a 16-byte address", new UnknownExtensionObject(ExtensionClass.InterfaceIdentification, 3, new byte[] { 0, 1, 16, 0 }.Concat(new byte[16]).ToArray()), ExtendedEchoReplyCode.MalformedQuery, false, false, false },
        { "a name field over 64 bytes", new UnknownExtensionObject(ExtensionClass.InterfaceIdentification, 1, Enumerable.Repeat((byte)'a', 68).ToArray()), ExtendedEchoReplyCode.MalformedQuery, false, false, false },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public void IPv4_extended_echo_gets_the_code_and_bits_of_RFC_8335(string name, IcmpExtensionObject? query, ExtendedEchoReplyCode code, bool active, bool v4, bool v6)
    {
        var core = Core();
        var sink = new RecordingSink();
        var request = ExtendedEcho(query, identifier: 0x1234, sequence: 9);
        core.Process(request, sink);

        var (header, message) = ParseV4(sink.Single().Packet);
        Assert.Equal((Host, Prober, 63), (header.Source, header.Destination, (int)header.TimeToLive));
        var reply = Assert.IsType<IcmpV4Message.ExtendedEchoReply>(message);
        Assert.True(code == reply.ReplyCode, name);
        Assert.Equal((0x1234, 9), (reply.Identifier, reply.SequenceNumber));
        Assert.Equal((ExtendedEchoState.Reserved, active, v4, v6), (reply.State, reply.Active, reply.IPv4, reply.IPv6));
        Assert.Equal(0, reply.Reserved);
        Assert.Equal(request.AsSpan(28).ToArray(), reply.Trailing.ToArray()); // the query comes back, as from Linux
        Assert.Equal(1, core.Counters.Answered(AnswerKind.ExtendedEchoReply));
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void IPv6_extended_echo_gets_the_same_answers(string name, IcmpExtensionObject? query, ExtendedEchoReplyCode code, bool active, bool v4, bool v6)
    {
        var core = Core();
        var sink = new RecordingSink();
        core.Process(ExtendedEcho(query, destination: Host6, identifier: 0x1234, sequence: 9), sink);

        var (header, message) = ParseV6(sink.Single().Packet);
        Assert.Equal((Host6, Prober6, 63), (header.Source, header.Destination, (int)header.HopLimit));
        var reply = Assert.IsType<IcmpV6Message.ExtendedEchoReply>(message);
        Assert.True(code == reply.ReplyCode, name);
        Assert.Equal((0x1234, 9), (reply.Identifier, reply.SequenceNumber));
        Assert.Equal((ExtendedEchoState.Reserved, active, v4, v6), (reply.State, reply.Active, reply.IPv4, reply.IPv6));
        Assert.Equal(1, core.Counters.Answered(AnswerKind.ExtendedEchoReplyV6));
    }

    [Fact]
    public void A_proxy_query_with_the_L_bit_clear_is_discarded_as_by_Linux()
    {
        var core = Core();
        var sink = new RecordingSink();
        core.Process(ExtendedEcho(InterfaceIdentificationObject.ForAddress(Host), local: false), sink);
        core.Process(ExtendedEcho(InterfaceIdentificationObject.ForAddress(Host6), local: false, destination: Host6), sink);
        Assert.Empty(sink.Sent);
        Assert.Equal(2, core.Counters.Dropped(DropReason.ExtendedEchoNotLocal));
    }

    [Fact]
    public void Nothing_is_answered_when_extended_echo_is_off_or_the_request_goes_to_a_hop()
    {
        var sink = new RecordingSink();
        var off = Core(answer: false);
        off.Process(ExtendedEcho(InterfaceIdentificationObject.ForName("eth0")), sink);
        off.Process(ExtendedEcho(InterfaceIdentificationObject.ForName("eth0"), destination: Host6), sink);
        var on = Core();
        on.Process(ExtendedEcho(InterfaceIdentificationObject.ForName("eth0"), destination: Hop1), sink);
        on.Process(ExtendedEcho(InterfaceIdentificationObject.ForName("eth0"), destination: Hop6), sink);
        Assert.Empty(sink.Sent);
        Assert.Equal(2, off.Counters.Dropped(DropReason.ExtendedEchoDisabled));
        Assert.Equal(2, on.Counters.Dropped(DropReason.ExtendedEchoDisabled));
    }

    [Fact]
    public void An_empty_table_knows_no_interface()
    {
        var core = new ResponderCore(new ResponderOptions { Addresses = [Host] }, new FakeTimeProvider());
        var sink = new RecordingSink();
        core.Process(ExtendedEcho(InterfaceIdentificationObject.ForName("eth0")), sink);
        var reply = Assert.IsType<IcmpV4Message.ExtendedEchoReply>(ParseV4(sink.Single().Packet).Message);
        Assert.Equal(ExtendedEchoReplyCode.NoSuchInterface, reply.ReplyCode);
    }
}
