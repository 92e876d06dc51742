namespace IcmpKit.Wire;

/// <summary>Why untrusted bytes were rejected.</summary>
public enum WireErrorKind : byte
{
    None = 0,
    /// <summary>The buffer ends before a fixed-size field.</summary>
    Truncated,
    /// <summary>The IP version nibble is not the one expected.</summary>
    BadVersion,
    /// <summary>IPv4 IHL below 5 (RFC 791 §3.1: the minimum header is five words).</summary>
    BadHeaderLength,
    /// <summary>A length field is smaller than the header it covers.</summary>
    BadTotalLength,
    /// <summary>A length field claims more bytes than the buffer holds.</summary>
    LengthBeyondBuffer,
    /// <summary>An option, extension header or object has a length that cannot be walked.</summary>
    BadOptionLength,
    /// <summary>A checksum does not verify.</summary>
    BadChecksum,
    /// <summary>A field holds a value the RFC forbids.</summary>
    BadField,
    /// <summary>More nested headers than the walk allows.</summary>
    TooManyHeaders,
}

/// <summary>
/// The outcome of reading untrusted bytes: the kind of fault and the byte offset (from the start of the
/// span given to the reader) of the field at fault. <see cref="None"/> means success.
/// </summary>
/// <remarks>
/// The safety contract of IcmpKit.Wire, kept by every reader: untrusted bytes enter only through
/// <c>TryRead</c>/<c>TryParse</c>, which check every invariant the accessors rely on and report a
/// <see cref="WireError"/>. Readers never throw on bad input, never read past the span, never write into
/// their input, and every loop over options, headers or objects either advances or stops.
/// Exceptions are for caller bugs only.
/// </remarks>
public readonly record struct WireError(WireErrorKind Kind, int Offset)
{
    public static WireError None => default;

    public bool IsNone => Kind == WireErrorKind.None;

    /// <summary>The same fault, seen from a span that starts <paramref name="delta"/> bytes earlier.</summary>
    public WireError Shift(int delta) => IsNone ? this : new WireError(Kind, Offset + delta);

    public override string ToString() => IsNone ? "none" : $"{Kind} at byte {Offset}";
}
