using IcmpKit.Wire.Capture;

namespace IcmpKit.Wire.Tests.Fuzz;

/// <summary>
/// Inputs AFL++ found with the harness in fuzz/ (docs/fuzzing.md), each fed to the entry point it broke. The hex is
/// the crash file without its first byte (the harness's target selector).
/// </summary>
public class FuzzRegressionTests
{
    // fuzz/run.sh 60, 2026-11-23: crashes/id:000000 (target CaptureFile). A classic pcap, link type 101 (raw IP), whose
    // first record has incl_len 0: LinkLayer said the empty frame held an IP packet at offset 0, outside the frame.
    private const string EmptyRawFrame =
        "d4c3b2a10200040000000000000000000000f153650000000030000000300000000000000100060200000000010000080045000020000100004001eeb4c6120001"
        + "c612000208002104123400016162636401f15365000000004400000044000000000400010006020000000001000086dd60000000000c3a2afd42210000000000"
        + "0000000000000000028000ae341234000161626364";

    [Fact]
    public void An_empty_raw_frame_in_a_capture_holds_no_IP_packet()
    {
        var reader = new CaptureReader(Convert.FromHexString(EmptyRawFrame));
        var first = reader.Records()[0];
        Assert.Equal((LinkType.Raw, 0), (first.LinkType, first.Data.Length));

        Assert.False(LinkLayer.TryFindIPPacket(first.LinkType, first.Data.Span, out _, out var error));
        Assert.Equal(new WireError(WireErrorKind.Truncated, 0), error);
    }

    [Theory]
    [InlineData(LinkType.Raw)]
    [InlineData(LinkType.IPv4)]
    [InlineData(LinkType.IPv6)]
    public void A_link_type_without_a_link_header_finds_a_packet_only_in_a_frame_with_bytes(LinkType linkType)
    {
        Assert.False(LinkLayer.TryFindIPPacket(linkType, [], out _, out var error));
        Assert.Equal(new WireError(WireErrorKind.Truncated, 0), error);

        Assert.True(LinkLayer.TryFindIPPacket(linkType, [0x45], out int offset, out _));
        Assert.Equal(0, offset);
    }
}
