using System.Globalization;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

/// <summary>
/// One column of mtr's table (mtr 0.95, ui/mtr.c data_fields[]): its letter for -o, its title, its width, and its text
/// as mtr's printf format makes it (a leading space, then the value right-aligned; RTTs in ms with one decimal).
/// </summary>
internal sealed record MtrField(char Letter, string Title, int Width, Func<HopStatisticsSnapshot, string> Text);

/// <summary>mtr's columns, letter for letter.</summary>
internal static class MtrFields
{
    public const string Letters = "LDRSNBAWVGJMXI";

    private static readonly MtrField[] All =
    [
        new(' ', " ", 1, _ => " "),
        new('L', "Loss%", 6, s => " " + Fixed(s.LossPercent, 4) + "%"),
        new('D', "Drop", 5, s => " " + Whole(s.Lost, 4)),
        new('R', "Rcv", 6, s => " " + Whole(s.Received, 5)),
        new('S', "Snt", 6, s => " " + Whole(s.Sent, 5)),
        new('N', "Last", 6, s => " " + Fixed(s.LastMilliseconds, 5)),
        new('B', "Best", 6, s => " " + Fixed(s.BestMilliseconds, 5)),
        new('A', "Avg", 6, s => " " + Fixed(s.AverageMilliseconds, 5)),
        new('W', "Wrst", 6, s => " " + Fixed(s.WorstMilliseconds, 5)),
        new('V', "StDev", 6, s => " " + Fixed(s.StandardDeviationMilliseconds, 5)),
        new('G', "Gmean", 6, s => " " + Fixed(s.GeometricMeanMilliseconds, 5)),
        new('J', "Jttr", 5, s => " " + Fixed(s.JitterMilliseconds, 4)),
        new('M', "Javg", 5, s => " " + Fixed(s.MeanJitterMilliseconds, 4)),
        new('X', "Jmax", 5, s => " " + Fixed(s.WorstJitterMilliseconds, 4)),
        // mtr's Jint is RFC 1889 A.8's J kept scaled by 16, printed as it is kept.
        new('I', "Jint", 5, s => " " + Fixed(s.ScaledInterarrivalJitterMilliseconds, 4)),
    ];

    public static MtrField? Find(char letter) => Array.Find(All, f => f.Letter == letter);

    public static IReadOnlyList<MtrField> Parse(string letters) => [.. letters.Select(c => Find(c)!)];

    /// <summary>printf's "%W.1f": one decimal, right-aligned in W (wider when it does not fit); a missing value is 0.0 as in mtr.</summary>
    private static string Fixed(double? value, int width) =>
        (value ?? 0).ToString("F1", CultureInfo.InvariantCulture).PadLeft(width);

    private static string Whole(long value, int width) => value.ToString(CultureInfo.InvariantCulture).PadLeft(width);
}
