using IcmpKit.Cli.Output;
using IcmpKit.Wire;

namespace IcmpKit.Cli.Decode;

/// <summary>What one packet decoded to: the fields that could be read and, if it stopped early, why and where.</summary>
internal sealed record DecodeResult(FieldNode Fields, WireError Error, string? ErrorContext)
{
    public bool IsMalformed => !Error.IsNone;

    /// <summary>"malformed IPv4 header: LengthBeyondBuffer at byte 2".</summary>
    public string ErrorLine => $"malformed {ErrorContext}: {Error.Kind} at byte {Error.Offset}";
}

/// <summary>Where a packet starts: the IP header (version from the first nibble), or straight at an ICMP header.</summary>
internal enum DecodeStart
{
    IP,
    IcmpV4,
    IcmpV6,
}
