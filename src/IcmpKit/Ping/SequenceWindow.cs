namespace IcmpKit.Ping;

/// <summary>What became of a request, by 16-bit sequence number.</summary>
internal enum SequenceState : byte
{
    /// <summary>Not sent by this run (since the sequence last wrapped to it).</summary>
    NotSent,
    Outstanding,
    Answered,
    /// <summary>An ICMP error settled it (no timeout follows; a reply would still count).</summary>
    Failed,
    TimedOut,
}

/// <summary>
/// The fate of every sequence number over the whole 16-bit space (DESIGN §3), so duplicates are recognised however
/// late they come, until the number is sent again after wrapping (iputils keeps a bitmap the same way: rcvd_tbl).
/// Also keeps the send times, so an RTT never depends on what a reply carries.
/// </summary>
internal sealed class SequenceWindow
{
    private readonly SequenceState[] _state = new SequenceState[65536];
    private readonly long[] _sentRealtime = new long[65536];
    private readonly long[] _sentMonotonic = new long[65536];

    /// <summary>Requests that are neither answered, failed nor timed out.</summary>
    public int Outstanding { get; private set; }

    public SequenceState this[ushort sequence] => _state[sequence];

    public long SentRealtime(ushort sequence) => Volatile.Read(ref _sentRealtime[sequence]);

    /// <summary>Where the send time of <paramref name="sequence"/> lives, for the socket to write just before sending.</summary>
    internal ref long SentRealtimeSlot(ushort sequence) => ref _sentRealtime[sequence];

    public long SentMonotonic(ushort sequence) => _sentMonotonic[sequence];

    /// <summary>Records a send; whatever the number meant 65,536 sends ago is forgotten.</summary>
    public void MarkSent(ushort sequence, long realtime, long monotonic)
    {
        if (_state[sequence] == SequenceState.Outstanding)
        {
            Outstanding--; // unanswered for a whole wrap of the space: it is lost
        }
        _state[sequence] = SequenceState.Outstanding;
        _sentRealtime[sequence] = realtime;
        _sentMonotonic[sequence] = monotonic;
        Outstanding++;
    }

    /// <summary>Records a reply: returns the state it found (<see cref="SequenceState.Answered"/> means a duplicate).</summary>
    public SequenceState MarkAnswered(ushort sequence)
    {
        var previous = _state[sequence];
        if (previous == SequenceState.NotSent)
        {
            return previous; // never sent: forged or foreign, and not recorded
        }
        if (previous == SequenceState.Outstanding)
        {
            Outstanding--;
        }
        _state[sequence] = SequenceState.Answered;
        return previous;
    }

    /// <summary>Records an error; returns false when the request was not outstanding (then nothing changes).</summary>
    public bool MarkFailed(ushort sequence)
    {
        if (_state[sequence] != SequenceState.Outstanding)
        {
            return false;
        }
        Outstanding--;
        _state[sequence] = SequenceState.Failed;
        return true;
    }

    /// <summary>Records a timeout; returns false when the request was settled meanwhile.</summary>
    public bool MarkTimedOut(ushort sequence)
    {
        if (_state[sequence] != SequenceState.Outstanding)
        {
            return false;
        }
        Outstanding--;
        _state[sequence] = SequenceState.TimedOut;
        return true;
    }
}
