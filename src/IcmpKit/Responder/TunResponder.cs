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
            int length = _device.Read(buffer, HeldAnswerClock.WaitMilliseconds(_held, _time));
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
        _held.Enqueue(ipPacket.ToArray(), HeldAnswerClock.Due(_time, delay));
    }

    private void WriteDue()
    {
        // Most runs hold nothing (no delay configured): then there is no clock to read for every packet.
        if (_held.Count == 0)
        {
            return;
        }
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
