using System.Text;
using System.Text.Json;
using IcmpKit.Cli;
using Xunit.Abstractions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// The differential test: real kernel ICMP (echo, timestamp, port unreachable, time exceeded from a router,
/// fragmentation needed / packet too big with the MTU) captured by tshark inside a throw-away namespace,
/// decoded by `icmpkit decode --json --pcap` and by `tshark -T json`; every common field must agree.
/// </summary>
public sealed class KernelDifferentialTests(KernelTopology topology, ITestOutputHelper output) : IClassFixture<KernelTopology>
{
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(10);

    /// <summary>The tshark fields every packet of a kind must have had compared (and agreed on).</summary>
    private static readonly string[] IPv4Basics =
        ["frame.cap_len", "frame.time_epoch", "ip.src", "ip.dst", "ip.ttl", "ip.len", "ip.id", "ip.proto", "ip.checksum", "ip.checksum.status", "ip.flags.df",
         "icmp.type", "icmp.code", "icmp.checksum", "icmp.checksum.status"];

    private static readonly string[] IPv4Quote = ["icmp>ip.src", "icmp>ip.dst", "icmp>ip.proto", "icmp>ip.ttl", "icmp>ip.len", "icmp>ip.id", "icmp>ip.checksum"];

    private static readonly string[] IPv6Basics =
        ["frame.cap_len", "frame.time_epoch", "ipv6.src", "ipv6.dst", "ipv6.hlim", "ipv6.plen", "ipv6.nxt", "ipv6.flow",
         "icmpv6.type", "icmpv6.code", "icmpv6.checksum", "icmpv6.checksum.status"];

    private static readonly string[] IPv6Quote = ["icmpv6>ipv6.src", "icmpv6>ipv6.dst", "icmpv6>ipv6.nxt", "icmpv6>ipv6.plen", "icmpv6>ipv6.hlim"];

    private sealed record PacketKind(string Name, Func<JsonElement, bool> Matches, string[] Required);

    private static Func<JsonElement, bool> V4(int type, int? code = null) => doc =>
        doc.TryGetProperty("icmpv4", out var icmp) && icmp.GetProperty("type").GetInt32() == type && (code is null || icmp.GetProperty("code").GetInt32() == code);

    private static Func<JsonElement, bool> V6(int type, int? code = null) => doc =>
        doc.TryGetProperty("icmpv6", out var icmp) && icmp.GetProperty("type").GetInt32() == type && (code is null || icmp.GetProperty("code").GetInt32() == code);

    private static readonly PacketKind[] IPv4Kinds =
    [
        new("echo request", V4(8), [.. IPv4Basics, "icmp.ident", "icmp.seq"]),
        new("echo reply", V4(0), [.. IPv4Basics, "icmp.ident", "icmp.seq"]),
        new("timestamp request", V4(13), [.. IPv4Basics, "icmp.ident", "icmp.seq", "icmp.originate_timestamp", "icmp.receive_timestamp", "icmp.transmit_timestamp"]),
        new("timestamp reply", V4(14), [.. IPv4Basics, "icmp.ident", "icmp.seq", "icmp.originate_timestamp", "icmp.receive_timestamp", "icmp.transmit_timestamp"]),
        new("time exceeded", V4(11, 0), [.. IPv4Basics, .. IPv4Quote, "icmp>icmp.type", "icmp>icmp.ident", "icmp>icmp.seq"]),
        new("port unreachable", V4(3, 3), [.. IPv4Basics, .. IPv4Quote, "icmp>udp.srcport", "icmp>udp.dstport", "icmp>udp.length", "icmp>udp.checksum"]),
        new("fragmentation needed", V4(3, 4), [.. IPv4Basics, "icmp.mtu", .. IPv4Quote, "icmp>ip.flags.df", "icmp>icmp.type", "icmp>icmp.ident", "icmp>icmp.seq"]),
    ];

    private static readonly PacketKind[] IPv6Kinds =
    [
        new("echo request", V6(128), [.. IPv6Basics, "icmpv6.echo.identifier", "icmpv6.echo.sequence_number"]),
        new("echo reply", V6(129), [.. IPv6Basics, "icmpv6.echo.identifier", "icmpv6.echo.sequence_number"]),
        new("hop limit exceeded", V6(3, 0), [.. IPv6Basics, .. IPv6Quote, "icmpv6>icmpv6.type", "icmpv6>icmpv6.echo.identifier", "icmpv6>icmpv6.echo.sequence_number"]),
        new("port unreachable", V6(1, 4), [.. IPv6Basics, .. IPv6Quote, "icmpv6>udp.srcport", "icmpv6>udp.dstport", "icmpv6>udp.length", "icmpv6>udp.checksum"]),
        new("packet too big", V6(2, 0), [.. IPv6Basics, "icmpv6.mtu", .. IPv6Quote, "icmpv6>icmpv6.type", "icmpv6>icmpv6.echo.identifier", "icmpv6>icmpv6.echo.sequence_number"]),
    ];

    private void RequireSetup()
    {
        if (topology.SetupError is { } error)
        {
            Assert.Fail(error);
        }
    }

    private CommandResult InClient(string file, params string[] args)
    {
        var result = Netns.Exec(topology.Client, file, args, CommandLimit);
        output.WriteLine($"$ {result.Command} -> {(result.TimedOut ? "timeout" : result.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        Assert.False(result.TimedOut, result.ToString());
        return result;
    }

    [Fact]
    public void IPv4_kernel_icmp_decodes_field_by_field_like_tshark()
    {
        RequireSetup();
        string path = Path.Combine(topology.Directory, "ipv4.pcap");
        using (var capture = new PacketCapture(topology.Client, topology.ClientDevice, path, pcapng: false, TimeSpan.FromSeconds(60)))
        {
            capture.WaitUntilCapturing(TimeSpan.FromSeconds(20));

            var echo = InClient("ping", "-n", "-c", "1", "-W", "2", KernelTopology.ServerV4);
            Assert.True(echo.ExitCode == 0, echo.ToString());
            // TTL 1: the router drops it and sends time exceeded (one error: well inside the rate limit burst).
            var ttl = InClient("ping", "-n", "-c", "1", "-W", "2", "-t", "1", KernelTopology.ServerV4);
            Assert.Contains("Time to live exceeded", ttl.Stdout, StringComparison.Ordinal);
            // 1428 bytes with DF onto the 1280-byte link: the router sends fragmentation needed, MTU 1280.
            var big = InClient("ping", "-n", "-c", "1", "-W", "2", "-M", "do", "-s", "1400", KernelTopology.ServerV4);
            Assert.Contains("Frag needed and DF set (mtu = 1280)", big.Stdout, StringComparison.Ordinal);
            // A datagram to a closed port: the server sends port unreachable.
            var udp = InClient("/usr/bin/python3", "-c",
                $"import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.sendto(b'x',('{KernelTopology.ServerV4}',33434))");
            Assert.True(udp.ExitCode == 0, udp.ToString());
            // A timestamp request: the kernel answers it.
            var timestamp = topology.Hping3 is { } hping3
                ? InClient(hping3, "--icmp-ts", "-c", "1", KernelTopology.ServerV4)
                : InClient("/usr/bin/python3", "-c",
                    $"from scapy.all import IP, ICMP, sr1; r = sr1(IP(dst='{KernelTopology.ServerV4}')/ICMP(type=13), timeout=2, verbose=0); raise SystemExit(0 if r else 1)");
            Assert.True(timestamp.ExitCode == 0, timestamp.ToString());

            Thread.Sleep(300);
            capture.Stop(TimeSpan.FromSeconds(10));
            output.WriteLine(capture.Stderr);
        }

        var kinds = CompareWithTshark(path, IPv4Kinds);

        // What the kernel must have sent, checked on icmpkit's decode (which now agrees with tshark).
        var fragNeeded = Assert.Single(kinds["fragmentation needed"]);
        Assert.Equal(KernelTopology.FarMtu, fragNeeded.GetProperty("icmpv4").GetProperty("next_hop_mtu").GetInt32());
        Assert.Equal(KernelTopology.RouterNearV4, fragNeeded.GetProperty("ipv4").GetProperty("source").GetString());
        var timeExceeded = Assert.Single(kinds["time exceeded"]);
        Assert.Equal(KernelTopology.RouterNearV4, timeExceeded.GetProperty("ipv4").GetProperty("source").GetString());
        Assert.Equal(1, timeExceeded.GetProperty("icmpv4").GetProperty("quoted").GetProperty("ipv4").GetProperty("ttl").GetInt32());
        var portUnreachable = Assert.Single(kinds["port unreachable"]);
        Assert.Equal(KernelTopology.ServerV4, portUnreachable.GetProperty("ipv4").GetProperty("source").GetString());
        Assert.Equal(33434, portUnreachable.GetProperty("icmpv4").GetProperty("quoted").GetProperty("udp").GetProperty("destination_port").GetInt32());
        var timestampReply = Assert.Single(kinds["timestamp reply"]);
        Assert.Equal(KernelTopology.ServerV4, timestampReply.GetProperty("ipv4").GetProperty("source").GetString());
    }

    [Fact]
    public void IPv6_kernel_icmpv6_decodes_field_by_field_like_tshark()
    {
        RequireSetup();
        string path = Path.Combine(topology.Directory, "ipv6.pcapng");
        using (var capture = new PacketCapture(topology.Client, topology.ClientDevice, path, pcapng: true, TimeSpan.FromSeconds(60)))
        {
            capture.WaitUntilCapturing(TimeSpan.FromSeconds(20));

            var echo = InClient("ping", "-6", "-n", "-c", "1", "-W", "2", KernelTopology.ServerV6);
            Assert.True(echo.ExitCode == 0, echo.ToString());
            var hops = InClient("ping", "-6", "-n", "-c", "1", "-W", "2", "-t", "1", KernelTopology.ServerV6);
            Assert.Contains("Time exceeded: Hop limit", hops.Stdout, StringComparison.Ordinal);
            var big = InClient("ping", "-6", "-n", "-c", "1", "-W", "2", "-M", "do", "-s", "1400", KernelTopology.ServerV6);
            Assert.Contains("Packet too big: mtu=1280", big.Stdout, StringComparison.Ordinal);
            var udp = InClient("/usr/bin/python3", "-c",
                $"import socket;s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM);s.sendto(b'x',('{KernelTopology.ServerV6}',33434))");
            Assert.True(udp.ExitCode == 0, udp.ToString());

            Thread.Sleep(300);
            capture.Stop(TimeSpan.FromSeconds(10));
            output.WriteLine(capture.Stderr);
        }

        var kinds = CompareWithTshark(path, IPv6Kinds);

        var tooBig = Assert.Single(kinds["packet too big"]);
        Assert.Equal(KernelTopology.FarMtu, tooBig.GetProperty("icmpv6").GetProperty("mtu").GetInt32());
        Assert.Equal(KernelTopology.RouterNearV6, tooBig.GetProperty("ipv6").GetProperty("source").GetString());
        var hopLimit = Assert.Single(kinds["hop limit exceeded"]);
        Assert.Equal(KernelTopology.RouterNearV6, hopLimit.GetProperty("ipv6").GetProperty("source").GetString());
        var portUnreachable = Assert.Single(kinds["port unreachable"]);
        Assert.Equal(KernelTopology.ServerV6, portUnreachable.GetProperty("ipv6").GetProperty("source").GetString());
        Assert.Equal(33434, portUnreachable.GetProperty("icmpv6").GetProperty("quoted").GetProperty("udp").GetProperty("destination_port").GetInt32());
    }

    /// <summary>
    /// Decodes the capture with icmpkit (in-process) and tshark, compares every ICMP/ICMPv6 frame, checks that every
    /// kind was seen with its fields compared, and returns icmpkit's documents by kind.
    /// </summary>
    private Dictionary<string, List<JsonElement>> CompareWithTshark(string path, PacketKind[] expectedKinds)
    {
        // icmpkit decode --json --pcap FILE
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        int exit = IcmpKitCli.Run(["decode", "--json", "--pcap", path], stdout, stderr, TextReader.Null);
        Assert.True(exit == 0, $"icmpkit decode exited {exit}; stderr:\n{stderr}");
        Assert.Equal("", stderr.ToString());
        var ours = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }).ToDictionary(doc => doc.GetProperty("packet").GetInt32());

        // tshark -T json, duplicate keys merged into arrays; IP header checksums verified.
        var tshark = Netns.Run("tshark", ["-r", path, "-n", "-o", "ip.check_checksum:TRUE", "-T", "json", "--no-duplicate-keys"], TimeSpan.FromSeconds(60));
        Assert.True(tshark.ExitCode == 0, tshark.ToString());
        using var theirDocument = JsonDocument.Parse(tshark.Stdout);
        var theirs = theirDocument.RootElement.EnumerateArray()
            .Select(packet => packet.GetProperty("_source").GetProperty("layers"))
            .ToDictionary(layers => int.Parse(layers.GetProperty("frame").GetProperty("frame.number").GetString()!, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(theirs.Count, ours.Count);
        Assert.Equal(theirs.Keys.Order(), ours.Keys.Order());

        var comparison = new TsharkComparison();
        var byKind = expectedKinds.ToDictionary(kind => kind.Name, _ => new List<JsonElement>());
        var missingFields = new List<string>();
        int icmpFrames = 0;
        foreach (var (frame, layers) in theirs.OrderBy(pair => pair.Key))
        {
            bool isIcmp = layers.TryGetProperty("icmp", out _) || layers.TryGetProperty("icmpv6", out _);
            var doc = ours[frame];
            if (!isIcmp)
            {
                Assert.False(doc.TryGetProperty("icmpv4", out _) || doc.TryGetProperty("icmpv6", out _), $"frame {frame}: icmpkit finds ICMP where tshark does not");
                continue;
            }
            icmpFrames++;
            var compared = comparison.CompareFrame(frame, doc, layers);
            foreach (var kind in expectedKinds.Where(kind => kind.Matches(doc)))
            {
                byKind[kind.Name].Add(doc);
                missingFields.AddRange(kind.Required.Where(field => !compared.Contains(field)).Select(field => $"frame {frame} ({kind.Name}): {field} was not compared"));
            }
        }

        var report = new StringBuilder();
        report.Append(icmpFrames).Append(" ICMP frames of ").Append(theirs.Count).Append(" in ").AppendLine(Path.GetFileName(path));
        foreach (var (name, docs) in byKind)
        {
            report.Append("  ").Append(name).Append(": ").Append(docs.Count).AppendLine();
        }
        report.AppendLine("fields compared (times):");
        foreach (var (field, count) in comparison.Compared.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            report.Append("  ").Append(field).Append(' ').Append(count).AppendLine();
        }
        output.WriteLine(report.ToString());

        Assert.True(comparison.Mismatches.Count == 0, "icmpkit and tshark disagree:\n" + string.Join('\n', comparison.Mismatches));
        Assert.True(missingFields.Count == 0, string.Join('\n', missingFields));
        var unseen = byKind.Where(pair => pair.Value.Count == 0).Select(pair => pair.Key).ToList();
        Assert.True(unseen.Count == 0, $"never captured: {string.Join(", ", unseen)}\n{report}");
        return byKind;
    }
}
