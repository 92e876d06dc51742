namespace IcmpKit.Trace;

/// <summary>Where one probe of the trace stands.</summary>
internal enum ProbeState
{
    /// <summary>Not sent yet (or, after a first silence, waiting to be sent again).</summary>
    Unsent,

    /// <summary>Sent, its wait still running.</summary>
    InFlight,

    /// <summary>Its wait ran out; whether it is lost or sent again is not decided yet (and an answer the kernel took in time may still be read).</summary>
    Overdue,

    Answered,

    /// <summary>No answer, for good.</summary>
    Lost,

    /// <summary>Beyond the hop that ended the trace: never reported.</summary>
    Abandoned,
}

/// <summary>One send of a probe: the flow key it carried and when it left.</summary>
internal sealed class ProbeAttempt(int probe, int number, ushort key, long ordinal, long sentTimestamp, long sentRealtime)
{
    public int Probe { get; } = probe;

    /// <summary>Which send of the trace this was (0, 1, …).</summary>
    public long Ordinal { get; } = ordinal;

    /// <summary>1; 2 when the probe is sent again (at once, or as a recheck); 3 when it is paced.</summary>
    public int Number { get; } = number;

    public ushort Key { get; } = key;

    /// <summary><see cref="TimeProvider.GetTimestamp"/> just before the send.</summary>
    public long SentTimestamp { get; } = sentTimestamp;

    /// <summary>CLOCK_REALTIME ns written by the transport just before the system call.</summary>
    public long SentRealtime { get; } = sentRealtime;

    /// <summary>Set when its wait ran out: the wait it was given, so that an answer the kernel received within it still counts.</summary>
    public TimeSpan? AllowedWait { get; set; }

    /// <summary>The bytes it was sent with, IP header included (--mtu compares a reported MTU with it).</summary>
    public int PacketLength { get; init; }

    /// <summary>A recheck of a silent tail (see TraceRun's rechecks): the first send, still waiting; else null.</summary>
    public ProbeAttempt? Earlier { get; init; }

    /// <summary>When the probe's wait started: a recheck shares the wait of the send it checks, so silence costs one wait.</summary>
    public long WaitStart => Earlier?.WaitStart ?? SentTimestamp;
}

/// <summary>One probe: hop and place, state, the current attempt, the answer.</summary>
internal sealed class ProbeSlot(int index, int ttl, int place)
{
    public int Index { get; } = index;

    public int Ttl { get; } = ttl;

    /// <summary>0-based place within its hop.</summary>
    public int Place { get; } = place;

    public ProbeState State { get; set; }

    public ProbeAttempt? Current { get; set; }

    public int Attempts => Current?.Number ?? 0;

    public TraceReply? Reply { get; set; }

    /// <summary>While overdue: the sends of the trace so far when its wait ran out (those may still show that the path goes on).</summary>
    public long SendsBeforeOverdue { get; set; }

    /// <summary>--mtu: the smallest MTU a router (or this host) reported for this probe, and who did.</summary>
    public (int Mtu, System.Net.IPAddress? From)? PathMtuReport { get; set; }

    /// <summary>Pacing: not to be sent before this timestamp (0: any time), so that a rate-limited hop has a token for it.</summary>
    public long NotBefore { get; set; }
}
