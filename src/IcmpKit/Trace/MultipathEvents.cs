using System.Net;

namespace IcmpKit.Trace;

/// <summary>
/// --multipath: one interface of a hop, as the probes of several flows met it. <paramref name="Predecessors"/> are the
/// interfaces of the hop before that the same flows met (the links of the paths), in order of address.
/// </summary>
public sealed record TraceMultipathInterface(IPAddress Address, TraceReplyKind Kind, IReadOnlyList<int> Flows, TimeSpan BestRoundTripTime,
    IReadOnlyList<IPAddress> Predecessors);

/// <summary>
/// --multipath: a hop is settled. Its interfaces (in order of address), how many probes went out on distinct flows and
/// how many were answered, and how many answers the stopping rule asked for (<see cref="MultipathStoppingRule"/>): when
/// <paramref name="ProbesAnswered"/> reached <paramref name="ProbesNeeded"/>, no further interface was missed with the
/// rule's confidence (under its assumption that flows spread evenly over a hop's interfaces).
/// </summary>
public sealed record TraceMultipathHop(int Ttl, IReadOnlyList<TraceMultipathInterface> Interfaces, int ProbesSent, int ProbesAnswered,
    int ProbesNeeded) : TraceEvent
{
    /// <summary>The stopping rule was met (else the hop ran out of flows, or too many probes went unanswered).</summary>
    public bool Complete => ProbesAnswered >= ProbesNeeded;
}
