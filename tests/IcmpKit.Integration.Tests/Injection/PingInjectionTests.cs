using static IcmpKit.Integration.Tests.Injection.PingLines;

namespace IcmpKit.Integration.Tests.Injection;

/// <summary>
/// `icmpkit ping` (the real binary, raw and datagram sockets) against a hostile IPv4 peer (issue 6 §2; CVE-2022-23093,
/// CVE-2025-47268, CVE-2025-48964, CVE-2010-2529 are the kind of thing it must survive). Each test names what the peer
/// sends and asserts the exact lines (times masked), the counters of --json, the exit code, and sane RTTs. Where the
/// two socket kinds differ it is the kernel's doing, said in each test: a datagram socket gets only what the kernel's
/// ping code accepts (it checks ICMP checksums, routes by identifier, and passes errors through the error queue only
/// when their quote holds the IP header and 8 bytes of ours), and never sees the IPv4 options of a reply.
/// "…-then-reply" scenarios send their hostile packets first and the faithful reply last, so one request ends the run
/// at once and the line for the faithful reply proves the hostile ones before it were read and dropped.
/// </summary>
public sealed class PingInjectionTests(PingInjectionTests.Lab lab) : IClassFixture<PingInjectionTests.Lab>
{
    /// <summary>This class's lab (the fixture type must be its own so that each test class gets one).</summary>
    public sealed class Lab : InjectionLab;

    private const string Target = InjectionLab.PeerV4;

    private InjectedPing Ping(string scenario, string socket, params string[] args) =>
        InjectedPing.Run(lab, scenario, once: false, socket, Target, ["-W", "2", .. args]);

    /// <summary>The scenario meets the first request only; the second gets a faithful reply 0.3 s later.</summary>
    private InjectedPing PingTwiceAttackingTheFirst(string scenario, string socket) =>
        InjectedPing.Run(lab, scenario, once: true, socket, Target, "-W", "2", "-c", "2", "-i", "0.3");

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
    public void A_duplicate_is_marked_and_counted_once(string socket)
    {
        var run = PingTwiceAttackingTheFirst("duplicate", socket);
        run.AssertText([Header(Target), Reply(Target, 1), Reply(Target, 1, suffix: " (DUP!)"), Reply(Target, 2), .. Summary(Target, 2, 2, duplicates: 1)], exitCode: 0);
        run.AssertCounters(transmitted: 2, received: 2, duplicates: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")] // the kernel routes a datagram socket's replies by identifier, not by source
    public void The_right_identifier_from_another_address_counts_and_names_that_address(string socket)
    {
        // iputils does the same (a broadcast ping is answered from other addresses); the cookie still had to match.
        var run = Ping("other-source", socket, "-c", "1");
        run.AssertText([Header(Target), Reply(InjectionLab.OtherV4, 1), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void A_flipped_payload_byte_is_reported_and_the_reply_counts(string socket)
    {
        var run = Ping("flip-byte", socket, "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1), "wrong data byte #30 should be 0x1e but was 0xe1", .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Theory]
    [InlineData("stamp-zero", "raw", 0x00)]
    [InlineData("stamp-past", "raw", 0x00)]   // one second after 1970: 56 years, were the RTT taken from it
    [InlineData("stamp-future", "raw", 0x7f)] // 2262: a negative RTT, were it taken from it
    [InlineData("stamp-zero", "dgram", 0x00)]
    [InlineData("stamp-future", "dgram", 0x7f)]
    public void An_echoed_send_time_of_zero_or_far_away_changes_no_rtt(string scenario, string socket, int echoedFirstByte)
    {
        // Bytes 8-15 of the data carry our send time (big-endian ns): only compared, never used for the RTT, so the
        // reply counts with its real RTT and the changed byte is reported like any other.
        byte sentFirstByte = (byte)(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000 >> 56);
        var run = Ping(scenario, socket, "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1), $"wrong data byte #8 should be 0x{sentFirstByte:x} but was 0x{echoedFirstByte:x}",
            .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void A_reply_shorter_than_the_request_is_marked_truncated_as_iputils_does(string socket)
    {
        // 20 of 56 data bytes: iputils prints " (truncated)" after the TTL and nothing else for it; the reply counts.
        var run = Ping("short-data", socket, "-c", "1");
        run.AssertText([Header(Target), "28 bytes from 198.18.16.2: icmp_seq=1 ttl=64 (truncated)", .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void A_reply_longer_than_the_request_counts_with_its_length(string socket)
    {
        var run = Ping("padded-data", socket, "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1, bytes: 264), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void Bytes_after_the_datagram_in_the_frame_are_not_part_of_the_reply(string socket)
    {
        // 60 bytes of link padding after Total Length: the kernel trims them (ip_rcv_core) before any socket.
        var run = Ping("frame-padding", socket, "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void A_65535_byte_reply_in_45_fragments_is_read_whole(string socket)
    {
        // IPv4 Total Length 65,535 (the largest), reassembled by the kernel: 65,515 bytes of ICMP.
        var run = Ping("big", socket, "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1, bytes: 65515), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
        Assert.True(run.Sent == 2 * 45, $"45 fragments per reply\n{run}");
    }

    [Fact]
    public void A_bad_checksum_is_shown_and_counted_as_corrupted_on_a_raw_socket()
    {
        var run = Ping("bad-checksum-then-reply", "raw", "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1, suffix: " (BAD CHECKSUM!)"), Reply(Target, 1), .. Summary(Target, 1, 1, corrupted: 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1, corrupted: 1);
    }

    [Fact]
    public void A_bad_checksum_never_reaches_a_datagram_socket()
    {
        // ping_rcv() is reached only after icmp_rcv() has checked the checksum.
        var run = Ping("bad-checksum-then-reply", "dgram", "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Theory]
    [InlineData("foreign-id-then-reply", "raw")]    // dropped by the kernel filter on the identifier block
    [InlineData("foreign-id-then-reply", "dgram")]  // the kernel delivers it to no socket (or another one)
    [InlineData("foreign-cookie-then-reply", "raw")] // right identifier, another run's cookie
    [InlineData("foreign-cookie-then-reply", "dgram")]
    [InlineData("unsent-seq-then-reply", "raw")]    // a sequence number never sent
    [InlineData("unsent-seq-then-reply", "dgram")]
    public void Replies_that_are_not_ours_are_dropped_without_a_word(string scenario, string socket)
    {
        var run = Ping(scenario, socket, "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
        Assert.True(run.Sent == 4, $"two frames per request\n{run}");
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void Two_hundred_random_icmp_messages_ahead_of_the_reply_change_nothing(string socket)
    {
        var run = Ping("garbage-then-reply", socket, "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
        Assert.True(run.Sent == 2 * 201, $"201 frames per request\n{run}");
    }

    [Fact]
    public void A_reply_with_40_bytes_of_nop_options_prints_each_as_iputils_pr_options_does()
    {
        // CVE-2022-23093's outer half. A raw socket sees the options; pr_options() prints "NOP" for each.
        var run = Ping("outer-options", "raw", "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1), .. Enumerable.Repeat("NOP", 40), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Fact]
    public void A_reply_with_options_on_a_datagram_socket_shows_none()
    {
        // Without -R/-T nothing asks for IP_RECVOPTS, so the kernel hands over the ICMP message alone.
        var run = Ping("outer-options", "dgram", "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void Datagrams_the_kernel_must_drop_never_reach_the_socket(string socket)
    {
        // Total Length beyond the frame, a bad header checksum, a Record Route pointer below 4 (CVE-2010-2529 looped
        // on a Record Route): ip_rcv_core() and ip_options_compile() drop all three before any socket.
        var run = Ping("kernel-drops-then-reply", socket, "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Theory]
    [InlineData("unreachable", "raw")]
    [InlineData("unreachable", "dgram")]
    [InlineData("quote-options", "raw")]          // CVE-2022-23093: the quoted header has IHL 15 and 40 NOP options
    [InlineData("quote-options", "dgram")]
    [InlineData("outer-options-error", "raw")]    // the error's own header has 40 bytes of options
    [InlineData("outer-options-error", "dgram")]
    public void An_error_quoting_our_request_is_one_line_and_one_error(string scenario, string socket)
    {
        var run = Ping(scenario, socket, "-c", "1");
        run.AssertText([Header(Target), "From 198.18.16.2 icmp_seq=1 Destination Host Unreachable", .. Summary(Target, 1, 0, errors: 1)], exitCode: 1);
        run.AssertCounters(transmitted: 1, received: 0, errors: 1, exitCode: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void Errors_whose_quote_cannot_be_ours_are_dropped(string socket)
    {
        // A quoted IHL of 15 with 20 header bytes present, an IHL of 2, a quote that stops inside the ICMP header, no
        // quote at all, a quote of a request to another address, a bad ICMP checksum: six errors, none ours. The kernel
        // passes datagram sockets none of them either (icmp_unreach() wants the whole quoted header and 8 bytes).
        var run = Ping("bad-quotes-then-reply", socket, "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
        Assert.True(run.Sent == 14, $"seven frames per request\n{run}");
    }

    [Fact]
    public void A_quoted_total_length_shorter_than_its_header_is_refused_on_a_raw_socket()
    {
        // RFC 791: Total Length counts the header, so 10 cannot be; the quote is refused and only the reply is shown.
        var run = Ping("quote-total-length-short", "raw", "-c", "1");
        run.AssertText([Header(Target), Reply(Target, 1), .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Fact]
    public void A_quoted_total_length_shorter_than_its_header_reaches_a_datagram_socket_as_an_error()
    {
        // The kernel does not read the quoted Total Length: it queues the error, with our own request as its data, on
        // the error queue, where nothing of that quote is left to refuse. One error, then the reply.
        var run = PingTwiceAttackingTheFirst("quote-total-length-short", "dgram");
        run.AssertText([Header(Target), "From 198.18.16.2 icmp_seq=1 Destination Host Unreachable", Reply(Target, 1), Reply(Target, 2),
            .. Summary(Target, 2, 2, errors: 1)], exitCode: 0);
        run.AssertCounters(transmitted: 2, received: 2, errors: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void A_copy_of_an_error_is_shown_but_counted_once(string socket)
    {
        var run = PingTwiceAttackingTheFirst("unreachable-twice", socket);
        run.AssertText([Header(Target), "From 198.18.16.2 icmp_seq=1 Destination Host Unreachable", "From 198.18.16.2 icmp_seq=1 Destination Host Unreachable",
            Reply(Target, 2), .. Summary(Target, 2, 1, errors: 1)], exitCode: 0);
        run.AssertCounters(transmitted: 2, received: 1, errors: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void An_error_and_a_reply_for_one_request_settle_it_once_so_the_count_is_still_sent(string socket)
    {
        // Regression (issue 6 §2): -c counted replies plus errors, as iputils does (nreceived + nerrors >= npackets), so
        // a forged error ahead of each real reply ended a -c 2 run after one request.
        var run = PingTwiceAttackingTheFirst("unreachable-then-reply", socket);
        run.AssertText([Header(Target), "From 198.18.16.2 icmp_seq=1 Destination Host Unreachable", Reply(Target, 1), Reply(Target, 2),
            .. Summary(Target, 2, 2, errors: 1)], exitCode: 0);
        run.AssertCounters(transmitted: 2, received: 2, errors: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")]
    public void Fragmentation_needed_with_a_next_hop_mtu_of_0_is_printed_as_given(string socket)
    {
        var run = Ping("frag-needed-mtu-0", socket, "-c", "1");
        run.AssertText([Header(Target), "From 198.18.16.2 icmp_seq=1 Frag needed and DF set (mtu = 0)", .. Summary(Target, 1, 0, errors: 1)], exitCode: 1);
        run.AssertCounters(transmitted: 1, received: 0, errors: 1, exitCode: 1);
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("dgram")] // the error queue carries no extensions at all
    public void Rfc_4884_objects_with_lying_lengths_leave_the_error_and_nothing_else(string socket)
    {
        // Three time exceeded messages about the first request: an object of length 2, one 200 bytes past the end, a
        // length attribute of 1,020 bytes in a 100-byte message. Each is shown; the first settles the request.
        var run = PingTwiceAttackingTheFirst("rfc4884-bad-lengths", socket);
        string exceeded = "From 198.18.16.2 icmp_seq=1 Time to live exceeded";
        run.AssertText([Header(Target), exceeded, exceeded, exceeded, Reply(Target, 2), .. Summary(Target, 2, 1, errors: 1)], exitCode: 0);
        run.AssertCounters(transmitted: 2, received: 1, errors: 1);
        var errors = run.JsonEvents("error");
        Assert.Equal(3, errors.Count);
        // No object is made up from the lies: none has a readable length.
        Assert.All(errors, e => Assert.True(!e.TryGetProperty("extension_objects", out var objects) || objects.GetArrayLength() == 0, $"{e}\n{run}"));
    }

    [Fact]
    public void A_timestamp_reply_with_impossible_times_gives_no_offset_estimate()
    {
        // RFC 792 times: originate 0 (not ours), receive 0xFFFFFFFF (the non-standard bit), transmit 90,000,000 ms
        // (after the end of a day). Printed as received; no clock offset is made of them.
        var run = Ping("timestamp-hostile", "raw", "-c", "1", "--type", "timestamp");
        run.AssertText([Header(Target, 12), Reply(Target, 1, bytes: 20), "originate=0 receive=4294967295 transmit=90000000",
            "(the peer's times are not standard: no offset estimate)", .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Fact]
    public void A_timestamp_reply_whose_originate_is_not_ours_gives_no_offset_estimate()
    {
        // Regression (issue 6 §2): the estimate took the echoed originate on trust (DESIGN §3: never trust an echoed
        // timestamp), so a reply echoing a time 3 hours off gave a clock offset of about 1.5 hours.
        var run = Ping("timestamp-wrong-originate", "raw", "-c", "1", "--type", "timestamp");
        var lines = PingTools.Mask(run.Text.Stdout).ToList();
        Assert.True(lines.Count == 8, $"eight lines\n{run}");
        Assert.Matches(@"^originate=\d+ receive=\d+ transmit=\d+$", lines[2]);
        run.AssertText([Header(Target, 12), Reply(Target, 1, bytes: 20), lines[2], "(originate is not the time we sent: no offset estimate)",
            .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }

    [Fact]
    public void A_timestamp_reply_with_times_past_the_end_of_a_day_gives_no_offset_estimate()
    {
        // Regression (issue 6 §2): receive and transmit of 90,000,000 ms with the standard bit clear are no time of day
        // (RFC 792: milliseconds since midnight UT), yet gave "clock offset=+30027009 ms, one-way out=30027013 ms,
        // back=-30027005 ms".
        var run = Ping("timestamp-beyond-day", "raw", "-c", "1", "--type", "timestamp");
        var lines = PingTools.Mask(run.Text.Stdout).ToList();
        Assert.True(lines.Count == 8, $"eight lines\n{run}");
        Assert.Matches(@"^originate=\d+ receive=90000000 transmit=90000000$", lines[2]);
        run.AssertText([Header(Target, 12), Reply(Target, 1, bytes: 20), lines[2], "(the peer's times are not times of day: no offset estimate)",
            .. Summary(Target, 1, 1)], exitCode: 0);
        run.AssertCounters(transmitted: 1, received: 1);
    }
}
