namespace IcmpKit.Wire.IcmpV4;

/// <summary>Display names for every ICMPv4 type and code; unknown values degrade gracefully ("TimeExceeded(code 7)").</summary>
public static class IcmpV4Names
{
    /// <summary>The type's identifier ("TimeExceeded"), or "Type77" for an unassigned one.</summary>
    public static string TypeName(IcmpV4Type type) =>
        Enum.IsDefined(type) ? type.ToString() : $"Type{(byte)type}";

    /// <summary>The code's meaning for this type ("port unreachable"), or null when the code is not assigned.</summary>
    public static string? CodeName(IcmpV4Type type, byte code) => type switch
    {
        IcmpV4Type.DestinationUnreachable => code switch
        {
            0 => "net unreachable",
            1 => "host unreachable",
            2 => "protocol unreachable",
            3 => "port unreachable",
            4 => "fragmentation needed and DF set",
            5 => "source route failed",
            6 => "destination network unknown",
            7 => "destination host unknown",
            8 => "source host isolated",
            9 => "network administratively prohibited",
            10 => "host administratively prohibited",
            11 => "network unreachable for TOS",
            12 => "host unreachable for TOS",
            13 => "communication administratively prohibited",
            14 => "host precedence violation",
            15 => "precedence cutoff in effect",
            _ => null,
        },
        IcmpV4Type.Redirect => code switch
        {
            0 => "redirect for network",
            1 => "redirect for host",
            2 => "redirect for TOS and network",
            3 => "redirect for TOS and host",
            _ => null,
        },
        IcmpV4Type.TimeExceeded => code switch
        {
            0 => "time to live exceeded in transit",
            1 => "fragment reassembly time exceeded",
            _ => null,
        },
        IcmpV4Type.ParameterProblem => code switch
        {
            0 => "pointer indicates the error",
            1 => "missing a required option",
            2 => "bad length",
            _ => null,
        },
        IcmpV4Type.RouterAdvertisement => code switch
        {
            0 => "normal router advertisement",
            16 => "does not route common traffic",
            _ => null,
        },
        IcmpV4Type.Traceroute => code switch
        {
            0 => "outbound packet successfully forwarded",
            1 => "no route for outbound packet; packet discarded",
            _ => null,
        },
        IcmpV4Type.Photuris => code switch
        {
            0 => "bad SPI",
            1 => "authentication failed",
            2 => "decompression failed",
            3 => "decryption failed",
            4 => "need authentication",
            5 => "need authorization",
            _ => null,
        },
        IcmpV4Type.ExtendedEchoRequest => code == 0 ? "no error" : null,
        IcmpV4Type.ExtendedEchoReply => ExtendedEchoReplyCodeName(code),
        _ => null,
    };

    internal static string? ExtendedEchoReplyCodeName(byte code) => code switch
    {
        0 => "no error",
        1 => "malformed query",
        2 => "no such interface",
        3 => "no such table entry",
        4 => "multiple interfaces satisfy query",
        _ => null,
    };

    /// <summary>True when the type defines no codes beyond 0.</summary>
    private static bool HasOnlyCodeZero(IcmpV4Type type) => CodeName(type, 0) is null && Enum.IsDefined(type);

    /// <summary>
    /// "TimeExceeded(time to live exceeded in transit)", "EchoRequest", "TimeExceeded(code 7)", "Type77(code 0)".
    /// </summary>
    public static string Describe(IcmpV4Type type, byte code)
    {
        string name = TypeName(type);
        string? codeName = CodeName(type, code);
        if (codeName is not null)
        {
            return $"{name}({codeName})";
        }
        return code == 0 && HasOnlyCodeZero(type) ? name : $"{name}(code {code})";
    }
}
