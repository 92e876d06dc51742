using System.Buffers.Binary;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using IcmpKit.Cli.Output;
using IcmpKit.Wire;
using IcmpKit.Wire.Capture;

namespace IcmpKit.Cli.Decode;

/// <summary>`icmpkit decode`: packets from hex arguments, stdin lines or a capture file, every field by name.</summary>
internal static class DecodeCommand
{
    public const int JsonSchemaVersion = 1;

    public static Command Create(TextWriter stdout, TextWriter stderr, TextReader stdin)
    {
        var hex = new Argument<string[]>("HEX") { Description = "Packets as hex (spaces and colons allowed). None: one packet per line on stdin.", Arity = ArgumentArity.ZeroOrMore };
        var json = new Option<bool>("--json") { Description = "Print one JSON document per packet, one per line." };
        var pcap = new Option<FileInfo?>("--pcap") { Description = "Read packets from a pcap or pcapng file (link types raw IPv4/IPv6, Ethernet, Linux cooked)." };
        var icmp = new Option<bool>("--icmp") { Description = "The bytes start at an ICMPv4 header, not an IP header." };
        var icmpv6 = new Option<bool>("--icmpv6") { Description = "The bytes start at an ICMPv6 header (the checksum cannot be verified without addresses)." };
        var command = new Command("decode", "Decode IPv4/IPv6 ICMP packets field by field.") { hex, json, pcap, icmp, icmpv6 };
        command.SetAction(result =>
        {
            if (result.GetValue(icmp) && result.GetValue(icmpv6))
            {
                stderr.WriteLine("icmpkit: --icmp and --icmpv6 exclude each other; give one");
                return ExitCodes.Usage;
            }
            var start = result.GetValue(icmp) ? DecodeStart.IcmpV4 : result.GetValue(icmpv6) ? DecodeStart.IcmpV6 : DecodeStart.IP;
            var options = new Run(stdout, stderr, result.GetValue(json), start);
            var file = result.GetValue(pcap);
            string[] packets = result.GetValue(hex) ?? [];
            // An unknown flag lands in HEX (it accepts any token): name it as what it is.
            if (packets.FirstOrDefault(p => p.StartsWith('-')) is { } flag)
            {
                stderr.WriteLine($"icmpkit: unknown option '{flag}' for decode; see 'icmpkit decode --help'");
                return ExitCodes.Usage;
            }
            if (file is not null)
            {
                if (packets.Length > 0)
                {
                    stderr.WriteLine("icmpkit: give either --pcap FILE or HEX packets, not both");
                    return ExitCodes.Usage;
                }
                return options.FromCapture(file);
            }
            return packets.Length > 0 ? options.FromHex(packets) : options.FromHex(ReadLines(stdin));
        });
        return command;
    }

    private static IEnumerable<string> ReadLines(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            string trimmed = line.Trim();
            if (trimmed.Length > 0 && !trimmed.StartsWith('#'))
            {
                yield return trimmed;
            }
        }
    }

    private sealed class Run(TextWriter stdout, TextWriter stderr, bool json, DecodeStart start)
    {
        private int _index;
        private bool _anyMalformed;

        public int FromHex(IEnumerable<string> packets)
        {
            foreach (string text in packets)
            {
                _index++;
                if (!HexInput.TryParse(text, out byte[] bytes, out string problem))
                {
                    stderr.WriteLine($"icmpkit: packet {_index}: not hex: {problem}");
                    _anyMalformed = true;
                    continue;
                }
                Emit(bytes, new FieldNode("packet"), 0);
            }
            return _anyMalformed ? ExitCodes.Usage : ExitCodes.Success;
        }

        public int FromCapture(FileInfo file)
        {
            byte[] content;
            try
            {
                content = File.ReadAllBytes(file.FullName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"icmpkit: cannot read capture file {file.FullName}: {e.Message}");
                return ExitCodes.Usage;
            }
            var reader = new CaptureReader(content);
            foreach (var record in reader.Records())
            {
                _index = record.Index;
                var root = new FieldNode("packet");
                root.Add("time", record.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
                root.Add("link_type", (ushort)record.LinkType, $"{(ushort)record.LinkType} ({record.LinkType})");
                root.Add("frame_length", record.Data.Length);
                if (!LinkLayer.TryFindIPPacket(record.LinkType, record.Data.Span, out int offset, out var linkError))
                {
                    // A whole Ethernet/SLL frame of another protocol (ARP, LLDP) is not malformed: it holds no IP packet,
                    // as a UDP datagram holds no ICMP message. Name its EtherType and go on (every real capture has ARP).
                    // LinkLayer reports BadField at the EtherType (protocol) field for these.
                    int? linkHeader = record.LinkType switch
                    {
                        LinkType.Ethernet => linkError.Offset + 2,
                        LinkType.LinuxSll => 16,
                        LinkType.LinuxSll2 => 20,
                        _ => null,
                    };
                    if (linkHeader is { } header && linkError.Kind == WireErrorKind.BadField
                        && linkError.Offset + 2 <= record.Data.Length && header <= record.Data.Length)
                    {
                        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(record.Data.Span[linkError.Offset..]);
                        int payload = record.Data.Length - header;
                        root.Add("ether_type", etherType, etherType == 0x0806 ? "0x0806 (ARP)" : $"0x{etherType:x4}");
                        root.Add("payload", payload, $"{payload} bytes, not IPv4 or IPv6");
                        Print(new DecodeResult(root, WireError.None, null));
                        continue;
                    }
                    Print(new DecodeResult(root, linkError, $"{record.LinkType} frame (no IPv4/IPv6 packet found)"));
                    continue;
                }
                Emit(record.Data.Span[offset..], root, offset);
            }
            if (!reader.Error.IsNone)
            {
                stderr.WriteLine($"icmpkit: {file.Name}: malformed capture file: {reader.Error.Kind} at byte {reader.Error.Offset}");
                return ExitCodes.Usage;
            }
            return _anyMalformed ? ExitCodes.Usage : ExitCodes.Success;
        }

        private void Emit(ReadOnlySpan<byte> bytes, FieldNode root, int frameOffset)
        {
            var result = PacketDescriber.Describe(bytes, start, root);
            if (frameOffset != 0 && result.IsMalformed)
            {
                result = result with { ErrorContext = $"{result.ErrorContext} (offset within the IP packet; the link header adds {frameOffset})" };
            }
            Print(result);
        }

        private void Print(DecodeResult result)
        {
            if (json)
            {
                using var buffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("schema", JsonSchemaVersion);
                    writer.WriteNumber("packet", _index);
                    foreach (var child in result.Fields.Children)
                    {
                        writer.WritePropertyName(child.Name);
                        child.WriteJson(writer);
                    }
                    if (result.IsMalformed)
                    {
                        writer.WriteStartObject("error");
                        writer.WriteString("kind", result.Error.Kind.ToString());
                        writer.WriteNumber("offset", result.Error.Offset);
                        writer.WriteString("context", result.ErrorContext);
                        writer.WriteEndObject();
                    }
                    writer.WriteEndObject();
                }
                stdout.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
            }
            else
            {
                var text = new StringBuilder();
                text.Append("packet ").Append(_index).Append('\n');
                foreach (var child in result.Fields.Children)
                {
                    child.WriteText(text, 1);
                }
                stdout.Write(text.ToString());
            }
            if (result.IsMalformed)
            {
                _anyMalformed = true;
                stderr.WriteLine($"icmpkit: packet {_index}: {result.ErrorLine}");
            }
        }
    }
}
