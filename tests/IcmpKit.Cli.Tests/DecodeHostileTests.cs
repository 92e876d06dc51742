using System.Text.Json;

namespace IcmpKit.Cli.Tests;

/// <summary>
/// Hostile input through the whole command: every strict prefix of valid packets, random and mutated bytes,
/// mangled capture files. Run never throws, exits 0 or 2, and a 2 always comes with exactly one stderr line.
/// </summary>
public sealed class DecodeHostileTests : IDisposable
{
    private static readonly string[] IPPackets =
        [Packets.EchoRequest, Packets.TimestampRequest, Packets.FragmentationNeeded, Packets.PortUnreachable, Packets.IPv6EchoRequest];

    private readonly string _directory = Directory.CreateTempSubdirectory("icmpkit-cli-hostile-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Decodes one packet and checks the contract; returns the exit code.</summary>
    private static int DecodeOne(byte[] bytes, string? start, bool json)
    {
        string hex = Convert.ToHexStringLower(bytes);
        string[] args = [.. new[] { "decode", json ? "--json" : null, start, hex }.OfType<string>()];
        CliResult result;
        try
        {
            result = CliRunner.Run(args);
        }
        catch (Exception e)
        {
            Assert.Fail($"icmpkit {string.Join(' ', args)} threw {e}");
            throw;
        }
        string context = $"icmpkit {string.Join(' ', args)}\nexit {result.ExitCode}\nstdout:\n{result.Stdout}\nstderr:\n{result.Stderr}";
        Assert.True(result.ExitCode is 0 or 2, context);
        CliRunner.AssertNoStackTrace(result);
        if (result.ExitCode == 0)
        {
            Assert.True(result.Stderr.Length == 0, context);
        }
        else
        {
            string line = Assert.Single(result.StderrLines);
            Assert.True(line.StartsWith("icmpkit: packet 1: malformed ", StringComparison.Ordinal), context);
            Assert.Matches(@": [A-Za-z]+ at byte [0-9]+$", line);
        }
        if (json)
        {
            var doc = Assert.Single(result.JsonDocuments);
            Assert.Equal(bytes.Length, doc.GetProperty("length").GetInt32());
            Assert.Equal(result.ExitCode == 2, doc.TryGetProperty("error", out _));
        }
        else
        {
            Assert.Equal("packet 1", result.StdoutLines[0]);
            Assert.Equal($"  length: {bytes.Length}", result.StdoutLines[1]);
        }
        return result.ExitCode;
    }

    [Fact]
    public void Every_strict_prefix_of_valid_packets_decodes_or_fails_cleanly()
    {
        int calls = 0;
        foreach (string packet in IPPackets)
        {
            byte[] bytes = Convert.FromHexString(packet);
            Assert.Equal(0, DecodeOne(bytes, null, json: false));
            for (int length = 0; length < bytes.Length; length++)
            {
                DecodeOne(bytes[..length], null, json: length % 2 == 0);
                calls++;
            }
            // The same bytes from the ICMP header on, as --icmp / --icmpv6 sees them.
            int headerLength = (bytes[0] >> 4) == 4 ? (bytes[0] & 0x0f) * 4 : 40;
            string start = (bytes[0] >> 4) == 4 ? "--icmp" : "--icmpv6";
            byte[] icmp = bytes[headerLength..];
            Assert.Equal(0, DecodeOne(icmp, start, json: true));
            for (int length = 0; length < icmp.Length; length++)
            {
                DecodeOne(icmp[..length], start, json: length % 2 == 1);
                calls++;
            }
        }
        Assert.True(calls > 300, $"only {calls} prefixes");
    }

    [Fact]
    public void Every_strict_ip_prefix_of_a_valid_packet_is_malformed()
    {
        // A cut IP datagram is never "fine": the total/payload length no longer fits.
        foreach (string packet in IPPackets)
        {
            byte[] bytes = Convert.FromHexString(packet);
            for (int length = 0; length < bytes.Length; length++)
            {
                Assert.Equal(2, DecodeOne(bytes[..length], null, json: true));
            }
        }
    }

    [Fact]
    public void Two_thousand_random_and_mutated_byte_strings_never_throw()
    {
        // A fixed seed: a failure names its input in the assertion message and reproduces.
#pragma warning disable CA5394 // Not security: a reproducible fuzz corpus.
        var random = new Random(20251123);
        byte[][] seeds = [.. IPPackets.Select(Convert.FromHexString)];
        string?[] starts = [null, null, null, "--icmp", "--icmpv6"];
        int exits0 = 0, exits2 = 0;
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes;
            switch (i % 4)
            {
                case 0:
                    // Pure noise.
                    bytes = new byte[random.Next(0, 140)];
                    random.NextBytes(bytes);
                    break;
                case 1:
                    // Noise behind a plausible first byte (IPv4 with any IHL, or IPv6).
                    bytes = new byte[random.Next(1, 140)];
                    random.NextBytes(bytes);
                    bytes[0] = random.Next(2) == 0 ? (byte)(0x40 | random.Next(16)) : (byte)0x60;
                    break;
                default:
                    // A valid packet with 1-4 bytes flipped, sometimes cut or extended.
                    byte[] seed = seeds[random.Next(seeds.Length)];
                    int length = random.Next(4) switch
                    {
                        0 => random.Next(0, seed.Length + 1),
                        1 => seed.Length + random.Next(1, 40),
                        _ => seed.Length,
                    };
                    bytes = new byte[length];
                    random.NextBytes(bytes);
                    seed.AsSpan(0, Math.Min(seed.Length, length)).CopyTo(bytes);
                    for (int flips = random.Next(1, 5); flips > 0 && length > 0; flips--)
                    {
                        bytes[random.Next(length)] ^= (byte)random.Next(1, 256);
                    }
                    break;
            }
            string? start = starts[random.Next(starts.Length)];
            int exit = DecodeOne(bytes, start, json: random.Next(2) == 0);
            if (exit == 0)
            {
                exits0++;
            }
            else
            {
                exits2++;
            }
        }
#pragma warning restore CA5394
        // Both outcomes occur: the corpus is neither all rejected nor all accepted.
        Assert.True(exits0 > 50 && exits2 > 50, $"exit 0: {exits0}, exit 2: {exits2}");
    }

    [Fact]
    public void Every_prefix_and_mutations_of_a_capture_file_fail_cleanly()
    {
        byte[] capture = Convert.FromHexString(DecodeCaptureTests.ThreePacketsPcapng);
        string path = Path.Combine(_directory, "hostile.pcapng");
#pragma warning disable CA5394 // Not security: a reproducible fuzz corpus.
        var random = new Random(4884);
        for (int i = 0; i < capture.Length + 300; i++)
        {
            byte[] bytes;
            if (i < capture.Length)
            {
                bytes = capture[..i];
            }
            else
            {
                bytes = (byte[])capture.Clone();
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                }
            }
#pragma warning restore CA5394
            File.WriteAllBytes(path, bytes);
            bool json = i % 2 == 0;
            var result = json ? CliRunner.Decode("--json", "--pcap", path) : CliRunner.Decode("--pcap", path);

            string context = $"capture {Convert.ToHexStringLower(bytes)}\nexit {result.ExitCode}\nstderr:\n{result.Stderr}";
            Assert.True(result.ExitCode is 0 or 2, context);
            CliRunner.AssertNoStackTrace(result);
            Assert.True(result.ExitCode == 0 ? result.Stderr.Length == 0 : result.StderrLines.Length >= 1, context);
            Assert.All(result.StderrLines, line => Assert.StartsWith("icmpkit: ", line, StringComparison.Ordinal));
            if (json)
            {
                foreach (var doc in result.JsonDocuments)
                {
                    Assert.Equal(JsonValueKind.Number, doc.GetProperty("packet").ValueKind);
                }
            }
        }
    }
}
