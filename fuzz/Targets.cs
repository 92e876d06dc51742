using System.Net;
using System.Text.Json;
using IcmpKit.Wire;
using IcmpKit.Wire.Capture;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;
using IcmpKit.Wire.Quoting;
using IcmpKit.Wire.Rules;

namespace IcmpKit.Fuzz;

/// <summary>Which entry point an input goes to: its first byte, modulo the number of targets.</summary>
internal enum Target : byte
{
    IPv4Packet,
    IPv6Packet,
    IcmpV4Message,
    IcmpV6Message,
    ExtensionStructure,
    QuotedDatagram,
    CaptureFile,
    DecodePcapText,
    DecodePcapJson,
    DecodePacket,
}

/// <summary>
/// Feeds one input to one IcmpKit.Wire entry point (or the CLI's decode path) and checks the safety contract of
/// DESIGN §2 on the way: parsing never throws, never reads past or writes into its input, every loop stops, and
/// what was parsed encodes again, reparses, and encodes to the same bytes a second time (emit(parse(emit(m))) ==
/// emit(m)). A broken check throws <see cref="FuzzFindingException"/>, which AFL++ records as a crash.
/// </summary>
internal static class Targets
{
    private static readonly int TargetCount = Enum.GetValues<Target>().Length;

    private static readonly IPAddress V6Source = IPAddress.Parse("fd42::1");
    private static readonly IPAddress V6Destination = IPAddress.Parse("fd42::2");

    public static void Run(byte[] input)
    {
        if (input.Length == 0)
        {
            // Every entry point on no bytes. Not only a case worth running: SharpFuzz's first round replays the input it
            // read at start-up, which is empty when AFL++ has not written its first test case yet, and a round that runs
            // no instrumented code makes AFL++ abort with "No instrumentation detected".
            for (int selector = 0; selector < TargetCount; selector++)
            {
                Run([(byte)selector]);
            }
            return;
        }
        var target = (Target)(input[0] % TargetCount);
        byte[] data = input[1..];
        byte[] original = (byte[])data.Clone();
        switch (target)
        {
            case Target.IPv4Packet:
                IPv4(data);
                break;
            case Target.IPv6Packet:
                IPv6(data);
                break;
            case Target.IcmpV4Message:
                IcmpV4(data);
                break;
            case Target.IcmpV6Message:
                IcmpV6(data, V6Source, V6Destination);
                break;
            case Target.ExtensionStructure:
                Extensions(data);
                break;
            case Target.QuotedDatagram:
                Quoted(data);
                break;
            case Target.CaptureFile:
                Capture(data);
                break;
            case Target.DecodePcapText:
                Decode.Pcap(data, json: false);
                break;
            case Target.DecodePcapJson:
                Decode.Pcap(data, json: true);
                break;
            default:
                Decode.Packet(data);
                break;
        }
        Check.That(data.AsSpan().SequenceEqual(original), $"{target}: a reader wrote into its input");
    }

    private static void IPv4(byte[] data)
    {
        if (IPv4Packet.TryRead(data, out var packet, out var error))
        {
            Check.That(packet.HeaderLength >= 20 && packet.HeaderLength <= packet.Bytes.Length && packet.Bytes.Length <= data.Length,
                "IPv4Packet.TryRead accepted a header that does not fit");
            var header = IPv4Header.FromPacket(packet);
            Touch.All(header);
            IPv4HeaderRoundTrip(header, packet.HeaderLength);
            if (packet.Protocol == IPProtocol.Icmp && !packet.IsNonInitialFragment)
            {
                IcmpV4(packet.Payload.ToArray());
            }
        }
        else
        {
            Check.That(!error.IsNone, "IPv4Packet.TryRead failed without saying why");
        }
        if (IPv4Packet.TryReadQuoted(data, out var quoted, out _))
        {
            var header = IPv4Header.FromPacket(quoted);
            Touch.All(header);
            IPv4HeaderRoundTrip(header, quoted.HeaderLength);
        }
        foreach (bool broadcast in (ReadOnlySpan<bool>)[false, true])
        {
            _ = IcmpErrorGuard.CheckIPv4(data, broadcast, address => address.Equals(IPAddress.Broadcast));
        }
        if (data.Length >= 20)
        {
            // What follows an IPv4 header: an ICMPv4 message, as a raw socket hands it over after the header.
            IcmpV4(data[20..]);
        }
    }

    /// <summary>A parsed header writes back with its checksum, as long as it was read (options are kept as read).</summary>
    private static void IPv4HeaderRoundTrip(IPv4Header header, int readLength)
    {
        var written = new byte[60];
        int length = header.Write(written, keepChecksum: true);
        Check.That(length == readLength, $"IPv4 header read as {readLength} bytes writes as {length}");
    }

    private static void IPv6(byte[] data)
    {
        if (IPv6Header.TryParse(data, out var header, out var error))
        {
            Touch.All(header);
            Check.That(header!.UpperLayerOffset >= 40 && header.UpperLayerOffset <= data.Length, "IPv6 upper-layer offset outside the packet");
            var written = new byte[header.HeaderLength];
            Check.That(header.Write(written) == written.Length, "IPv6Header.Write wrote another length than HeaderLength");
            Check.That(written.AsSpan(0, written.Length).SequenceEqual(data.AsSpan(0, written.Length)), "IPv6 header does not write back as read");
            if (header.UpperLayerProtocol == IPProtocol.IcmpV6 && !header.IsNonInitialFragment && !header.ChainTruncated && header.ChainError.IsNone)
            {
                IcmpV6(data[header.UpperLayerOffset..], header.Source, header.Destination);
            }
        }
        else
        {
            Check.That(!error.IsNone, "IPv6Header.TryParse failed without saying why");
        }
        if (IPv6Packet.TryReadQuoted(data, out var quoted, out _))
        {
            Touch.All(IPv6Header.FromPacket(quoted));
            var walker = new IPv6ExtensionWalker(quoted.NextHeader, quoted.Payload);
            int steps = 0;
            while (walker.MoveNext())
            {
                Check.That(++steps <= IPv6ExtensionWalker.MaxHeaders, "the IPv6 extension walk does not stop");
                Touch.All(IPv6ExtensionHeader.FromBytes(walker.CurrentType, walker.CurrentBytes));
                if (walker.CurrentBytes.Length > 2)
                {
                    Touch.All(IPv6Option.ParseAll(walker.CurrentBytes[2..]));
                }
            }
        }
        foreach (bool multicast in (ReadOnlySpan<bool>)[false, true])
        {
            _ = IcmpErrorGuard.CheckIPv6(data, IcmpV6Type.DestinationUnreachable, 0, multicast);
            _ = IcmpErrorGuard.CheckIPv6(data, IcmpV6Type.ParameterProblem, 2, multicast, optionHighBitsAre10: true);
            _ = IcmpErrorGuard.CheckIPv6(data, IcmpV6Type.PacketTooBig, 0, multicast);
        }
    }

    private static void IcmpV4(byte[] data)
    {
        if (!IcmpV4Message.TryParse(data, out var message, out var error))
        {
            Check.That(!error.IsNone, "IcmpV4Message.TryParse failed without saying why");
            return;
        }
        Touch.All(message);
        if (message is IcmpV4Message.ErrorMessage quoting)
        {
            Quoted(quoting.OriginalDatagram.ToArray());
        }
        byte[] first = message!.ToArray();
        Check.That(first.Length == message.GetEncodedLength(), "ICMPv4 ToArray length is not GetEncodedLength");
        Check.That(IcmpV4Message.TryParse(first, out var again, out var againError), $"re-encoded ICMPv4 {message.Type} does not parse: {againError}");
        Check.That(again!.GetType() == message.GetType(), $"re-encoded ICMPv4 {message.GetType().Name} parses as {again.GetType().Name}");
        Check.That(again.ChecksumValid, "re-encoded ICMPv4 message has a bad checksum");
        Check.That(again.ToArray().AsSpan().SequenceEqual(first), $"ICMPv4 {message.GetType().Name}: emit(parse(emit(m))) != emit(m)");
    }

    private static void IcmpV6(byte[] data, IPAddress source, IPAddress destination)
    {
        _ = IcmpV6Message.TryParse(data, out _, out _);
        if (!IcmpV6Message.TryParse(data, source, destination, out var message, out var error))
        {
            Check.That(!error.IsNone, "IcmpV6Message.TryParse failed without saying why");
            return;
        }
        Touch.All(message);
        if (message is IcmpV6Message.ErrorMessage quoting)
        {
            Quoted(quoting.OriginalDatagram.ToArray());
        }
        byte[] first = message!.ToArray(source, destination);
        Check.That(first.Length == message.GetEncodedLength(), "ICMPv6 ToArray length is not GetEncodedLength");
        Check.That(IcmpV6Message.TryParse(first, source, destination, out var again, out var againError), $"re-encoded ICMPv6 {message.Type} does not parse: {againError}");
        Check.That(again!.GetType() == message.GetType(), $"re-encoded ICMPv6 {message.GetType().Name} parses as {again.GetType().Name}");
        Check.That(again.ChecksumValid == true, "re-encoded ICMPv6 message has a bad checksum");
        Check.That(again.ToArray(source, destination).AsSpan().SequenceEqual(first), $"ICMPv6 {message.GetType().Name}: emit(parse(emit(m))) != emit(m)");
    }

    private static void Extensions(byte[] data)
    {
        if (IcmpExtensionStructure.TryParse(data, out var structure, out _))
        {
            Touch.All(structure);
            var first = new byte[structure!.EncodedLength];
            Check.That(structure.Write(first) == first.Length, "IcmpExtensionStructure.Write wrote another length than EncodedLength");
            Check.That(IcmpExtensionStructure.TryParse(first, out var again, out var error), $"a written extension structure does not parse: {error}");
            var second = new byte[again!.EncodedLength];
            again.Write(second);
            Check.That(second.AsSpan().SequenceEqual(first), "extension structure: write(parse(write(s))) != write(s)");
        }
        var reader = new IcmpExtensionObjectReader(data.Length >= 4 ? data.AsSpan(4) : data);
        int steps = 0;
        while (reader.MoveNext())
        {
            Check.That(++steps <= data.Length / 4, "the extension object walk does not stop");
            Touch.All(IcmpExtensionObject.FromBytes(reader.Current));
        }
        if (data.Length >= 2)
        {
            // The RFC 4884 multipart body of an error message: length attribute and word size from the first two bytes.
            int wordSize = (data[1] & 1) == 0 ? 4 : 8;
            var body = MultipartBody.Parse(data.AsMemory(2), data[0], wordSize, extensible: (data[1] & 2) == 0);
            Touch.All(body);
            var written = new byte[body.EncodedLength(wordSize)];
            Check.That(body.Write(written, wordSize) == written.Length, "MultipartBody.Write wrote another length than EncodedLength");
        }
    }

    private static void Quoted(byte[] data)
    {
        Touch.All(QuotedDatagram.Parse(data));
        if (QuotedProbe.TryRead(data, out var probe, out _))
        {
            Check.That(probe.TransportHeader.Length == 8, "a quoted probe's transport header is not 8 bytes");
            _ = (probe.Protocol, probe.IcmpType, probe.IcmpIdentifier, probe.IcmpSequenceNumber, probe.SourcePort, probe.DestinationPort,
                probe.SourceAddress.Length, probe.DestinationAddress.Length, probe.Transport.Length);
        }
    }

    private static void Capture(byte[] data)
    {
        var reader = new CaptureReader(data);
        var records = reader.Records();
        Check.That(records.Count <= data.Length / 16, "a capture yields more records than it has bytes for");
        foreach (var record in records)
        {
            Check.That(record.Data.Length <= data.Length, "a capture record is longer than the file");
            if (LinkLayer.TryFindIPPacket(record.LinkType, record.Data.Span, out int offset, out _))
            {
                Check.That(offset >= 0 && offset < record.Data.Length, "the IP packet starts outside its frame");
                byte[] packet = record.Data.Span[offset..].ToArray();
                if (packet[0] >> 4 == 6)
                {
                    IPv6(packet);
                }
                else
                {
                    IPv4(packet);
                }
            }
        }
    }
}

/// <summary>A broken check of the harness: reported to AFL++ as a crash.</summary>
internal sealed class FuzzFindingException : Exception
{
    public FuzzFindingException()
    {
    }

    public FuzzFindingException(string message) : base(message)
    {
    }

    public FuzzFindingException(string message, Exception inner) : base(message, inner)
    {
    }
}

internal static class Check
{
    public static void That([System.Diagnostics.CodeAnalysis.DoesNotReturnIf(false)] bool condition, string broken)
    {
        if (!condition)
        {
            throw new FuzzFindingException(broken);
        }
    }
}
