using System.Net;

namespace IcmpKit.Trace;

/// <summary>
/// --mtu: a probe was too big for a link on the way (or for this host's interface: <paramref name="From"/> null); the probes
/// shrink to <paramref name="Mtu"/> and this one is sent again.
/// </summary>
public sealed record TraceProbeTooBig(int Ttl, int Probe, int Attempt, int Mtu, IPAddress? From) : TraceEvent;
