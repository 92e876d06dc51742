using System.Net;
using IcmpKit.Sockets;

namespace IcmpKit.Cli;

/// <summary>
/// Checks of flag values that several commands share (ping, probe, trace, mtr): each returns the one line to print when
/// the value is bad, null when it is good.
/// </summary>
internal static class FlagValues
{
    /// <summary>--socket dgram|raw; null <paramref name="text"/>: not given (the engine chooses).</summary>
    public static string? SocketKind(string? text, out IcmpSocketKind? kind)
    {
        kind = text switch { null => null, "dgram" => IcmpSocketKind.Datagram, "raw" => IcmpSocketKind.Raw, _ => null };
        return text is not null && kind is null ? $"invalid --socket: {text}; give dgram or raw" : null;
    }

    /// <summary>An interface (or VRF) name for SO_BINDTODEVICE: 1 to 15 characters (IFNAMSIZ less its NUL).</summary>
    public static string? InterfaceName(string? name, string flag) =>
        name is { Length: 0 or > 15 }
            ? $"bad interface name '{name}' ({flag}); give a name of 1 to 15 characters, as `ip link` lists them"
            : null;

    /// <summary>A source address; null <paramref name="text"/>: not given.</summary>
    public static string? SourceAddress(string? text, string flag, out IPAddress? source)
    {
        source = null;
        return text is not null && !IPAddress.TryParse(text, out source)
            ? $"bad source address '{text}' ({flag}); give an IPv4 or IPv6 address of this host"
            : null;
    }
}
