using System.Net.Sockets;

namespace IcmpKit.Trace.Probes;

/// <summary>traceroute's packet length rule: IP and transport headers plus data, 40 bytes after the IP header by default.</summary>
internal static class ProbeLayout
{
    /// <summary>traceroute's DEF_DATA_LEN: the bytes after the IP header in a default probe.</summary>
    private const int DefaultAfterIPHeader = 40;

    /// <summary>
    /// The data bytes after an 8-byte ICMP or UDP header, for a packet of <paramref name="packetLength"/> bytes in all (null:
    /// the default); a length shorter than the headers gives none, so the packet is then the headers alone.
    /// </summary>
    public static int DataLength(int? packetLength, AddressFamily family) =>
        packetLength is { } length ? Math.Max(0, length - IPHeaderLength(family) - 8) : DefaultAfterIPHeader - 8;

    /// <summary>The IP header our probes carry (no options, no extension headers).</summary>
    public static int IPHeaderLength(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? 40 : 20;
}
