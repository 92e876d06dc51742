using System.Text.Json;

namespace IcmpKit.Cli.Tests;

/// <summary>`icmpkit decode --json`: one document per packet per line, numbers as numbers, addresses as strings.</summary>
public class DecodeJsonTests
{
    private static JsonElement Single(CliResult result)
    {
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        return Assert.Single(result.JsonDocuments);
    }

    private static void AssertNumber(JsonElement parent, string name, long expected)
    {
        var value = parent.GetProperty(name);
        Assert.True(value.ValueKind == JsonValueKind.Number, $"{name} is {value.ValueKind}, not a number");
        Assert.Equal(expected, value.GetInt64());
    }

    private static void AssertString(JsonElement parent, string name, string expected)
    {
        var value = parent.GetProperty(name);
        Assert.True(value.ValueKind == JsonValueKind.String, $"{name} is {value.ValueKind}, not a string");
        Assert.Equal(expected, value.GetString());
    }

    private static void AssertBool(JsonElement parent, string name, bool expected)
    {
        var value = parent.GetProperty(name);
        Assert.True(value.ValueKind is JsonValueKind.True or JsonValueKind.False, $"{name} is {value.ValueKind}, not a boolean");
        Assert.Equal(expected, value.GetBoolean());
    }

    [Fact]
    public void Echo_request_fields_have_the_right_values_and_types()
    {
        var doc = Single(CliRunner.Decode("--json", Packets.EchoRequest));

        AssertNumber(doc, "schema", 1);
        AssertNumber(doc, "packet", 1);
        AssertNumber(doc, "length", 36);
        Assert.False(doc.TryGetProperty("error", out _));
        Assert.False(doc.TryGetProperty("ipv6", out _));

        var ip = doc.GetProperty("ipv4");
        AssertNumber(ip, "version", 4);
        AssertNumber(ip, "header_length", 20);
        AssertNumber(ip, "tos", 0);
        AssertNumber(ip, "dscp", 0);
        AssertNumber(ip, "ecn", 0);
        AssertNumber(ip, "total_length", 36);
        AssertNumber(ip, "identification", 0x1234);
        AssertBool(ip, "flag_reserved", false);
        AssertBool(ip, "flag_df", true);
        AssertBool(ip, "flag_mf", false);
        AssertNumber(ip, "fragment_offset", 0);
        AssertNumber(ip, "ttl", 64);
        AssertNumber(ip, "protocol", 1);
        AssertNumber(ip, "checksum", 0x9a7d);
        AssertBool(ip, "checksum_valid", true);
        AssertString(ip, "source", "198.18.0.1");
        AssertString(ip, "destination", "198.18.2.2");

        var icmp = doc.GetProperty("icmpv4");
        AssertNumber(icmp, "type", 8);
        AssertNumber(icmp, "code", 0);
        AssertString(icmp, "name", "EchoRequest");
        AssertNumber(icmp, "checksum", 0xff57);
        AssertBool(icmp, "checksum_valid", true);
        AssertNumber(icmp, "identifier", 0x4242);
        AssertNumber(icmp, "sequence", 7);
        AssertNumber(icmp, "data_length", 8);
        AssertString(icmp, "data", "69636d706b697421");
    }

    [Fact]
    public void Every_key_is_snake_case()
    {
        var result = CliRunner.Decode("--json", Packets.EchoRequest, Packets.TimestampRequest, Packets.FragmentationNeeded, Packets.PortUnreachable, Packets.IPv6EchoRequest);
        Assert.Equal(0, result.ExitCode);

        foreach (var doc in result.JsonDocuments)
        {
            foreach (string key in Keys(doc))
            {
                Assert.Matches("^[a-z][a-z0-9_]*$", key);
            }
        }

        static IEnumerable<string> Keys(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Keys(p.Value).Prepend(p.Name)),
            JsonValueKind.Array => element.EnumerateArray().SelectMany(Keys),
            _ => [],
        };
    }

    [Fact]
    public void Timestamp_request_has_the_three_timestamps_as_numbers()
    {
        var doc = Single(CliRunner.Decode("--json", Packets.TimestampRequest));

        var icmp = doc.GetProperty("icmpv4");
        AssertNumber(icmp, "type", 13);
        AssertString(icmp, "name", "TimestampRequest");
        AssertNumber(icmp, "checksum", 0xee9f);
        AssertBool(icmp, "checksum_valid", true);
        AssertNumber(icmp, "identifier", 0x77);
        AssertNumber(icmp, "sequence", 1);
        AssertNumber(icmp, "originate", 1000);
        AssertNumber(icmp, "receive", 0);
        AssertNumber(icmp, "transmit", 0);
    }

    [Fact]
    public void Fragmentation_needed_has_next_hop_mtu_and_the_quoted_echo()
    {
        var doc = Single(CliRunner.Decode("--json", Packets.FragmentationNeeded));

        AssertString(doc.GetProperty("ipv4"), "source", "198.18.1.1");
        var icmp = doc.GetProperty("icmpv4");
        AssertNumber(icmp, "type", 3);
        AssertNumber(icmp, "code", 4);
        AssertNumber(icmp, "next_hop_mtu", 1280);
        AssertNumber(icmp, "length_attribute", 0);
        AssertNumber(icmp, "original_datagram_length", 28);
        var quoted = icmp.GetProperty("quoted");
        AssertBool(quoted, "truncated", false);
        var qip = quoted.GetProperty("ipv4");
        AssertString(qip, "source", "198.18.0.1");
        AssertString(qip, "destination", "198.18.2.2");
        AssertNumber(qip, "identification", 0x1234);
        AssertBool(qip, "flag_df", true);
        AssertNumber(qip, "ttl", 63);
        AssertNumber(qip, "protocol", 1);
        var qicmp = quoted.GetProperty("icmpv4");
        AssertNumber(qicmp, "type", 8);
        AssertNumber(qicmp, "identifier", 0x4242);
        AssertNumber(qicmp, "sequence", 7);
        Assert.False(quoted.TryGetProperty("udp", out _));
    }

    [Fact]
    public void Port_unreachable_has_the_quoted_udp_ports()
    {
        var doc = Single(CliRunner.Decode("--json", Packets.PortUnreachable));

        var icmp = doc.GetProperty("icmpv4");
        AssertNumber(icmp, "type", 3);
        AssertNumber(icmp, "code", 3);
        AssertString(icmp, "name", "DestinationUnreachable(port unreachable)");
        AssertNumber(icmp, "checksum", 0x8b3f);
        AssertBool(icmp, "checksum_valid", true);
        var quoted = icmp.GetProperty("quoted");
        AssertNumber(quoted.GetProperty("ipv4"), "protocol", 17);
        var udp = quoted.GetProperty("udp");
        AssertNumber(udp, "source_port", 40000);
        AssertNumber(udp, "destination_port", 33434);
        AssertNumber(udp, "length", 9);
        AssertNumber(udp, "checksum", 0xdad8);
    }

    [Fact]
    public void IPv6_echo_request_has_ipv6_and_icmpv6_objects()
    {
        var doc = Single(CliRunner.Decode("--json", Packets.IPv6EchoRequest));

        Assert.False(doc.TryGetProperty("ipv4", out _));
        var ip = doc.GetProperty("ipv6");
        AssertNumber(ip, "version", 6);
        AssertNumber(ip, "payload_length", 10);
        AssertNumber(ip, "next_header", 58);
        AssertNumber(ip, "hop_limit", 64);
        AssertString(ip, "source", "fd42::1");
        AssertString(ip, "destination", "fd42::2");
        var icmp = doc.GetProperty("icmpv6");
        AssertNumber(icmp, "type", 128);
        AssertNumber(icmp, "checksum", 0x12bd);
        AssertBool(icmp, "checksum_valid", true);
        AssertNumber(icmp, "identifier", 0x1111);
        AssertNumber(icmp, "sequence", 2);
        AssertString(icmp, "data", "6162");
    }

    [Fact]
    public void Icmpv6_start_omits_checksum_valid_because_it_cannot_be_verified()
    {
        var doc = Single(CliRunner.Decode("--json", "--icmpv6", Packets.BareIcmpV6EchoRequest));

        Assert.False(doc.TryGetProperty("ipv6", out _));
        var icmp = doc.GetProperty("icmpv6");
        AssertNumber(icmp, "type", 128);
        AssertNumber(icmp, "checksum", 0);
        Assert.False(icmp.TryGetProperty("checksum_valid", out _));
        AssertNumber(icmp, "identifier", 0x1111);
    }

    [Fact]
    public void Icmp_start_has_only_the_icmpv4_object()
    {
        var doc = Single(CliRunner.Decode("--icmp", "--json", Packets.BareIcmpV4EchoReply));

        Assert.Equal(["schema", "packet", "length", "icmpv4"], doc.EnumerateObject().Select(p => p.Name));
        var icmp = doc.GetProperty("icmpv4");
        AssertNumber(icmp, "type", 0);
        AssertBool(icmp, "checksum_valid", true);
        AssertNumber(icmp, "identifier", 5);
        AssertNumber(icmp, "sequence", 6);
    }

    [Fact]
    public void Several_packets_give_one_document_per_line_numbered_one_to_n()
    {
        var result = CliRunner.Decode("--json", Packets.EchoRequest, Packets.TimestampRequest, Packets.FragmentationNeeded);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        Assert.Equal(3, result.StdoutLines.Length);
        Assert.Equal([1, 2, 3], result.JsonDocuments.Select(d => d.GetProperty("packet").GetInt32()));
        Assert.Equal([8, 13, 3], result.JsonDocuments.Select(d => d.GetProperty("icmpv4").GetProperty("type").GetInt32()));
    }

    [Fact]
    public void Stdin_json_numbers_packets_skipping_comments()
    {
        var result = CliRunner.DecodeStdin($"# first\n\n{Packets.PortUnreachable}\n# second\n{Packets.IPv6EchoRequest}\n", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal([1, 2], result.JsonDocuments.Select(d => d.GetProperty("packet").GetInt32()));
        Assert.True(result.JsonDocuments[1].TryGetProperty("icmpv6", out _));
    }
}
