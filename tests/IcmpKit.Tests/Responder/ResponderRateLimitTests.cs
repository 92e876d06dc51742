using IcmpKit.Responder;
using Microsoft.Extensions.Time.Testing;
using static IcmpKit.Tests.Responder.ResponderTestPackets;

namespace IcmpKit.Tests.Responder;

public sealed class ResponderRateLimitTests
{
    [Fact]
    public void A_burst_of_30_udp_probes_gets_6_port_unreachables_then_1_per_second()
    {
        var time = new FakeTimeProvider();
        var core = new ResponderCore(new ResponderOptions { Addresses = [Host] }, time);
        var sink = new CountingSink();
        for (int i = 0; i < 30; i++)
        {
            core.Process(Udp(), sink);
        }
        Assert.Equal(6, sink.Count);
        Assert.Equal(24, core.Counters.Dropped(DropReason.RateLimited));

        time.Advance(TimeSpan.FromMilliseconds(500));
        core.Process(Udp(), sink);
        Assert.Equal(6, sink.Count);
        for (int second = 1; second <= 3; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            core.Process(Udp(), sink);
            core.Process(Udp(), sink);
            Assert.Equal(6 + second, sink.Count);
        }
        // Echo is a query, not an error: never limited.
        for (int i = 0; i < 20; i++)
        {
            core.Process(Echo(), sink);
        }
        Assert.Equal(29, sink.Count);
    }

    [Fact]
    public void Each_hop_has_its_own_bucket_and_the_global_bucket_caps_them_all()
    {
        var time = new FakeTimeProvider();
        var core = new ResponderCore(new ResponderOptions
        {
            Addresses = [Host],
            Hops = [new ResponderHop { Address = Hop1 }],
            PerSourceErrors = new ErrorRateLimit(100, 1),
            GlobalErrorsPerSecond = 10,
        }, time);
        var sink = new CountingSink();
        for (int i = 0; i < 20; i++)
        {
            core.Process(Udp(ttl: 1), sink);
        }
        Assert.Equal(10, sink.Count);
        time.Advance(TimeSpan.FromMilliseconds(300));
        for (int i = 0; i < 20; i++)
        {
            core.Process(Udp(ttl: 2), sink);
        }
        Assert.Equal(13, sink.Count);
    }

    [Fact]
    public void A_hop_with_its_own_bucket_limits_by_it_and_the_others_by_the_default()
    {
        var time = new FakeTimeProvider();
        var core = new ResponderCore(new ResponderOptions
        {
            Addresses = [Host, Host6],
            PerSourceErrors = new ErrorRateLimit(4, 1),
            Hops =
            [
                new ResponderHop { Address = Hop1, ErrorRateLimit = new ErrorRateLimit(2, 10) },
                new ResponderHop { Address = Hop2 },
                new ResponderHop { Address = Hop6, ErrorRateLimit = new ErrorRateLimit(1, 1) },
            ],
        }, time);
        var sink = new RecordingSink();
        void Burst(Func<byte[]> packet)
        {
            for (int i = 0; i < 10; i++)
            {
                core.Process(packet(), sink);
            }
        }
        Burst(() => Udp(ttl: 1));                       // hop 1: its own burst of 2
        Burst(() => Udp(ttl: 2));                       // hop 2: the default burst of 4
        Burst(() => Udp());                             // the host: the default burst of 4
        Burst(() => Udp(Host6, ttl: 1, source: Prober6)); // the IPv6 hop 1: its own burst of 1, apart from the IPv4 hop 1
        var counts = sink.Sent.GroupBy(s => s.Packet[0] >> 4 == 4 ? ParseV4(s.Packet).Header.Source : ParseV6(s.Packet).Header.Source)
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<System.Net.IPAddress, int> { [Hop1] = 2, [Hop2] = 4, [Host] = 4, [Hop6] = 1 }, counts);

        // 100 ms later hop 1 (10 per second) has one token again; hop 2 (1 per second) has none.
        time.Advance(TimeSpan.FromMilliseconds(100));
        int before = sink.Sent.Count;
        Burst(() => Udp(ttl: 1));
        Burst(() => Udp(ttl: 2));
        Assert.Equal(before + 1, sink.Sent.Count);
        Assert.Equal(Hop1, ParseV4(sink.Sent[^1].Packet).Header.Source);
    }
}
