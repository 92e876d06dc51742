namespace IcmpKit.Wire.IPv4;

/// <summary>
/// Walks the options area of an IPv4 header (RFC 791 §3.1 "Options"). Single-byte options are End of
/// Option List (0) and No Operation (1); every other option carries a length byte that counts the type and
/// length bytes too, so it is at least 2 and must fit in what remains. Every step advances or stops.
/// </summary>
public ref struct IPv4OptionReader
{
    private readonly ReadOnlySpan<byte> _options;
    private int _offset;
    private bool _done;

    public IPv4OptionReader(ReadOnlySpan<byte> options)
    {
        _options = options;
    }

    /// <summary>Where the walk stopped on a malformed option, or <see cref="WireError.None"/>.</summary>
    public WireError Error { get; private set; }

    /// <summary>Offset of <see cref="CurrentType"/> within the options area.</summary>
    public int CurrentOffset { get; private set; }

    public IPv4OptionType CurrentType { get; private set; }

    /// <summary>The whole current option, type and length bytes included (for EOL: to the end of the area).</summary>
    public ReadOnlySpan<byte> CurrentBytes { get; private set; }

    /// <summary>Moves to the next option; false at the end or on a malformed option (see <see cref="Error"/>).</summary>
    public bool MoveNext()
    {
        if (_done || _offset >= _options.Length)
        {
            return false;
        }
        CurrentOffset = _offset;
        var type = (IPv4OptionType)_options[_offset];
        CurrentType = type;
        if (type == IPv4OptionType.EndOfOptionList)
        {
            // The rest is padding (RFC 791: "used at the end of all options, not the end of each option").
            CurrentBytes = _options[_offset..];
            _done = true;
            return true;
        }
        if (type == IPv4OptionType.NoOperation)
        {
            CurrentBytes = _options.Slice(_offset, 1);
            _offset++;
            return true;
        }
        if (_offset + 1 >= _options.Length)
        {
            Error = new WireError(WireErrorKind.Truncated, _offset + 1);
            _done = true;
            return false;
        }
        int length = _options[_offset + 1];
        if (length < 2 || _offset + length > _options.Length)
        {
            Error = new WireError(WireErrorKind.BadOptionLength, _offset + 1);
            _done = true;
            return false;
        }
        CurrentBytes = _options.Slice(_offset, length);
        _offset += length;
        return true;
    }
}

/// <summary>IPv4 option type octets (IANA "IP Option Numbers"); any byte value is representable.</summary>
public enum IPv4OptionType : byte
{
    EndOfOptionList = 0,
    NoOperation = 1,
    RecordRoute = 7,
    Timestamp = 68,
    LooseSourceRoute = 131,
    StrictSourceRoute = 137,
    RouterAlert = 148,
}
