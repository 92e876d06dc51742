using System.Text.Json;

namespace IcmpKit.Cli.Tests;

/// <summary>`icmpkit decode --pcap FILE`: pcap and pcapng, link types Ethernet, raw IPv4 and Linux SLL.</summary>
public sealed class DecodeCaptureTests : IDisposable
{
    // All captures hold the scapy echo request of Packets.EchoRequest, framed by scapy 2.5.0:
    //   a = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="198.18.0.1", dst="198.18.2.2", id=0x1234, ttl=64, flags="DF")/ICMP(type=8, id=0x4242, seq=7)/b"icmpkit!"
    //   a.time = 1700000000.123456

    /// <summary>wrpcap("e.pcap", [a]): classic pcap, microseconds, link type 1 (Ethernet).</summary>
    internal const string EthernetPcap =
        "d4c3b2a1020004000000000000000000ffff00000100000000f1536540e2010032000000320000000200000000020200000000010800"
        + "450000241234400040019a7dc6120001c61202020800ff574242000769636d706b697421";

    /// <summary>q = IP(...same...)/ICMP(...)/b"icmpkit!"; q.time = 1700000000.5; wrpcap("r.pcap", [q]): link type 228 (raw IPv4).</summary>
    internal const string RawIPv4Pcap =
        "d4c3b2a1020004000000000000000000ffff0000e400000000f1536520a107002400000024000000"
        + "450000241234400040019a7dc6120001c61202020800ff574242000769636d706b697421";

    /// <summary>
    /// q = CookedLinux(pkttype=4, lladdrtype=1, lladdrlen=6, src=b"\x02\0\0\0\0\x01\0\0", proto=0x0800)/IP(...same...);
    /// q.time = 1700000001.25; wrpcap("s.pcap", [q]): link type 113 (Linux cooked, what tshark -i any writes).
    /// </summary>
    internal const string LinuxSllPcap =
        "d4c3b2a1020004000000000000000000ffff00007100000001f1536590d00300340000003400000000040001000602000000000100000800"
        + "450000241234400040019a7dc6120001c61202020800ff574242000769636d706b697421";

    /// <summary>wrpcapng("e.pcapng", [a]): section header, interface description (Ethernet), one enhanced packet block.</summary>
    internal const string EthernetPcapng =
        "0a0d0d0a1c0000004d3c2b1a0100000000000000000000001c0000000100000014000000010000000000040014000000"
        + "060000005400000000000000240a06004022201832000000320000000200000000020200000000010800"
        + "450000241234400040019a7dc6120001c61202020800ff574242000769636d706b697421000054000000";

    /// <summary>
    /// wrpcapng("three.pcapng", [a, b, c]) with b = Ether()/Packets.PortUnreachable at 1700000000.2 and
    /// c = Ether()/Packets.IPv6EchoRequest at 1700000000.3.
    /// </summary>
    internal const string ThreePacketsPcapng =
        "0a0d0d0a1c0000004d3c2b1a0100000000000000000000001c0000000100000014000000010000000000040014000000"
        + "060000005400000000000000240a06004022201832000000320000000200000000020200000000010800"
        + "450000241234400040019a7dc6120001c61202020800ff574242000769636d706b697421000054000000"
        + "060000006800000000000000240a0600404d21184700000047000000020000000001020000000002080045000039000300004001ec99c6120202"
        + "c612000103038b3f000000004500001d000500003f11eda3c6120001c61202029c40829a0009dad8780068000000"
        + "060000006000000000000000240a0600e0d32218400000004000000002000000000102000000000286dd"
        + "60000000000a3a40fd420000000000000000000000000001fd420000000000000000000000000002800012bd11110002616260000000";

    /// <summary>
    /// a = Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff")/ARP(op=1, hwsrc="02:00:00:00:00:01", psrc="198.18.0.1", pdst="198.18.0.254");
    /// a.time = 1700000002.0; wrpcap("arp.pcap", [a]): an ARP request, as every real Ethernet capture has.
    /// </summary>
    internal const string ArpPcap =
        "d4c3b2a1020004000000000000000000ffff00000100000002f15365000000002a0000002a000000"
        + "ffffffffffff02000000000108060001080006040001020000000001c6120001000000000000c61200fe";

    /// <summary>
    /// The same ARP request in a Linux cooked (SLL, link type 113) capture, as `tshark -i any` writes it:
    /// pcap header, record header, SLL header (outgoing, ARPHRD_ETHER, 6-byte address, protocol 0x0806), the ARP body.
    /// </summary>
    internal const string ArpSllPcap =
        "d4c3b2a1020004000000000000000000ffff00007100000002f15365000000002c0000002c000000"
        + "00040001000602000000000100000806"
        + "0001080006040001020000000001c6120001000000000000c61200fe";

    private readonly string _directory = Directory.CreateTempSubdirectory("icmpkit-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteCapture(string name, string hex)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, Convert.FromHexString(hex));
        return path;
    }

    private static void AssertEchoRequest(JsonElement doc)
    {
        var ip = doc.GetProperty("ipv4");
        Assert.Equal("198.18.0.1", ip.GetProperty("source").GetString());
        Assert.Equal("198.18.2.2", ip.GetProperty("destination").GetString());
        Assert.Equal(0x1234, ip.GetProperty("identification").GetInt32());
        var icmp = doc.GetProperty("icmpv4");
        Assert.Equal(8, icmp.GetProperty("type").GetInt32());
        Assert.True(icmp.GetProperty("checksum_valid").GetBoolean());
        Assert.Equal(0x4242, icmp.GetProperty("identifier").GetInt32());
        Assert.Equal(7, icmp.GetProperty("sequence").GetInt32());
    }

    [Theory]
    [InlineData("e.pcap", EthernetPcap, "2023-11-14T22:13:20.123456Z", 1, 50)]
    [InlineData("r.pcap", RawIPv4Pcap, "2023-11-14T22:13:20.500000Z", 228, 36)]
    [InlineData("s.pcap", LinuxSllPcap, "2023-11-14T22:13:21.250000Z", 113, 52)]
    [InlineData("e.pcapng", EthernetPcapng, "2023-11-14T22:13:20.123456Z", 1, 50)]
    public void Json_has_time_link_type_and_frame_length_then_the_packet(string name, string hex, string time, int linkType, int frameLength)
    {
        string path = WriteCapture(name, hex);

        var result = CliRunner.Decode("--json", "--pcap", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        var doc = Assert.Single(result.JsonDocuments);
        Assert.Equal(["schema", "packet", "time", "link_type", "frame_length", "length", "ipv4", "icmpv4"], doc.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, doc.GetProperty("packet").GetInt32());
        Assert.Equal(JsonValueKind.String, doc.GetProperty("time").ValueKind);
        Assert.Equal(time, doc.GetProperty("time").GetString());
        Assert.Equal(JsonValueKind.Number, doc.GetProperty("link_type").ValueKind);
        Assert.Equal(linkType, doc.GetProperty("link_type").GetInt32());
        Assert.Equal(frameLength, doc.GetProperty("frame_length").GetInt32());
        Assert.Equal(36, doc.GetProperty("length").GetInt32());
        AssertEchoRequest(doc);
    }

    [Theory]
    [InlineData("e.pcap", EthernetPcap, "  time: 2023-11-14T22:13:20.123456Z", "  link_type: 1 (Ethernet)", "  frame_length: 50")]
    [InlineData("r.pcap", RawIPv4Pcap, "  time: 2023-11-14T22:13:20.500000Z", "  link_type: 228 (IPv4)", "  frame_length: 36")]
    [InlineData("s.pcap", LinuxSllPcap, "  time: 2023-11-14T22:13:21.250000Z", "  link_type: 113 (LinuxSll)", "  frame_length: 52")]
    [InlineData("e.pcapng", EthernetPcapng, "  time: 2023-11-14T22:13:20.123456Z", "  link_type: 1 (Ethernet)", "  frame_length: 50")]
    public void Text_starts_with_time_link_type_and_frame_length_then_matches_the_hex_decode(string name, string hex, string time, string linkType, string frameLength)
    {
        string path = WriteCapture(name, hex);

        var result = CliRunner.Decode("--pcap", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        string[] lines = result.StdoutLines;
        Assert.Equal(["packet 1", time, linkType, frameLength], lines[..4]);
        // After the capture fields, the packet reads exactly as the same bytes given as hex.
        string[] fromHex = CliRunner.Decode(Packets.EchoRequest).StdoutLines;
        Assert.Equal(fromHex[1..], lines[4..]);
    }

    [Fact]
    public void Pcapng_with_three_records_numbers_them_and_decodes_each_kind()
    {
        string path = WriteCapture("three.pcapng", ThreePacketsPcapng);

        var result = CliRunner.Decode("--json", "--pcap", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        var docs = result.JsonDocuments;
        Assert.Equal([1, 2, 3], docs.Select(d => d.GetProperty("packet").GetInt32()));
        Assert.Equal(["2023-11-14T22:13:20.123456Z", "2023-11-14T22:13:20.200000Z", "2023-11-14T22:13:20.300000Z"], docs.Select(d => d.GetProperty("time").GetString()));
        Assert.Equal([50, 71, 64], docs.Select(d => d.GetProperty("frame_length").GetInt32()));
        AssertEchoRequest(docs[0]);
        Assert.Equal(33434, docs[1].GetProperty("icmpv4").GetProperty("quoted").GetProperty("udp").GetProperty("destination_port").GetInt32());
        Assert.Equal("fd42::2", docs[2].GetProperty("ipv6").GetProperty("destination").GetString());
        Assert.True(docs[2].GetProperty("icmpv6").GetProperty("checksum_valid").GetBoolean());
    }

    [Fact]
    public void A_capture_cut_inside_a_record_is_one_stderr_line_and_exit_2()
    {
        string path = WriteCapture("cut.pcap", EthernetPcap[..120]);

        var result = CliRunner.Decode("--pcap", path);

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(result.StderrLines);
        Assert.Matches(@"^icmpkit: cut\.pcap: malformed capture file: [A-Za-z]+ at byte [0-9]+$", line);
        CliRunner.AssertNoStackTrace(result);
    }

    [Fact]
    public void A_file_that_is_not_a_capture_is_one_stderr_line_and_exit_2()
    {
        string path = WriteCapture("text.pcap", Convert.ToHexString("this is not a capture file at all\n"u8));

        var result = CliRunner.Decode("--json", "--pcap", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        string line = Assert.Single(result.StderrLines);
        Assert.Matches(@"^icmpkit: text\.pcap: malformed capture file: [A-Za-z]+ at byte [0-9]+$", line);
        CliRunner.AssertNoStackTrace(result);
    }

    [Fact]
    public void A_non_ip_ethernet_frame_is_named_by_its_ether_type_and_is_not_malformed()
    {
        string path = WriteCapture("arp.pcap", ArpPcap);

        var text = CliRunner.Decode("--pcap", path);
        var json = CliRunner.Decode("--json", "--pcap", path);

        Assert.Equal(0, text.ExitCode);
        Assert.Equal("", text.Stderr);
        string[] expected =
        [
            "packet 1",
            "  time: 2023-11-14T22:13:22.000000Z",
            "  link_type: 1 (Ethernet)",
            "  frame_length: 42",
            "  ether_type: 0x0806 (ARP)",
            "  payload: 28 bytes, not IPv4 or IPv6",
        ];
        Assert.Equal(expected, text.StdoutLines);
        Assert.Equal(0, json.ExitCode);
        var doc = Assert.Single(json.JsonDocuments);
        Assert.Equal(0x0806, doc.GetProperty("ether_type").GetInt32());
        Assert.Equal(28, doc.GetProperty("payload").GetInt32());
        Assert.False(doc.TryGetProperty("error", out _));
    }

    [Fact]
    public void A_non_ip_linux_cooked_frame_is_named_by_its_protocol_and_is_not_malformed()
    {
        string path = WriteCapture("arp-sll.pcap", ArpSllPcap);

        var result = CliRunner.Decode("--pcap", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        string[] expected =
        [
            "packet 1",
            "  time: 2023-11-14T22:13:22.000000Z",
            "  link_type: 113 (LinuxSll)",
            "  frame_length: 44",
            "  ether_type: 0x0806 (ARP)",
            "  payload: 28 bytes, not IPv4 or IPv6",
        ];
        Assert.Equal(expected, result.StdoutLines);
    }
}
