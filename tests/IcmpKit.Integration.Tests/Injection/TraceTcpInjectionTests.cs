using System.Text.Json;
using static IcmpKit.Integration.Tests.Injection.TraceLines;

namespace IcmpKit.Integration.Tests.Injection;

/// <summary>
/// `icmpkit trace -T` (TCP SYN probes from a raw TCP socket, IPv4 and IPv6) against a hostile path (issue 6 §2), as
/// <see cref="TraceInjectionTests"/> does for ICMP and UDP probes. The injector plays the same two hops: a probe with TTL /
/// hop limit 1 is answered by ROUTER (198.18.16.3, fd42:16::3) with time exceeded, any other by the destination (the
/// peer) with a SYN-ACK, as an open port would. ICMP errors that must not be taken come from FORGER (198.18.16.4,
/// fd42:16::4), so one taken shows as that address. Segments the destination forges carry RST, and the honest SYN-ACK
/// after them comes 0.2 s later: one forged segment taken shows in --json as a RST, a flow key that is not the probe's,
/// or a short time. Each test asserts the exact lines (times masked), every probe's address and kind in --json, sane
/// RTTs and the exit code; the TCP tests also the flags, flow key and attempt of each probe at the destination.
/// <para>
/// How icmpkit names a TCP probe (src/IcmpKit/Trace/Probes/RawFlowProbeTransport.cs): its sequence number (a random
/// 16-bit cookie of the trace, then the flow key), sent from a source port of its own. An ICMP error names it by the
/// quoted ports and sequence number, all in the 8 bytes RFC 792 guarantees (the kernel queues nothing shorter); a
/// segment from the destination by its ports and its acknowledgment number, which must be the probe's sequence number
/// plus one (SYN-ACK) or plus SEG.LEN (RST), RFC 9293 §3.10.7.
/// </para>
/// Every run passes -N 16 (the default may change) and -p 80.
/// </summary>
public sealed class TraceTcpInjectionTests(TraceTcpInjectionTests.Lab lab) : IClassFixture<TraceTcpInjectionTests.Lab>
{
    /// <summary>
    /// The injection lab with the peer's kernel silenced for trace probes: its ICMP errors (as for ICMP and UDP probes),
    /// and all its TCP output, since it would answer every SYN to a closed port with a RST (RFC 9293 §3.10.7.1) and a
    /// listener's SYN-ACK would be no better. The injector sends through AF_PACKET, past netfilter, so only the kernel's
    /// own answers are dropped. <see cref="A_silent_destination_stays_silent"/> checks that the kernel says nothing.
    /// </summary>
    public sealed class Lab() : TraceInjectionLab("iktracetcp", "meta l4proto tcp drop");

    private const string V4 = InjectionLab.PeerV4;
    private const string V6 = InjectionLab.PeerV6;
    private const string Router4 = "198.18.16.3";
    private const string Router6 = "fd42:16::3";
    private const string Forger4 = "198.18.16.4";

    private static string Router(string target) => target == V6 ? Router6 : Router4;

    public static TheoryData<string> Both => [V4, V6];
    public static TheoryData<string> OnlyV4 => [V4];
    public static TheoryData<string> OnlyV6 => [V6];

    private InjectedTrace Trace(string scenario, string target, params string[] args) =>
        InjectedTrace.Run(lab, scenario, "-T", "raw", target, ["-p", "80", "-N", "16", .. args]);

    /// <summary>
    /// Hop 1 is <paramref name="hop1"/> (ROUTER) for all three probes, hop 2 the destination answering each probe with
    /// <paramref name="flags"/>: the lines, the --json probes, exit 0.
    /// </summary>
    private static void AssertTwoHops(InjectedTrace run, string target, string? hop1 = null, string flags = "SYN,ACK")
    {
        hop1 ??= Router(target);
        run.AssertText([Header(target), Hop(1, hop1), Hop(2, target)]);
        var exceeded = (hop1, "time_exceeded");
        var reached = (target, "tcp_reply");
        run.AssertJson("raw", reached: true, [exceeded, exceeded, exceeded], [reached, reached, reached]);
        AssertDestinationAnswers(run, flags);
    }

    /// <summary>
    /// Hop 2's probes, in order, were each answered at their first attempt by a segment with <paramref name="flags"/>
    /// naming that probe: flow keys 4, 5 and 6 (keys count sends from 1, and hop 1 had three), and, with
    /// <paramref name="minimumRttMs"/>, no sooner than that (the honest answer, not a forged one before it).
    /// </summary>
    private static void AssertDestinationAnswers(InjectedTrace run, string flags, double minimumRttMs = 0)
    {
        var probes = run.JsonProbes(2);
        Assert.True(probes.Count == 3, $"three probes at hop 2\n{run}");
        for (int i = 0; i < probes.Count; i++)
        {
            var probe = probes[i];
            string? got = probe.TryGetProperty("tcp_flags_text", out var text) ? text.GetString() : null;
            Assert.True(got == flags, $"hop 2 probe {i + 1}: flags {got}, expected {flags}: {probe}\n{run}");
            Assert.True(probe.GetProperty("flow_key").GetInt32() == 4 + i && probe.GetProperty("attempts").GetInt32() == 1,
                $"hop 2 probe {i + 1} answered as itself (flow key {4 + i}), at its only attempt: {probe}\n{run}");
            Assert.True(probe.GetProperty("rtt_ms").GetDouble() >= minimumRttMs, $"hop 2 probe {i + 1}: the answer {minimumRttMs} ms late, not one before it: {probe}\n{run}");
        }
    }

    // The path and the quotes: the ICMP and UDP scenarios of TraceInjectionTests, met by TCP probes.

    [Theory]
    [MemberData(nameof(Both))]
    public void An_honest_path_is_two_hops(string target)
    {
        var run = Trace("trace-honest", target);
        AssertTwoHops(run, target);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void A_silent_destination_stays_silent(string target)
    {
        // The lab's own check: nothing answers the destination's probes but the peer's kernel, which would send a RST to
        // port 80 (closed) if the lab did not drop it. The last hop stays "* * *" and the path is not reached (exit 1).
        var run = InjectedTrace.Run(lab, "trace-tcp-silent-destination", "-T", "raw", target, minimumSent: 6, "-p", "80", "-N", "16");
        run.AssertText([Header(target), Hop(1, Router(target)), " 2  * * *"], exitCode: 1);
        var exceeded = (Router(target), "time_exceeded");
        run.AssertJson("raw", reached: false, [exceeded, exceeded, exceeded], [(null, null), (null, null), (null, null)]);
    }

    [Theory]
    [MemberData(nameof(OnlyV4))]
    public void Forty_bytes_of_options_in_the_errors_their_quotes_and_the_answer_change_nothing(string target)
    {
        // CVE-2022-23093: time exceeded with IHL 15 outside and in its quote; the SYN-ACK with a 60-byte IP header and a
        // 60-byte TCP header (data offset 15: MSS and 36 NOPs, RFC 9293 §3.1).
        var run = Trace("trace-options", target);
        AssertTwoHops(run, target);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void A_quote_of_the_header_and_8_bytes_of_TCP_names_the_probe(string target)
    {
        // RFC 792's minimum (RFC 4443 §3.3 for ICMPv6 quotes as much as fits, but a router may send less): the ports and
        // the sequence number, which is all icmpkit needs.
        var run = Trace("trace-quote-8", target);
        AssertTwoHops(run, target);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Errors_whose_quote_lies_or_is_missing_are_skipped(string target)
    {
        // TraceInjectionTests' set: IPv4 a quoted IHL of 15 over 20 bytes, an IHL of 2, 4 bytes of the TCP header, no
        // quote, a probe to another destination; IPv6 a later fragment, a destination options header claiming 2,048
        // bytes, 40 to 43-byte errors, no quote. All from FORGER, before ROUTER's honest error.
        var run = Trace("trace-bad-quotes-then-honest", target);
        AssertTwoHops(run, target);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Errors_quoting_too_little_TCP_another_cookie_or_another_port_are_skipped(string target)
    {
        // From FORGER: 7 bytes of the TCP header (one short of RFC 792's 8: the kernel does not queue it), none at all,
        // the sequence number under another trace's cookie, a source port not ours; IPv4 also a quoted IHL of 6 (the
        // TCP header read 4 bytes late: the sequence number taken for ports) and of 15 over a 20-byte header.
        var run = Trace("trace-tcp-bad-quotes-then-honest", target);
        AssertTwoHops(run, target);
    }

    [Theory]
    [MemberData(nameof(OnlyV4))]
    public void A_quoted_total_length_shorter_than_its_header_is_not_seen_in_the_error_queue(string target)
    {
        // The errors about a raw TCP socket's probes come from its error queue, which holds the quote from the TCP header
        // on (raw_err()): the lying Total Length of 10 is gone, FORGER's error is otherwise about our probe and comes
        // first, so it names hop 1 (as for Paris UDP in TraceInjectionTests). The kernel's doing, kept visible here.
        var run = Trace("trace-quote-total-length-short-then-honest", target);
        AssertTwoHops(run, target, hop1: Forger4);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void An_error_padded_inside_and_outside_is_read_as_the_honest_one(string target)
    {
        var run = Trace("trace-padded", target);
        AssertTwoHops(run, target);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void An_error_with_a_wrong_ICMP_checksum_is_dropped(string target)
    {
        // RFC 792 / RFC 4443 §2.3: the kernel checks it before queueing the error for the raw TCP socket.
        var run = Trace("trace-bad-checksum-then-honest", target);
        AssertTwoHops(run, target);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Errors_and_resets_for_a_foreign_source_port_are_not_matched(string target)
    {
        // FORGER's error quotes the probe from another source port (XOR 0x8000); the destination first sends a RST with
        // the right acknowledgment number to that port.
        var run = Trace("trace-foreign-then-honest", target);
        AssertTwoHops(run, target);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Errors_and_resets_for_a_probe_never_sent_are_not_matched(string target)
    {
        // Our cookie and ports, but the sequence number of probe key + 1000 (quoted by FORGER; acknowledged + 1 by a RST
        // from the destination): no probe had it.
        var run = Trace("trace-unsent-then-honest", target);
        AssertTwoHops(run, target);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void A_duplicate_error_and_SYN_ACK_count_once(string target)
    {
        var run = Trace("trace-duplicate", target);
        AssertTwoHops(run, target);
        Assert.True(run.Sent >= 24, $"every probe was answered twice\n{run}");
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void A_copy_of_an_answer_from_another_address_does_not_replace_the_first(string target)
    {
        // ROUTER's error then FORGER's copy; the SYN-ACK, then a copy from FORGER (which the connected raw socket never gets).
        var run = Trace("trace-honest-then-copy-from-forger", target);
        AssertTwoHops(run, target);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void RFC_4884_objects_with_lying_lengths_in_a_time_exceeded_quoting_TCP_show_no_object(string target)
    {
        // As for ICMP and UDP probes: probe 1 an object of length 2, probe 2 one running 200 bytes past the end (a sound
        // structure header: "<>" and no object); probe 3 a length attribute of 255 words: the error queue does not give
        // the attribute, and RFC 4884 §5's 128-byte field past the quote holds no structure, so none.
        var run = Trace("trace-rfc4884-bad-lengths", target, "-e");
        string router = Router(target);
        run.AssertText([Header(target), $" 1  {router} <>  <t> ms  <t> ms {router}  <t> ms", Hop(2, target)]);
        var exceeded = (router, "time_exceeded");
        var reached = (target, "tcp_reply");
        run.AssertJson("raw", reached: true, [exceeded, exceeded, exceeded], [reached, reached, reached]);
        var probes = run.JsonProbes(1);
        for (int i = 0; i < 2; i++)
        {
            Assert.True(probes[i].TryGetProperty("extensions", out var objects) && objects.GetArrayLength() == 0, $"probe {i + 1}: {probes[i]}\n{run}");
        }
        Assert.False(probes[2].TryGetProperty("extensions", out _), $"probe 3: {probes[2]}\n{run}");
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void The_largest_error_quoting_TCP_in_fragments_is_read_whole(string target)
    {
        // Time exceeded padded to an IPv4 Total Length of 65,535 (IPv6: a 65,535-byte payload), in fragments.
        var run = Trace("trace-huge-error", target);
        AssertTwoHops(run, target);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Fragmentation_needed_with_an_impossible_mtu_ends_the_path(string target)
    {
        // --mtu: hop 2 refuses each probe as too big (RFC 1191 §4, RFC 4443 §3.2) with MTU 0, the largest the field holds,
        // then 1: none shrinks the probes, each is shown as !F-<mtu>, the path ends there (exit 1). As for UDP.
        var run = Trace("trace-mtu-lies", target, "--mtu");
        string router = Router(target);
        string huge = target == V6 ? "4294967295" : "65535";
        run.AssertText([Header(target).Replace(target == V6 ? "80 byte" : "60 byte", "1500 byte", StringComparison.Ordinal),
            $" 1  {router}  <t> ms  <t> ms  <t> ms  pmtu 1500", $" 2  {router}  <t> ms !F-0  <t> ms !F-{huge}  <t> ms !F-1"], exitCode: 1);
        var exceeded = (router, "time_exceeded");
        var refused = (router, "unreachable");
        run.AssertJson("raw", reached: false, [exceeded, exceeded, exceeded], [refused, refused, refused]);
    }

    [Theory]
    [MemberData(nameof(OnlyV6))]
    public void An_ICMPv6_error_quoting_TCP_behind_extension_headers_is_matched(string target)
    {
        // Hop-by-hop and destination options between the quoted IPv6 header and the SYN (RFC 8200 §4): the kernel skips
        // them (ipv6_skip_exthdr()) and queues the error from the TCP header.
        var run = Trace("trace-quote6-extension-headers", target);
        AssertTwoHops(run, target);
    }

    [Theory]
    [MemberData(nameof(OnlyV6))]
    public void An_ICMPv6_error_quoting_TCP_in_a_first_fragment_is_matched(string target)
    {
        // A fragment header of offset 0 before the SYN: its TCP header is there. (A later fragment, offset 8, is in
        // Errors_whose_quote_lies_or_is_missing_are_skipped: nothing to read, never matched.)
        var run = Trace("trace-quote6-first-fragment", target);
        AssertTwoHops(run, target);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void An_answer_after_the_wait_is_not_counted(string target)
    {
        // -N 1: hop 1's first probe is answered 1.5 s late (after -w 1); the destination's SYN-ACKs come 0.3 s after each
        // probe: the late error stays a timeout and gives no RTT.
        var run = InjectedTrace.Run(lab, "trace-late", "-T", "raw", target, "-p", "80", "-N", "1");
        string router = Router(target);
        run.AssertText([Header(target), $" 1  * {router}  <t> ms  <t> ms", Hop(2, target)]);
        var exceeded = (router, "time_exceeded");
        var reached = (target, "tcp_reply");
        run.AssertJson("raw", reached: true, [(null, null), exceeded, exceeded], [reached, reached, reached]);
        AssertDestinationAnswers(run, "SYN,ACK", minimumRttMs: 290);
    }

    // What the destination says: SYN-ACK, RST and their forgeries (RFC 9293 §3.10.7).

    [Theory]
    [MemberData(nameof(Both))]
    public void A_closed_port_answers_with_RST_ACK_and_ends_the_path(string target)
    {
        // RFC 9293 §3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. The destination is reached all the same.
        var run = Trace("trace-tcp-closed", target);
        AssertTwoHops(run, target, flags: "RST,ACK");
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void A_RST_acknowledging_the_data_of_a_longer_probe_names_that_probe(string target)
    {
        // A probe of 61 (IPv6 81) bytes carries one byte of data, so a closed port's RST acknowledges SEG.SEQ + 2 (the SYN
        // and the byte, RFC 9293 §3.10.7.1), which is also the next probe's SEG.SEQ + 1, what a SYN-ACK to it would carry.
        // With all probes of hop 2 in flight (-N 16) each RST must still name its own probe, not the next.
        string length = target == V6 ? "81" : "61";
        var run = InjectedTrace.Run(lab, "trace-tcp-closed", "-T", "raw", target, ["-p", "80", "-N", "16"], afterTarget: [length]);
        string header = Header(target).Replace(target == V6 ? "80 byte" : "60 byte", length + " byte", StringComparison.Ordinal);
        run.AssertText([header, Hop(1, Router(target)), Hop(2, target)]);
        var exceeded = (Router(target), "time_exceeded");
        var reached = (target, "tcp_reply");
        run.AssertJson("raw", reached: true, [exceeded, exceeded, exceeded], [reached, reached, reached]);
        AssertDestinationAnswers(run, "RST,ACK");
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Segments_with_an_unacceptable_acknowledgment_are_not_answers(string target)
    {
        // RFC 9293 §3.10.7.3 (SYN-SENT): ISS < SEG.ACK =< SND.NXT, and a RST counts only with an acceptable ACK. From the
        // destination, right ports, before the honest SYN-ACK (0.2 s later): RSTs acknowledging our sequence number
        // itself, 0, the probe under another cookie and under the cookie + 1; a RST with the right number and the ACK bit
        // off; a SYN without ACK (a simultaneous open). SEG.ACK = our own sequence number is the previous probe's
        // SEG.SEQ + 1, from another source port: only the ports say it is not that probe's answer.
        var run = Trace("trace-tcp-bad-acks-then-honest", target);
        run.AssertText([Header(target), Hop(1, Router(target)), Hop(2, target)]);
        AssertDestinationAnswers(run, "SYN,ACK", minimumRttMs: 190);
    }

    [Theory]
    [InlineData(V4, "16")]
    [InlineData(V6, "16")]
    [InlineData(V4, "1")]
    [InlineData(V6, "1")]
    public void Answers_on_one_probes_ports_naming_the_next_probe_are_not_matched(string target, string simultaneous)
    {
        // The next probe's sequence number (ours + 1) on this probe's ports: FORGER's time exceeded quotes it, and the
        // destination's RST acknowledges it (ours + 2). A TCP connection is its pair of sockets (RFC 9293 §3.3.2), and
        // each probe has a source port of its own: the next probe, from another port, is not what these name. With -N 16
        // the next probe is in flight when they come; with -N 1 it is not sent yet (an answer before its probe).
        var run = InjectedTrace.Run(lab, "trace-tcp-next-probe-then-honest", "-T", "raw", target, "-p", "80", "-N", simultaneous);
        AssertTwoHops(run, target);
        AssertDestinationAnswers(run, "SYN,ACK", minimumRttMs: 190);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void A_RST_with_a_wrong_TCP_checksum_is_dropped(string target)
    {
        // RFC 9293 §3.1 (MUST-3): a segment whose checksum does not verify is discarded. A raw TCP socket is handed the
        // segment before TCP checks it (raw_local_deliver() / rawv6_rcv() check no TCP checksum), so icmpkit must.
        var run = Trace("trace-tcp-bad-checksum-then-honest", target);
        AssertTwoHops(run, target);
        AssertDestinationAnswers(run, "SYN,ACK", minimumRttMs: 190);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void RSTs_from_or_to_the_wrong_ports_are_not_answers(string target)
    {
        // Right acknowledgment number; from the probed port + 1 (the socket's filter drops it), to a port not ours, and
        // with the ports the wrong way round.
        var run = Trace("trace-tcp-wrong-ports-then-honest", target);
        AssertTwoHops(run, target);
        AssertDestinationAnswers(run, "SYN,ACK", minimumRttMs: 190);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void A_RST_from_another_address_is_not_an_answer(string target)
    {
        // The right RST from FORGER at hop 2, and from ROUTER at hop 1 (a middlebox that is not the destination): the raw
        // socket is connected to the destination, so neither reaches it; ROUTER's time exceeded then names hop 1.
        var run = Trace("trace-tcp-other-source-then-honest", target);
        AssertTwoHops(run, target);
        AssertDestinationAnswers(run, "SYN,ACK", minimumRttMs: 190);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Malformed_RSTs_are_not_answers(string target)
    {
        // Right ports and acknowledgment number, but a data offset of 2 (below the header's 5 words, RFC 9293 §3.1), a
        // data offset of 15 in a 20-byte segment, and segments of 12 and 16 bytes (no whole header).
        var run = Trace("trace-tcp-malformed-then-honest", target);
        AssertTwoHops(run, target);
        AssertDestinationAnswers(run, "SYN,ACK", minimumRttMs: 190);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void The_first_answer_counts_and_a_RST_after_the_SYN_ACK_changes_nothing(string target)
    {
        var run = Trace("trace-tcp-honest-then-reset", target);
        AssertTwoHops(run, target);
    }

    [Theory]
    [InlineData(V4, "trace-tcp-big-answer")]
    [InlineData(V6, "trace-tcp-big-answer")]
    [InlineData(V4, "trace-tcp-padded-answer")]
    [InlineData(V6, "trace-tcp-padded-answer")]
    [InlineData(V4, "trace-tcp-fragmented-answer")]
    [InlineData(V6, "trace-tcp-fragmented-answer")]
    [InlineData(V6, "trace-tcp-answer6-extension-headers")]
    public void A_SYN_ACK_of_any_size_or_shape_is_read(string target, string scenario)
    {
        // The largest SYN-ACK (65,495 bytes of data: an IPv4 Total Length of 65,535, an IPv6 payload of 65,535) in
        // fragments; one in a frame with 60 bytes of padding; one in fragments of 16 (IPv6 24) bytes; IPv6 one behind
        // hop-by-hop and destination options headers.
        var run = Trace(scenario, target);
        AssertTwoHops(run, target);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Destination_unreachable_quoting_the_SYN_ends_the_path_with_its_code(string target)
    {
        // From the destination, per probe: IPv4 host (!H), protocol (!P), administratively prohibited (!X); IPv6
        // administratively prohibited (!X), address unreachable (!H), no route (!N). Unreachable, not reached: exit 1.
        var run = Trace("trace-tcp-unreachable", target);
        string codes = target == V6 ? "!X  <t> ms !H  <t> ms !N" : "!H  <t> ms !P  <t> ms !X";
        run.AssertText([Header(target), Hop(1, Router(target)), $" 2  {target}  <t> ms {codes}"], exitCode: 1);
        var exceeded = (Router(target), "time_exceeded");
        var refused = (target, "unreachable");
        run.AssertJson("raw", reached: false, [exceeded, exceeded, exceeded], [refused, refused, refused]);
    }
}
