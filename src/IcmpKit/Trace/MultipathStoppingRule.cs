namespace IcmpKit.Trace;

/// <summary>
/// The multipath detection algorithm's stopping rule (Augustin, Friedman, Teixeira, "Multipath tracing with Paris
/// traceroute", E2EMON 2007; Veitch et al., "Failure control in multipath route tracing", INFOCOM 2009): having seen k
/// next hops, keep sending probes on new flows until n_k have been answered, n_k being the fewest probes that a hop with
/// k + 1 equally likely next hops would answer from k or fewer of them with probability at most α. Then the hypothesis
/// "there is another next hop" is rejected with confidence 1 - α. For α = 0.05: n_1 = 6, n_2 = 11, n_3 = 16, n_4 = 21,
/// n_5 = 27, n_6 = 33, …
/// </summary>
public static class MultipathStoppingRule
{
    /// <summary>The confidence of each hop's stop (1 - α), as the papers' table.</summary>
    public const double Confidence = 0.95;

    /// <summary>The widest hop the rule is computed for: beyond it no more flows are added.</summary>
    public const int MaxNextHops = 32;

    private static readonly int[] Table = Compute(1 - Confidence, MaxNextHops);

    /// <summary>n_k: the probes a hop must have answered, having shown <paramref name="nextHops"/> next hops (at least 1).</summary>
    public static int ProbesNeeded(int nextHops) => Table[Math.Clamp(nextHops, 1, MaxNextHops) - 1];

    /// <summary>
    /// The probability that <paramref name="probes"/> probes, each sent to one of <paramref name="nextHops"/> equally likely
    /// next hops, miss at least one of them (inclusion–exclusion over the hops missed).
    /// </summary>
    public static double MissProbability(int nextHops, int probes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nextHops, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(probes);
        double miss = 0;
        double choose = 1;
        for (int i = 1; i < nextHops; i++)
        {
            choose = choose * (nextHops - i + 1) / i;
            double term = choose * Math.Pow(1 - ((double)i / nextHops), probes);
            miss += i % 2 == 1 ? term : -term;
        }
        return Math.Clamp(miss, 0, 1);
    }

    /// <summary>n_k for k = 1 to <paramref name="maxNextHops"/>: the smallest n with MissProbability(k + 1, n) ≤ α.</summary>
    internal static int[] Compute(double alpha, int maxNextHops)
    {
        var table = new int[maxNextHops];
        int n = 1;
        for (int k = 1; k <= maxNextHops; k++)
        {
            while (MissProbability(k + 1, n) > alpha)
            {
                n++;
            }
            table[k - 1] = n;
        }
        return table;
    }
}
