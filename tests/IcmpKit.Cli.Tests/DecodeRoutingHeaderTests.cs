namespace IcmpKit.Cli.Tests;

public class DecodeRoutingHeaderTests
{
    // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IPv6(src='fd42::1',dst='fd42::2')/IPv6ExtHdrRouting(addresses=['fd42::3'],segleft=1)/ICMPv6EchoRequest(id=1,seq=1)).hex())"
    // scapy computes the checksum with the final destination fd42::3 (RFC 8200 §8.1).
    private const string EchoViaRoutingHeader =
        "6000000000202b40fd420000000000000000000000000001fd4200000000000000000000000000023a02000100000000fd4200000000000000000000000000038000853100010001";

    [Fact]
    public void An_icmpv6_checksum_behind_a_routing_header_with_segments_left_is_not_verified_not_bad()
    {
        var result = CliRunner.Decode("--json", EchoViaRoutingHeader);
        Assert.Equal(0, result.ExitCode);
        var document = Assert.Single(result.JsonDocuments);
        var icmp = document.GetProperty("icmpv6");
        Assert.False(icmp.TryGetProperty("checksum_valid", out _));
        Assert.Equal(0x8531, icmp.GetProperty("checksum").GetInt32());
        Assert.Contains("RFC 8200", document.GetProperty("checksum_not_verified").GetString(), StringComparison.Ordinal);
    }
}
