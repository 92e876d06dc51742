using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
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
    private readonly Thread _receiver;
    private volatile bool _stopping;

    private SocketIcmpTransport(IcmpSocket socket, ushort firstIdentifier, int count)
        : base(firstIdentifier, count)
    {
        _socket = socket;
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "icmpkit receive" };
        _receiver.Start();
    }

    /// <summary>
    /// Opens a socket for <paramref name="family"/> that serves up to <paramref name="maxOperations"/> operations at
    /// once. On raw sockets they get a block of identifiers at a random place, and a kernel filter passes only that
    /// block's replies.
    /// </summary>
    public static SocketIcmpTransport Open(AddressFamily family, IcmpSocketOptions? options = null, int maxOperations = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOperations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxOperations, 65535);
        var socket = IcmpSocket.Open(family, options);
        try
        {
            ushort first = (ushort)RandomNumberGenerator.GetInt32(1, 65536 - maxOperations + 1);
            socket.AttachIdentifierFilter(first, maxOperations);
            return new SocketIcmpTransport(socket, first, maxOperations);
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
                Deliver(IcmpSocket.Read(batch, i));
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_stopping)
        {
            _stopping = true;
            _socket.Wake();
            _receiver.Join(TimeSpan.FromSeconds(2));
            _socket.Dispose();
        }
        base.Dispose(disposing);
    }
}
