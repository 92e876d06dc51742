using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using IcmpKit.Sockets;
using IcmpKit.Transport;
using IcmpKit.Wire.IcmpV4;

namespace IcmpKit.Tests.Transport;

/// <summary>
/// The parsing and routing every transport shares (IcmpTransport.Deliver): by identifier on raw sockets, by cookie on
/// datagram sockets, and the counters for what belongs to nobody or does not parse.
/// </summary>
public class IcmpTransportTests
{
    private static readonly IPAddress Target = IPAddress.Parse("198.18.1.1");
    private static readonly IPAddress Router = IPAddress.Parse("198.18.0.1");
    private static readonly TimeProvider Clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>What the receiver saw; byte strings in hex so that records compare by value.</summary>
    private sealed record Reply(byte Type, byte Code, ushort Identifier, ushort Sequence, string Body, int IcmpLength, bool ChecksumValid,
        IPAddress Source, int Ttl, int Tos, string Options, long ReceivedAt, bool KernelStamp);

    private sealed record Error(byte Type, byte Code, IPAddress? Offender, long? Mtu, int Errno, bool Local, bool HasQuote, ushort QuotedIdentifier,
        ushort QuotedSequence, int QuotedBodyLength, IPAddress? QuotedDestination, int MessageLength);

    private sealed class Recorder : IIcmpReceiver
    {
        public List<Reply> Replies { get; } = [];

        public List<Error> Errors { get; } = [];

        public void OnReply(in InboundReply reply) => Replies.Add(new Reply(reply.Type, reply.Code, reply.Identifier, reply.SequenceNumber,
            Convert.ToHexString(reply.Body), reply.IcmpLength, reply.IsChecksumValid, reply.Source(), reply.TimeToLive, reply.TrafficClass,
            Convert.ToHexString(reply.IPv4Options), reply.ReceivedAtNanoseconds, reply.IsKernelTimestamp));

        public void OnError(in InboundError icmpError) => Errors.Add(new Error(icmpError.Type, icmpError.Code,
            icmpError.OffenderAddress.IsEmpty ? null : new IPAddress(icmpError.OffenderAddress), icmpError.Mtu, icmpError.ErrorNumber, icmpError.IsLocal,
            icmpError.HasQuote, icmpError.QuotedIdentifier, icmpError.QuotedSequenceNumber, icmpError.QuotedBody.Length,
            icmpError.QuotedDestination.IsEmpty ? null : new IPAddress(icmpError.QuotedDestination), icmpError.Message.Length));
    }

    private static byte[] Cookie(IcmpRegistration registration, int length = 56)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)i;
        }
        var cookie = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(cookie, registration.Cookie);
        cookie.AsSpan(0, Math.Min(8, length)).CopyTo(data);
        return data;
    }

    /// <summary>A request as the engine would send it: for quoting in errors.</summary>
    private static FakeSend Request(ushort identifier, ushort sequence, byte[] data) =>
        new(1, new IcmpV4Message.EchoRequest(identifier, sequence, data).ToArray(), Target, 0, 0, default, 0);

    [Fact]
    public void Raw_ipv4_replies_go_to_the_owner_of_the_identifier_with_what_the_ip_header_says()
    {
        using var transport = new FakeIcmpTransport(Clock, operations: 4);
        var a = new Recorder();
        var b = new Recorder();
        using var ra = transport.Register(a);
        using var rb = transport.Register(b);
        Assert.Equal((ushort)0x5100, ra.Identifier);
        Assert.Equal((ushort)0x5101, rb.Identifier);
        Assert.NotEqual(ra.Cookie, rb.Cookie);

        byte[] options = [1, 1, 1, 0]; // NOP NOP NOP EOL
        var icmp = Packets.EchoReplyV4(rb.Identifier, 7, Cookie(rb));
        transport.Inject(new ReceivedPacket
        {
            Data = Packets.IPv4(Target, FakeIcmpTransport.LocalV4, icmp, ttl: 58, tos: 0x10, options: options),
            KernelTimestampNanoseconds = 123_456_789,
            TimeToLive = -1,
            TrafficClass = -1,
        });

        Assert.Empty(a.Replies);
        Assert.Equal(
            new Reply(0, 0, rb.Identifier, 7, Convert.ToHexString(Cookie(rb)), 64, true, Target, 58, 0x10, Convert.ToHexString(options), 123_456_789, true),
            b.Replies.Single());
        Assert.Equal((1L, 0L, 0L), (transport.PacketsReceived, transport.PacketsUnmatched, transport.PacketsMalformed));
    }

    [Fact]
    public void Without_a_kernel_timestamp_the_reply_is_stamped_when_read()
    {
        using var transport = new FakeIcmpTransport(Clock);
        var a = new Recorder();
        using var ra = transport.Register(a);
        transport.DeliverIcmp(Packets.EchoReplyV4(ra.Identifier, 1, Cookie(ra)), Target, kernelStamp: 0);
        var reply = a.Replies.Single();
        Assert.False(reply.KernelStamp);
        Assert.Equal(transport.RealtimeNanoseconds(), reply.ReceivedAt);
    }

    [Fact]
    public void A_raw_reply_with_a_bad_checksum_is_delivered_flagged()
    {
        using var transport = new FakeIcmpTransport(Clock);
        var a = new Recorder();
        using var ra = transport.Register(a);
        transport.DeliverIcmp(Packets.Flip(Packets.EchoReplyV4(ra.Identifier, 1, Cookie(ra)), 3), Target);
        Assert.False(a.Replies.Single().ChecksumValid);
        Assert.Equal(0L, transport.PacketsMalformed);
    }

    [Fact]
    public void A_datagram_socket_trusts_the_kernel_checksum()
    {
        using var transport = new FakeIcmpTransport(Clock, IcmpSocketKind.Datagram);
        var a = new Recorder();
        using var ra = transport.Register(a);
        Assert.Equal((ushort)0x4B1D, ra.Identifier);
        transport.DeliverIcmp(Packets.Flip(Packets.EchoReplyV4(ra.Identifier, 1, Cookie(ra)), 3), Target, ttl: 50);
        Assert.True(a.Replies.Single().ChecksumValid);
        Assert.Equal(50, a.Replies.Single().Ttl);
    }

    [Fact]
    public void Replies_to_identifiers_outside_the_block_or_to_a_free_slot_are_unmatched()
    {
        using var transport = new FakeIcmpTransport(Clock, operations: 2);
        var a = new Recorder();
        var ra = transport.Register(a);
        transport.DeliverIcmp(Packets.EchoReplyV4(0x5102, 1, Cookie(ra)), Target);
        transport.DeliverIcmp(Packets.EchoReplyV4(0x50FF, 1, Cookie(ra)), Target);
        transport.DeliverIcmp(Packets.EchoReplyV4(0x5101, 1, Cookie(ra)), Target); // in the block, nobody registered
        ra.Dispose();
        transport.DeliverIcmp(Packets.EchoReplyV4(0x5100, 1, Cookie(ra)), Target); // left
        Assert.Empty(a.Replies);
        Assert.Equal((4L, 4L, 0L), (transport.PacketsReceived, transport.PacketsUnmatched, transport.PacketsMalformed));
    }

    [Fact]
    public void Requests_and_other_non_reply_types_are_unmatched()
    {
        using var transport = new FakeIcmpTransport(Clock);
        var a = new Recorder();
        using var ra = transport.Register(a);
        transport.DeliverIcmp(new IcmpV4Message.EchoRequest(ra.Identifier, 1, Cookie(ra)).ToArray(), Target); // someone pings us
        transport.DeliverIcmp(new IcmpV4Message.Redirect { Gateway = Router, OriginalDatagram = new byte[8] }.ToArray(), Router);
        Assert.Empty(a.Replies);
        Assert.Empty(a.Errors);
        Assert.Equal((2L, 2L, 0L), (transport.PacketsReceived, transport.PacketsUnmatched, transport.PacketsMalformed));
    }

    public static TheoryData<string, byte[]> MalformedRawPackets()
    {
        var icmp = Packets.EchoReplyV4(0x5100, 1, new byte[56]);
        var good = Packets.IPv4(Target, FakeIcmpTransport.LocalV4, icmp);
        var ihl4 = (byte[])good.Clone();
        ihl4[0] = 0x44;
        var ihl15 = (byte[])good.Clone();
        ihl15[0] = 0x4F;
        var version6 = (byte[])good.Clone();
        version6[0] = 0x65;
        return new TheoryData<string, byte[]>
        {
            { "IHL < 5", ihl4 },
            { "IHL 15 with 24 bytes", ihl15[..24] },
            { "total length < header length", Packets.IPv4(Target, FakeIcmpTransport.LocalV4, icmp, totalLength: 12) },
            { "total length > bytes received", Packets.IPv4(Target, FakeIcmpTransport.LocalV4, icmp, totalLength: good.Length + 1) },
            { "not ICMP", Packets.IPv4(Target, FakeIcmpTransport.LocalV4, icmp, protocol: 17) },
            { "a non-initial fragment", Packets.IPv4(Target, FakeIcmpTransport.LocalV4, icmp, fragmentOffset: 185) },
            { "ICMP shorter than its header", Packets.IPv4(Target, FakeIcmpTransport.LocalV4, icmp.AsSpan(0, 7)) },
            { "not IPv4", version6 },
            { "empty", [] },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedRawPackets))]
    public void Malformed_raw_packets_are_counted_and_reach_nobody(string what, byte[] packet)
    {
        using var transport = new FakeIcmpTransport(Clock);
        var a = new Recorder();
        using var ra = transport.Register(a);
        transport.Inject(new ReceivedPacket { Data = packet, TimeToLive = -1, TrafficClass = -1 });
        Assert.True(a.Replies.Count == 0 && a.Errors.Count == 0, what);
        Assert.Equal((1L, 0L, 1L), (transport.PacketsReceived, transport.PacketsUnmatched, transport.PacketsMalformed));
    }

    [Fact]
    public void Trailing_padding_after_the_ip_datagram_is_ignored()
    {
        using var transport = new FakeIcmpTransport(Clock);
        var a = new Recorder();
        using var ra = transport.Register(a);
        var packet = Packets.IPv4(Target, FakeIcmpTransport.LocalV4, Packets.EchoReplyV4(ra.Identifier, 1, Cookie(ra)));
        transport.Inject(new ReceivedPacket { Data = [.. packet, 0, 0, 0, 0], TimeToLive = -1, TrafficClass = -1 });
        Assert.Equal(64, a.Replies.Single().IcmpLength);
    }

    [Fact]
    public void An_error_is_routed_through_the_quoted_request_with_the_router_the_quote_and_the_mtu()
    {
        using var transport = new FakeIcmpTransport(Clock, operations: 2);
        var a = new Recorder();
        var b = new Recorder();
        using var ra = transport.Register(a);
        using var rb = transport.Register(b);
        var request = Request(rb.Identifier, 3, Cookie(rb));
        var error = Packets.UnreachableV4(Packets.QuoteV4(request), 4, nextHopMtu: 1400);
        transport.DeliverIcmp(error, Router);

        Assert.Empty(a.Errors);
        Assert.Equal(new Error(3, 4, Router, 1400, 0, false, true, rb.Identifier, 3, 56, Target, error.Length), b.Errors.Single());
    }

    [Fact]
    public void Errors_about_nothing_we_sent_are_unmatched_and_corrupted_ones_malformed()
    {
        using var transport = new FakeIcmpTransport(Clock);
        var a = new Recorder();
        using var ra = transport.Register(a);
        var udp = Packets.IPv4(FakeIcmpTransport.LocalV4, Target, new byte[16], protocol: 17);
        transport.DeliverIcmp(Packets.UnreachableV4(udp, 3), Router);                                         // a UDP probe
        transport.DeliverIcmp(Packets.TimeExceededV4([]), Router);                                            // no quote at all
        transport.DeliverIcmp(Packets.TimeExceededV4(Packets.QuoteV4(Request(ra.Identifier, 1, Cookie(ra)), 4)), Router); // < 8 bytes of ICMP
        var replyQuote = Packets.IPv4(FakeIcmpTransport.LocalV4, Target, Packets.EchoReplyV4(ra.Identifier, 1, Cookie(ra)));
        transport.DeliverIcmp(Packets.TimeExceededV4(replyQuote), Router);                                    // quotes a reply, not a request
        Assert.Equal((4L, 4L, 0L), (transport.PacketsReceived, transport.PacketsUnmatched, transport.PacketsMalformed));

        transport.DeliverIcmp(Packets.Flip(Packets.TimeExceededV4(Packets.QuoteV4(Request(ra.Identifier, 1, Cookie(ra)))), 2), Router);
        Assert.Equal((5L, 4L, 1L), (transport.PacketsReceived, transport.PacketsUnmatched, transport.PacketsMalformed));
        Assert.Empty(a.Errors);
    }

    [Fact]
    public void A_quote_with_ihl_15_and_40_bytes_of_nop_options_is_read_safely()
    {
        // CVE-2022-23093: the quoted header's options must not be trusted to fit.
        using var transport = new FakeIcmpTransport(Clock);
        var a = new Recorder();
        using var ra = transport.Register(a);
        var request = Request(ra.Identifier, 2, Cookie(ra));
        var nops = Enumerable.Repeat((byte)1, 40).ToArray();
        var quote = Packets.IPv4(FakeIcmpTransport.LocalV4, Target, request.Message.AsSpan(0, 8), options: nops, totalLength: 60 + request.Message.Length);
        transport.DeliverIcmp(Packets.TimeExceededV4(quote), Router);
        var error = a.Errors.Single();
        Assert.Equal((ra.Identifier, (ushort)2, 0), (error.QuotedIdentifier, error.QuotedSequence, error.QuotedBodyLength));

        transport.DeliverIcmp(Packets.TimeExceededV4(quote[..50]), Router); // the same, cut inside the options
        Assert.Single(a.Errors);
        Assert.Equal(1L, transport.PacketsUnmatched);
    }

    [Fact]
    public void Datagram_sockets_route_by_cookie_and_without_one_only_a_sole_operation_gets_it()
    {
        using var shared = new FakeIcmpTransport(Clock, IcmpSocketKind.Datagram, operations: 3);
        var a = new Recorder();
        var b = new Recorder();
        using var ra = shared.Register(a);
        using var rb = shared.Register(b);
        Assert.Equal(ra.Identifier, rb.Identifier); // the kernel's, for everyone

        shared.DeliverIcmp(Packets.EchoReplyV4(0x4B1D, 5, Cookie(rb)), Target);
        shared.DeliverIcmp(Packets.EchoReplyV4(0x4B1D, 6, Cookie(ra)), Target);
        shared.DeliverIcmp(Packets.EchoReplyV4(0x4B1D, 7, new byte[56]), Target); // nobody's cookie
        shared.DeliverIcmp(Packets.EchoReplyV4(0x4B1D, 8, Cookie(ra, 4)), Target); // too short for one
        Assert.Equal(new ushort[] { 6 }, a.Replies.Select(r => r.Sequence));
        Assert.Equal(new ushort[] { 5 }, b.Replies.Select(r => r.Sequence));
        Assert.Equal((4L, 2L), (shared.PacketsReceived, shared.PacketsUnmatched));

        using var own = new FakeIcmpTransport(Clock, IcmpSocketKind.Datagram, operations: 1);
        var c = new Recorder();
        using var rc = own.Register(c);
        own.DeliverIcmp(Packets.EchoReplyV4(0x4B1D, 7, new byte[56]), Target);
        own.DeliverIcmp(Packets.EchoReplyV4(0x4B1D, 8, Cookie(rc, 4)), Target);
        Assert.Equal(new ushort[] { 7, 8 }, c.Replies.Select(r => r.Sequence)); // a private socket: all of it is the operation's
        Assert.Equal(0L, own.PacketsUnmatched);
    }

    [Fact]
    public void The_error_queue_reports_remote_errors_with_the_kernel_summary()
    {
        using var transport = new FakeIcmpTransport(Clock, IcmpSocketKind.Datagram, operations: 2);
        var a = new Recorder();
        using var ra = transport.Register(a);
        var request = Request(ra.Identifier, 4, Cookie(ra));
        transport.DeliverQueuedError(request.Message, Target, ErrorOrigin.IcmpV4, 3, 4, errno: 90, info: 1280, offender: Router);
        transport.DeliverQueuedError(request.Message, Target, ErrorOrigin.IcmpV4, 11, 0, errno: 113, info: 1280, offender: Router);

        Assert.Equal(
            new[]
            {
                new Error(3, 4, Router, 1280, 90, false, true, ra.Identifier, 4, 56, Target, 0),
                new Error(11, 0, Router, null, 113, false, true, ra.Identifier, 4, 56, Target, 0),
            },
            a.Errors);
    }

    [Fact]
    public void A_local_error_without_the_request_goes_only_to_a_sole_operation()
    {
        var local = new ReceivedPacket
        {
            FromErrorQueue = true,
            HasErrorReport = true,
            ErrorOrigin = ErrorOrigin.Local,
            ErrorNumber = 90,
            ErrorInfo = 1500,
            SourceAddress = Target.GetAddressBytes(),
        };
        using var sole = new FakeIcmpTransport(Clock);
        var a = new Recorder();
        using var ra = sole.Register(a);
        sole.Inject(local);
        Assert.Equal(new Error(0, 0, null, 1500, 90, true, false, 0, 0, 0, Target, 0), a.Errors.Single());

        using var shared = new FakeIcmpTransport(Clock, operations: 2);
        var b = new Recorder();
        using var rb = shared.Register(b);
        shared.Inject(local);
        Assert.Empty(b.Errors);
        Assert.Equal(1L, shared.PacketsUnmatched);

        sole.Inject(new ReceivedPacket { FromErrorQueue = true, HasErrorReport = false });
        Assert.Equal(1L, sole.PacketsMalformed);
    }

    [Fact]
    public void A_raw_socket_reports_remote_errors_from_the_packet_not_the_error_queue()
    {
        using var transport = new FakeIcmpTransport(Clock);
        var a = new Recorder();
        using var ra = transport.Register(a);
        transport.DeliverQueuedError(Request(ra.Identifier, 1, Cookie(ra)).Message, Target, ErrorOrigin.IcmpV4, 11, 0, errno: 113, offender: Router);
        Assert.Empty(a.Errors);
        Assert.Equal((1L, 0L, 0L), (transport.PacketsReceived, transport.PacketsUnmatched, transport.PacketsMalformed));
    }

    [Fact]
    public void Ipv6_errors_of_40_to_43_bytes_are_survived()
    {
        using var transport = new FakeIcmpTransport(Clock, family: AddressFamily.InterNetworkV6);
        var a = new Recorder();
        using var ra = transport.Register(a);
        for (int length = 40; length <= 43; length++)
        {
            var error = new byte[length];
            error[0] = 3; // time exceeded; then a quote too short for an IPv6 header and 8 bytes
            error[8] = 0x60;
            transport.Inject(new ReceivedPacket { Data = error, SourceAddress = FakeIcmpTransport.LocalV6.GetAddressBytes(), TimeToLive = -1, TrafficClass = -1 });
        }
        Assert.Empty(a.Errors);
        Assert.Equal((4L, 4L), (transport.PacketsReceived, transport.PacketsUnmatched));
    }

    [Fact]
    public void A_full_block_refuses_another_operation_and_a_left_slot_is_reused()
    {
        using var transport = new FakeIcmpTransport(Clock, operations: 2);
        var first = transport.Register(new Recorder());
        using var second = transport.Register(new Recorder());
        Assert.Throws<InvalidOperationException>(() => transport.Register(new Recorder()));
        first.Dispose();
        first.Dispose();
        using var third = transport.Register(new Recorder());
        Assert.Equal(first.Identifier, third.Identifier);
        Assert.NotEqual(first.Cookie, third.Cookie);
        Assert.NotEqual(0UL, third.Cookie);
    }
}

/// <summary>A shared datagram socket routes by cookie alone, so it has no limit on operations at once.</summary>
public class SharedDatagramTransportTests
{
    [Fact]
    public void A_shared_datagram_transport_takes_more_operations_than_it_has_identifier_slots()
    {
        using var transport = new FakeIcmpTransport(TimeProvider.System, IcmpSocketKind.Datagram, operations: 4);
        var receiver = new NullReceiver();
        var registrations = Enumerable.Range(0, 5000).Select(_ => transport.Register(receiver)).ToList();
        Assert.Equal(5000, registrations.Select(r => r.Cookie).Distinct().Count());
        Assert.All(registrations, r => Assert.Equal(0x4B1D, r.Identifier));
        registrations.ForEach(r => r.Dispose());
    }

    [Fact]
    public void A_raw_transport_still_stops_at_its_identifier_block()
    {
        using var transport = new FakeIcmpTransport(TimeProvider.System, IcmpSocketKind.Raw, operations: 4);
        var receiver = new NullReceiver();
        for (int i = 0; i < 4; i++)
        {
            transport.Register(receiver);
        }
        Assert.Throws<InvalidOperationException>(() => transport.Register(receiver));
    }

    private sealed class NullReceiver : IIcmpReceiver
    {
        public void OnReply(in InboundReply reply)
        {
        }

        public void OnError(in InboundError icmpError)
        {
        }
    }
}
