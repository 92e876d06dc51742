using System.Net;
using IcmpKit.Ping;
using IcmpKit.Probe;
using IcmpKit.Wire.Extensions;

namespace IcmpKit.Tests.Lifetime;

/// <summary>
/// Regression tests for the review's findings on real sockets (loopback, root): disposing while a run is going,
/// callbacks that throw, refused constructions, early exits. Each of these crashed, hung or leaked before the fixes.
/// </summary>
public class SocketLifetimeTests
{
    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    [Fact]
    public async Task Disposing_a_flood_while_it_runs_never_crashes_or_hangs()
    {
        // Before: the pump thread read its native buffer after Dispose freed it (AccessViolationException).
        for (int i = 0; i < 100; i++)
        {
            var pinger = new Pinger(IPAddress.Loopback, new PingOptions { Flood = true, Preload = 8, Count = 100_000, Timeout = TimeSpan.FromSeconds(1) });
            var run = pinger.RunAsync(_ => { });
            await Task.Delay(i % 5);
            pinger.Dispose();
            var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10)));
            Assert.Same(run, finished);
        }
    }

    [Fact]
    public async Task A_callback_that_throws_on_a_shared_receive_thread_does_not_end_the_process()
    {
        // Before: the exception escaped the receive thread and the process died (exit 134). A shared transport has a
        // receive thread of its own; the throw is counted there and the run goes on.
        using var transport = IcmpKit.Transport.SocketIcmpTransport.Open(System.Net.Sockets.AddressFamily.InterNetwork, maxOperations: 4);
        using var pinger = new Pinger(IPAddress.Loopback, new PingOptions { Count = 3, Interval = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromSeconds(1) }, transport);
        int replies = 0;
        await pinger.RunAsync(e =>
        {
            if (e is PingReply)
            {
                Interlocked.Increment(ref replies);
                throw new InvalidOperationException("a consumer bug");
            }
        });
        Assert.Equal(3, replies);
        Assert.Equal(3, transport.ReceiverFaults);
    }

    [Fact]
    public async Task A_callback_that_throws_on_a_pinger_of_its_own_ends_its_run_with_that_exception()
    {
        // A pinger with its own socket sends and receives on one thread: the consumer's exception surfaces to it.
        using var pinger = new Pinger(IPAddress.Loopback, new PingOptions { Count = 3, Interval = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromSeconds(1) });
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => pinger.RunAsync(e =>
        {
            if (e is PingReply)
            {
                throw new InvalidOperationException("a consumer bug");
            }
        }));
        Assert.Equal("a consumer bug", thrown.Message);
    }

    [Fact]
    public void A_refused_pinger_leaves_no_socket_behind()
    {
        // Before: the socket, its eventfd and its receive thread were opened before the options were checked.
        int before = OpenDescriptors();
        for (int i = 0; i < 50; i++)
        {
            Assert.ThrowsAny<ArgumentException>(() => new Pinger(IPAddress.Loopback, new PingOptions { PayloadSize = 70_000 }));
            Assert.ThrowsAny<ArgumentException>(() => new Pinger(IPAddress.IPv6Loopback, new PingOptions { RequestType = PingRequestType.Timestamp }));
        }
        Assert.InRange(OpenDescriptors() - before, -5, 5);
    }

    [Fact]
    public async Task Leaving_a_probe_early_stops_it_and_a_failing_sender_ends_the_run()
    {
        var options = new ProbeOptions { Interface = InterfaceIdentificationObject.ForName("lo"), Count = 5, Interval = TimeSpan.FromSeconds(1) };
        using (var prober = new Prober(IPAddress.Loopback, options))
        {
            // The host namespace does not answer PROBE, so the first event is a timeout, 2 s in; leaving must then be quick.
            var timer = new System.Diagnostics.Stopwatch();
            await foreach (var _ in prober.RunAsync())
            {
                timer.Start();
                break; // before: the sender went on for 4 more seconds and wrote to the closed descriptor
            }
            Assert.True(timer.Elapsed < TimeSpan.FromSeconds(1), $"leaving took {timer.Elapsed}");
        }
        // An interval Task.Delay cannot take: before, the run hung for ever after the first probe.
        using var broken = new Prober(IPAddress.Loopback, options with { Count = 2, Interval = TimeSpan.FromDays(100) });
        var run = Task.Run(async () =>
        {
            await foreach (var _ in broken.RunAsync())
            {
            }
        });
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(run, finished);
        await Assert.ThrowsAnyAsync<ArgumentOutOfRangeException>(() => run);
    }
}
