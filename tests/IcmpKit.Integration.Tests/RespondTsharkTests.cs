using System.Globalization;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// tshark as the judge of what `icmpkit respond` emits (issue 4 §5): a capture on the TUN while real clients draw every
/// kind of answer from it (echo with options, timestamp, information, address mask, time exceeded quoting ICMP and UDP,
/// port and protocol unreachable, the IPv6 counterparts), decoded with every checksum check tshark has turned on.
/// No frame the responder sent may carry a malformed mark, a bad checksum, or expert info of warning level or above.
/// </summary>
public sealed class RespondTsharkTests
{
    private const string HostV4 = "198.18.21.1";
    private const string HostV6 = "fd42:21::1";
    private static readonly string[] Hops = ["198.18.22.1", "198.18.22.2", "fd42:22::1", "fd42:22::2"];

    /// <summary>Wireshark's expert severities (epan/proto.h): chat 0x200000, note 0x400000, warn 0x600000, error 0x800000.</summary>
    private const int WarningSeverity = 0x600000;

    /// <summary>ICMP checksums are always verified; the IP, UDP and TCP ones only when asked.</summary>
    private static readonly string[] ChecksumPreferences =
        ["-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE"];

    private static readonly string[] Fields =
    [
        "frame.number", "ip.src", "ipv6.src", "icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code", "udp.srcport", "_ws.malformed", "_ws.expert.severity",
        "ip.checksum.status", "icmp.checksum.status", "icmpv6.checksum.status", "udp.checksum.status", "tcp.checksum.status",
        "icmp.ext.checksum.status", "_ws.expert.message",
    ];

    /// <summary>One decoded frame: each field's values (several when a quoted header repeats a field).</summary>
    internal sealed record DecodedFrame(Dictionary<string, string[]> Values, string Line)
    {
        public string[] this[string field] => Values[field];

        public string? First(string field) => Values[field].FirstOrDefault();
    }

    /// <summary>Every frame of a capture with the fields above, checksums verified.</summary>
    internal static List<DecodedFrame> Decode(string capture, params string[] extraFields)
    {
        string[] fields = [.. Fields, .. extraFields];
        var result = Netns.Run("tshark",
        [
            "-r", capture, "-n", .. ChecksumPreferences, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=|",
            .. fields.SelectMany(f => new[] { "-e", f }),
        ], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.ToString());
        var frames = new List<DecodedFrame>();
        foreach (string line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] columns = line.Split('\t');
            var values = new Dictionary<string, string[]>(StringComparer.Ordinal);
            for (int i = 0; i < fields.Length; i++)
            {
                values[fields[i]] = i < columns.Length ? columns[i].Split('|', StringSplitOptions.RemoveEmptyEntries) : [];
            }
            frames.Add(new DecodedFrame(values, line));
        }
        return frames;
    }

    /// <summary>Frames whose outer source is one of the responder's addresses: what it emitted.</summary>
    internal static List<DecodedFrame> Emitted(List<DecodedFrame> frames, IEnumerable<string> addresses)
    {
        var ours = addresses.ToHashSet(StringComparer.Ordinal);
        return frames.Where(f => (f.First("ip.src") ?? f.First("ipv6.src")) is { } source && ours.Contains(source)).ToList();
    }

    /// <summary>
    /// No malformed mark, no bad checksum (status 0; 2 is "not verified", as for a truncated quoted UDP), no expert
    /// info above a note except the <paramref name="expectedWarnings"/> (tshark warns of every TCP RST, for one).
    /// </summary>
    internal static void AssertClean(IEnumerable<DecodedFrame> emitted, params string[] expectedWarnings)
    {
        foreach (var frame in emitted)
        {
            Assert.True(frame["_ws.malformed"].Length == 0, $"malformed: {frame.Line}");
            foreach (string field in new[] { "ip.checksum.status", "icmp.checksum.status", "icmpv6.checksum.status", "udp.checksum.status", "tcp.checksum.status", "icmp.ext.checksum.status" })
            {
                Assert.True(!frame[field].Contains("0"), $"bad {field}: {frame.Line}");
            }
            string[] severities = frame["_ws.expert.severity"];
            string[] messages = frame["_ws.expert.message"];
            for (int i = 0; i < severities.Length; i++)
            {
                bool expected = i < messages.Length && expectedWarnings.Contains(messages[i]);
                Assert.True(int.Parse(severities[i], CultureInfo.InvariantCulture) < WarningSeverity || expected, $"expert warning: {frame.Line}");
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="clients"/> (in the responder's namespace) while tshark captures on the responder's TUN,
    /// then decodes the capture with <paramref name="extraFields"/> besides the usual ones.
    /// </summary>
    internal static List<DecodedFrame> CaptureWhile(RespondProcess respond, Action clients, params string[] extraFields)
    {
        string directory = Directory.CreateTempSubdirectory($"icmpkit-{respond.Namespace}-").FullName;
        try
        {
            string capture = Path.Combine(directory, "respond.pcap");
            using (var tshark = new PacketCapture(respond.Namespace, respond.Device, capture, pcapng: false, TimeSpan.FromSeconds(60)))
            {
                tshark.WaitUntilCapturing(TimeSpan.FromSeconds(20));
                clients();
                Thread.Sleep(300); // the last answers
                tshark.Stop(TimeSpan.FromSeconds(15));
            }
            return Decode(capture, extraFields);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Every_answer_decodes_cleanly_with_checksums_verified()
    {
        using var respond = RespondProcess.Start(
            "--address", HostV4, "--address", HostV6, "--hops", string.Join(',', Hops), "--delay", "1ms", "--address-mask", "255.255.255.0");
        respond.AddressTheDevice(); // for hping3 and nping (pcap on the TUN)
        string[][] clients =
        [
            ["ping", "-c", "2", "-i", "0.1", "-W", "1", HostV4],
            ["ping", "-c", "1", "-W", "1", "-s", "1400", HostV4],
            ["ping", "-c", "1", "-W", "1", "-R", HostV4],
            ["ping", "-c", "1", "-W", "1", "-T", "tsandaddr", HostV4],
            ["ping", "-6", "-c", "2", "-i", "0.1", "-W", "1", HostV6],
            ["traceroute", "-I", "-n", "-q", "1", "-w", "1", HostV4],
            ["traceroute", "-n", "-q", "1", "-w", "1", HostV4],
            ["traceroute", "-6", "-n", "-q", "1", "-w", "1", HostV6],
            ["tracepath", "-n", "-m", "4", HostV4], // full-size UDP probes: the errors quote up to 576 bytes
            ["hping3", "-I", respond.Device, "--icmp-ts", "-c", "1", HostV4],
            ["nping", "--icmp", "--icmp-type", "info", "-c", "1", HostV4],
            ["nping", "--icmp", "--icmp-type", "mask", "-c", "1", HostV4],
            [IcmpKitBinary.Path, "ping", "-c", "1", "-W", "1", "--type", "timestamp", HostV4],
            // An unknown protocol: protocol unreachable (IPv4), parameter problem at the next header (IPv6).
            ["/usr/bin/python3", "-c", $"import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, 253).sendto(b'x' * 8, ('{HostV4}', 0))"],
            ["/usr/bin/python3", "-c", $"import socket; socket.socket(socket.AF_INET6, socket.SOCK_RAW, 253).sendto(b'x' * 8, ('{HostV6}', 0))"],
        ];
        var frames = CaptureWhile(respond, () =>
        {
            foreach (string[] client in clients)
            {
                var run = respond.Exec(client[0], client[1..]);
                Assert.False(run.TimedOut, run.ToString());
            }
        });
        var emitted = Emitted(frames, [HostV4, HostV6, .. Hops]);
        AssertClean(emitted);
        // Not vacuous: every kind of answer the clients asked for is among the frames checked, by type and code.
        var v4 = emitted.Where(f => f["icmp.type"].Length > 0).Select(f => (f["icmp.type"][0], f["icmp.code"][0])).ToHashSet();
        var v6 = emitted.Where(f => f["icmpv6.type"].Length > 0).Select(f => (f["icmpv6.type"][0], f["icmpv6.code"][0])).ToHashSet();
        Assert.Superset(new HashSet<(string, string)> { ("0", "0"), ("3", "2"), ("3", "3"), ("11", "0"), ("14", "0"), ("16", "0"), ("18", "0") }, v4);
        Assert.Superset(new HashSet<(string, string)> { ("129", "0"), ("1", "4"), ("3", "0"), ("4", "1") }, v6);
        // Errors quoting ICMP and quoting UDP, the quoted IPv4 header's checksum verified as well as the outer one.
        Assert.Contains(emitted, f => f["icmp.type"] is ["11", "8"] && f["ip.checksum.status"] is ["1", "1"]);
        Assert.Contains(emitted, f => f["icmp.type"] is ["11"] && f["udp.srcport"].Length == 1 && f["ip.checksum.status"] is ["1", "1"]);
        Assert.Contains(emitted, f => f["icmp.type"] is ["3"] && f["udp.srcport"].Length == 1 && f["ip.checksum.status"] is ["1", "1"]);
    }
}
