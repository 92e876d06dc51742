namespace IcmpKit.Cli.Tests;

/// <summary>`icmpkit decode` text output: every field on its own line, indented by level.</summary>
public class DecodeTextTests
{
    [Fact]
    public void Echo_request_prints_every_field_line()
    {
        var result = CliRunner.Decode(Packets.EchoRequest);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        string[] expected =
        [
            "packet 1",
            "  length: 36",
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
            "  icmpv4:",
            "    type: 8 (EchoRequest)",
            "    code: 0",
            "    name: EchoRequest",
            "    checksum: 0xff57 (valid)",
            "    checksum_valid: yes",
            "    identifier: 0x4242 (16962)",
            "    sequence: 7",
            "    data_length: 8",
            "    data: 69636d706b697421",
        ];
        Assert.Equal(expected, result.StdoutLines);
    }

    [Fact]
    public void Hex_with_spaces_colons_and_0x_prefix_decodes_the_same()
    {
        string spaced = string.Join(' ', Enumerable.Range(0, Packets.EchoRequest.Length / 2).Select(i => Packets.EchoRequest.Substring(2 * i, 2)));
        string coloned = "0x" + spaced.Replace(' ', ':');

        var plain = CliRunner.Decode(Packets.EchoRequest);
        var withSpaces = CliRunner.Decode(spaced);
        var withColons = CliRunner.Decode(coloned);

        Assert.Equal(0, withSpaces.ExitCode);
        Assert.Equal(0, withColons.ExitCode);
        Assert.Equal(plain.Stdout, withSpaces.Stdout);
        Assert.Equal(plain.Stdout, withColons.Stdout);
    }

    [Fact]
    public void Fragmentation_needed_prints_mtu_and_the_quoted_datagram()
    {
        var result = CliRunner.Decode(Packets.FragmentationNeeded);

        Assert.Equal(0, result.ExitCode);
        string[] lines = result.StdoutLines;
        int icmp = Array.IndexOf(lines, "  icmpv4:");
        Assert.True(icmp > 0, result.Stdout);
        string[] expectedTail =
        [
            "  icmpv4:",
            "    type: 3 (DestinationUnreachable)",
            "    code: 4 (fragmentation needed and DF set)",
            "    name: DestinationUnreachable(fragmentation needed and DF set)",
            "    checksum: 0xf7fb (valid)",
            "    checksum_valid: yes",
            "    next_hop_mtu: 1280",
            "    length_attribute: 0",
            "    original_datagram_length: 28",
            "    quoted:",
            "      ipv4:",
            "        version: 4",
            "        header_length: 20",
            "        tos: 0x00",
            "        dscp: 0",
            "        ecn: 0",
            "        total_length: 28",
            "        identification: 0x1234 (4660)",
            "        flag_reserved: no",
            "        flag_df: yes",
            "        flag_mf: no",
            "        fragment_offset: 0 bytes",
            "        ttl: 63",
            "        protocol: 1 (ICMP)",
            "        checksum: 0x9b85 (valid)",
            "        checksum_valid: yes",
            "        source: 198.18.0.1",
            "        destination: 198.18.2.2",
            "      truncated: no",
            "      icmpv4:",
            "        type: 8 (EchoRequest)",
            "        code: 0",
            "        checksum: 0xb5b6",
            "        identifier: 0x4242 (16962)",
            "        sequence: 7",
        ];
        Assert.Equal(expectedTail, lines[icmp..]);
    }

    [Fact]
    public void Icmp_flag_starts_at_the_icmpv4_header()
    {
        var result = CliRunner.Decode("--icmp", Packets.BareIcmpV4EchoReply);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        string[] expected =
        [
            "packet 1",
            "  length: 8",
            "  icmpv4:",
            "    type: 0 (EchoReply)",
            "    code: 0",
            "    name: EchoReply",
            "    checksum: 0xfff4 (valid)",
            "    checksum_valid: yes",
            "    identifier: 0x0005 (5)",
            "    sequence: 6",
            "    data_length: 0",
            "    data: ",
        ];
        Assert.Equal(expected, result.StdoutLines);
    }

    [Fact]
    public void Icmpv6_flag_starts_at_the_icmpv6_header_and_says_the_checksum_is_not_verified()
    {
        var result = CliRunner.Decode("--icmpv6", Packets.BareIcmpV6EchoRequest);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        string[] expected =
        [
            "packet 1",
            "  length: 10",
            "  icmpv6:",
            "    type: 128 (EchoRequest)",
            "    code: 0",
            "    name: EchoRequest",
            "    checksum: 0x0000 (not verified)",
            "    identifier: 0x1111 (4369)",
            "    sequence: 2",
            "    data_length: 2",
            "    data: 6162",
        ];
        Assert.Equal(expected, result.StdoutLines);
    }

    [Fact]
    public void Several_packets_in_one_call_are_numbered_one_to_n()
    {
        var result = CliRunner.Decode(Packets.EchoRequest, Packets.TimestampRequest, Packets.PortUnreachable, Packets.IPv6EchoRequest);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        Assert.Equal(["packet 1", "packet 2", "packet 3", "packet 4"], result.StdoutLines.Where(l => l.StartsWith("packet ", StringComparison.Ordinal)));
        Assert.Equal(["  ipv4:", "  ipv4:", "  ipv4:", "  ipv6:"], result.StdoutLines.Where(l => l is "  ipv4:" or "  ipv6:"));
    }

    [Fact]
    public void Stdin_skips_blank_and_comment_lines_and_numbers_the_packets()
    {
        string stdin = string.Join('\n',
            "# echo request made by scapy",
            "",
            Packets.EchoRequest,
            "   \t ",
            "  # an indented comment",
            "  " + Packets.TimestampRequest + "  ",
            "");

        var result = CliRunner.DecodeStdin(stdin);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        Assert.Equal(["packet 1", "packet 2"], result.StdoutLines.Where(l => l.StartsWith("packet ", StringComparison.Ordinal)));
        Assert.Contains("    type: 8 (EchoRequest)", result.StdoutLines);
        Assert.Contains("    type: 13 (TimestampRequest)", result.StdoutLines);
        Assert.Equal(CliRunner.Decode(Packets.EchoRequest, Packets.TimestampRequest).Stdout, result.Stdout);
    }

    [Fact]
    public void Empty_stdin_prints_nothing_and_succeeds()
    {
        var result = CliRunner.DecodeStdin("\n# nothing here\n\n");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal("", result.Stderr);
    }
}
