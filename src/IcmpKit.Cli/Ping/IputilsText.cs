using System.Globalization;
using IcmpKit.Ping;

namespace IcmpKit.Cli.Ping;

/// <summary>The words iputils ping prints, so scripts that read its output keep working (iputils ping_common.c, ping.c).</summary>
internal static class IputilsText
{
    /// <summary>iputils' RTT precision: 3 decimals below 1 ms, 2 below 10 ms, 1 below 100 ms, none above.</summary>
    public static string FormatRtt(TimeSpan rtt)
    {
        // iputils keeps the RTT in whole microseconds, truncated (the summary does too), then rounds for display.
        long micros = (long)rtt.TotalMicroseconds;
        var c = CultureInfo.InvariantCulture;
        if (micros >= 100_000 - 50)
        {
            return ((micros + 500) / 1000).ToString(c);
        }
        if (micros >= 10_000 - 5)
        {
            return $"{(micros + 50) / 1000}.{(micros + 50) % 1000 / 100}";
        }
        if (micros >= 1000)
        {
            return $"{(micros + 5) / 1000}.{(micros + 5) % 1000 / 10:00}";
        }
        return $"{micros / 1000}.{micros % 1000:000}";
    }

    /// <summary>iputils: "Redirect Host(New nexthop: 198.18.0.9)".</summary>
    private static string NextHop(PingError error) => error.Gateway is { } gateway ? $"(New nexthop: {gateway})" : "";

    /// <summary>The text after "From X icmp_seq=N " for an ICMP error, as iputils words it.</summary>
    public static string Describe(PingError error)
    {
        if (error.IsV6)
        {
            return (error.Type, error.Code) switch
            {
                (1, 0) => "Destination unreachable: No route",
                (1, 1) => "Destination unreachable: Administratively prohibited",
                (1, 2) => "Destination unreachable: Beyond scope of source address",
                (1, 3) => "Destination unreachable: Address unreachable",
                (1, 4) => "Destination unreachable: Port unreachable",
                // iputils 20221126 names codes 0–4 only; 5 (RFC 4443 policy fail) and 6 (reject route) are "Unknown code".
                (1, _) => $"Destination unreachable: Unknown code {error.Code}",
                (2, _) => $"Packet too big: mtu={error.Mtu}",
                (3, 0) => "Time exceeded: Hop limit",
                (3, 1) => "Time exceeded: Defragmentation failure",
                (3, _) => $"Time exceeded: code {error.Code}",
                (4, _) => $"Parameter problem: code {error.Code}",
                _ => $"Bad ICMP type: {error.Type}",
            };
        }
        return (error.Type, error.Code) switch
        {
            (3, 0) => "Destination Net Unreachable",
            (3, 1) => "Destination Host Unreachable",
            (3, 2) => "Destination Protocol Unreachable",
            (3, 3) => "Destination Port Unreachable",
            (3, 4) => $"Frag needed and DF set (mtu = {error.Mtu})",
            (3, 5) => "Source Route Failed",
            (3, 6) => "Destination Net Unknown",
            (3, 7) => "Destination Host Unknown",
            (3, 8) => "Source Host Isolated",
            (3, 9) => "Destination Net Prohibited",
            (3, 10) => "Destination Host Prohibited",
            (3, 11) => "Destination Net Unreachable for Type of Service",
            (3, 12) => "Destination Host Unreachable for Type of Service",
            (3, 13) => "Packet filtered",
            (3, 14) => "Precedence Violation",
            (3, 15) => "Precedence Cutoff",
            (3, _) => $"Dest Unreachable, Bad Code: {error.Code}",
            (4, _) => "Source Quench",
            (5, 0) => $"Redirect Network{NextHop(error)}",
            (5, 1) => $"Redirect Host{NextHop(error)}",
            (5, 2) => $"Redirect Type of Service and Network{NextHop(error)}",
            (5, 3) => $"Redirect Type of Service and Host{NextHop(error)}",
            (5, _) => $"Redirect, Bad Code: {error.Code}",
            (11, 0) => "Time to live exceeded",
            (11, 1) => "Frag reassembly time exceeded",
            (11, _) => $"Time exceeded, Bad Code: {error.Code}",
            (12, _) => "Parameter problem",
            _ => $"Bad ICMP type: {error.Type}",
        };
    }
}
