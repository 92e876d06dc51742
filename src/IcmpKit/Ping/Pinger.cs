using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using IcmpKit.Sockets;
using IcmpKit.Transport;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;

namespace IcmpKit.Ping;

/// <summary>
/// Sends requests to one target and reports replies, timeouts and ICMP errors as they happen (DESIGN §4).
/// The RTT is this process's send time against the kernel's receive timestamp; the echoed data is only compared,
/// never trusted: the cookie says whose reply it is, a forged timestamp cannot stretch an RTT or a wait.
/// </summary>
public sealed partial class Pinger : IDisposable, IIcmpReceiver
{
    private const long NanosecondsPerMillisecond = 1_000_000;

    private readonly IcmpTransport _transport;
    private readonly bool _ownsTransport;
    private readonly IcmpRegistration _registration;
    private readonly IPAddress _target;
    private readonly byte[] _targetBytes;
    private readonly PingOptions _options;
    private readonly TimeProvider _time;
    private readonly EchoPayload _payload;
    private readonly bool _v6;
    private readonly SequenceWindow _window = new();
    private readonly long[] _payloadStamp = new long[65536];
    private readonly Queue<ushort> _sendOrder = new();
    private readonly Queue<ushort> _awaitingLocalError = new();
    private readonly Queue<(int Errno, long? Mtu)> _unclaimedLocalErrors = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _progress = new(0, int.MaxValue);
    private readonly Lock _emitGate = new();
    private SocketIcmpTransport? _pump;
    private Action<PingEvent>? _sink;
    private bool _finished;
    private long _transmitted;
    private long _received;
    private long _errors;
    private long _settled;
    private long _ewmaTimes8Microseconds;

    /// <summary>Opens a transport of its own for <paramref name="target"/> (throws <see cref="IcmpSocketException"/>).</summary>
    public Pinger(IPAddress target, PingOptions options, TimeProvider? time = null)
        : this(target, options, OpenTransport(target, options), ownsTransport: true, time)
    {
    }

    /// <summary>Runs on a given transport (shared with other operations, or a fake in tests).</summary>
    public Pinger(IPAddress target, PingOptions options, IcmpTransport transport, bool ownsTransport = false, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(transport);
        Validate(target, options);
        if (transport.Family != target.AddressFamily)
        {
            throw new ArgumentException($"the transport is {transport.Family}, the target {target} is not", nameof(transport));
        }
        _target = target;
        _targetBytes = target.GetAddressBytes();
        _v6 = target.AddressFamily == AddressFamily.InterNetworkV6;
        _options = options;
        _time = time ?? TimeProvider.System;
        _transport = transport;
        _ownsTransport = ownsTransport;
        try
        {
            _registration = transport.Register(this);
        }
        catch
        {
            if (ownsTransport)
            {
                transport.Dispose();
            }
            throw;
        }
        _payload = new EchoPayload(options.RequestType == PingRequestType.Echo ? options.PayloadSize : 0, _registration.Cookie, options.Pattern.Span);
        // Compile the request builder now: the first request's originate time (RFC 792) is stamped just before it runs.
        BuildRequest(new byte[8 + RequestBodyLength()], 0, _transport.RealtimeNanoseconds());
    }

    public IcmpSocketKind SocketKind => _transport.Kind;

    public string WhyNotDatagram => _transport.WhyNotDatagram;

    /// <summary>The identifier on the wire (the kernel's, on datagram sockets).</summary>
    public ushort Identifier => _transport.KernelIdentifier ?? _registration.Identifier;

    public IcmpTransport Transport => _transport;

    /// <summary>Requests sent so far, failed sends included (as iputils counts them).</summary>
    public long Transmitted => Interlocked.Read(ref _transmitted);

    /// <summary>Distinct requests answered so far.</summary>
    public long Received => Interlocked.Read(ref _received);

    public long Errors => Interlocked.Read(ref _errors);

    private static SocketIcmpTransport OpenTransport(IPAddress target, PingOptions options)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        Validate(target, options); // before a socket exists: a refused option must not leave one open
        var socket = options.Socket;
        if (options.RequestType != PingRequestType.Echo && socket.Kind is null)
        {
            socket = socket with { Kind = IcmpSocketKind.Raw }; // datagram ICMP sockets send only echo requests
        }
        // One operation: a one-identifier kernel filter, and local errors (which carry no request) come here.
        // Its own socket: the run sends and receives on one thread (see WaitAsync).
        try
        {
            return SocketIcmpTransport.Open(target.AddressFamily, socket, maxOperations: 1, pumped: true);
        }
        catch (IcmpSocketException) when (options.RequestType != PingRequestType.Echo && options.Socket.Kind is null)
        {
            throw new IcmpSocketException(
                $"{options.RequestType} requests need a raw ICMP socket (datagram sockets send only echo); run as root or grant cap_net_raw (setcap cap_net_raw+ep)");
        }
    }

    private static void Validate(IPAddress target, PingOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.PayloadSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.PayloadSize, target.AddressFamily == AddressFamily.InterNetworkV6 ? 65527 : 65507);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Preload, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FloodWindow, 1);
        if (options.Count is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Count, "Count is 1 or more.");
        }
        if (options.RequestType != PingRequestType.Echo && target.AddressFamily == AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException($"{options.RequestType} requests exist only in ICMPv4", nameof(options));
        }
        if (options.RequestType != PingRequestType.Echo && options.Socket.Kind == IcmpSocketKind.Datagram)
        {
            throw new IcmpSocketException($"a datagram ICMP socket sends only echo requests; {options.RequestType} needs a raw socket (root or cap_net_raw)");
        }
    }

    /// <summary>
    /// Runs the pings: yields each event as it happens and ends when the count is reached and the last replies are in
    /// (or the wait after the last request ran out), at the deadline, or when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public IAsyncEnumerable<PingEvent> RunAsync(CancellationToken cancellationToken = default) =>
        EventStream.Read<PingEvent>(RunAsync, cancellationToken);

    /// <summary>
    /// Runs the pings and hands each event to <paramref name="onEvent"/> as it happens, one at a time, on the engine's
    /// own threads (so it must be quick and must not block). This is the cheapest way to consume a flood: nothing
    /// is queued and no thread is woken per event. Ends as <see cref="RunAsync(CancellationToken)"/> does;
    /// cancellation ends the run normally (the caller prints its summary).
    /// </summary>
    public async Task RunAsync(Action<PingEvent> onEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        if (Interlocked.CompareExchange(ref _sink, onEvent, null) is not null)
        {
            throw new InvalidOperationException("A Pinger runs once.");
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var deadline = _options.Deadline is { } limit ? new CancellationTokenSource(limit, _time) : null;
        using var registration = deadline?.Token.Register(stop.Cancel);
        try
        {
            if (_transport is SocketIcmpTransport { IsPumped: true } pumped)
            {
                // One dedicated thread sends and receives; its waits complete synchronously (see WaitAsync).
                _pump = pumped;
                await Task.Factory.StartNew(() => SendLoopAsync(stop.Token).GetAwaiter().GetResult(), stop.Token,
                    TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            }
            else
            {
                await Task.Run(() => SendLoopAsync(stop.Token), CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or the deadline: the caller prints the summary from what it has seen.
        }
        lock (_emitGate)
        {
            _finished = true; // a reply read after this point is not reported
        }
    }

    /// <summary>Events go out one at a time, in the order they happen, whichever thread they happen on.</summary>
    private void Emit(PingEvent item)
    {
        lock (_emitGate)
        {
            if (!_finished)
            {
                _sink?.Invoke(item);
            }
        }
    }

    /// <summary>
    /// Ends the run if one is going (no event is reported after this returns) and releases the socket when this pinger
    /// opened it. The progress semaphore is left to the collector: a callback in flight may still signal it.
    /// </summary>
    public void Dispose()
    {
        lock (_emitGate)
        {
            _finished = true;
        }
        _registration.Dispose();
        if (_ownsTransport)
        {
            _transport.Dispose();
        }
    }
}
