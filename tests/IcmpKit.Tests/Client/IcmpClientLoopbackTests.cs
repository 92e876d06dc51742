using System.Net;
using IcmpKit.Client;

namespace IcmpKit.Tests.Client;

/// <summary>IcmpClient against the Linux kernel on loopback (a real peer: the kernel answers echo). Needs root or ping_group_range.</summary>
public class IcmpClientLoopbackTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task A_ping_to_loopback_succeeds_with_a_sub_second_rtt(string target)
    {
        var address = IPAddress.Parse(target);
        var result = await IcmpClient.PingAsync(address, TimeSpan.FromSeconds(2));
        Assert.Equal(IcmpPingStatus.Success, result.Status);
        Assert.Equal(address, result.Address);
        Assert.InRange(result.RoundTripTime, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Equal(64, result.TimeToLive);
        Assert.Equal(32, result.Buffer.Length);
    }

    [Fact]
    public async Task Two_hundred_concurrent_pings_share_one_socket_and_all_get_their_own_reply()
    {
        var calls = Enumerable.Range(0, 200).Select(_ => IcmpClient.PingAsync(IPAddress.Loopback, TimeSpan.FromSeconds(5))).ToArray();
        var results = await Task.WhenAll(calls);
        Assert.All(results, r => Assert.Equal(IcmpPingStatus.Success, r.Status));
        // Each reply carried the cookie of its own call: no two calls got the same data back.
        Assert.Equal(200, results.Select(r => Convert.ToHexString(r.Buffer.Span)).Distinct().Count());
    }

    [Fact]
    public async Task Options_that_need_a_socket_of_their_own_still_work()
    {
        var result = await IcmpClient.PingAsync(IPAddress.Loopback, TimeSpan.FromSeconds(2),
            new IcmpPingOptions { TimeToLive = 5, PayloadSize = 4, DontFragment = true });
        Assert.Equal(IcmpPingStatus.Success, result.Status);
        Assert.Equal(4, result.Buffer.Length);
    }

    [Fact]
    public async Task A_cancelled_ping_throws_rather_than_reporting_a_timeout()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => IcmpClient.PingAsync(IPAddress.Loopback, TimeSpan.FromSeconds(2), null, cancel.Token));
    }
}
