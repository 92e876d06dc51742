using System.Buffers.Binary;
using IcmpKit.Wire.Checksum;

namespace IcmpKit.Wire.Extensions;

/// <summary>How an error message's extension structure was found (RFC 4884).</summary>
public enum ExtensionLayout : byte
{
    /// <summary>No extension structure.</summary>
    None = 0,
    /// <summary>RFC 4884 §4–5: the length attribute gives the original datagram's length.</summary>
    LengthAttribute = 1,
    /// <summary>
    /// RFC 4884 §5.5 compatibility: length attribute zero, original datagram field exactly 128 bytes, then a
    /// structure of version 2 whose checksum verifies (the layout of RFC 4950-era routers).
    /// </summary>
    Fixed128 = 2,
}

/// <summary>
/// The ICMP extension structure (RFC 4884 §7): a 4-byte header (version 2, reserved, checksum over the
/// structure), then objects (§7.2: length, class-num, c-type, payload). Invalid objects are flagged, never fatal.
/// </summary>
public sealed record IcmpExtensionStructure
{
    /// <summary>RFC 4884 §7: the version is 2.</summary>
    public const int CurrentVersion = 2;

    public int Version { get; init; } = CurrentVersion;

    /// <summary>The checksum as read (written fresh by <see cref="Write"/>).</summary>
    public ushort Checksum { get; init; }

    /// <summary>True when the checksum verified on reading; a zero checksum also counts as unverified.</summary>
    public bool ChecksumValid { get; init; } = true;

    public IReadOnlyList<IcmpExtensionObject> Objects { get; init; } = [];

    /// <summary>Where, within the structure, the object walk stopped on a malformed object.</summary>
    public WireError ObjectError { get; init; }

    /// <summary>
    /// The bytes from the first object whose length could not be walked to the end, kept verbatim so the structure
    /// writes back as read (<see cref="ObjectError"/> says what was wrong).
    /// </summary>
    public ReadOnlyMemory<byte> MalformedTail { get; init; }

    public int EncodedLength => 4 + Objects.Sum(o => o.EncodedLength) + MalformedTail.Length;

    /// <summary>Reads a structure that fills <paramref name="bytes"/>. Fails only when the 4-byte header is missing.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out IcmpExtensionStructure? structure, out WireError error)
    {
        structure = null;
        if (bytes.Length < 4)
        {
            error = new WireError(WireErrorKind.Truncated, bytes.Length);
            return false;
        }
        var objects = new List<IcmpExtensionObject>();
        var reader = new IcmpExtensionObjectReader(bytes[4..]);
        int walked = 4;
        while (reader.MoveNext())
        {
            objects.Add(IcmpExtensionObject.FromBytes(reader.Current));
            walked += reader.Current.Length;
        }
        ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        structure = new IcmpExtensionStructure
        {
            Version = bytes[0] >> 4,
            Checksum = checksum,
            ChecksumValid = checksum != 0 && InternetChecksum.Verify(bytes),
            Objects = objects,
            ObjectError = reader.Error.Shift(4),
            MalformedTail = bytes[walked..].ToArray(),
        };
        error = WireError.None;
        return true;
    }

    /// <summary>RFC 4884 §5.5: at the fixed offset only a version-2 structure with a valid checksum counts.</summary>
    public static bool LooksLikeStructure(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 4 && bytes[0] >> 4 == CurrentVersion && BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]) != 0
        && InternetChecksum.Verify(bytes);

    /// <summary>Writes the structure with a computed checksum; returns the bytes written.</summary>
    public int Write(Span<byte> destination)
    {
        int length = EncodedLength;
        var target = destination[..length];
        target[0] = (byte)(Version << 4);
        target[1] = 0;
        target[2] = 0;
        target[3] = 0;
        int at = 4;
        foreach (var obj in Objects)
        {
            at += obj.Write(target[at..]);
        }
        MalformedTail.Span.CopyTo(target[at..]);
        ushort checksum = InternetChecksum.Compute(target);
        // A computed 0 is written as 0xFFFF (the same one's complement zero, and it verifies the same): readers take a
        // zero checksum to mean "not computed" (RFC 4884 §7 makes it mandatory, so 0 only comes from careless senders).
        BinaryPrimitives.WriteUInt16BigEndian(target[2..], checksum == 0 ? (ushort)0xFFFF : checksum);
        return length;
    }
}

/// <summary>
/// Walks extension objects (RFC 4884 §7.2). Each object's length counts its 4-byte header, so it is at least 4
/// and must fit in what remains; a bad length stops the walk with an error. Every step advances by 4 or more.
/// </summary>
public ref struct IcmpExtensionObjectReader
{
    private readonly ReadOnlySpan<byte> _objects;
    private int _offset;

    public IcmpExtensionObjectReader(ReadOnlySpan<byte> objects) => _objects = objects;

    public ReadOnlySpan<byte> Current { get; private set; }

    public WireError Error { get; private set; }

    public bool MoveNext()
    {
        if (!Error.IsNone || _offset >= _objects.Length)
        {
            return false;
        }
        if (_objects.Length - _offset < 4)
        {
            Error = new WireError(WireErrorKind.Truncated, _offset);
            return false;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(_objects[_offset..]);
        if (length < 4 || length > _objects.Length - _offset)
        {
            Error = new WireError(WireErrorKind.BadOptionLength, _offset);
            return false;
        }
        Current = _objects.Slice(_offset, length);
        _offset += length;
        return true;
    }
}
