using System.Net;

namespace IcmpKit.Cli.Ping;

/// <summary>The IPv4 options iputils puts on requests for -R and -T (RFC 791 §3.1, Record Route and Internet Timestamp).</summary>
internal static class IPv4OptionBuilder
{
    private const byte NoOperation = 1;
    private const byte RecordRouteType = 7;
    private const byte TimestampType = 68;

    /// <summary>NOP, then Record Route with room for 9 addresses: 40 bytes, the most an IPv4 header carries.</summary>
    public static byte[] RecordRoute()
    {
        var option = new byte[40];
        option[0] = NoOperation;
        option[1] = RecordRouteType;
        option[2] = 39;  // length
        option[3] = 4;   // pointer: the first address slot (RFC 791: minimum 4)
        return option;
    }

    /// <summary>
    /// Timestamp option, flag 0 (timestamps only, 9 slots), 1 (address and timestamp, 4 pairs) or 3 (prespecified
    /// addresses, up to 4), as iputils builds it.
    /// </summary>
    public static (byte[]? Option, string? Problem) Timestamp(string kind, IReadOnlyList<IPAddress> prespecified)
    {
        byte flag;
        switch (kind)
        {
            case "tsonly":
                flag = 0;
                break;
            case "tsandaddr":
                flag = 1;
                break;
            case "tsprespec":
                flag = 3;
                if (prespecified.Count is < 1 or > 4)
                {
                    return (null, "-T tsprespec needs 1 to 4 hop addresses before the destination");
                }
                break;
            default:
                return (null, $"invalid timestamp type: {kind}; give tsonly, tsandaddr or tsprespec");
        }
        if (flag != 3 && prespecified.Count > 0)
        {
            return (null, $"-T {kind} takes no hop addresses; only tsprespec does");
        }
        int length = flag switch { 0 => 40, 1 => 36, _ => 4 + (prespecified.Count * 8) };
        var option = new byte[length];
        option[0] = TimestampType;
        option[1] = (byte)length;
        option[2] = 5;   // pointer: the first slot (RFC 791: minimum 5)
        option[3] = flag;
        for (int i = 0; i < prespecified.Count; i++)
        {
            prespecified[i].TryWriteBytes(option.AsSpan(4 + (i * 8), 4), out _);
        }
        return (option, null);
    }
}
