using System.Globalization;
using IcmpKit.Ping;

namespace IcmpKit.Cli.Ping;

/// <summary>The three RFC 792 timestamps of a reply, and what follows from them with the arrival time.</summary>
internal static class TimestampText
{
    private const long Day = 86_400_000;

    /// <summary>
    /// "originate=… receive=… transmit=…" (ms since midnight UT), then the peer's estimated clock offset
    /// ((receive − originate) + (transmit − arrival)) / 2, as NTP estimates it, and the two one-way delays,
    /// which include that offset. Differences are taken modulo a day, so midnight does not spoil them. The times come
    /// from the peer and are printed as received; the estimate is made only of times that can be: standard times
    /// (RFC 792: the high bit clear) within a day, and the originate this request carried.
    /// </summary>
    public static string Describe(IcmpTimestamps t)
    {
        string times = string.Create(CultureInfo.InvariantCulture, $"originate={t.Originate} receive={t.Receive} transmit={t.Transmit}");
        if ((t.Receive & 0x8000_0000) != 0 || (t.Transmit & 0x8000_0000) != 0)
        {
            return $"{times}\n(the peer's times are not standard: no offset estimate)";
        }
        if (t.Receive >= Day || t.Transmit >= Day)
        {
            return $"{times}\n(the peer's times are not times of day: no offset estimate)";
        }
        if (t.IsOriginateForeign)
        {
            return $"{times}\n(originate is not the time we sent: no offset estimate)";
        }
        long outbound = Wrap((long)t.Receive - t.Originate);
        long inbound = Wrap((long)t.ArrivedMillisecondsSinceMidnight - t.Transmit);
        long offset = (Wrap((long)t.Receive - t.Originate) + Wrap((long)t.Transmit - t.ArrivedMillisecondsSinceMidnight)) / 2;
        return string.Create(CultureInfo.InvariantCulture, $"{times}\nclock offset={offset:+0;-0;0} ms, one-way out={outbound} ms, back={inbound} ms");
    }

    /// <summary>A difference of two times of day, in (−12 h, +12 h].</summary>
    private static long Wrap(long difference)
    {
        difference %= Day;
        if (difference > Day / 2)
        {
            difference -= Day;
        }
        else if (difference <= -Day / 2)
        {
            difference += Day;
        }
        return difference;
    }
}
