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
}
