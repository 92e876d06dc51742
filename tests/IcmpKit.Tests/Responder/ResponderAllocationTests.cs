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

    [Fact]
    public void Duplication_reordering_queues_tcp_and_extended_echo_allocate_nothing_per_packet()
    {
        var time = new FakeTimeProvider();
        var core = new ResponderCore(new ResponderOptions
        {
            Addresses = [Host, Host6],
            Duplicate = 0.5,
            Reorder = 0.5,
            Jitter = TimeSpan.FromMilliseconds(1),
            Interfaces = [new ResponderInterface { Name = "eth0", Index = 2, Addresses = [Host, Host6] }],
            Hops = [new ResponderHop { Address = Hop1, Duplicate = 0.1, Reorder = 0.1, QueueLimit = 1000, QueueRate = 1e6 }],
            RandomSeed = 1,
        }, time);
        var sink = new CountingSink();
        byte[][] packets =
        [
            Echo(), EchoV6(), Tcp(0x02), Tcp(0x02, destination: Host6),
            ExtendedEcho(Wire.Extensions.InterfaceIdentificationObject.ForName("eth0")),
            ExtendedEcho(Wire.Extensions.InterfaceIdentificationObject.ForAddress(Host6), destination: Host6),
        ];
        foreach (var packet in packets)
        {
            core.Process(packet, sink);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            foreach (var packet in packets)
            {
                core.Process(packet, sink);
            }
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(sink.Count > 6000, $"{sink.Count} answers");
        Assert.Equal(6006, core.Counters.Snapshot().TotalAnswered);
    }
}
