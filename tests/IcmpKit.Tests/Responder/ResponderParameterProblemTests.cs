using IcmpKit.Responder;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv6;
using Microsoft.Extensions.Time.Testing;
using static IcmpKit.Tests.Responder.ResponderTestPackets;

namespace IcmpKit.Tests.Responder;

/// <summary>Parameter problem on bad headers: IPv4 options (RFC 792, as Linux's ip_options_compile), IPv6 options and Next Header (RFC 8200 §4).</summary>
public sealed class ResponderParameterProblemTests
{
    private static (ResponderCore Core, RecordingSink Sink) Run(bool hops, params byte[][] packets)
    {
        var core = new ResponderCore(new ResponderOptions
        {
            Addresses = [Host, Host6],
            Hops = hops
                ? [new ResponderHop { Address = Hop1, Delay = TimeSpan.FromMilliseconds(5) }, new ResponderHop { Address = Hop2 }, new ResponderHop { Address = Hop6 }]
                : [],
        }, new FakeTimeProvider());
        var sink = new RecordingSink();
        foreach (var packet in packets)
        {
            core.Process(packet, sink);
        }
        return (core, sink);
    }

    public static TheoryData<string, byte[], int> BadOptions() => new()
    {
        // name, options area (padded to 4) -> pointer (octet of the IP header at fault)
        { "an option longer than the header", [7, 40, 4, 0], 20 },
        { "an option length of 1", [68, 1, 0, 0], 20 },
        { "only one byte left for a two-byte option", [1, 1, 1, 7], 23 },
        { "Record Route of length 2", [7, 2, 1, 1], 21 },
        { "Record Route pointer 3", [7, 7, 3, 0, 0, 0, 0, 0], 22 },
        { "Record Route pointer inside a slot", [7, 7, 5, 0, 0, 0, 0, 0], 22 },
        { "a second Record Route", [7, 3, 4, 7, 3, 4, 0, 0], 23 },
        { "Timestamp of length 3", [68, 3, 5, 0], 21 },
        { "Timestamp pointer 4", [68, 8, 4, 0, 0, 0, 0, 0], 22 },
        { "address-and-timestamp slot of 4 bytes", [68, 8, 5, 1, 0, 0, 0, 0], 22 },
        { "a full Timestamp whose overflow is 15", [68, 8, 9, 0xF0, 0, 0, 0, 0], 23 },
        { "loose source route pointer 2", [131, 7, 2, 0, 0, 0, 0, 0], 22 },
        { "router alert of length 2", [148, 2, 1, 1], 21 },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void A_malformed_IPv4_option_gets_parameter_problem_from_the_first_hop_pointing_at_it(string name, byte[] options, int pointer)
    {
        var request = IPv4RawOptions(options, IPProtocol.Udp, Data(16), ttl: 1); // TTL 1: the options are judged first
        var (core, sink) = Run(true, request);

        var (packet, delay) = sink.Single();
        var (header, message) = ParseV4(packet);
        Assert.Equal((Hop1, Prober, 64), (header.Source, header.Destination, (int)header.TimeToLive));
        Assert.Equal(TimeSpan.FromMilliseconds(5), delay);
        var problem = Assert.IsType<IcmpV4Message.ParameterProblem>(message);
        Assert.Equal((byte)IcmpV4ParameterProblemCode.PointerIndicatesError, problem.Code);
        Assert.True(pointer == problem.Pointer, $"{name}: pointer {problem.Pointer}, expected {pointer}");
        Assert.Equal(request.Length, problem.OriginalDatagram.Length);
        Assert.Equal(request.AsSpan(12).ToArray(), problem.OriginalDatagram[12..].ToArray());
        Assert.Equal(1, core.Counters.Answered(AnswerKind.ParameterProblem));
    }

    [Fact]
    public void Without_hops_the_host_sends_the_parameter_problem()
    {
        var (_, sink) = Run(false, IPv4RawOptions([7, 7, 3, 0, 0, 0, 0, 0], IPProtocol.Icmp, new IcmpV4Message.EchoRequest(1, 1, Data(8)).ToArray()));
        var (header, message) = ParseV4(sink.Single().Packet);
        Assert.Equal(Host, header.Source);
        Assert.Equal(22, Assert.IsType<IcmpV4Message.ParameterProblem>(message).Pointer);
    }

    [Fact]
    public void Sound_options_pass_full_ones_included()
    {
        // A full Record Route (pointer past the end) and a Timestamp with overflow 14 are sound: the echo is answered.
        var echo = new IcmpV4Message.EchoRequest(1, 1, Data(8)).ToArray();
        var (_, sink) = Run(true,
            IPv4RawOptions([7, 7, 8, 0, 0, 0, 0, 0], IPProtocol.Icmp, echo),
            IPv4RawOptions([68, 8, 9, 0xE0, 0, 0, 0, 0], IPProtocol.Icmp, echo),
            IPv4RawOptions([1, 1, 1, 0], IPProtocol.Icmp, echo));
        Assert.All(sink.Sent, s => Assert.IsType<IcmpV4Message.EchoReply>(ParseV4(s.Packet).Message));
        Assert.Equal(3, sink.Sent.Count);
    }

    [Fact]
    public void IPv6_unknown_next_header_after_an_extension_header_points_at_that_headers_next_header_field()
    {
        var destination = OptionsHeader(253, 0x1E, 0); // an unknown option with action 00: skipped
        var request = IPv6(Prober6, Host6, IPProtocol.DestinationOptions, [.. destination, .. Data(8)]);
        var (_, sink) = Run(false, request);
        var problem = Assert.IsType<IcmpV6Message.ParameterProblem>(ParseV6(sink.Single().Packet).Message);
        Assert.Equal(1, problem.Code);
        Assert.Equal(40u, problem.Pointer);
        Assert.Equal(request, problem.OriginalDatagram.ToArray());
    }

    public static TheoryData<string, byte, bool> UnknownOptions() => new()
    {
        // option type -> answered with parameter problem code 2 (else silently discarded)
        { "action 10: discard and report", 0x80, true },
        { "action 11: discard and report to a unicast destination", 0xC5, true },
        { "action 01: discard", 0x45, false },
    };

    [Theory]
    [MemberData(nameof(UnknownOptions))]
    public void IPv6_unrecognised_destination_option_follows_its_action_bits(string name, byte type, bool reported)
    {
        var echo = new IcmpV6Message.EchoRequest(1, 1, Data(8)).ToArray(Prober6, Host6);
        var request = IPv6(Prober6, Host6, IPProtocol.DestinationOptions, [.. OptionsHeader(IPProtocol.IcmpV6, 1, 0, type, 2, 0xAA, 0xBB), .. echo]);
        var (core, sink) = Run(false, request);
        if (!reported)
        {
            Assert.True(sink.Sent.Count == 0, name);
            Assert.Equal(1, core.Counters.Dropped(DropReason.UnrecognizedOption));
            return;
        }
        var (header, message) = ParseV6(sink.Single().Packet);
        Assert.Equal(Host6, header.Source);
        var problem = Assert.IsType<IcmpV6Message.ParameterProblem>(message);
        Assert.Equal(2, problem.Code);
        Assert.Equal(44u, problem.Pointer); // 40 + Next Header, Hdr Ext Len, a PadN of 2
        Assert.Equal(1, core.Counters.Answered(AnswerKind.ParameterProblemV6));
    }

    [Fact]
    public void IPv6_recognised_and_skippable_options_let_the_echo_through()
    {
        var echo = new IcmpV6Message.EchoRequest(1, 1, Data(8)).ToArray(Prober6, Host6);
        var request = IPv6(Prober6, Host6, IPProtocol.DestinationOptions, [.. OptionsHeader(IPProtocol.IcmpV6, 4, 1, 3, 0x1E, 1, 0), .. echo]);
        var (_, sink) = Run(false, request);
        Assert.IsType<IcmpV6Message.EchoReply>(ParseV6(sink.Single().Packet).Message);
    }

    [Fact]
    public void IPv6_hop_by_hop_option_is_judged_by_the_first_hop()
    {
        var echo = new IcmpV6Message.EchoRequest(1, 1, Data(8)).ToArray(Prober6, Host6);
        var request = IPv6(Prober6, Host6, IPProtocol.HopByHop, [.. OptionsHeader(IPProtocol.IcmpV6, 0x81, 0), .. echo]);
        var (_, sink) = Run(true, request);
        var (header, message) = ParseV6(sink.Single().Packet);
        Assert.Equal(Hop6, header.Source);
        var problem = Assert.IsType<IcmpV6Message.ParameterProblem>(message);
        Assert.Equal((2, 42u), (problem.Code, problem.Pointer));
    }

    [Fact]
    public void IPv6_hop_by_hop_anywhere_but_first_is_an_unknown_next_header()
    {
        var echo = new IcmpV6Message.EchoRequest(1, 1, Data(8)).ToArray(Prober6, Host6);
        byte[] chain = [.. OptionsHeader(IPProtocol.HopByHop), .. OptionsHeader(IPProtocol.IcmpV6), .. echo];
        var (_, sink) = Run(false, IPv6(Prober6, Host6, IPProtocol.DestinationOptions, chain));
        var problem = Assert.IsType<IcmpV6Message.ParameterProblem>(ParseV6(sink.Single().Packet).Message);
        Assert.Equal((1, 40u), (problem.Code, problem.Pointer));
    }

    [Fact]
    public void IPv6_option_running_past_its_header_is_dropped_as_malformed()
    {
        var echo = new IcmpV6Message.EchoRequest(1, 1, Data(8)).ToArray(Prober6, Host6);
        var header = OptionsHeader(IPProtocol.IcmpV6, 0x80, 2, 0, 0);
        header[3] = 200; // the option claims 200 bytes
        var (core, sink) = Run(false, IPv6(Prober6, Host6, IPProtocol.DestinationOptions, [.. header, .. echo]));
        Assert.Empty(sink.Sent);
        Assert.Equal(1, core.Counters.Dropped(DropReason.Malformed));
    }
}
