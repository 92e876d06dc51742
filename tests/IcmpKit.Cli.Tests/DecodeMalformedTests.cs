namespace IcmpKit.Cli.Tests;

/// <summary>
/// Malformed input: the fields read before the fault, then exactly one stderr line naming the problem
/// (the WireError kind and byte offset where there is one), never a stack trace, exit 2.
/// </summary>
public class DecodeMalformedTests
{
    private static readonly string[] EchoIPv4HeaderLines =
    [
        "  ipv4:",
        "    version: 4",
        "    header_length: 20",
        "    tos: 0x00",
        "    dscp: 0",
        "    ecn: 0",
        "    total_length: 36",
        "    identification: 0x1234 (4660)",
        "    flag_reserved: no",
        "    flag_df: yes",
        "    flag_mf: no",
        "    fragment_offset: 0 bytes",
        "    ttl: 64",
        "    protocol: 1 (ICMP)",
        "    checksum: 0x9a7d (valid)",
        "    checksum_valid: yes",
        "    source: 198.18.0.1",
        "    destination: 198.18.2.2",
    ];

    [Fact]
    public void Truncated_ipv4_header_prints_the_length_and_names_truncated_at_the_end_of_the_buffer()
    {
        var result = CliRunner.Decode(Packets.EchoRequest[..30]);

        CliRunner.AssertOneErrorLine(result, "icmpkit: packet 1: malformed IPv4 header: Truncated at byte 15");
        Assert.Equal(["packet 1", "  length: 15"], result.StdoutLines);
    }

    [Fact]
    public void Total_length_beyond_the_buffer_prints_the_whole_header_then_names_the_total_length_field()
    {
        // The header is intact (its checksum still verifies); the datagram is cut after 30 of its 36 bytes.
        var result = CliRunner.Decode(Packets.EchoRequest[..60]);

        CliRunner.AssertOneErrorLine(result, "icmpkit: packet 1: malformed IPv4 header: LengthBeyondBuffer at byte 2");
        Assert.Equal(["packet 1", "  length: 30", .. EchoIPv4HeaderLines], result.StdoutLines);
    }

    [Fact]
    public void Total_length_beyond_the_buffer_in_json_has_the_header_and_an_error_object()
    {
        var result = CliRunner.Decode("--json", Packets.EchoRequest[..60]);

        CliRunner.AssertOneErrorLine(result, "icmpkit: packet 1: malformed IPv4 header: LengthBeyondBuffer at byte 2");
        var doc = Assert.Single(result.JsonDocuments);
        Assert.Equal(30, doc.GetProperty("length").GetInt32());
        Assert.Equal(36, doc.GetProperty("ipv4").GetProperty("total_length").GetInt32());
        Assert.Equal("198.18.2.2", doc.GetProperty("ipv4").GetProperty("destination").GetString());
        Assert.False(doc.TryGetProperty("icmpv4", out _));
        var error = doc.GetProperty("error");
        Assert.Equal("LengthBeyondBuffer", error.GetProperty("kind").GetString());
        Assert.Equal(2, error.GetProperty("offset").GetInt32());
        Assert.Equal("IPv4 header", error.GetProperty("context").GetString());
    }

    [Fact]
    public void Version_nibble_5_is_bad_version_at_byte_0()
    {
        var result = CliRunner.Decode("5" + Packets.EchoRequest[1..]);

        CliRunner.AssertOneErrorLine(result, "icmpkit: packet 1: malformed IP header (version nibble is neither 4 nor 6): BadVersion at byte 0");
        Assert.Equal(["packet 1", "  length: 36"], result.StdoutLines);
    }

    [Fact]
    public void Truncated_icmp_header_prints_the_ip_header_then_names_truncated_icmpv4()
    {
        // bytes(IP(src="198.18.0.1", dst="198.18.2.2", id=0x1234, ttl=64, flags="DF", len=24)/b"\x08\x00\xff\x57").hex()
        var result = CliRunner.Decode("450000181234400040019a89c6120001c61202020800ff57");

        CliRunner.AssertOneErrorLine(result, "icmpkit: packet 1: malformed ICMPv4 message: Truncated at byte 24");
        string[] lines = result.StdoutLines;
        Assert.Equal(["packet 1", "  length: 24"], lines[..2]);
        Assert.Contains("    total_length: 24", lines);
        Assert.Contains("    checksum: 0x9a89 (valid)", lines);
        Assert.Equal("  icmpv4:", lines[^1]);
    }

    [Fact]
    public void Empty_packet_is_truncated_at_byte_0()
    {
        var result = CliRunner.Decode("");

        CliRunner.AssertOneErrorLine(result, "icmpkit: packet 1: malformed packet: Truncated at byte 0");
        Assert.Equal(["packet 1", "  length: 0"], result.StdoutLines);
    }

    [Fact]
    public void IPv6_payload_length_beyond_the_buffer_prints_the_header()
    {
        var result = CliRunner.Decode(Packets.IPv6EchoRequest[..90]);

        CliRunner.AssertOneErrorLine(result, "icmpkit: packet 1: malformed IPv6 header: LengthBeyondBuffer at byte 4");
        Assert.Contains("  ipv6:", result.StdoutLines);
        Assert.Contains("    source: fd42::1", result.StdoutLines);
        Assert.DoesNotContain("  icmpv6:", result.StdoutLines);
    }

    [Fact]
    public void Odd_number_of_hex_digits_is_named()
    {
        var result = CliRunner.Decode("450");

        CliRunner.AssertOneErrorLine(result, "icmpkit: packet 1: not hex: odd number of hex digits (3)");
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void A_non_hex_character_is_named_with_its_position()
    {
        var result = CliRunner.Decode("45zz");

        CliRunner.AssertOneErrorLine(result, "icmpkit: packet 1: not hex: 'z' at character 3 is not a hex digit");
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void A_bad_packet_among_good_ones_is_numbered_and_the_others_still_decode()
    {
        var result = CliRunner.Decode("--json", Packets.EchoRequest, "4g", Packets.TimestampRequest);

        CliRunner.AssertOneErrorLine(result, "icmpkit: packet 2: not hex: 'g' at character 2 is not a hex digit");
        Assert.Equal([1, 3], result.JsonDocuments.Select(d => d.GetProperty("packet").GetInt32()));
    }

    [Fact]
    public void A_malformed_packet_on_stdin_is_numbered_by_its_place_among_the_packets()
    {
        var result = CliRunner.DecodeStdin($"# header\n{Packets.EchoRequest}\n\n{Packets.EchoRequest[..30]}\n{Packets.IPv6EchoRequest}\n");

        CliRunner.AssertOneErrorLine(result, "icmpkit: packet 2: malformed IPv4 header: Truncated at byte 15");
        Assert.Equal(["packet 1", "packet 2", "packet 3"], result.StdoutLines.Where(l => l.StartsWith("packet ", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_unknown_flag_is_named()
    {
        var result = CliRunner.Decode("--bogus", Packets.EchoRequest);

        CliRunner.AssertOneErrorLine(result, "icmpkit: unknown option '--bogus' for decode; see 'icmpkit decode --help'");
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void Icmp_with_icmpv6_is_refused()
    {
        var result = CliRunner.Decode("--icmp", "--icmpv6", Packets.BareIcmpV4EchoReply);

        CliRunner.AssertOneErrorLine(result, "icmpkit: --icmp and --icmpv6 exclude each other; give one");
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void A_missing_pcap_file_is_named()
    {
        string path = Path.Combine(Path.GetTempPath(), $"icmpkit-missing-{Guid.NewGuid():N}.pcap");

        var result = CliRunner.Decode("--pcap", path);

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(result.StderrLines);
        Assert.StartsWith($"icmpkit: cannot read capture file {path}: ", line, StringComparison.Ordinal);
        CliRunner.AssertNoStackTrace(result);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void Pcap_without_a_file_name_is_a_usage_error()
    {
        var result = CliRunner.Decode("--pcap");

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(result.StderrLines);
        Assert.StartsWith("icmpkit: ", line, StringComparison.Ordinal);
        Assert.Contains("'--pcap'", line, StringComparison.Ordinal);
        Assert.EndsWith("; see 'icmpkit decode --help'", line, StringComparison.Ordinal);
        Assert.DoesNotContain(".;", line, StringComparison.Ordinal);
        CliRunner.AssertNoStackTrace(result);
    }

    [Fact]
    public void Pcap_and_hex_together_are_refused()
    {
        var result = CliRunner.Decode("--pcap", "x.pcap", Packets.EchoRequest);

        CliRunner.AssertOneErrorLine(result, "icmpkit: give either --pcap FILE or HEX packets, not both");
    }

    [Fact]
    public void An_unknown_verb_is_one_line_and_exit_2()
    {
        var result = CliRunner.Run(["bogus"]);

        CliRunner.AssertOneErrorLine(result, "icmpkit: unknown command or argument 'bogus'; see 'icmpkit --help'");
        Assert.Equal("", result.Stdout);
    }
}
