using IcmpKit.Responder;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using Microsoft.Extensions.Time.Testing;
using static IcmpKit.Tests.Responder.ResponderTestPackets;

namespace IcmpKit.Tests.Responder;

public sealed class ResponderPathTests
{
    private static ResponderOptions TwoHops(ResponderHop? first = null) => new()
    {
        Addresses = [Host, Host6],
        Delay = TimeSpan.FromMilliseconds(3),
        Hops =
        [
            first ?? new ResponderHop { Address = Hop1, Delay = TimeSpan.FromMilliseconds(10) },
            new ResponderHop { Address = Hop2, Delay = TimeSpan.FromMilliseconds(20) },
            new ResponderHop { Address = Hop6, Delay = TimeSpan.FromMilliseconds(7) },
        ],
    };

    private static RecordingSink Run(ResponderOptions options, params byte[][] packets)
    {
        var core = new ResponderCore(options, new FakeTimeProvider());
        var sink = new RecordingSink();
        foreach (var packet in packets)
        {
            core.Process(packet, sink);
        }
        return sink;
    }

    [Fact]
    public void Udp_traceroute_sees_each_hop_then_the_host()
    {
        var sink = Run(TwoHops(), Udp(ttl: 1), Udp(ttl: 2), Udp(ttl: 3));

        Assert.Equal(3, sink.Sent.Count);
        var expected = new[] { (Hop1, 64, 10.0, IcmpV4Type.TimeExceeded), (Hop2, 63, 30.0, IcmpV4Type.TimeExceeded), (Host, 62, 33.0, IcmpV4Type.DestinationUnreachable) };
        for (int i = 0; i < 3; i++)
        {
            var (header, message) = ParseV4(sink.Sent[i].Packet);
            Assert.Equal(expected[i].Item1, header.Source);
            Assert.Equal(Prober, header.Destination);
            Assert.Equal(expected[i].Item2, header.TimeToLive);
            Assert.Equal(TimeSpan.FromMilliseconds(expected[i].Item3), sink.Sent[i].Delay);
            Assert.Equal(expected[i].Item4, message.Type);
            var error = Assert.IsAssignableFrom<IcmpV4Message.ErrorMessage>(message);
            // The quote shows the TTL the node saw: 1 at the hop where it ran out.
            Assert.Equal(1, error.Quote.IPv4!.TimeToLive);
            Assert.True(error.Quote.IPv4.HeaderChecksumValid);
        }
    }

    [Fact]
    public void Time_exceeded_carries_the_MPLS_label_stack_after_a_128_byte_field()
    {
        var hop = new ResponderHop { Address = Hop1, MplsLabels = [16001, 24005] };
        var request = Udp(ttl: 1);
        var sink = Run(TwoHops(hop), request);

        var error = Assert.IsType<IcmpV4Message.TimeExceeded>(ParseV4(sink.Single().Packet).Message);
        Assert.Equal(IcmpV4TimeExceededCode.TtlExceededInTransit, error.TimeExceededCode);
        Assert.Equal(ExtensionLayout.LengthAttribute, error.Layout);
        Assert.Equal(32, error.LengthAttribute);
        Assert.Equal(128, error.OriginalDatagram.Length);
        Assert.Equal(request.AsSpan(0, 8).ToArray(), error.OriginalDatagram[..8].ToArray());
        Assert.True(error.Extensions!.ChecksumValid);
        var stack = Assert.IsType<MplsLabelStackObject>(Assert.Single(error.Extensions.Objects));
        Assert.Equal([new MplsLabelEntry(16001, 0, false, 1), new MplsLabelEntry(24005, 0, true, 1)], stack.Entries);
    }

    [Fact]
    public void Quote_fills_576_bytes_in_IPv4_and_1280_in_IPv6()
    {
        var sink = Run(TwoHops(), Udp(ttl: 1, dataLength: 1400), Udp(Host6, ttl: 1, dataLength: 1400, source: Prober6));
        Assert.Equal(576, sink.Sent[0].Packet.Length);
        Assert.Equal(1280, sink.Sent[1].Packet.Length);
        var (header6, message6) = ParseV6(sink.Sent[1].Packet);
        Assert.Equal(Hop6, header6.Source);
        var error6 = Assert.IsType<IcmpV6Message.TimeExceeded>(message6);
        Assert.Equal(1280 - 48, error6.OriginalDatagram.Length);
    }

    [Fact]
    public void Silent_hop_says_nothing_but_forwards()
    {
        var options = TwoHops(new ResponderHop { Address = Hop1, Silent = true });
        var core = new ResponderCore(options, new FakeTimeProvider());
        var sink = new RecordingSink();
        core.Process(Udp(ttl: 1), sink);
        core.Process(Echo(destination: Hop1), sink);
        Assert.Empty(sink.Sent);
        Assert.Equal(2, core.Counters.Dropped(DropReason.SilentHop));
        core.Process(Udp(ttl: 2), sink);
        Assert.Equal(Hop2, ParseV4(sink.Single().Packet).Header.Source);
    }

    [Fact]
    public void Hop_address_answers_echo_like_a_host()
    {
        var sink = Run(TwoHops(), Echo(destination: Hop2, ttl: 2));
        var (header, message) = ParseV4(sink.Single().Packet);
        Assert.Equal((Hop2, 63), (header.Source, (int)header.TimeToLive));
        Assert.IsType<IcmpV4Message.EchoReply>(message);
        Assert.Equal(TimeSpan.FromMilliseconds(30), sink.Single().Delay);
    }

    [Fact]
    public void Unreachable_hop_answers_with_its_code()
    {
        var sink = Run(TwoHops(new ResponderHop { Address = Hop1, UnreachableCode = 13 }), Echo());
        var (header, message) = ParseV4(sink.Single().Packet);
        Assert.Equal(Hop1, header.Source);
        Assert.Equal(IcmpV4UnreachableCode.CommunicationAdministrativelyProhibited, Assert.IsType<IcmpV4Message.DestinationUnreachable>(message).UnreachableCode);
    }

    [Fact]
    public void Mtu_hop_sends_fragmentation_needed_only_for_large_DF_packets()
    {
        var options = TwoHops(new ResponderHop { Address = Hop1, Mtu = 1000 });
        var sink = Run(options, Udp(dataLength: 1200, dontFragment: true), Udp(dataLength: 1200), Udp(dataLength: 900, dontFragment: true));
        Assert.Equal(3, sink.Sent.Count);
        var (header, message) = ParseV4(sink.Sent[0].Packet);
        Assert.Equal(Hop1, header.Source);
        var error = Assert.IsType<IcmpV4Message.DestinationUnreachable>(message);
        Assert.Equal(IcmpV4UnreachableCode.FragmentationNeeded, error.UnreachableCode);
        Assert.Equal(1000, error.NextHopMtu);
        Assert.Equal(Host, ParseV4(sink.Sent[1].Packet).Header.Source);
        Assert.Equal(Host, ParseV4(sink.Sent[2].Packet).Header.Source);
    }

    [Fact]
    public void IPv6_hop_sends_packet_too_big_and_time_exceeded()
    {
        var options = TwoHops() with { Hops = [new ResponderHop { Address = Hop6, Mtu = 1280 }] };
        var sink = Run(options, EchoV6(dataLength: 1300), EchoV6(hopLimit: 1));
        var tooBig = Assert.IsType<IcmpV6Message.PacketTooBig>(ParseV6(sink.Sent[0].Packet).Message);
        Assert.Equal(1280u, tooBig.Mtu);
        var (header, message) = ParseV6(sink.Sent[1].Packet);
        Assert.Equal((Hop6, 64), (header.Source, (int)header.HopLimit));
        var exceeded = Assert.IsType<IcmpV6Message.TimeExceeded>(message);
        Assert.Equal(0, exceeded.Code);
        Assert.Equal(EchoV6(hopLimit: 1), exceeded.OriginalDatagram.ToArray());
    }

    [Fact]
    public void Loss_is_reproducible_from_the_seed()
    {
        var options = new ResponderOptions { Addresses = [Host], Loss = 0.5, RandomSeed = 42 };
        int Answered()
        {
            var sink = new CountingSink();
            var core = new ResponderCore(options, new FakeTimeProvider());
            for (int i = 0; i < 200; i++)
            {
                core.Process(Echo((ushort)i), sink);
            }
            Assert.Equal(200 - sink.Count, core.Counters.Dropped(DropReason.Lost));
            return sink.Count;
        }
        int first = Answered();
        Assert.Equal(first, Answered());
        Assert.InRange(first, 70, 130); // binomial(200, 0.5): ±4 standard deviations
    }
}
