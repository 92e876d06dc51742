using IcmpKit.Sockets;

namespace IcmpKit.Responder;

/// <summary>
/// The TUN adapter of the responder: reads each packet the kernel routes into the device, lets the core answer, and
/// writes the answers back into the device, holding delayed ones until they are due. One thread does all of it, so
/// the core is only ever called from one thread.
/// </summary>
public sealed class TunResponder : IResponderSink
{
    private readonly TunDevice _device;
    private readonly ResponderCore _core;
    private readonly TimeProvider _time;
    private readonly PriorityQueue<byte[], long> _held = new();
    private long _writeFailures;

    public TunResponder(TunDevice device, ResponderCore core, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(core);
        _device = device;
        _core = core;
        _time = time ?? TimeProvider.System;
    }

    public ResponderCounters Counters => _core.Counters;

    /// <summary>Answers the kernel refused to take back (e.g. the device went down).</summary>
    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    /// <summary>Answers until <paramref name="cancellationToken"/> fires or the device is disposed.</summary>
    public void Run(CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[65536];
        while (!cancellationToken.IsCancellationRequested)
        {
            int length = _device.Read(buffer, WaitMilliseconds());
            if (length < 0)
            {
                return;
            }
            if (length > 0)
            {
                _core.Process(buffer.AsSpan(0, length), this);
            }
            WriteDue();
        }
    }

    void IResponderSink.Emit(ReadOnlySpan<byte> ipPacket, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Write(ipPacket);
            return;
        }
        long due = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
        _held.Enqueue(ipPacket.ToArray(), due);
    }

    /// <summary>
    /// How long to wait for the next packet: until the next held answer is due, at most 100 ms. poll waits in whole
    /// milliseconds and wakes late, so the last 2 ms are not waited in poll but checked without waiting, round after
    /// round: an answer leaves within a few µs of its due time (issue 4: delay within 1 ms).
    /// </summary>
    private int WaitMilliseconds()
    {
        if (!_held.TryPeek(out _, out long due))
        {
            return 100;
        }
        double left = (due - _time.GetTimestamp()) * 1000.0 / _time.TimestampFrequency;
        return left <= 2 ? 0 : (int)Math.Min(100, Math.Floor(left - 1));
    }

    private void WriteDue()
    {
        long now = _time.GetTimestamp();
        while (_held.TryPeek(out var packet, out long due) && due <= now)
        {
            _held.Dequeue();
            Write(packet);
        }
    }

    private void Write(ReadOnlySpan<byte> packet)
    {
        if (_device.Write(packet) != 0)
        {
            Interlocked.Increment(ref _writeFailures);
        }
    }
}
