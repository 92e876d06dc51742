using System.Text.Json;

namespace IcmpKit.Integration.Tests;

/// <summary>The comparer is not vacuous: it reports disagreements, fields icmpkit lacks, and skips only unverified checksums.</summary>
public class TsharkComparisonTests
{
    private const string Ours = """
        {"schema":1,"packet":1,"time":"2026-01-01T00:00:01.000002Z","link_type":1,"frame_length":50,"length":36,
         "ipv4":{"version":4,"header_length":20,"tos":0,"dscp":0,"ecn":0,"total_length":36,"identification":4660,"flag_reserved":false,
                 "flag_df":true,"flag_mf":false,"fragment_offset":0,"ttl":64,"protocol":1,"checksum":39549,"checksum_valid":true,
                 "source":"198.18.0.1","destination":"198.18.2.2"},
         "icmpv4":{"type":8,"code":0,"checksum":65367,"checksum_valid":true,"identifier":16962,"sequence":7}}
        """;

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string Theirs(string ttl = "64", string icmpStatus = "1", string extraIcmp = "") => $$$"""
        {"frame":{"frame.time_epoch":"1767225601.000002999","frame.cap_len":"50"},
         "ip":{"ip.version":"4","ip.hdr_len":"20","ip.dsfield":"0x00","ip.dsfield_tree":{"ip.dsfield.dscp":"0","ip.dsfield.ecn":"0"},
               "ip.len":"36","ip.id":"0x1234","ip.flags":"0x02","ip.flags_tree":{"ip.flags.rb":"0","ip.flags.df":"1","ip.flags.mf":"0"},
               "ip.frag_offset":"0","ip.ttl":"{{{ttl}}}","ip.proto":"1","ip.checksum":"0x9a7d","ip.checksum.status":"1",
               "ip.src":"198.18.0.1","ip.dst":"198.18.2.2"},
         "icmp":{"icmp.type":"8","icmp.code":"0","icmp.checksum":"0xff57","icmp.checksum.status":"{{{icmpStatus}}}",
                 "icmp.ident":"16962","icmp.seq":"7"{{{extraIcmp}}}}}
        """;

    [Fact]
    public void Agreeing_fields_are_all_counted_and_nothing_is_reported()
    {
        var comparison = new TsharkComparison();

        var compared = comparison.CompareFrame(1, Parse(Ours), Parse(Theirs()));

        Assert.Empty(comparison.Mismatches);
        Assert.Contains("ip.flags.df", compared);
        Assert.Contains("ip.dsfield.dscp", compared);
        Assert.Contains("icmp.ident", compared);
        Assert.Contains("frame.time_epoch", compared);
        Assert.Equal(2 + 17 + 6, compared.Count);
    }

    [Fact]
    public void A_different_value_is_reported_with_both_values()
    {
        var comparison = new TsharkComparison();

        comparison.CompareFrame(7, Parse(Ours), Parse(Theirs(ttl: "63")));

        string mismatch = Assert.Single(comparison.Mismatches);
        Assert.Equal("frame 7: ip.ttl (icmpkit ttl): icmpkit 64, tshark \"63\"", mismatch);
    }

    [Fact]
    public void A_field_tshark_shows_and_icmpkit_lacks_is_reported()
    {
        var comparison = new TsharkComparison();

        comparison.CompareFrame(1, Parse(Ours), Parse(Theirs(extraIcmp: ",\"icmp.mtu\":\"1280\"")));

        Assert.Equal(["frame 1: icmp.mtu (icmpkit next_hop_mtu): tshark shows 1280, icmpkit has no such field"], comparison.Mismatches);
    }

    [Fact]
    public void A_bad_checksum_verdict_disagrees_and_an_unverified_one_is_skipped()
    {
        var bad = new TsharkComparison();
        var unverified = new TsharkComparison();

        bad.CompareFrame(1, Parse(Ours), Parse(Theirs(icmpStatus: "0")));
        var compared = unverified.CompareFrame(1, Parse(Ours), Parse(Theirs(icmpStatus: "2")));

        Assert.Single(bad.Mismatches);
        Assert.Empty(unverified.Mismatches);
        Assert.DoesNotContain("icmp.checksum.status", compared);
    }
}
