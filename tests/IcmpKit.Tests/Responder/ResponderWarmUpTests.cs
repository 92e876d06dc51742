using System.Net;
using IcmpKit.Responder;

namespace IcmpKit.Tests.Responder;

/// <summary>
/// <see cref="ResponderCore.WarmUp"/> runs the common paths on a scratch core: it must accept every configuration a
/// core accepts (it is called before the first packet of every `icmpkit respond`), and leave the real core as new.
/// </summary>
public sealed class ResponderWarmUpTests
{
    public static TheoryData<string> Configurations() => ["plain", "hops", "everything"];

    private static ResponderOptions Build(string name) => name switch
    {
        "plain" => new ResponderOptions { Addresses = [IPAddress.Parse("198.19.0.10")] },
        "hops" => new ResponderOptions
        {
            Addresses = [IPAddress.Parse("198.19.0.10"), IPAddress.Parse("fd42:1::10")],
            Hops = [new ResponderHop { Address = IPAddress.Parse("198.18.1.1") }, new ResponderHop { Address = IPAddress.Parse("fd42:2::1") }],
        },
        _ => new ResponderOptions
        {
            Addresses = [IPAddress.Parse("198.19.0.10"), IPAddress.Parse("fd42:1::10")],
            Loss = 1,
            Hops =
            [
                new ResponderHop { Address = IPAddress.Parse("198.18.1.1"), Silent = true, Loss = 1, QueueLimit = 1, QueueRate = 1, MplsLabels = [16001] },
                new ResponderHop { Address = IPAddress.Parse("198.18.2.1"), UnreachableCode = 13, Mtu = 68, RedirectGateway = IPAddress.Parse("198.18.2.9") },
                new ResponderHop { Address = IPAddress.Parse("fd42:2::1"), Duplicate = 1, Reorder = 1, ErrorRateLimit = new ErrorRateLimit(1, 0.001) },
            ],
        },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Warm_up_accepts_the_configuration_and_leaves_the_real_core_untouched(string name)
    {
        var options = Build(name);
        var core = new ResponderCore(options);
        ResponderCore.WarmUp(options);
        var counters = core.Counters.Snapshot();
        Assert.Equal(0, counters.Received);
        Assert.Equal(0, counters.TotalAnswered);
        // The real core still has its whole error burst: the warm-up's errors came from a scratch core's buckets.
        var sink = new RecordingSink();
        for (int i = 0; i < 6; i++)
        {
            core.Process(ResponderTestPackets.Udp(destination: IPAddress.Parse("198.19.0.10"), port: (ushort)(33434 + i)), sink);
        }
        Assert.Equal(name == "everything" ? 0 : 6, sink.Sent.Count); // "everything" loses all and has a silent first hop
    }
}
