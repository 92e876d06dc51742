using System.Net;
using IcmpKit.Trace.Probes;

namespace IcmpKit.Trace;

/// <summary>
/// --mtu (<see cref="TraceOptions.DiscoverPathMtu"/>), as traceroute --mtu and tracepath: probes leave at the interface
/// MTU with DF set; a router whose next link is smaller answers "fragmentation needed" (RFC 1191 §4, ICMPv4 3/4) or
/// "packet too big" (RFC 8201 §4, ICMPv6 2) with that link's MTU, the probes shrink to it, and the probe is sent again at
/// once. A hop shows the MTU it was the first to need (<see cref="TraceHop.PathMtu"/>).
/// </summary>
internal sealed partial class TraceRun
{
    private const int EMsgSize = 90;

    /// <summary>RFC 791: every IPv4 link carries 68 bytes; RFC 8200 §5: every IPv6 link 1280. A report below is not believed.</summary>
    private int MinimumLinkMtu => _v6 ? 1280 : 68;

    private int? _firstPacketLength;
    private int? _shownPathMtu;

    /// <summary>The size of the probe about to be sent; the first one's is the interface MTU the trace started from.</summary>
    private int SentPacketLength()
    {
        int length = _transport.PacketLength;
        _firstPacketLength ??= length;
        return length;
    }

    /// <summary>
    /// An answer that says the probe was too big, with an MTU below the probe's size that a link may have and the probes
    /// can shrink to: the transport shrinks (if it is not that small already: probes sent before the first report get
    /// reports too), the probe goes back to be sent again, and the report stays with it. Anything else (no --mtu, a report
    /// no smaller than the probe, an MTU below the minimum link MTU or the probe's headers) is an ordinary answer: the
    /// trace ends there with !F, as without --mtu. Each shrink makes the probes smaller, so this ends.
    /// </summary>
    private bool ShrinkForPathMtu(ProbeSlot slot, ProbeAttempt attempt, ProbeResponse response)
    {
        if (!_options.DiscoverPathMtu || _transport is not IResizableProbeTransport resizable || response.Mtu is not { } reported
            || !IsTooBig(response) || reported >= attempt.PacketLength || reported < MinimumLinkMtu)
        {
            return false;
        }
        int mtu = (int)reported; // below the probe's length, so an int
        if (!ReferenceEquals(slot.Current, attempt) || slot.State == ProbeState.Unsent)
        {
            return true; // a second report about a send already replaced, or about to be, by a smaller one
        }
        if (mtu < _transport.PacketLength && !resizable.TryResize(mtu))
        {
            return false;
        }
        if (slot.PathMtuReport is not { } known || mtu < known.Mtu)
        {
            slot.PathMtuReport = (mtu, response.Kind == TraceReplyKind.LocalError ? null : response.From);
        }
        if (slot.State == ProbeState.InFlight)
        {
            _inFlight--;
        }
        slot.State = ProbeState.Unsent;
        _emit(new TraceProbeTooBig(slot.Ttl, slot.Place, attempt.Number, mtu, response.Kind == TraceReplyKind.LocalError ? null : response.From));
        return true;
    }

    private bool IsTooBig(ProbeResponse response) =>
        (!_v6 && response.Type == 3 && response.Code == 4) || (_v6 && response.Type == 2)
        || (response.Kind == TraceReplyKind.LocalError && response.ErrorNumber == EMsgSize);

    /// <summary>
    /// The first hop reported shows the MTU the probes started from (the interface's), or a smaller one its probes were told
    /// of; a later hop shows a reported MTU smaller than any shown before it, so each MTU appears once, on the lowest hop
    /// whose probes needed it (tracepath's "pmtu N" line, traceroute's F=N).
    /// </summary>
    private TraceHop WithPathMtu(TraceHop hop, int firstSlot)
    {
        if (!_options.DiscoverPathMtu)
        {
            return hop;
        }
        (int Mtu, IPAddress? From)? reported = null;
        for (int i = firstSlot; i < firstSlot + _perHop; i++)
        {
            if (_probes[i].PathMtuReport is { } report && (reported is null || report.Mtu < reported.Value.Mtu))
            {
                reported = report;
            }
        }
        if (_shownPathMtu is null)
        {
            var shown = reported is { } first && first.Mtu < (_firstPacketLength ?? int.MaxValue) ? first : (_firstPacketLength ?? _transport.PacketLength, null);
            _shownPathMtu = shown.Mtu;
            return hop with { PathMtu = shown.Mtu, PathMtuFrom = shown.From };
        }
        if (reported is { } smaller && smaller.Mtu < _shownPathMtu)
        {
            _shownPathMtu = smaller.Mtu;
            return hop with { PathMtu = smaller.Mtu, PathMtuFrom = smaller.From };
        }
        return hop;
    }
}
