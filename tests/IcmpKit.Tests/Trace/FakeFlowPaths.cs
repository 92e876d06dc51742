using System.Net;
using IcmpKit.Sockets;
using IcmpKit.Trace;
using IcmpKit.Trace.Probes;

namespace IcmpKit.Tests.Trace;

/// <summary>
/// <see cref="FakeProbePath"/> with the two things --mtu and --multipath add to a transport: a size (each probe's is noted
/// by key, for the path's answer to read), and flows (each probe's flow is noted by key likewise). The engine under test
/// sees an <see cref="IFlowProbeTransport"/>; the path's <see cref="FakeProbePath.Answer"/> decides, as before.
/// </summary>
internal sealed class FakeFlowPath(int destinationHop, int packetLength = 1500, int minimumPacketLength = 28) : IFlowProbeTransport
{
    private readonly Dictionary<ushort, int> _sizes = [];
    private readonly Dictionary<ushort, int> _flows = [];

    public FakeProbePath Path { get; } = new(destinationHop);

    public int PacketLength { get; private set; } = packetLength;

    public int MinimumPacketLength => minimumPacketLength;

    public int FlowCount => 128;

    /// <summary>The size the probe <paramref name="key"/> was sent with.</summary>
    public int SizeOf(ushort key) => _sizes[key];

    /// <summary>The flow the probe <paramref name="key"/> was sent on.</summary>
    public int FlowOf(ushort key) => _flows[key];

    public IReadOnlyDictionary<ushort, int> Flows => _flows;

    public IcmpSocketKind Kind => Path.Kind;

    public string WhyNotDatagram => "";

    public long RealtimeNanoseconds() => Path.RealtimeNanoseconds();

    public int Send(ushort key, int ttl, ref long sentAtNanoseconds) => Send(key, 0, ttl, ref sentAtNanoseconds);

    public int Send(ushort key, int flow, int ttl, ref long sentAtNanoseconds)
    {
        _sizes[key] = PacketLength;
        _flows[key] = flow;
        return Path.Send(key, ttl, ref sentAtNanoseconds);
    }

    public bool TryResize(int packetLength)
    {
        if (packetLength < MinimumPacketLength)
        {
            return false;
        }
        PacketLength = packetLength;
        return true;
    }

    public int Receive(int timeoutMilliseconds, List<ProbeResponse> responses) => Path.Receive(timeoutMilliseconds, responses);

    public void Wake() => Path.Wake();

    public void Dispose() => Path.Dispose();

    /// <summary>Runs the classic engine on this path (as <see cref="FakeTrace.Run"/>).</summary>
    public List<(TraceEvent Event, TimeSpan At)> Trace(TraceOptions options)
    {
        var events = new List<(TraceEvent, TimeSpan)>();
        new TraceRun(FakeProbePath.Target, options, this, Path.Time, e => events.Add((e, Path.Elapsed))).Run(CancellationToken.None);
        return events;
    }

    /// <summary>Runs the multipath engine on this path.</summary>
    public List<TraceEvent> TraceMultipath(TraceOptions options)
    {
        var events = new List<TraceEvent>();
        new MultipathRun(FakeProbePath.Target, options with { Multipath = true }, this, Path.Time, events.Add).Run(CancellationToken.None);
        return events;
    }

    /// <summary>An answer from <paramref name="from"/> to probe <paramref name="probe"/>: time exceeded below the target's hop.</summary>
    public static FakeAnswer TimeExceededFrom(FakeProbe probe, IPAddress from) =>
        new(new ProbeResponse(probe.Key, TraceReplyKind.TimeExceeded, from, 0) { Type = 11, ReplyTtl = 64 - probe.Ttl + 1 }, FakeProbePath.RoundTrip(probe.Ttl));
}
