namespace IcmpKit.Trace.Probes;

/// <summary>A probe kind whose probes can change size on the way (--mtu shrinks them to each MTU a router reports).</summary>
internal interface IResizableProbeTransport : IProbeTransport
{
    /// <summary>The smallest packet this kind can send: its headers (and the payload word that names a Paris probe).</summary>
    int MinimumPacketLength { get; }

    /// <summary>Makes the probes sent from now on <paramref name="packetLength"/> bytes long; false when below <see cref="MinimumPacketLength"/>.</summary>
    bool TryResize(int packetLength);
}

/// <summary>
/// A probe kind that can put a probe on a chosen flow (the fields a load balancer hashes: UDP and TCP ports, the ICMP
/// checksum): what Paris mode and --multipath need. <see cref="IProbeTransport.Send"/> keeps the kind's own rule
/// (traceroute's flow per probe, or Paris's one flow).
/// </summary>
internal interface IFlowProbeTransport : IResizableProbeTransport
{
    /// <summary>How many flows there are to choose from (0 to FlowCount - 1).</summary>
    int FlowCount { get; }

    /// <summary>Sends probe <paramref name="key"/> on flow <paramref name="flow"/>, as <see cref="IProbeTransport.Send"/> otherwise.</summary>
    int Send(ushort key, int flow, int ttl, ref long sentAtNanoseconds);
}
