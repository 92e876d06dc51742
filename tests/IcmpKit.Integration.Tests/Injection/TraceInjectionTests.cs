using static IcmpKit.Integration.Tests.Injection.TraceLines;

namespace IcmpKit.Integration.Tests.Injection;

/// <summary>
/// `icmpkit trace` (the real binary: ICMP and UDP probes, raw and datagram sockets, IPv4 and IPv6) against a hostile
/// path (issue 6 §2). The injector plays two hops behind the peer's address: a probe that arrives with TTL / hop limit 1
/// is answered by "ROUTER" (the peer's address + 1: 198.18.16.3, fd42:16::3) with time exceeded, any other by the peer
/// itself as the destination (echo reply, or port unreachable for UDP). Hostile packets that must not be taken for an
/// answer come from "FORGER" (+2: 198.18.16.4, fd42:16::4), so one taken shows as that address in the output. The peer's
/// kernel is silenced by nftables (its ICMP output and TCP resets dropped). Each test asserts the exact lines (times
/// masked), the answering address and kind of every probe in --json, sane RTTs, and the exit code. Where the socket
/// kinds differ it is the kernel's doing: a datagram socket gets errors only through the error queue, after the kernel
/// checked the ICMP checksum and that the quote holds at least the IP header and 8 bytes, and it never sees the quote's
/// IP header.
/// </summary>
public sealed class TraceInjectionTests(TraceInjectionTests.Lab lab) : IClassFixture<TraceInjectionTests.Lab>
{
    /// <summary>The injection lab with the peer's kernel silenced for trace probes (its TCP resets too).</summary>
    public sealed class Lab() : TraceInjectionLab("iktrace", "tcp flags rst drop");

    private const string V4 = InjectionLab.PeerV4;
    private const string V6 = InjectionLab.PeerV6;
    private const string Router4 = "198.18.16.3";
    private const string Router6 = "fd42:16::3";
    private const string Forger4 = "198.18.16.4";

    private static string Router(string target) => target == V6 ? Router6 : Router4;

    private static string DestinationKind(string probe) => probe == "-I" ? "echo_reply" : "port_unreachable";

    /// <summary>(target, probe, socket) for every combination of the families asked for.</summary>
    private static TheoryData<string, string, string> Matrix(bool v4, bool v6)
    {
        var data = new TheoryData<string, string, string>();
        foreach (string target in (v4 ? [V4] : (string[])[]).Concat(v6 ? [V6] : []))
        {
            foreach (string probe in (string[])["-I", "-U"])
            {
                foreach (string socket in (string[])["raw", "dgram"])
                {
                    data.Add(target, probe, socket);
                }
            }
        }
        return data;
    }

    /// <summary>(target, socket) for Paris UDP (--paris): raw is a raw UDP socket, dgram a UDP socket; both read errors from their error queue.</summary>
    public static TheoryData<string, string> Paris => new() { { V4, "raw" }, { V4, "dgram" }, { V6, "raw" }, { V6, "dgram" } };

    public static TheoryData<string, string, string> Both => Matrix(v4: true, v6: true);
    public static TheoryData<string, string, string> OnlyV4 => Matrix(v4: true, v6: false);
    public static TheoryData<string, string, string> OnlyV6 => Matrix(v4: false, v6: true);

    private InjectedTrace Trace(string scenario, string target, string probe, string socket, params string[] args) =>
        InjectedTrace.Run(lab, scenario, probe, socket, target, args);

    /// <summary>Hop 1 is ROUTER for all three probes, hop 2 the destination: the lines, the --json probes, exit 0.</summary>
    private static void AssertTwoHops(InjectedTrace run, string target, string probe, string socket, string? hop1 = null)
    {
        hop1 ??= Router(target);
        run.AssertText([Header(target), Hop(1, hop1), Hop(2, target)]);
        var exceeded = (hop1, "time_exceeded");
        var reached = (target, DestinationKind(probe));
        run.AssertJson(socket, reached: true, [exceeded, exceeded, exceeded], [reached, reached, reached]);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void An_honest_path_is_two_hops(string target, string probe, string socket)
    {
        var run = Trace("trace-honest", target, probe, socket);
        AssertTwoHops(run, target, probe, socket);
    }

    [Theory]
    [MemberData(nameof(OnlyV4))]
    public void Forty_bytes_of_options_in_the_errors_and_in_their_quotes_change_nothing(string target, string probe, string socket)
    {
        // CVE-2022-23093: the outer header and the quoted one both have IHL 15 (destination answers too, for UDP).
        var run = Trace("trace-options", target, probe, socket);
        AssertTwoHops(run, target, probe, socket);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void A_quote_of_the_header_and_only_8_bytes_is_enough_on_every_socket(string target, string probe, string socket)
    {
        // RFC 792's minimum. ICMP: the identifier and sequence are in those 8 bytes. UDP on a raw socket: the ports are.
        // UDP on a datagram socket: the error queue's data (what followed the quoted UDP header) is empty, but the
        // kernel gives the quoted destination address and port as the entry's address, and the port names the probe.
        var run = Trace("trace-quote-8", target, probe, socket);
        AssertTwoHops(run, target, probe, socket);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Errors_whose_quote_lies_or_is_missing_are_skipped_and_the_honest_error_counts(string target, string probe, string socket)
    {
        // IPv4: a quoted IHL of 15 over 20 bytes, an IHL of 2, a quote cut 4 bytes into the transport header, no quote,
        // a quote of a probe to another destination. IPv6: a later fragment, a destination options header claiming
        // 2,048 bytes, 40 to 43-byte errors, no quote. All from FORGER, before ROUTER's honest error.
        var run = Trace("trace-bad-quotes-then-honest", target, probe, socket);
        AssertTwoHops(run, target, probe, socket);
    }

    [Theory]
    [MemberData(nameof(OnlyV4))]
    public void A_quoted_total_length_shorter_than_its_header_is_refused_on_a_raw_socket_but_not_seen_on_a_datagram_one(string target, string probe, string socket)
    {
        // RFC 791: Total Length counts the header, so 10 cannot be: a raw socket reads the quote and refuses it, and the
        // honest error after it names the hop. The kernel does not read the quoted Total Length: it queues FORGER's error
        // (whose quote is otherwise our probe) on a datagram socket's error queue without the quoted IP header, so
        // nothing of the lie is left to refuse, and the honest copy after it is the duplicate. As ping (PingInjectionTests).
        var run = Trace("trace-quote-total-length-short-then-honest", target, probe, socket);
        AssertTwoHops(run, target, probe, socket, hop1: socket == "raw" ? Router4 : Forger4);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void An_error_padded_inside_and_outside_is_read_as_the_honest_one(string target, string probe, string socket)
    {
        // 100 bytes of 0xA5 after the quote (no RFC 4884 length: not extensions), 60 bytes of frame padding after the IP datagram.
        var run = Trace("trace-padded", target, probe, socket);
        AssertTwoHops(run, target, probe, socket);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void An_error_with_a_wrong_checksum_is_dropped(string target, string probe, string socket)
    {
        // IPv4 raw: ours to check; datagram sockets and all of IPv6: the kernel drops it first.
        var run = Trace("trace-bad-checksum-then-honest", target, probe, socket);
        AssertTwoHops(run, target, probe, socket);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Errors_and_replies_for_a_foreign_identifier_or_source_port_are_not_matched(string target, string probe, string socket)
    {
        // FORGER quotes a probe of another flow (ICMP identifier / UDP source port XOR 0x8000) at both hops, first.
        var run = Trace("trace-foreign-then-honest", target, probe, socket);
        AssertTwoHops(run, target, probe, socket);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Errors_and_replies_for_a_probe_never_sent_are_not_matched(string target, string probe, string socket)
    {
        // Our identifier / source port, but a sequence / destination port 1000 past the probe's, from FORGER, first.
        var run = Trace("trace-unsent-then-honest", target, probe, socket);
        AssertTwoHops(run, target, probe, socket);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void A_duplicate_answer_counts_once(string target, string probe, string socket)
    {
        // Every error and every destination answer twice: still three probes per hop, each answered once.
        var run = Trace("trace-duplicate", target, probe, socket);
        AssertTwoHops(run, target, probe, socket);
        Assert.True(run.Sent >= 24, $"every probe was answered twice\n{run}");
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void A_copy_of_an_answer_from_another_address_does_not_replace_the_first(string target, string probe, string socket)
    {
        var run = Trace("trace-honest-then-copy-from-forger", target, probe, socket);
        AssertTwoHops(run, target, probe, socket);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void RFC_4884_objects_with_lying_lengths_show_no_object_with_e(string target, string probe, string socket)
    {
        // Probe 1: an object of length 2 (below its own header); probe 2: one running 200 bytes past the end. The
        // structure's header and checksum are sound, so -e shows that a structure came ("<>") with nothing made up
        // from the lies. Probe 3: a length attribute of 255 words (IPv4 4-byte, IPv6 8-byte) in a message of about 100
        // or 130 bytes: no structure at all. Each error still names hop 1.
        var run = Trace("trace-rfc4884-bad-lengths", target, probe, socket, "-e");
        string router = Router(target);
        run.AssertText([Header(target), $" 1  {router} <>  <t> ms  <t> ms {router}  <t> ms", Hop(2, target)]);
        var exceeded = (router, "time_exceeded");
        var reached = (target, DestinationKind(probe));
        run.AssertJson(socket, reached: true, [exceeded, exceeded, exceeded], [reached, reached, reached]);
        var probes = run.JsonProbes(1);
        for (int i = 0; i < 2; i++)
        {
            Assert.True(probes[i].TryGetProperty("extensions", out var objects) && objects.GetArrayLength() == 0, $"probe {i + 1}: {probes[i]}\n{run}");
        }
        Assert.False(probes[2].TryGetProperty("extensions", out _), $"probe 3: {probes[2]}\n{run}");
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void The_largest_error_in_fragments_is_read_whole(string target, string probe, string socket)
    {
        // Time exceeded quoting the probe, padded to an IPv4 Total Length of 65,535 (IPv6: a 65,535-byte payload).
        var run = Trace("trace-huge-error", target, probe, socket);
        AssertTwoHops(run, target, probe, socket);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Fragmentation_needed_with_an_impossible_mtu_ends_the_path_without_changing_the_path_mtu(string target, string probe, string socket)
    {
        // --mtu: hop 2 refuses every probe as too big, with MTU 0, the largest the field holds (IPv4 65535, IPv6
        // 4294967295), then 1. None is below the probe and at least the minimum (68, 1280), so none shrinks the probes:
        // the pmtu stays the link's, each answer is shown as traceroute's !F-<mtu>, and the path ends there (exit 1).
        // The MTU is shown whole, as ping shows it (PingInjectionV6Tests): IPv6's 4294967295, not an int's 2147483647.
        var run = Trace("trace-mtu-lies", target, probe, socket, "--mtu");
        string router = Router(target);
        string huge = target == V6 ? "4294967295" : "65535";
        run.AssertText([Header(target).Replace(target == V6 ? "80 byte" : "60 byte", "1500 byte", StringComparison.Ordinal),
            $" 1  {router}  <t> ms  <t> ms  <t> ms  pmtu 1500", $" 2  {router}  <t> ms !F-0  <t> ms !F-{huge}  <t> ms !F-1"], exitCode: 1);
        var exceeded = (router, "time_exceeded");
        var refused = (router, "unreachable");
        run.AssertJson(socket, reached: false, [exceeded, exceeded, exceeded], [refused, refused, refused]);
    }

    [Theory]
    [MemberData(nameof(OnlyV6))]
    public void An_ICMPv6_error_quoting_extension_headers_is_matched(string target, string probe, string socket)
    {
        // Hop-by-hop and destination options between the quoted IPv6 header and the probe (RFC 8200 §4).
        var run = Trace("trace-quote6-extension-headers", target, probe, socket);
        AssertTwoHops(run, target, probe, socket);
    }

    [Theory]
    [MemberData(nameof(OnlyV6))]
    public void An_ICMPv6_error_quoting_a_first_fragment_is_matched(string target, string probe, string socket)
    {
        // A fragment header of offset 0 (more fragments) before the probe: its transport header is there to read.
        var run = Trace("trace-quote6-first-fragment", target, probe, socket);
        AssertTwoHops(run, target, probe, socket);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void An_answer_after_the_wait_is_not_counted(string target, string probe, string socket)
    {
        // -N 1: one probe at a time. Hop 1's first probe is answered 1.5 s later, after its 1 s wait, while the
        // destination's probes (answered 0.3 s after each) are in flight: the late error stays a timeout, changes no
        // other probe, and gives no RTT.
        var run = Trace("trace-late", target, probe, socket, "-N", "1");
        string router = Router(target);
        run.AssertText([Header(target), $" 1  * {router}  <t> ms  <t> ms", Hop(2, target)]);
        var exceeded = (router, "time_exceeded");
        var reached = (target, DestinationKind(probe));
        run.AssertJson(socket, reached: true, [(null, null), exceeded, exceeded], [reached, reached, reached]);
        Assert.All(run.JsonProbes(2), p => Assert.True(p.GetProperty("rtt_ms").GetDouble() is >= 290 and < 1000, $"{p}\n{run}"));
    }

    // Paris UDP (--paris): one destination port for every probe; on a UDP socket the probe is named by the first word of
    // its payload, on a raw UDP socket by its source port and checksum. Either way the errors come from the socket's
    // error queue: the kernel's summary, with the quote from the UDP header on (raw) or after it (UDP socket).

    [Theory]
    [MemberData(nameof(Paris))]
    public void Paris_a_quote_of_only_8_bytes_names_the_probe_on_a_raw_socket_and_none_on_a_udp_socket(string target, string socket)
    {
        // The UDP socket's error queue holds what followed the quoted UDP header: nothing, so no probe can be named
        // (every probe has the same destination port). Hop 1 stays "* * *"; the destination, quoted whole, is reached.
        // The silent hop before a reached destination is paced (probes sent again 1.1 s apart) and still silent: the
        // note says so, and does not claim a rate limit it never saw (it once did: "hop 1 answered within an ICMP rate
        // limit").
        var run = Trace("trace-quote-8", target, "-U", socket, "--paris");
        if (socket == "raw")
        {
            AssertTwoHops(run, target, "-U", socket);
            return;
        }
        run.AssertText([Header(target), " 1  * * *", Hop(2, target),
            "note: hop 1 stayed silent, also to probes sent again 1.1 s apart: it does not answer, whatever its rate limit"]);
        var reached = (target, "port_unreachable");
        run.AssertJson(socket, reached: true, [(null, null), (null, null), (null, null)], [reached, reached, reached]);
    }

    [Theory]
    [MemberData(nameof(Paris))]
    public void Paris_hostile_quotes_foreign_and_unsent_flows_and_copies_are_not_matched(string target, string socket)
    {
        foreach (string scenario in (string[])["trace-bad-quotes-then-honest", "trace-foreign-then-honest", "trace-unsent-then-honest",
            "trace-honest-then-copy-from-forger", "trace-duplicate", "trace-bad-checksum-then-honest"])
        {
            var run = Trace(scenario, target, "-U", socket, "--paris");
            AssertTwoHops(run, target, "-U", socket);
        }
    }

    [Theory]
    [MemberData(nameof(Paris))]
    public void Paris_a_quoted_total_length_shorter_than_its_header_is_not_seen_on_either_socket(string target, string socket)
    {
        // Both sockets get errors from their error queue, where the quoted IP header is gone (raw_err() queues from the
        // quoted transport header): FORGER's error, whose quote is otherwise our probe, names hop 1. IPv6 has no such
        // field in the quote (the scenario is honest there).
        var run = Trace("trace-quote-total-length-short-then-honest", target, "-U", socket, "--paris");
        AssertTwoHops(run, target, "-U", socket, hop1: target == V4 ? Forger4 : Router6);
    }

    [Theory]
    [MemberData(nameof(Paris))]
    public void Paris_an_answer_after_the_wait_is_not_counted(string target, string socket)
    {
        var run = Trace("trace-late", target, "-U", socket, "--paris", "-N", "1");
        string router = Router(target);
        run.AssertText([Header(target), $" 1  * {router}  <t> ms  <t> ms", Hop(2, target)]);
        var exceeded = (router, "time_exceeded");
        var reached = (target, "port_unreachable");
        run.AssertJson(socket, reached: true, [(null, null), exceeded, exceeded], [reached, reached, reached]);
        Assert.All(run.JsonProbes(2), p => Assert.True(p.GetProperty("rtt_ms").GetDouble() is >= 290 and < 1000, $"{p}\n{run}"));
    }
}
