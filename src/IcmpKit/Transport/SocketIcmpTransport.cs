using System.Net;
using System.Net.Sockets;
using IcmpKit.Sockets;
using IcmpKit.Sockets.Native;

namespace IcmpKit.Transport;

/// <summary>
/// The real transport: an <see cref="IcmpSocket"/> and one receive thread that blocks in poll, drains the error
/// queue and the receive queue with recvmmsg in batches, and delivers each packet to its operation.
/// </summary>
public sealed class SocketIcmpTransport : IcmpTransport
{
    private const int BatchSize = 64;

    private readonly IcmpSocket _socket;
    private readonly Thread? _receiver;
    private readonly ReceiveBatch? _pumpBatch;
    private readonly Lock _pumpGate = new();
    private volatile bool _stopping;
    private long _receiverFaults;

    private SocketIcmpTransport(IcmpSocket socket, ushort firstIdentifier, int count, bool pumped)
        : base(firstIdentifier, count)
    {
        _socket = socket;
        if (pumped)
        {
            _pumpBatch = new ReceiveBatch(BatchSize);
            return;
        }
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "icmpkit receive" };
        _receiver.Start();
    }

    /// <summary>True when the owner receives by calling <see cref="Pump"/> instead of a receive thread.</summary>
    public bool IsPumped => _pumpBatch is not null;

    /// <summary>
    /// Pumped transports: waits up to <paramref name="timeoutMilliseconds"/> for packets and delivers what came, on the
    /// calling thread. A flood that sends and receives on one thread trades no wake-ups between threads (iputils
    /// does the same with one packet at a time; here a whole batch per call). Returns the packets delivered, or -1
    /// once disposed.
    /// </summary>
    /// <param name="timeoutMilliseconds">How long to wait when nothing is queued.</param>
    /// <param name="expected">How many packets are due (requests in flight), to take that many without waiting first.</param>
    public int Pump(int timeoutMilliseconds, int expected = 0)
    {
        if (_pumpBatch is null)
        {
            throw new InvalidOperationException("This transport has its own receive thread.");
        }
        // Dispose frees the batch under this lock, so never while a pump is writing or reading it.
        lock (_pumpGate)
        {
            if (_stopping)
            {
                return -1;
            }
            int count = _socket.Receive(_pumpBatch, timeoutMilliseconds, expected);
            for (int i = 0; i < count; i++)
            {
                Deliver(IcmpSocket.Read(_pumpBatch, i));
            }
            return count;
        }
    }

    /// <summary>
    /// Opens a socket for <paramref name="family"/> that serves up to <paramref name="maxOperations"/> operations at
    /// once. On raw sockets they get a block of identifiers at a random place, and a kernel filter passes only that
    /// block's replies.
    /// </summary>
    /// <param name="family">IPv4 or IPv6.</param>
    /// <param name="options">Socket options; null for the defaults.</param>
    /// <param name="maxOperations">Operations at once (raw sockets: identifiers in the filtered block).</param>
    /// <param name="pumped">No receive thread: the owner calls <see cref="Pump"/>.</param>
    public static SocketIcmpTransport Open(AddressFamily family, IcmpSocketOptions? options = null, int maxOperations = 1024, bool pumped = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOperations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxOperations, 65535);
        var socket = IcmpSocket.Open(family, options);
        try
        {
            ushort first = (ushort)(1 + (LinuxSocketApi.RandomUInt64() % (ulong)(65536 - maxOperations)));
            socket.AttachIdentifierFilter(first, maxOperations);
            return new SocketIcmpTransport(socket, first, maxOperations, pumped);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public IcmpSocket Socket => _socket;

    public override IcmpSocketKind Kind => _socket.Kind;

    public override AddressFamily Family => _socket.Family;

    public override ushort? KernelIdentifier => _socket.KernelIdentifier;

    public override string WhyNotDatagram => _socket.WhyNotDatagram;

    public override int Send(ReadOnlySpan<byte> message, IPAddress target, ref long sentAtNanoseconds) =>
        _socket.Send(message, target, ref sentAtNanoseconds);

    public override long RealtimeNanoseconds() => LinuxSocketApi.RealtimeNanoseconds();

    private void ReceiveLoop()
    {
        using var batch = new ReceiveBatch(BatchSize);
        while (!_stopping)
        {
            int count;
            try
            {
                count = _socket.Receive(batch, -1);
            }
            catch (IcmpSocketException)
            {
                return; // the socket is gone
            }
            if (count < 0)
            {
                return;
            }
            for (int i = 0; i < count; i++)
            {
                try
                {
                    Deliver(IcmpSocket.Read(batch, i));
                }
#pragma warning disable CA1031 // An operation's callback that throws must not kill the process from this thread; it is counted.
                catch (Exception)
#pragma warning restore CA1031
                {
                    Interlocked.Increment(ref _receiverFaults);
                }
            }
        }
    }

    /// <summary>Callbacks that threw on the receive thread (they are dropped, and the thread goes on).</summary>
    public long ReceiverFaults => Interlocked.Read(ref _receiverFaults);

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_stopping)
        {
            _stopping = true;
            _socket.Wake();
            _receiver?.Join(TimeSpan.FromSeconds(2));
            lock (_pumpGate)
            {
                _pumpBatch?.Dispose();
            }
            _socket.Dispose();
        }
        base.Dispose(disposing);
    }
}
