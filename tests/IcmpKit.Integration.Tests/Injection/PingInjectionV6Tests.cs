using static IcmpKit.Integration.Tests.Injection.PingLines;

namespace IcmpKit.Integration.Tests.Injection;

/// <summary>
/// `icmpkit ping -6` against a hostile IPv6 peer (issue 6 §2): ICMPv6 errors quoting extension headers and fragments,
/// quotes too short to hold an IPv6 header, a packet too big of 2^32 - 1, the largest reassembled reply, replies from
/// another address, bad checksums. The kernel checks every ICMPv6 checksum for every socket kind (RFC 3542 §3.1), and
/// finds the quoted ICMPv6 header behind extension headers for datagram sockets (icmpv6_notify, ipv6_skip_exthdr), so
/// here raw and datagram sockets print the same.
/// </summary>
public sealed class PingInjectionV6Tests(PingInjectionV6Tests.Lab lab) : IClassFixture<PingInjectionV6Tests.Lab>
{
    /// <summary>This class's lab (the fixture type must be its own so that each test class gets one).</summary>
    public sealed class Lab : InjectionLab;

    private const string Target = InjectionLab.PeerV6;

    private InjectedPing Ping(string scenario, string socket, params string[] args) =>
        InjectedPing.Run(lab, scenario, once: false, socket, Target, ["-W", "2", .. args]);

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void A_faithful_reply_is_one_line(string socket)
    {
        var run = Ping("reply", socket, "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void A_reply_with_a_bad_checksum_never_arrives(string socket)
    {
        var run = Ping("bad-checksum-then-reply", socket, "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void The_right_identifier_from_another_address_counts_and_names_that_address(string socket)
    {
        var run = Ping("other-source", socket, "-c", "1");
        run.AssertText([Header(Target), Reply(InjectionLab.OtherV6, 1), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void A_reply_of_65535_bytes_in_54_fragments_is_read_whole(string socket)
    {
        // Payload Length 65,535 once reassembled (RFC 8200 §4.5): all of it ICMPv6.
        var run = Ping("big", socket, "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1, bytes: 65535), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
        Assert.True(run.Sent == 2 * 54, $"54 fragments per reply\n{run}");
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void Replies_that_are_not_ours_are_dropped_without_a_word(string socket)
    {
        foreach (string scenario in (string[])["foreign-id-then-reply", "foreign-cookie-then-reply", "unsent-seq-then-reply"])
        {
            var run = Ping(scenario, socket, "-c", "1");
            run.AssertText([Header(Target), Reply(Target, 1), .. Summary(Target, 1, 1)], exitCode: 0);
            run.AssertCounters(transmitted: 1, received: 1);
        }
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void Two_hundred_random_icmpv6_messages_ahead_of_the_reply_change_nothing(string socket)
    {
        var run = Ping("garbage-then-reply", socket, "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
        Assert.True(run.Sent == 2 * 201, $"201 frames per request\n{run}");
    }

    [Theory]
    [InlineData("unreachable", "raw")]
    [InlineData("unreachable", "dgram")]
    [InlineData("quote6-extension-headers", "raw")] // hop-by-hop and destination options before the quoted echo request
    [InlineData("quote6-extension-headers", "dgram")]
    [InlineData("quote6-first-fragment", "raw")]    // a fragment header at offset 0, more fragments to come
    [InlineData("quote6-first-fragment", "dgram")]
    public void An_error_quoting_our_request_behind_extension_headers_is_one_line_and_one_error(string scenario, string socket)
    {
        var run = Ping(scenario, socket, "-c", "1");
        run.AssertText([Header(Target), "From fd42:16::2 icmp_seq=1 Destination unreachable: Address unreachable", .. Summary(Target, 1, 0, errors: 1)],
            exitCode: 1);
        run.AssertCounters(transmitted: 1, received: 0, errors: 1, exitCode: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void Errors_whose_quote_cannot_be_ours_are_dropped(string socket)
    {
        // A quote of a later fragment (no ICMPv6 header in it), a destination options header that claims 2,048 bytes
        // and is cut short, and errors of 40, 41, 42 and 43 bytes (quotes shorter than an IPv6 header).
        var run = Ping("bad-quotes6-then-reply", socket, "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
        Assert.True(run.Sent == 14, $"seven frames per request\n{run}");
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void A_packet_too_big_of_2_to_the_32_minus_1_is_one_error(string socket)
    {
        // RFC 4443 §3.2's MTU field is 32 bits. The kernel ignores an MTU above the link's; we report it whole (it
        // was once held in an int and shown as 2147483647: a silently wrong number, issue 6 §2).
        var run = Ping("packet-too-big-huge", socket, "-c", "1");
        run.AssertText([Header(Target), "From fd42:16::2 icmp_seq=1 Packet too big: mtu=4294967295", .. Summary(Target, 1, 0, errors: 1)], exitCode: 1);
        run.AssertCounters(transmitted: 1, received: 0, errors: 1, exitCode: 1);
    }
}
