using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using IcmpKit.Sockets;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.Quoting;

namespace IcmpKit.Transport;

/// <summary>
/// One ICMP socket (or a stand-in) shared by many concurrent operations (DESIGN §3): it parses what arrives once
/// and routes it by identifier (raw sockets, where each operation owns one) or by the 8-byte payload cookie
/// (datagram sockets, where the kernel gives the whole socket one identifier). Subclasses supply sending and feed
/// received packets to <see cref="Deliver"/>; the parsing and routing here is the same for the real socket and
/// the fakes of the unit tests.
/// </summary>
public abstract class IcmpTransport : IDisposable
{
    /// <summary>Bytes of cookie at the start of every request's data; operations with less data get a socket of their own.</summary>
    public const int CookieLength = 8;

    private readonly IIcmpReceiver?[] _byIdentifier;
    private readonly ConcurrentDictionary<ulong, IIcmpReceiver> _byCookie = new();
    private readonly Lock _gate = new();
    private int _nextIdentifier;
    private long _received;
    private long _malformed;
    private long _unmatched;

    /// <param name="firstIdentifier">Raw sockets: the first identifier of this transport's block.</param>
    /// <param name="identifierCount">How many operations may run at once (raw: identifiers in the block).</param>
    protected IcmpTransport(ushort firstIdentifier, int identifierCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(identifierCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstIdentifier + identifierCount, 65536);
        FirstIdentifier = firstIdentifier;
        _byIdentifier = new IIcmpReceiver?[identifierCount];
    }

    public abstract IcmpSocketKind Kind { get; }

    public abstract AddressFamily Family { get; }

    /// <summary>Datagram sockets: the identifier the kernel put on every request. Raw: null.</summary>
    public abstract ushort? KernelIdentifier { get; }

    /// <summary>Why a datagram socket was not used, when a raw one was opened instead.</summary>
    public virtual string WhyNotDatagram => "";

    public ushort FirstIdentifier { get; }

    public int IdentifierCount => _byIdentifier.Length;

    /// <summary>Packets read from the socket, including the error queue.</summary>
    public long PacketsReceived => Interlocked.Read(ref _received);

    /// <summary>Packets that did not parse (bad lengths, truncated, bad checksum on an error).</summary>
    public long PacketsMalformed => Interlocked.Read(ref _malformed);

    /// <summary>Well-formed packets that belonged to no running operation.</summary>
    public long PacketsUnmatched => Interlocked.Read(ref _unmatched);

    /// <summary>
    /// Sends one ICMP message; returns 0 or an errno. Writes CLOCK_REALTIME to <paramref name="sentAtNanoseconds"/>
    /// just before the system call (so a reply read on another thread already finds it there).
    /// </summary>
    public abstract int Send(ReadOnlySpan<byte> message, IPAddress target, ref long sentAtNanoseconds);

    /// <summary>Now, in the clock of <see cref="InboundReply.ReceivedAtNanoseconds"/>.</summary>
    public abstract long RealtimeNanoseconds();

    /// <summary>
    /// Registers an operation. It gets an identifier of its own on raw sockets, or the kernel's on datagram sockets,
    /// and a fresh random cookie to put at the start of each request's data. Throws when the block is full.
    /// </summary>
    public IcmpRegistration Register(IIcmpReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        lock (_gate)
        {
            ulong cookie;
            do
            {
                cookie = Sockets.Native.LinuxSocketApi.RandomUInt64();
            }
            while (cookie == 0 || !_byCookie.TryAdd(cookie, receiver));
            if (KernelIdentifier is { } shared && _byIdentifier.Length > 1)
            {
                // A shared datagram socket routes by cookie alone: no slot, so no limit on operations at once.
                return new IcmpRegistration(this, shared, slot: -1, cookie);
            }
            for (int tried = 0; tried < _byIdentifier.Length; tried++)
            {
                int slot = (_nextIdentifier + tried) % _byIdentifier.Length;
                if (_byIdentifier[slot] is null)
                {
                    _byIdentifier[slot] = receiver;
                    _nextIdentifier = slot + 1;
                    ushort identifier = KernelIdentifier ?? (ushort)(FirstIdentifier + slot);
                    return new IcmpRegistration(this, identifier, slot, cookie);
                }
            }
            _byCookie.TryRemove(cookie, out _);
            throw new InvalidOperationException($"all {_byIdentifier.Length} operation slots of this ICMP transport are in use");
        }
    }

    internal void Unregister(IcmpRegistration registration)
    {
        lock (_gate)
        {
            if (registration.Slot >= 0)
            {
                _byIdentifier[registration.Slot] = null;
            }
            _byCookie.TryRemove(registration.Cookie, out _);
        }
    }

    /// <summary>Parses one received packet and hands it to the operation it belongs to, if any.</summary>
    protected void Deliver(in ReceivedPacket packet)
    {
        Interlocked.Increment(ref _received);
        bool delivered = packet.FromErrorQueue ? DeliverQueuedError(packet)
            : Family == AddressFamily.InterNetworkV6 ? DeliverV6(packet)
            : DeliverV4(packet);
        if (!delivered)
        {
            Interlocked.Increment(ref _unmatched);
        }
    }

    private bool DeliverV4(in ReceivedPacket packet)
    {
        var icmp = packet.Data;
        var source = packet.SourceAddress;
        int ttl = packet.TimeToLive;
        int tos = packet.TrafficClass;
        var options = packet.IPv4Options;
        if (Kind == IcmpSocketKind.Raw)
        {
            if (!IPv4Packet.TryRead(packet.Data, out var ip, out _) || ip.Protocol != 1 || ip.IsNonInitialFragment)
            {
                return Malformed();
            }
            icmp = ip.Payload;
            source = ip.SourceAddressBytes;
            ttl = ip.TimeToLive;
            tos = ip.TypeOfService;
            options = ip.Options;
        }
        if (!IcmpV4Packet.TryRead(icmp, out var message, out _))
        {
            return Malformed();
        }
        var type = message.Type;
        if (type is IcmpV4Type.EchoReply or IcmpV4Type.TimestampReply or IcmpV4Type.InformationReply
            or IcmpV4Type.AddressMaskReply or IcmpV4Type.ExtendedEchoReply)
        {
            // Datagram sockets: the kernel verified the checksum before delivering (ping_rcv drops bad ones).
            var arrival = new Arrival(icmp, source, ttl, tos, options, Kind == IcmpSocketKind.Datagram || message.IsChecksumValid);
            return DeliverReply(packet, arrival, (byte)type, message.Code, message.Identifier, message.SequenceNumber, message.Body,
                type == IcmpV4Type.EchoReply);
        }
        if (!message.IsError || !message.IsChecksumValid
            || !QuotedProbe.TryRead(message.Body, out var probe, out _) || probe.Protocol != 1
            || probe.IcmpType is not ((byte)IcmpV4Type.EchoRequest or (byte)IcmpV4Type.TimestampRequest or (byte)IcmpV4Type.InformationRequest
                or (byte)IcmpV4Type.AddressMaskRequest or (byte)IcmpV4Type.ExtendedEchoRequest))
        {
            return message.IsError && !message.IsChecksumValid ? Malformed() : false;
        }
        long? mtu = type == IcmpV4Type.DestinationUnreachable && message.Code == 4 ? message.NextHopMtu : null;
        return DeliverError(packet, icmp, source, (byte)type, message.Code, mtu, probe, probe.IcmpType == (byte)IcmpV4Type.EchoRequest);
    }

    private bool DeliverV6(in ReceivedPacket packet)
    {
        var icmp = packet.Data;
        if (!IcmpV6Packet.TryRead(icmp, out var message, out _))
        {
            return Malformed();
        }
        var type = message.Type;
        if (type is IcmpV6Type.EchoReply or IcmpV6Type.ExtendedEchoReply)
        {
            // The kernel verifies ICMPv6 checksums on every socket (RFC 3542 §3.1).
            var arrival = new Arrival(icmp, packet.SourceAddress, packet.TimeToLive, packet.TrafficClass, [], checksumValid: true);
            return DeliverReply(packet, arrival, (byte)type, message.Code, message.Identifier, message.SequenceNumber, message.Body,
                type == IcmpV6Type.EchoReply);
        }
        if (!IcmpV6Message.IsErrorType(type)
            || !QuotedProbe.TryRead(message.Body, out var probe, out _) || probe.Protocol != 58
            || probe.IcmpType is not ((byte)IcmpV6Type.EchoRequest or (byte)IcmpV6Type.ExtendedEchoRequest))
        {
            return false;
        }
        long? mtu = type == IcmpV6Type.PacketTooBig ? message.Mtu : null; // RFC 4443 §3.2: 32 bits, shown whole
        return DeliverError(packet, icmp, packet.SourceAddress, (byte)type, message.Code, mtu, probe, probe.IcmpType == (byte)IcmpV6Type.EchoRequest);
    }

    /// <summary>What the IP layer said about a reply: where from, its TTL/TOS/options, whether its checksum held.</summary>
    private readonly ref struct Arrival(ReadOnlySpan<byte> icmp, ReadOnlySpan<byte> source, int ttl, int trafficClass, ReadOnlySpan<byte> options, bool checksumValid)
    {
        public ReadOnlySpan<byte> Icmp { get; } = icmp;
        public ReadOnlySpan<byte> Source { get; } = source;
        public int TimeToLive { get; } = ttl;
        public int TrafficClass { get; } = trafficClass;
        public ReadOnlySpan<byte> Options { get; } = options;
        public bool IsChecksumValid { get; } = checksumValid;
    }

    /// <summary>Routes a reply (by identifier, or by the cookie at the start of an echo's data) and hands it over.</summary>
    private bool DeliverReply(in ReceivedPacket packet, in Arrival arrival, byte type, byte code, ushort identifier, ushort sequence,
        ReadOnlySpan<byte> body, bool echo)
    {
        var receiver = Route(identifier, echo ? body : []);
        if (receiver is null)
        {
            return false;
        }
        receiver.OnReply(new InboundReply
        {
            Type = type,
            Code = code,
            Identifier = identifier,
            SequenceNumber = sequence,
            Body = body,
            IcmpLength = arrival.Icmp.Length,
            IsChecksumValid = arrival.IsChecksumValid,
            SourceAddress = arrival.Source,
            TimeToLive = arrival.TimeToLive,
            TrafficClass = arrival.TrafficClass,
            IPv4Options = arrival.Options,
            ReceivedAtNanoseconds = ReceivedAt(packet),
            IsKernelTimestamp = packet.KernelTimestampNanoseconds != 0,
        });
        return true;
    }

    /// <summary>Routes an ICMP error by the request it quotes and hands it over.</summary>
    private bool DeliverError(in ReceivedPacket packet, ReadOnlySpan<byte> icmp, ReadOnlySpan<byte> offender, byte type, byte code, long? mtu,
        in QuotedProbe probe, bool quotedEcho)
    {
        var quotedBody = probe.Transport.Length > 8 ? probe.Transport[8..] : [];
        var owner = Route(probe.IcmpIdentifier, quotedEcho ? quotedBody : []);
        if (owner is null)
        {
            return false;
        }
        owner.OnError(new InboundError
        {
            Type = type,
            Code = code,
            OffenderAddress = offender,
            Mtu = mtu,
            HasQuote = true,
            QuotedIdentifier = probe.IcmpIdentifier,
            QuotedSequenceNumber = probe.IcmpSequenceNumber,
            QuotedBody = quotedBody,
            QuotedDestination = probe.DestinationAddress,
            Message = icmp,
            ReceivedAtNanoseconds = ReceivedAt(packet),
        });
        return true;
    }

    /// <summary>The kernel's receive timestamp, or now when the socket gave none.</summary>
    private long ReceivedAt(in ReceivedPacket packet) =>
        packet.KernelTimestampNanoseconds != 0 ? packet.KernelTimestampNanoseconds : RealtimeNanoseconds();

    /// <summary>
    /// Datagram sockets learn of errors from the error queue (IP_RECVERR): the data is the request we sent, with the
    /// kernel's identifier, and the control message says who complained and what (ee_type, ee_code, ee_info).
    /// </summary>
    private bool DeliverQueuedError(in ReceivedPacket packet)
    {
        if (!packet.HasErrorReport)
        {
            return Malformed();
        }
        bool local = packet.ErrorOrigin == ErrorOrigin.Local;
        if (Kind == IcmpSocketKind.Raw && !local)
        {
            return true; // the raw socket receives this ICMP error as a packet too; that copy is the one reported
        }
        if (packet.Data.Length < 8)
        {
            // ip_local_error() queues no data, only the destination: nothing tells which request failed, so only a
            // transport with a single operation can hand it on (the operation knows which send failed).
            var sole = _byIdentifier.Length == 1 ? Volatile.Read(ref _byIdentifier[0]) : null;
            if (!local || sole is null)
            {
                return false;
            }
            sole.OnError(new InboundError
            {
                IsLocal = true,
                ErrorNumber = packet.ErrorNumber,
                Mtu = packet.ErrorNumber == Sockets.Native.Errno.MessageTooLong ? packet.ErrorInfo : null,
                QuotedDestination = packet.SourceAddress,
                ReceivedAtNanoseconds = ReceivedAt(packet),
            });
            return true;
        }
        var request = packet.Data;
        ushort identifier = BinaryPrimitives.ReadUInt16BigEndian(request[4..]);
        var body = request[8..];
        bool echo = request[0] is (byte)IcmpV4Type.EchoRequest or (byte)IcmpV6Type.EchoRequest;
        var owner = Route(identifier, echo ? body : []);
        if (owner is null)
        {
            return false;
        }
        bool mtuError = local
            ? packet.ErrorNumber == Sockets.Native.Errno.MessageTooLong // ee_info is the MTU the packet exceeded
            : (packet.ErrorOrigin == ErrorOrigin.IcmpV4 && packet.ErrorType == 3 && packet.ErrorCode == 4)
              || (packet.ErrorOrigin == ErrorOrigin.IcmpV6 && packet.ErrorType == 2);
        owner.OnError(new InboundError
        {
            Type = packet.ErrorType,
            Code = packet.ErrorCode,
            OffenderAddress = packet.OffenderAddress,
            Mtu = mtuError ? packet.ErrorInfo : null,
            ErrorNumber = packet.ErrorNumber,
            IsLocal = local,
            HasQuote = true,
            QuotedIdentifier = identifier,
            QuotedSequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(request[6..]),
            QuotedBody = body,
            QuotedDestination = packet.SourceAddress,
            ReceivedAtNanoseconds = ReceivedAt(packet),
        });
        return true;
    }

    /// <summary>Raw sockets: by identifier. Datagram sockets: by cookie, or the only operation when there is one.</summary>
    private IIcmpReceiver? Route(ushort identifier, ReadOnlySpan<byte> body)
    {
        if (KernelIdentifier is null)
        {
            int slot = identifier - FirstIdentifier;
            return (uint)slot < (uint)_byIdentifier.Length ? Volatile.Read(ref _byIdentifier[slot]) : null;
        }
        if (body.Length >= CookieLength && _byCookie.TryGetValue(BinaryPrimitives.ReadUInt64BigEndian(body), out var byCookie))
        {
            return byCookie;
        }
        if (_byIdentifier.Length == 1)
        {
            return Volatile.Read(ref _byIdentifier[0]); // a private socket: everything on it is this operation's
        }
        return null;
    }

    private bool Malformed()
    {
        Interlocked.Increment(ref _malformed);
        return true; // counted here, not as unmatched
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>An operation's place on a transport: its identifier and cookie. Dispose to leave.</summary>
public sealed class IcmpRegistration : IDisposable
{
    private readonly IcmpTransport _transport;
    private int _disposed;

    internal IcmpRegistration(IcmpTransport transport, ushort identifier, int slot, ulong cookie)
    {
        _transport = transport;
        Identifier = identifier;
        Slot = slot;
        Cookie = cookie;
    }

    /// <summary>The identifier to put in requests (datagram sockets overwrite it with the same value).</summary>
    public ushort Identifier { get; }

    /// <summary>Eight random bytes to put at the start of each request's data (big-endian).</summary>
    public ulong Cookie { get; }

    internal int Slot { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _transport.Unregister(this);
        }
    }
}
