namespace IcmpKit.Responder;

/// <summary>What a node does with a Hop-by-Hop or Destination Options header (RFC 8200 §4.2).</summary>
internal enum IPv6OptionVerdict
{
    /// <summary>Every option recognised or skippable: go on with the packet.</summary>
    Accept,
    /// <summary>An option runs past its header: discard (Linux's ip6_parse_tlv drops it without an error).</summary>
    Malformed,
    /// <summary>An unrecognised option says "discard" (action 01, or 11 towards a multicast destination).</summary>
    Discard,
    /// <summary>An unrecognised option says "discard and send parameter problem code 2" (action 10, or 11 to unicast).</summary>
    ParameterProblem,
}

/// <summary>
/// The type-length-value walk over an IPv6 options header (RFC 8200 §4.2). Recognised here: Pad1 and PadN (RFC 8200
/// §4.2), Tunnel Encapsulation Limit (RFC 2473 §5.1) and Router Alert (RFC 2711); any other option is unrecognised
/// and its two high-order type bits decide.
/// </summary>
internal static class IPv6OptionCheck
{
    private const byte Pad1 = 0;
    private const byte PadN = 1;
    private const byte TunnelEncapsulationLimit = 4;
    private const byte RouterAlert = 5;

    /// <summary>
    /// Walks the options of <paramref name="header"/> (the whole extension header) found at <paramref name="offset"/> in
    /// the packet. For <see cref="IPv6OptionVerdict.ParameterProblem"/>, <paramref name="pointer"/> is the packet offset of
    /// the option's type octet (RFC 4443 §3.4) and <paramref name="highBitsAre10"/> tells whether the error may also go
    /// about a packet to a multicast address.
    /// </summary>
    public static IPv6OptionVerdict Check(ReadOnlySpan<byte> header, int offset, bool multicastDestination, out uint pointer, out bool highBitsAre10)
    {
        pointer = 0;
        highBitsAre10 = false;
        int at = 2; // after Next Header and Hdr Ext Len
        while (at < header.Length)
        {
            byte type = header[at];
            if (type == Pad1)
            {
                at++;
                continue;
            }
            if (at + 2 > header.Length || at + 2 + header[at + 1] > header.Length)
            {
                return IPv6OptionVerdict.Malformed;
            }
            if (type is not (PadN or TunnelEncapsulationLimit or RouterAlert))
            {
                // RFC 8200 §4.2: 00 skip, 01 discard, 10 discard and report, 11 discard and report unless multicast.
                switch (type >> 6)
                {
                    case 1:
                        return IPv6OptionVerdict.Discard;
                    case 2:
                        pointer = (uint)(offset + at);
                        highBitsAre10 = true;
                        return IPv6OptionVerdict.ParameterProblem;
                    case 3:
                        pointer = (uint)(offset + at);
                        return multicastDestination ? IPv6OptionVerdict.Discard : IPv6OptionVerdict.ParameterProblem;
                }
            }
            at += 2 + header[at + 1];
        }
        return IPv6OptionVerdict.Accept;
    }
}
