using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using IcmpKit.Sockets;
using IcmpKit.Transport;
using IcmpKit.Wire.Checksum;

namespace IcmpKit.Client;

/// <summary>
/// One ping, the common case: the replacement for System.Net.NetworkInformation.Ping (docs/migrating-from-ping.md).
/// Unlike Ping on Linux it never starts a process, needs no privilege where net.ipv4.ping_group_range allows, gives
/// the kernel's receive time rather than whole milliseconds, and reports which router sent an error and why.
/// Concurrent calls share one socket per address family and are told apart by a per-call cookie.
/// </summary>
public static class IcmpClient
{
    /// <summary>Raw sockets: identifiers in the shared block, so calls in flight at once. Datagram sockets have no limit.</summary>
    private const int SharedOperations = 4096;

    private static readonly Lock Gate = new();
    private static SocketIcmpTransport? _sharedV4;
    private static SocketIcmpTransport? _sharedV6;

    /// <summary>
    /// Sends one echo request and waits up to <paramref name="timeout"/> for the reply or an ICMP error about it.
    /// Throws <see cref="IcmpSocketException"/> (one line saying what to do) when no ICMP socket can be opened.
    /// </summary>
    public static async Task<IcmpPingResult> PingAsync(IPAddress address, TimeSpan timeout, IcmpPingOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        options ??= new IcmpPingOptions();
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentOutOfRangeException.ThrowIfNegative(options.PayloadSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.PayloadSize, address.AddressFamily == AddressFamily.InterNetworkV6 ? 65527 : 65507);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        SocketIcmpTransport? own = options.NeedsOwnSocket ? SocketIcmpTransport.Open(address.AddressFamily, options.ToSocketOptions(), maxOperations: 1) : null;
        try
        {
            var transport = own ?? Shared(address.AddressFamily);
            var echo = new SingleEcho(address);
            using var registration = transport.Register(echo);
            byte[] request = echo.Build(registration, options.PayloadSize);
            echo.SentMonotonic = System.Diagnostics.Stopwatch.GetTimestamp();
            int errno = transport.Send(request, address, ref echo.SentAtNanoseconds);
            if (errno != 0 && errno != Sockets.Native.Errno.MessageTooLong)
            {
                return new IcmpPingResult { Status = IcmpPingStatus.SendFailed, ErrorNumber = errno };
            }
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(timeout);
            try
            {
                return await echo.Result.WaitAsync(timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new IcmpPingResult { Status = IcmpPingStatus.TimedOut };
            }
        }
        finally
        {
            own?.Dispose();
        }
    }

    /// <summary>Resolves <paramref name="hostNameOrAddress"/> (IPv4 first) and pings it.</summary>
    public static async Task<IcmpPingResult> PingAsync(string hostNameOrAddress, TimeSpan timeout, IcmpPingOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostNameOrAddress);
        if (!IPAddress.TryParse(hostNameOrAddress, out var address))
        {
            var addresses = await Dns.GetHostAddressesAsync(hostNameOrAddress, cancellationToken).ConfigureAwait(false);
            address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
                ?? throw new ArgumentException($"{hostNameOrAddress} has no address", nameof(hostNameOrAddress));
        }
        return await PingAsync(address, timeout, options, cancellationToken).ConfigureAwait(false);
    }

    private static SocketIcmpTransport Shared(AddressFamily family)
    {
        lock (Gate)
        {
            ref var slot = ref family == AddressFamily.InterNetworkV6 ? ref _sharedV6 : ref _sharedV4;
            // Kept for the life of the process: its receive thread is a background thread.
            return slot ??= SocketIcmpTransport.Open(family, new IcmpSocketOptions { SendBufferBytes = 1 << 20, ReceiveBufferBytes = 1 << 20 }, SharedOperations);
        }
    }

    /// <summary>One request in flight: completes with its reply or its error.</summary>
    private sealed class SingleEcho(IPAddress target) : IIcmpReceiver
    {
        private readonly byte[] _targetBytes = target.GetAddressBytes();
        private readonly TaskCompletionSource<IcmpPingResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly bool _v6 = target.AddressFamily == AddressFamily.InterNetworkV6;
        private ulong _cookie;
        private int _cookieLength;

        public long SentAtNanoseconds;

        public long SentMonotonic;

        /// <summary>The kernel's receive time against the send time, checked against the monotonic clock (a stepped wall clock).</summary>
        private TimeSpan RoundTrip(long receivedRealtime) =>
            RoundTripClock.Measure(receivedRealtime, Volatile.Read(ref SentAtNanoseconds),
                System.Diagnostics.Stopwatch.GetElapsedTime(Volatile.Read(ref SentMonotonic))).Rtt;

        public Task<IcmpPingResult> Result => _result.Task;

        public byte[] Build(IcmpRegistration registration, int payloadSize)
        {
            _cookie = registration.Cookie;
            _cookieLength = Math.Min(8, payloadSize);
            byte[] message = new byte[8 + payloadSize];
            message[0] = _v6 ? (byte)128 : (byte)8;
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), registration.Identifier);
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), 1);
            Span<byte> cookie = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(cookie, _cookie);
            for (int i = 0; i < payloadSize; i++)
            {
                message[8 + i] = i < 8 ? cookie[i] : (byte)i;
            }
            if (!_v6)
            {
                BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), InternetChecksum.Compute(message));
            }
            return message;
        }

        public void OnReply(in InboundReply reply)
        {
            if (reply.Type != (_v6 ? 129 : 0) || reply.SequenceNumber != 1 || !reply.IsChecksumValid || !CookieMatches(reply.Body))
            {
                return;
            }
            _result.TrySetResult(new IcmpPingResult
            {
                Status = IcmpPingStatus.Success,
                Address = new IPAddress(reply.SourceAddress),
                RoundTripTime = RoundTrip(reply.ReceivedAtNanoseconds),
                TimeToLive = reply.TimeToLive >= 0 ? reply.TimeToLive : null,
                IcmpType = reply.Type,
                IcmpCode = reply.Code,
                Buffer = reply.Body.ToArray(),
            });
        }

        public void OnError(in InboundError icmpError)
        {
            if (icmpError.HasQuote && (icmpError.QuotedSequenceNumber != 1
                || (!icmpError.QuotedDestination.IsEmpty && !icmpError.QuotedDestination.SequenceEqual(_targetBytes))
                || (icmpError.QuotedBody.Length >= _cookieLength && !CookieMatches(icmpError.QuotedBody))))
            {
                return;
            }
            var status = icmpError.IsLocal ? (icmpError.Mtu is not null ? IcmpPingStatus.PacketTooBig : IcmpPingStatus.SendFailed)
                : (_v6, icmpError.Type, icmpError.Code) switch
                {
                    (false, 11, _) or (true, 3, _) => IcmpPingStatus.TimeExceeded,
                    (false, 3, 4) or (true, 2, _) => IcmpPingStatus.PacketTooBig,
                    (false, 3, _) or (true, 1, _) => IcmpPingStatus.DestinationUnreachable,
                    (false, 12, _) or (true, 4, _) => IcmpPingStatus.ParameterProblem,
                    _ => IcmpPingStatus.OtherIcmpError,
                };
            _result.TrySetResult(new IcmpPingResult
            {
                Status = status,
                Address = icmpError.OffenderAddress.IsEmpty ? null : new IPAddress(icmpError.OffenderAddress),
                RoundTripTime = RoundTrip(icmpError.ReceivedAtNanoseconds),
                IcmpType = icmpError.IsLocal ? null : icmpError.Type,
                IcmpCode = icmpError.IsLocal ? null : icmpError.Code,
                Mtu = icmpError.Mtu,
                ErrorNumber = icmpError.ErrorNumber,
            });
        }

        /// <summary>The data starts with the cookie, as far as the data goes (a private socket serves data under 8 bytes).</summary>
        private bool CookieMatches(ReadOnlySpan<byte> body)
        {
            Span<byte> cookie = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(cookie, _cookie);
            return body.Length >= _cookieLength && body[.._cookieLength].SequenceEqual(cookie[.._cookieLength]);
        }
    }
}
