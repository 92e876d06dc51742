using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// The ICMP queries Linux never answers (address mask, information) and the timestamp, asked by hping3, nping and
/// `icmpkit ping` of `icmpkit respond` (issue 4 §5): each reply carries the configured mask, the identifier and
/// sequence of its request, times from the same clock, and TTL 64 less the three emulated hops.
/// </summary>
public sealed partial class RespondQueryTests
{
    private const string Host = "198.18.21.1";
    private const string Mask = "255.255.240.0";
    private const string Hops = "198.18.22.1,198.18.22.2,198.18.22.3";
    private const string ReplyTtl = "61"; // 64, less one for each of the 3 hops on the way back

    private const uint MillisecondsPerDay = 86_400_000;

    private static RespondProcess StartHost(bool mask = true)
    {
        var respond = RespondProcess.Start(
            ["--address", Host, "--hops", Hops, "--delay", "2ms", "--hop-delay", "1ms", .. mask ? ["--address-mask", Mask] : Array.Empty<string>()]);
        respond.AddressTheDevice(); // hping3 and nping capture their replies on the TUN
        return respond;
    }

    /// <summary>RFC 792 times count ms since midnight UT, so a later one may be smaller: the difference modulo a day.</summary>
    private static uint Since(uint earlier, uint later) => (later + MillisecondsPerDay - earlier) % MillisecondsPerDay;

    [GeneratedRegex(@"^len=40 ip=198\.18\.21\.1 ttl=(\d+) .*rtt=(\d+\.\d) ms\nICMP timestamp: Originate=(\d+) Receive=(\d+) Transmit=(\d+)$", RegexOptions.Multiline)]
    private static partial Regex HpingTimestamp();

    [Fact]
    public void Hping3_timestamp_replies_carry_receive_and_transmit_times_after_the_originate_time()
    {
        using var respond = StartHost();
        var result = respond.Exec("hping3", "-I", respond.Device, "--icmp-ts", "-c", "3", "-i", "u100000", Host);
        Assert.True(result.ExitCode == 0, result.ToString());
        var replies = HpingTimestamp().Matches(result.Stdout);
        Assert.True(replies.Count == 3, result.ToString());
        foreach (Match reply in replies)
        {
            Assert.Equal(ReplyTtl, reply.Groups[1].Value);
            double rtt = double.Parse(reply.Groups[2].Value, CultureInfo.InvariantCulture);
            uint originate = uint.Parse(reply.Groups[3].Value, CultureInfo.InvariantCulture);
            uint receive = uint.Parse(reply.Groups[4].Value, CultureInfo.InvariantCulture);
            uint transmit = uint.Parse(reply.Groups[5].Value, CultureInfo.InvariantCulture);
            Assert.True(originate < MillisecondsPerDay && receive < MillisecondsPerDay, reply.Value);
            Assert.Equal(receive, transmit); // answered at once: the delay is the path's, after the transmit time
            // Received after it was sent (same clock, whole ms), and within the round trip.
            Assert.True(Since(originate, receive) <= Math.Ceiling(rtt) + 1, $"receive {receive} is not within {rtt} ms after originate {originate}");
        }
        Assert.Contains("3 packets transmitted, 3 packets received, 0% packet loss", result.Stderr, StringComparison.Ordinal); // hping3's statistics go to stderr
    }

    [GeneratedRegex(@"^len=32 ip=198\.18\.21\.1 ttl=(\d+) .*\nICMP address mask: icmpam=(\S+)$", RegexOptions.Multiline)]
    private static partial Regex HpingMask();

    [Fact]
    public void Hping3_address_mask_replies_carry_the_configured_mask()
    {
        using var respond = StartHost();
        var result = respond.Exec("hping3", "-I", respond.Device, "--icmp-addr", "-c", "3", "-i", "u100000", Host);
        Assert.True(result.ExitCode == 0, result.ToString());
        // hping3 prints icmp_seq=-1 and a nonsense rtt for the first mask reply (its own bookkeeping; tshark shows the
        // reply's sequence equal to the request's), so only the mask and the TTL are read here.
        var replies = HpingMask().Matches(result.Stdout);
        Assert.True(replies.Count == 3, result.ToString());
        Assert.All(replies, reply => Assert.Equal((ReplyTtl, Mask), (reply.Groups[1].Value, reply.Groups[2].Value)));
        Assert.Contains("3 packets transmitted, 3 packets received, 0% packet loss", result.Stderr, StringComparison.Ordinal); // hping3's statistics go to stderr
    }

    [Theory]
    [InlineData("time", "Timestamp reply (type=14/code=0)")]
    [InlineData("info", "Information reply (type=16/code=0)")]
    [InlineData("mask", "Address mask reply (type=18/code=0)")]
    public void Nping_gets_the_reply_of_each_query_type(string type, string reply)
    {
        using var respond = StartHost();
        var result = respond.Exec("nping", "--icmp", "--icmp-type", type, "-c", "2", "--delay", "100ms", Host);
        Assert.True(result.ExitCode == 0, result.ToString());
        var received = result.Stdout.Split('\n').Where(l => l.StartsWith("RCVD ", StringComparison.Ordinal)).ToArray();
        Assert.True(received.Length == 2, result.ToString());
        Assert.All(received, line =>
        {
            Assert.Contains($"ICMP [{Host} > {RespondProcess.DeviceV4} {reply} ", line, StringComparison.Ordinal);
            Assert.Contains($"IP [ttl={ReplyTtl} ", line, StringComparison.Ordinal);
            if (type == "mask")
            {
                Assert.Contains($" mask={Mask}]", line, StringComparison.Ordinal);
            }
        });
        Assert.Matches(@"Raw packets sent: 2 \(\d+B\) \| Rcvd: 2 \(\d+B\) \| Lost: 0 ", result.Stdout);
    }

    private static JsonElement PingJson(CommandResult result)
    {
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }

    private static JsonElement[] Events(JsonElement ping, string type) =>
        ping.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("type").GetString() == type).ToArray();

    [Fact]
    public void Icmpkit_ping_gets_echo_replies_time_exceeded_from_each_hop_and_every_query_type()
    {
        using var respond = StartHost();
        var echo = respond.IcmpKit("ping", "-c", "3", "-i", "0.1", "-W", "2", "--json", Host);
        Assert.True(echo.ExitCode == 0, echo.ToString());
        var replies = Events(PingJson(echo), "reply");
        Assert.Equal(3, replies.Length);
        Assert.All(replies, r => Assert.Equal((Host, 61), (r.GetProperty("from").GetString(), r.GetProperty("ttl").GetInt32())));

        string[] hops = Hops.Split(',');
        for (int ttl = 1; ttl <= hops.Length; ttl++)
        {
            var expired = respond.IcmpKit("ping", "-c", "2", "-i", "0.1", "-W", "2", "-t", ttl.ToString(CultureInfo.InvariantCulture), "--json", Host);
            Assert.True(expired.ExitCode == 1, expired.ToString());
            var errors = Events(PingJson(expired), "error");
            Assert.True(errors.Length == 2, expired.ToString());
            Assert.All(errors, e => Assert.Equal((hops[ttl - 1], 11, 0),
                (e.GetProperty("from").GetString(), e.GetProperty("icmp_type").GetInt32(), e.GetProperty("icmp_code").GetInt32())));
        }

        var timestamp = respond.IcmpKit("ping", "-c", "2", "-i", "0.1", "-W", "2", "--type", "timestamp", "--json", Host);
        Assert.True(timestamp.ExitCode == 0, timestamp.ToString());
        var stamps = Events(PingJson(timestamp), "reply");
        Assert.Equal(2, stamps.Length);
        foreach (var stamp in stamps)
        {
            uint originate = stamp.GetProperty("originate_ms").GetUInt32();
            uint receive = stamp.GetProperty("receive_ms").GetUInt32();
            uint arrival = stamp.GetProperty("arrival_ms").GetUInt32();
            Assert.Equal(receive, stamp.GetProperty("transmit_ms").GetUInt32());
            // Sent, received by the responder, back: in that order on one clock. (Not within the RTT: icmpkit ping
            // stamps its first request's originate time some ms before the request leaves, while the code is cold.)
            Assert.True(Since(originate, arrival) < 1000, stamp.ToString());
            Assert.True(Since(originate, receive) <= Since(originate, arrival), stamp.ToString());
        }

        var mask = respond.IcmpKit("ping", "-c", "2", "-i", "0.1", "-W", "2", "--type", "mask", "--json", Host);
        Assert.True(mask.ExitCode == 0, mask.ToString());
        Assert.All(Events(PingJson(mask), "reply"), r => Assert.Equal(Mask, r.GetProperty("address_mask").GetString()));
        Assert.Equal(2, Events(PingJson(mask), "reply").Length);

        var info = respond.IcmpKit("ping", "-c", "2", "-i", "0.1", "-W", "2", "--type", "info", "--json", Host);
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Equal(2, Events(PingJson(info), "reply").Length);

        var exit = respond.Stop();
        Assert.True(exit.ExitCode == 0, exit.ToString());
        Assert.Contains("  answered echo_reply: 3\n", exit.Stdout, StringComparison.Ordinal);
        Assert.Contains("  answered time_exceeded: 6\n", exit.Stdout, StringComparison.Ordinal);
        Assert.Contains("  answered timestamp_reply: 2\n", exit.Stdout, StringComparison.Ordinal);
        Assert.Contains("  answered address_mask_reply: 2\n", exit.Stdout, StringComparison.Ordinal);
        Assert.Contains("  answered information_reply: 2\n", exit.Stdout, StringComparison.Ordinal);
    }

    /// <summary>RFC 1122 §3.2.2.9: a host must not answer address mask requests unless it was configured with a mask.</summary>
    [Fact]
    public void Without_a_configured_mask_address_mask_requests_go_unanswered()
    {
        using var respond = StartHost(mask: false);
        var result = respond.IcmpKit("ping", "-c", "2", "-i", "0.1", "-W", "1", "--type", "mask", Host);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("2 packets transmitted, 0 received, 100% packet loss", result.Stdout, StringComparison.Ordinal);
        var nping = respond.Exec("nping", "--icmp", "--icmp-type", "mask", "-c", "1", Host);
        Assert.Matches(@"Raw packets sent: 1 \(\d+B\) \| Rcvd: 0 ", nping.Stdout);
        var exit = respond.Stop();
        Assert.Contains("  dropped mask_not_configured: 3\n", exit.Stdout, StringComparison.Ordinal);
    }
}
