using IcmpKit.Wire.Quoting;

namespace IcmpKit.Wire.Extensions;

/// <summary>
/// The body of an ICMP error: the original datagram, then (RFC 4884) an optional extension structure.
/// Shared by ICMPv4 (length attribute in 32-bit words) and ICMPv6 (in 64-bit words).
/// </summary>
public sealed record MultipartBody
{
    /// <summary>RFC 4884 §4.1/§4.2: with extensions, the original datagram field is at least 128 bytes.</summary>
    public const int MinimumOriginalDatagramLength = 128;

    /// <summary>The original datagram field as it stands in the message (zero padding included).</summary>
    public ReadOnlyMemory<byte> OriginalDatagram { get; init; }

    public IcmpExtensionStructure? Extensions { get; init; }

    public ExtensionLayout Layout { get; init; }

    /// <summary>True when a non-zero length attribute pointed past the message (RFC 4884 §5.x: the whole body is then the datagram).</summary>
    public bool LengthAttributeInvalid { get; init; }

    /// <summary>The quoted datagram, parsed (allocates on each access).</summary>
    public QuotedDatagram Quote => QuotedDatagram.Parse(OriginalDatagram);

    /// <summary>Splits an error body by its length attribute (0 when the type has none or it is unused).</summary>
    /// <summary>
    /// A non-zero length attribute read with no extension structure after it; written back as read so that the
    /// message does not change (and no structure appears where the sender had none).
    /// </summary>
    public byte KeptLengthAttribute { get; init; }

    /// <param name="body">The bytes after the 8-byte ICMP header.</param>
    /// <param name="lengthAttribute">The RFC 4884 length attribute as read (0 when unused).</param>
    /// <param name="wordSize">4 for ICMPv4, 8 for ICMPv6 (RFC 4884 §4.1, §4.2).</param>
    /// <param name="extensible">False for the error types RFC 4884 does not extend (ICMPv4 redirect and source quench,
    /// ICMPv6 packet too big and parameter problem): their body is all original datagram.</param>
    public static MultipartBody Parse(ReadOnlyMemory<byte> body, int lengthAttribute, int wordSize, bool extensible = true)
    {
        var span = body.Span;
        if (!extensible)
        {
            return new MultipartBody { OriginalDatagram = body };
        }
        if (lengthAttribute != 0)
        {
            int originalLength = lengthAttribute * wordSize;
            if (originalLength > span.Length)
            {
                return new MultipartBody { OriginalDatagram = body, LengthAttributeInvalid = true, KeptLengthAttribute = (byte)lengthAttribute };
            }
            var rest = span[originalLength..];
            IcmpExtensionStructure? extensions = null;
            if (!rest.IsEmpty)
            {
                _ = IcmpExtensionStructure.TryParse(rest, out extensions, out _);
                // RFC 4884 §7: the version is 2; anything else is not an extension structure.
                if (extensions?.Version != IcmpExtensionStructure.CurrentVersion)
                {
                    extensions = null;
                }
            }
            return new MultipartBody
            {
                // Bytes after the datagram that are not a structure stay part of it: nothing read is dropped.
                OriginalDatagram = extensions is null ? body : body[..originalLength],
                Extensions = extensions,
                Layout = extensions is null ? ExtensionLayout.None : ExtensionLayout.LengthAttribute,
                LengthAttributeInvalid = extensions is null && !rest.IsEmpty,
                KeptLengthAttribute = extensions is null ? (byte)lengthAttribute : (byte)0,
            };
        }
        if (span.Length >= MinimumOriginalDatagramLength + 4
            && IcmpExtensionStructure.LooksLikeStructure(span[MinimumOriginalDatagramLength..])
            && IcmpExtensionStructure.TryParse(span[MinimumOriginalDatagramLength..], out var legacy, out _))
        {
            return new MultipartBody
            {
                OriginalDatagram = body[..MinimumOriginalDatagramLength],
                Extensions = legacy,
                Layout = ExtensionLayout.Fixed128,
            };
        }
        return new MultipartBody { OriginalDatagram = body };
    }

    /// <summary>
    /// The original datagram field's length when written: as given without extensions; with extensions,
    /// padded to the word size and to at least 128 bytes (RFC 4884 §4.1), or exactly 128 for <see cref="ExtensionLayout.Fixed128"/>.
    /// </summary>
    public int OriginalFieldLength(int wordSize)
    {
        int length = OriginalDatagram.Length;
        if (Extensions is null)
        {
            return length;
        }
        if (Layout == ExtensionLayout.Fixed128)
        {
            return MinimumOriginalDatagramLength;
        }
        length = Math.Max(length, MinimumOriginalDatagramLength);
        return (length + wordSize - 1) / wordSize * wordSize;
    }

    /// <summary>The length attribute to write: 0 without extensions or in the fixed layout, else the field in words.</summary>
    public byte LengthAttribute(int wordSize) =>
        Extensions is null ? KeptLengthAttribute
        : Layout == ExtensionLayout.Fixed128 ? (byte)0 : (byte)(OriginalFieldLength(wordSize) / wordSize);

    public int EncodedLength(int wordSize) => OriginalFieldLength(wordSize) + (Extensions?.EncodedLength ?? 0);

    public int Write(Span<byte> destination, int wordSize)
    {
        int field = OriginalFieldLength(wordSize);
        if (Layout == ExtensionLayout.Fixed128 && OriginalDatagram.Length > field)
        {
            throw new InvalidOperationException("The fixed 128-byte layout cannot carry a longer original datagram.");
        }
        if (Extensions is not null && field / wordSize > byte.MaxValue)
        {
            throw new InvalidOperationException("The original datagram is too long for the RFC 4884 length attribute.");
        }
        var target = destination[..field];
        target.Clear();
        OriginalDatagram.Span.CopyTo(target);
        int written = field;
        if (Extensions is not null)
        {
            written += Extensions.Write(destination[field..]);
        }
        return written;
    }
}
