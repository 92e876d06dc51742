using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// Per-hop settings from `icmpkit respond --config FILE` (docs/respond.md), each seen by the real tool that shows it:
/// tracepath, ping and `traceroute --mtu` find a hop's MTU; `traceroute -e` shows a hop's MPLS labels and tshark
/// decodes its RFC 4950 and RFC 5837 objects; traceroute shows a silent hop as * and an administratively prohibited
/// hop as !X; `icmpkit probe` gets RFC 8335 answers from the interface table; hping3's SYN gets a RST; ping sees
/// duplicates and redirects. Each test has its own responder, so no hop's error budget (6, then 1/s) is shared.
/// </summary>
public sealed partial class RespondHopConfigTests
{
    private const string HostV4 = "198.18.21.1";
    private const string HostV6 = "fd42:21::1";

    /// <summary>IPv4 hop 2 sends on a 1300-byte link, IPv6 hop 1 on a 1280-byte one; the TUN itself carries 1500.</summary>
    private const string MtuConfig = """
        {
          "addresses": ["198.18.21.1", "fd42:21::1"],
          "hops": [
            { "address": "198.18.22.1" }, { "address": "198.18.22.2", "mtu": 1300 }, { "address": "198.18.22.3" },
            { "address": "fd42:22::1", "mtu": 1280 }, { "address": "fd42:22::2" }
          ]
        }
        """;

    /// <summary>Each MTU test has a fresh namespace: the kernel caches a path MTU it learns, and then refuses larger
    /// packets itself ("message too long") before any hop sees them.</summary>
    [Fact]
    public void Tracepath_finds_the_hop_mtu_and_who_reported_it()
    {
        using var respond = RespondProcess.StartWithConfig(MtuConfig);
        foreach (var (family, host, hops, reporter, mtu) in new[]
        {
            ("-4", HostV4, new[] { "198.18.22.1", "198.18.22.2", "198.18.22.3" }, "198.18.22.2", 1300),
            ("-6", HostV6, new[] { "fd42:22::1", "fd42:22::2" }, "fd42:22::1", 1280),
        })
        {
            var result = respond.Exec("tracepath", family, "-n", host);
            Assert.True(result.ExitCode == 0, result.ToString());
            var run = RespondPathTests.ParseTracepath(result);
            Assert.True(run.Hops.SequenceEqual([.. hops, host]), result.ToString());
            Assert.True(run.MtuReports.SequenceEqual([(reporter, mtu)]), result.ToString());
            Assert.Equal((mtu, hops.Length + 1), (run.PathMtu, run.HopCount));
        }
    }

    [Fact]
    public void Ping_with_df_passes_a_packet_of_exactly_the_hop_mtu_and_gets_the_mtu_for_one_byte_more()
    {
        using var respond = RespondProcess.StartWithConfig(MtuConfig);
        // To the byte: a packet of exactly the MTU passes (with DF), one byte more is refused by the hop, with its MTU.
        var fits = respond.Exec("ping", "-c", "1", "-W", "2", "-M", "do", "-s", (1300 - 28).ToString(CultureInfo.InvariantCulture), HostV4);
        Assert.True(fits.ExitCode == 0, fits.ToString());
        var tooBig = respond.Exec("ping", "-c", "1", "-W", "2", "-M", "do", "-s", (1300 - 28 + 1).ToString(CultureInfo.InvariantCulture), HostV4);
        Assert.Contains("From 198.18.22.2 icmp_seq=1 Frag needed and DF set (mtu = 1300)", tooBig.Stdout, StringComparison.Ordinal);
        var fitsV6 = respond.Exec("ping", "-6", "-c", "1", "-W", "2", "-s", (1280 - 48).ToString(CultureInfo.InvariantCulture), HostV6);
        Assert.True(fitsV6.ExitCode == 0, fitsV6.ToString());
        var tooBigV6 = respond.Exec("ping", "-6", "-c", "1", "-W", "2", "-M", "do", "-s", (1280 - 48 + 1).ToString(CultureInfo.InvariantCulture), HostV6);
        Assert.Contains("From fd42:22::1 icmp_seq=1 Packet too big: mtu=1280", tooBigV6.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Traceroute_mtu_reports_the_hop_mtu()
    {
        using var respond = RespondProcess.StartWithConfig(MtuConfig);
        // --mtu starts at the local MTU ("F=1500" where the first probe is cut down) and shows F=1300 once hop 2 refuses.
        var result = respond.Exec("traceroute", "--mtu", "-n", "-q", "1", "-w", "1", HostV4);
        Assert.True(result.ExitCode == 0, result.ToString());
        var hops = RespondPathTests.ParseTraceroute(result.Stdout);
        Assert.True(hops.Select(h => h.Addresses.Single()).SequenceEqual(["198.18.22.1", "198.18.22.2", "198.18.22.3", HostV4]), result.ToString());
        Assert.True(hops.Count(h => h.Line.Contains("F=1300", StringComparison.Ordinal)) == 1, result.ToString());
        Assert.DoesNotContain(hops, h => h.Unanswered > 0);
    }

    private const string ExtensionConfig = """
        {
          "addresses": ["198.18.21.1", "fd42:21::1"],
          "hops": [
            { "address": "198.18.22.1", "mpls": [16001, 16002],
              "interface": { "name": "ge-0/0/1", "index": 7, "address": "198.18.22.1", "mtu": 1500 } },
            { "address": "198.18.22.2" },
            { "address": "fd42:22::1", "mpls": [17001] },
            { "address": "fd42:22::2" }
          ]
        }
        """;

    [GeneratedRegex(@"<MPLS:L=16001,E=0,S=0,T=\d+/L=16002,E=0,S=1,T=\d+[;>]")]
    private static partial Regex MplsStackV4();

    [GeneratedRegex(@"<MPLS:L=17001,E=0,S=1,T=\d+>")]
    private static partial Regex MplsStackV6();

    [Fact]
    public void Traceroute_shows_the_mpls_labels_and_tshark_decodes_every_extension_object()
    {
        using var respond = RespondProcess.StartWithConfig(ExtensionConfig);
        CommandResult? v4 = null, v6 = null;
        var frames = RespondTsharkTests.CaptureWhile(respond, () =>
        {
            v4 = respond.Exec("traceroute", "-e", "-I", "-n", "-q", "1", "-w", "1", HostV4);
            v6 = respond.Exec("traceroute", "-6", "-e", "-I", "-n", "-q", "1", "-w", "1", HostV6);
        }, "icmp.mpls.label", "icmp.mpls.s", "icmp.int_info.index", "icmp.int_info.name", "icmp.int_info.ipv4", "icmp.int_info.mtu");

        Assert.True(v4!.ExitCode == 0, v4.ToString());
        var hopsV4 = RespondPathTests.ParseTraceroute(v4.Stdout);
        Assert.True(hopsV4.Select(h => h.Addresses.Single()).SequenceEqual(["198.18.22.1", "198.18.22.2", HostV4]), v4.ToString());
        Assert.Matches(MplsStackV4(), hopsV4[0].Line);
        Assert.DoesNotContain("<", hopsV4[1].Line, StringComparison.Ordinal); // hop 2 has no extensions
        Assert.True(v6!.ExitCode == 0, v6.ToString());
        var hopsV6 = RespondPathTests.ParseTraceroute(v6.Stdout);
        Assert.True(hopsV6.Select(h => h.Addresses.Single()).SequenceEqual(["fd42:22::1", "fd42:22::2", HostV6]), v6.ToString());
        Assert.Matches(MplsStackV6(), hopsV6[0].Line);

        var emitted = RespondTsharkTests.Emitted(frames, [HostV4, HostV6, "198.18.22.1", "198.18.22.2", "fd42:22::1", "fd42:22::2"]);
        RespondTsharkTests.AssertClean(emitted);
        var fromHop1 = emitted.Where(f => f.First("ip.src") == "198.18.22.1" && f.First("icmp.type") == "11").ToList();
        Assert.NotEmpty(fromHop1);
        Assert.All(fromHop1, f =>
        {
            Assert.Equal(["16001", "16002"], f["icmp.mpls.label"]);
            Assert.Equal(["0", "1"], f["icmp.mpls.s"]); // bottom of stack on the last label only
            Assert.Equal(["7"], f["icmp.int_info.index"]);
            Assert.Equal(["ge-0/0/1"], f["icmp.int_info.name"]);
            Assert.Equal(["198.18.22.1"], f["icmp.int_info.ipv4"]);
            Assert.Equal(["1500"], f["icmp.int_info.mtu"]);
            Assert.Equal(["1"], f["icmp.ext.checksum.status"]);
        });
        var fromHop1V6 = emitted.Where(f => f.First("ipv6.src") == "fd42:22::1" && f.First("icmpv6.type") == "3").ToList();
        Assert.NotEmpty(fromHop1V6);
        Assert.All(fromHop1V6, f =>
        {
            Assert.Equal(["17001"], f["icmp.mpls.label"]);
            Assert.Equal(["1"], f["icmp.mpls.s"]);
            Assert.Equal(["1"], f["icmp.ext.checksum.status"]);
        });
        // Hops without extensions send plain errors.
        Assert.All(emitted.Where(f => f.First("ip.src") == "198.18.22.2" || f.First("ipv6.src") == "fd42:22::2"),
            f => Assert.Empty(f["icmp.mpls.label"]));
    }

    private const string SilentAndProhibitedConfig = """
        {
          "addresses": ["198.18.21.1", "fd42:21::1"],
          "hops": [
            { "address": "198.18.22.1" }, { "address": "198.18.22.2", "silent": true }, { "address": "198.18.22.3" },
            { "address": "198.18.22.4", "unreachable": "admin" },
            { "address": "fd42:22::1", "silent": true }, { "address": "fd42:22::2", "unreachable": 1 }
          ]
        }
        """;

    /// <summary>
    /// A silent hop forwards but never answers: traceroute prints *. A hop with unreachable code 13 (RFC 1812
    /// §5.2.7.1, administratively prohibited) or ICMPv6 code 1 (RFC 4443 §3.1) answers every probe it would forward
    /// with that code: traceroute prints !X and stops there. -N 1 sends one probe at a time, so traceroute stops at
    /// the first !X instead of drawing a dozen of them at once.
    /// </summary>
    [Fact]
    public void Traceroute_shows_a_silent_hop_as_a_star_and_an_admin_prohibited_hop_as_x()
    {
        using var respond = RespondProcess.StartWithConfig(SilentAndProhibitedConfig);
        var runs = new List<(CommandResult Result, string?[] Expected)>();
        var frames = RespondTsharkTests.CaptureWhile(respond, () =>
        {
            runs.Add((respond.Exec("traceroute", "-I", "-N", "1", "-n", "-q", "1", "-w", "1", HostV4), ["198.18.22.1", null, "198.18.22.3", "198.18.22.4"]));
            runs.Add((respond.Exec("traceroute", "-N", "1", "-n", "-q", "1", "-w", "1", HostV4), ["198.18.22.1", null, "198.18.22.3", "198.18.22.4"]));
            runs.Add((respond.Exec("traceroute", "-6", "-I", "-N", "1", "-n", "-q", "1", "-w", "1", HostV6), [null, "fd42:22::2"]));
        });
        foreach (var (result, expected) in runs)
        {
            var hops = RespondPathTests.ParseTraceroute(result.Stdout);
            Assert.True(hops.Count == expected.Length, result.ToString());
            for (int k = 0; k < expected.Length; k++)
            {
                if (expected[k] is null)
                {
                    Assert.True(hops[k].Addresses.Length == 0 && hops[k].Unanswered == 1, result.ToString());
                }
                else
                {
                    Assert.True(hops[k].Addresses.SequenceEqual([expected[k]]), result.ToString());
                }
                Assert.Equal(k == expected.Length - 1, hops[k].Line.TrimEnd().EndsWith(" !X", StringComparison.Ordinal));
            }
        }

        var emitted = RespondTsharkTests.Emitted(frames, [HostV4, HostV6, "198.18.22.1", "198.18.22.2", "198.18.22.3", "198.18.22.4", "fd42:22::1", "fd42:22::2"]);
        RespondTsharkTests.AssertClean(emitted);
        // Silent hops sent nothing at all; the prohibiting hops sent their code and nothing else; nothing came from the host.
        Assert.DoesNotContain(emitted, f => f.First("ip.src") is "198.18.22.2" or HostV4 || f.First("ipv6.src") is "fd42:22::1" or HostV6);
        Assert.All(emitted.Where(f => f.First("ip.src") == "198.18.22.4"), f => Assert.Equal(("3", "13"), (f["icmp.type"][0], f["icmp.code"][0])));
        Assert.All(emitted.Where(f => f.First("ipv6.src") == "fd42:22::2"), f => Assert.Equal(("1", "1"), (f["icmpv6.type"][0], f["icmpv6.code"][0])));
        Assert.Contains(emitted, f => f.First("ip.src") == "198.18.22.4");
        Assert.Contains(emitted, f => f.First("ipv6.src") == "fd42:22::2");

        var exit = respond.Stop();
        Assert.Matches(@"\n  dropped silent_hop: [1-9]\d*\n", exit.Stdout);
    }

    private const string InterfaceConfig = """
        {
          "addresses": ["198.18.21.1", "fd42:21::1"],
          "interfaces": [
            { "name": "eth0", "index": 2, "addresses": ["198.18.21.1", "fd42:21::1"] },
            { "name": "eth1", "index": 3, "addresses": ["198.18.21.9"], "active": false },
            { "name": "eth2", "index": 4, "addresses": ["198.18.21.10"] }
          ],
          "hops": [{ "address": "198.18.22.1" }, { "address": "fd42:22::1" }]
        }
        """;

    /// <summary>One `icmpkit probe --ndjson` reply: the RFC 8335 code and the A, 4 and 6 bits.</summary>
    private static (int Code, bool Active, bool V4, bool V6) Probe(RespondProcess respond, params string[] args)
    {
        var result = respond.IcmpKit(["probe", "-c", "1", "-W", "2", "--ndjson", .. args]);
        var reply = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .SingleOrDefault(e => e.GetProperty("type").GetString() == "probe_reply");
        Assert.True(reply.ValueKind == JsonValueKind.Object, result.ToString());
        return (reply.GetProperty("code").GetInt32(), reply.GetProperty("active").GetBoolean(), reply.GetProperty("ipv4").GetBoolean(), reply.GetProperty("ipv6").GetBoolean());
    }

    /// <summary>RFC 8335 §4: code 0 with the A bit and the address families of an active interface; an inactive one
    /// has all three bits clear; code 2 (No Such Interface) for a name not in the table. Asked by name, index or address.</summary>
    [Fact]
    public void Icmpkit_probe_gets_extended_echo_answers_from_the_interface_table()
    {
        using var respond = RespondProcess.StartWithConfig(InterfaceConfig);
        Assert.Equal((0, true, true, true), Probe(respond, "--name", "eth0", HostV4));
        Assert.Equal((0, true, true, true), Probe(respond, "-6", "--name", "eth0", HostV6));
        Assert.Equal((0, true, true, true), Probe(respond, "--address", "fd42:21::1", HostV4));
        Assert.Equal((0, false, false, false), Probe(respond, "--index", "3", HostV4));
        Assert.Equal((0, true, true, false), Probe(respond, "--index", "4", HostV4));
        Assert.Equal((0, true, true, false), Probe(respond, "-6", "--address", "198.18.21.10", HostV6));
        Assert.Equal((2, false, false, false), Probe(respond, "--name", "eth9", HostV4));
        var exit = respond.Stop();
        Assert.Contains("  answered extended_echo_reply: 5\n", exit.Stdout, StringComparison.Ordinal);
        Assert.Contains("  answered extended_echo_reply_v6: 2\n", exit.Stdout, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^len=40 ip=198\.18\.21\.1 ttl=(\d+) .*sport=80 flags=(\w+) ", RegexOptions.Multiline)]
    private static partial Regex HpingTcpReply();

    /// <summary>A SYN to the host gets RST+ACK, as from a closed port ("tcpSyn": "reset"); `--tcp silent` overrides the file.</summary>
    [Fact]
    public void Hping3_syn_gets_a_reset_or_silence_as_configured()
    {
        const string config = """{ "addresses": ["198.18.21.1"], "tcpSyn": "reset", "hops": [{ "address": "198.18.22.1" }, { "address": "198.18.22.2" }] }""";
        using (var respond = RespondProcess.StartWithConfig(config))
        {
            respond.AddressTheDevice(); // hping3 captures its replies on the TUN
            CommandResult? result = null;
            var frames = RespondTsharkTests.CaptureWhile(respond, () =>
                result = respond.Exec("hping3", "-I", respond.Device, "-S", "-p", "80", "-c", "2", "-i", "u100000", HostV4), "tcp.flags.reset", "tcp.flags.ack");
            var replies = HpingTcpReply().Matches(result!.Stdout);
            Assert.True(replies.Count == 2, result.ToString());
            Assert.All(replies, r => Assert.Equal(("62", "RA"), (r.Groups[1].Value, r.Groups[2].Value)));
            var resets = RespondTsharkTests.Emitted(frames, [HostV4]);
            RespondTsharkTests.AssertClean(resets, "Connection reset (RST)");
            Assert.Equal(2, resets.Count);
            Assert.All(resets, f =>
            {
                Assert.Equal(["1"], f["tcp.flags.reset"]);
                Assert.Equal(["1"], f["tcp.flags.ack"]);
                Assert.Equal(["1"], f["tcp.checksum.status"]);
            });
        }
        using (var respond = RespondProcess.StartWithConfig(config, "--tcp", "silent"))
        {
            respond.AddressTheDevice();
            var result = respond.Exec("hping3", "-I", respond.Device, "-S", "-p", "80", "-c", "2", "-i", "u100000", HostV4);
            Assert.Empty(HpingTcpReply().Matches(result.Stdout));
            Assert.Contains("2 packets transmitted, 0 packets received", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("  dropped tcp_silent: 2\n", respond.Stop().Stdout, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"^64 bytes from 198\.18\.21\.1: icmp_seq=(\d+) ttl=62 time=\S+ ms( \(DUP!\))?$", RegexOptions.Multiline)]
    private static partial Regex PingReply();

    /// <summary>
    /// "duplicate": 1 sends every answer twice; a hop with "redirect" sends a host redirect (RFC 792, code 1) naming
    /// its gateway and still forwards. (iputils ping ends as soon as it has -c replies, so the last duplicate may
    /// arrive after it is gone: every request but the last must show one.)
    /// </summary>
    [Fact]
    public void Ping_sees_every_reply_duplicated_and_the_redirect_of_the_hop()
    {
        const string config = """
            { "addresses": ["198.18.21.1"], "duplicate": 1,
              "hops": [{ "address": "198.18.22.1", "redirect": "198.18.22.9" }, { "address": "198.18.22.2" }] }
            """;
        using var respond = RespondProcess.StartWithConfig(config);
        var result = respond.Exec("ping", "-c", "3", "-i", "0.2", "-W", "2", HostV4);
        Assert.True(result.ExitCode == 0, result.ToString());
        var replies = PingReply().Matches(result.Stdout).Select(m => (Seq: m.Groups[1].Value, Dup: m.Groups[2].Success)).ToList();
        Assert.True(replies.Where(r => !r.Dup).Select(r => r.Seq).SequenceEqual(["1", "2", "3"]), result.ToString());
        Assert.True(replies.Where(r => r.Dup).Select(r => r.Seq).Except(["3"]).SequenceEqual(["1", "2"]), result.ToString());
        for (int seq = 1; seq <= 3; seq++)
        {
            Assert.Contains($"From 198.18.22.1: icmp_seq={seq} Redirect Host(New nexthop: 198.18.22.9)\n", result.Stdout, StringComparison.Ordinal);
        }
    }
}
