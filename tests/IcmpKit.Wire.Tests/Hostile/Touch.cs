using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.Quoting;

namespace IcmpKit.Wire.Tests.Hostile;

/// <summary>Reads every property a consumer might read of a parsed value, so that a lazy fault shows.</summary>
internal static class Touch
{
    /// <summary>Touches the message and returns its emitted bytes, which must parse again.</summary>
    public static byte[] Message(IcmpV4Message message)
    {
        Assert.False(string.IsNullOrEmpty(message.DisplayName));
        switch (message)
        {
            case IcmpV4Message.ErrorMessage error:
                _ = error.LengthAttribute;
                Quote(error.Quote);
                Probe(error.OriginalDatagram.Span);
                if (error.Extensions is { } ext)
                {
                    Assert.True(ext.ObjectError.IsNone || ext.ObjectError.Offset >= 4);
                    foreach (var obj in ext.Objects)
                    {
                        Assert.True(obj.EncodedLength >= 4);
                    }
                }
                break;
            case IcmpV4Message.ExtendedEchoRequest request:
                _ = request.InterfaceIdentification;
                break;
            case IcmpV4Message.AddressMask mask:
                _ = mask.PrefixLength;
                break;
        }
        var bytes = message.ToArray();
        Assert.Equal(message.GetEncodedLength(), bytes.Length);
        Assert.True(IcmpV4Message.TryParse(bytes, out var again, out var error2), error2.ToString());
        Assert.Equal(message.Type, again!.Type);
        Assert.True(again.ChecksumValid);
        return bytes;
    }

    public static void Quote(QuotedDatagram quote)
    {
        _ = quote.Protocol;
        if (quote.IPv4 is { } ip)
        {
            Header(ip);
            Assert.True(quote.Error.IsNone);
        }
        else if (quote.IPv6 is null)
        {
            Assert.False(quote.Error.IsNone);
            Assert.Null(quote.Transport);
        }
        Assert.InRange(quote.TransportBytes.Length, 0, quote.Bytes.Length);
    }

    public static void Header(IPv4Header header)
    {
        _ = header.Dscp + header.Ecn;
        Assert.InRange(header.HeaderLength, 20, 60);
        foreach (var option in header.Options)
        {
            _ = option.Type;
            switch (option)
            {
                case IPv4RouteOption route:
                    _ = route.Recorded.Count();
                    _ = route.IsPointerValid;
                    break;
                case IPv4TimestampOption ts:
                    _ = ts.Recorded.Count();
                    break;
                case IPv4MalformedOption malformed:
                    Assert.False(malformed.Error.IsNone);
                    break;
            }
        }
        var buffer = new byte[header.HeaderLength];
        Assert.Equal(header.HeaderLength, header.Write(buffer, keepChecksum: true));
    }

    public static void Probe(ReadOnlySpan<byte> quote)
    {
        if (QuotedProbe.TryRead(quote, out var probe, out var error))
        {
            Assert.True(error.IsNone);
            Assert.Equal(8, probe.TransportHeader.Length);
            _ = probe.IcmpType + probe.IcmpIdentifier + probe.IcmpSequenceNumber + probe.SourcePort + probe.DestinationPort + probe.Protocol;
            Assert.True(probe.SourceAddress.Length is 4 or 16);
            Assert.Equal(probe.SourceAddress.Length, probe.DestinationAddress.Length);
        }
        else
        {
            Assert.False(error.IsNone);
            Assert.InRange(error.Offset, 0, quote.Length);
        }
    }

    /// <summary>Everything the IPv4 readers make of one buffer.</summary>
    public static void Datagram(ReadOnlySpan<byte> bytes)
    {
        if (IPv4Packet.TryRead(bytes, out var packet, out var error))
        {
            Assert.True(error.IsNone);
            Assert.Equal(packet.TotalLength, packet.Bytes.Length);
            Header(IPv4Header.FromPacket(packet));
        }
        else
        {
            Assert.False(error.IsNone);
            Assert.InRange(error.Offset, 0, bytes.Length);
        }
        if (IPv4Packet.TryReadQuoted(bytes, out var quoted, out var quotedError))
        {
            Assert.True(quotedError.IsNone);
            Assert.InRange(quoted.Payload.Length, 0, bytes.Length - 20);
            _ = quoted.IsHeaderChecksumValid;
        }
        Quote(QuotedDatagram.Parse(bytes.ToArray()));
        Probe(bytes);
    }
}
