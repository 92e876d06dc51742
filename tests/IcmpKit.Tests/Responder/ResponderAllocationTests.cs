using IcmpKit.Responder;
using Microsoft.Extensions.Time.Testing;
using static IcmpKit.Tests.Responder.ResponderTestPackets;

namespace IcmpKit.Tests.Responder;

public sealed class ResponderAllocationTests
{
    [Fact]
    public void Echo_allocates_nothing_per_packet()
    {
        var core = new ResponderCore(new ResponderOptions
        {
            Addresses = [Host, Host6],
            Hops = [new ResponderHop { Address = Hop1, Jitter = TimeSpan.FromMilliseconds(1), Loss = 0.01 }],
            RandomSeed = 1,
        }, new FakeTimeProvider());
        var sink = new CountingSink();
        byte[] echo = Echo(dataLength: 56);
        byte[] echo6 = EchoV6(dataLength: 56);
        core.Process(echo, sink);
        core.Process(echo6, sink);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            core.Process(echo, sink);
            core.Process(echo6, sink);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.InRange(sink.Count, 1900, 2002);
    }
}
