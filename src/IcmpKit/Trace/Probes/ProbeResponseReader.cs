using System.Buffers.Binary;
using System.Net;
using IcmpKit.Sockets;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;
using IcmpKit.Wire.Quoting;

namespace IcmpKit.Trace.Probes;

/// <summary>
/// What this trace's probes look like on the wire, so that an answer can be told to be ours: the target, and the ICMP
/// identifier (ICMP probes) or the UDP source port (UDP probes) every probe carries. The flow key that names one probe
/// is the echo sequence number or the UDP destination port.
/// </summary>
internal sealed record ProbeSignature(TraceProbeKind Kind, IPAddress Target, ushort Identifier, ushort SourcePort)
{
    public byte[] TargetBytes { get; } = Target.GetAddressBytes();

    public bool IsV6 => Target.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;

    /// <summary>
    /// Error-queue entries of a raw TCP or UDP socket carry the quoted transport header (raw_err()); a UDP socket's start
    /// after it (__udp4_lib_err()). The caller then reads the key from the header and passes it as the address port.
    /// </summary>
    public bool QueuedFromTransportHeader { get; init; }
}

/// <summary>
/// Turns received packets into <see cref="ProbeResponse"/>s: whole ICMP messages from a raw socket (the error quotes the
/// probe), and error-queue entries (the kernel's summary, and the probe itself as data). Nothing received is trusted: a
/// packet that does not parse, or names no probe of this trace, gives null.
/// </summary>
internal static class ProbeResponseReader
{
    /// <summary>
    /// A whole ICMP message: a raw IPv4 socket's packet (with its IP header), or a raw ICMPv6 socket's message, or a
    /// datagram ICMP socket's echo reply (the kernel stripped the IPv4 header and checked the checksum).
    /// </summary>
    public static ProbeResponse? FromIcmpPacket(in ReceivedPacket packet, ProbeSignature probe, bool hasIPv4Header)
    {
        long stamp = packet.KernelTimestampNanoseconds;
        if (probe.IsV6)
        {
            return FromIcmpV6(packet.Data, packet.SourceAddress, packet.TimeToLive, stamp, probe);
        }
        var icmp = packet.Data;
        var source = packet.SourceAddress;
        int ttl = packet.TimeToLive;
        if (hasIPv4Header)
        {
            if (!IPv4Packet.TryRead(packet.Data, out var ip, out _) || ip.Protocol != 1 || ip.IsNonInitialFragment)
            {
                return null;
            }
            icmp = ip.Payload;
            source = ip.SourceAddressBytes;
            ttl = ip.TimeToLive;
        }
        return FromIcmpV4(icmp, source, ttl, stamp, probe, checksumChecked: !hasIPv4Header);
    }

    private static ProbeResponse? FromIcmpV4(ReadOnlySpan<byte> icmp, ReadOnlySpan<byte> source, int ttl, long stamp, ProbeSignature probe,
        bool checksumChecked)
    {
        if (!IcmpV4Packet.TryRead(icmp, out var message, out _) || (!checksumChecked && !message.IsChecksumValid))
        {
            return null;
        }
        var from = new IPAddress(source);
        if (message.Type == IcmpV4Type.EchoReply)
        {
            return probe.Kind == TraceProbeKind.Icmp && message.Identifier == probe.Identifier
                ? new ProbeResponse(message.SequenceNumber, TraceReplyKind.EchoReply, from, stamp) { Type = 0, ReplyTtl = Ttl(ttl) }
                : null;
        }
        // RFC 792: traceroute answers are destination unreachable, time exceeded and parameter problem; redirects and
        // source quench say nothing about where the probe went (traceroute skips them too).
        if (message.Type is not (IcmpV4Type.DestinationUnreachable or IcmpV4Type.TimeExceeded or IcmpV4Type.ParameterProblem)
            || !QuotedProbe.TryRead(message.Body, out var quoted, out _)
            || Key(quoted, probe) is not { } key)
        {
            return null;
        }
        byte type = (byte)message.Type;
        return new ProbeResponse(key, Classify(false, type, message.Code), from, stamp)
        {
            Type = type,
            Code = message.Code,
            ReplyTtl = Ttl(ttl),
            Mtu = message.Type == IcmpV4Type.DestinationUnreachable && message.Code == 4 ? message.NextHopMtu : null,
            Extensions = IcmpV4Message.TryParse(icmp, out var parsed, out _) && parsed is IcmpV4Message.ErrorMessage error ? error.Extensions : null,
        };
    }

    private static ProbeResponse? FromIcmpV6(ReadOnlySpan<byte> icmp, ReadOnlySpan<byte> source, int hopLimit, long stamp, ProbeSignature probe)
    {
        // The kernel verifies ICMPv6 checksums on every socket (RFC 3542 §3.1).
        if (!IcmpV6Packet.TryRead(icmp, out var message, out _) || source.Length != 16)
        {
            return null;
        }
        var from = new IPAddress(source);
        if (message.Type == IcmpV6Type.EchoReply)
        {
            return probe.Kind == TraceProbeKind.Icmp && message.Identifier == probe.Identifier
                ? new ProbeResponse(message.SequenceNumber, TraceReplyKind.EchoReply, from, stamp) { IsV6 = true, Type = 129, ReplyTtl = Ttl(hopLimit) }
                : null;
        }
        if (!IcmpV6Message.IsErrorType(message.Type) || (byte)message.Type is 0 or > 4
            || !QuotedProbe.TryRead(message.Body, out var quoted, out _)
            || Key(quoted, probe) is not { } key)
        {
            return null;
        }
        byte type = (byte)message.Type;
        return new ProbeResponse(key, Classify(true, type, message.Code), from, stamp)
        {
            IsV6 = true,
            Type = type,
            Code = message.Code,
            ReplyTtl = Ttl(hopLimit),
            Mtu = message.Type == IcmpV6Type.PacketTooBig ? message.Mtu : null,
            Extensions = IcmpV6Message.TryParse(icmp, out var parsed, out _) && parsed is IcmpV6Message.ErrorMessage error ? error.Extensions : null,
        };
    }

    /// <summary>The flow key of a quoted probe, when it is one of ours: to our target, with our identifier or source port.</summary>
    private static ushort? Key(in QuotedProbe quoted, ProbeSignature probe)
    {
        if (!quoted.DestinationAddress.SequenceEqual(probe.TargetBytes))
        {
            return null;
        }
        return probe.Kind switch
        {
            TraceProbeKind.Icmp when quoted.Protocol == (probe.IsV6 ? IPProtocol.IcmpV6 : IPProtocol.Icmp)
                && quoted.IcmpType == (probe.IsV6 ? 128 : 8) && quoted.IcmpIdentifier == probe.Identifier => quoted.IcmpSequenceNumber,
            TraceProbeKind.Udp when quoted.Protocol == IPProtocol.Udp && quoted.SourcePort == probe.SourcePort => quoted.DestinationPort,
            _ => null,
        };
    }

    /// <summary>
    /// An error-queue entry (IP_RECVERR): the kernel's summary of an ICMP error (origin, type, code, ee_info, the
    /// offender) and, as data, what of the probe the error quoted: from the ICMP header on for ICMP datagram sockets,
    /// after the UDP header for UDP sockets. <paramref name="addressPort"/> is the port of the queued address (UDP: the
    /// probe's destination port).
    /// </summary>
    public static ProbeResponse? FromErrorQueue(in ReceivedPacket packet, ProbeSignature probe, ushort addressPort)
    {
        if (!packet.HasErrorReport || packet.ErrorOrigin is not (ErrorOrigin.IcmpV4 or ErrorOrigin.IcmpV6)
            || !packet.SourceAddress.SequenceEqual(probe.TargetBytes))
        {
            // Local errors (EMSGSIZE above a known MTU) carry no probe here: nothing says which one failed.
            return null;
        }
        bool v6 = packet.ErrorOrigin == ErrorOrigin.IcmpV6;
        byte type = packet.ErrorType;
        if (!v6 && type is 4 or 5)
        {
            return null; // source quench and redirect, as above
        }
        ushort key;
        int strippedHeader;
        if (probe.Kind == TraceProbeKind.Icmp)
        {
            var request = packet.Data;
            if (request.Length < 8 || request[0] != (v6 ? 128 : 8) || BinaryPrimitives.ReadUInt16BigEndian(request[4..]) != probe.Identifier)
            {
                return null;
            }
            key = BinaryPrimitives.ReadUInt16BigEndian(request[6..]);
            strippedHeader = 0;
        }
        else
        {
            key = addressPort;
            strippedHeader = probe.QueuedFromTransportHeader ? 0 : 8;
        }
        bool mtuError = (!v6 && type == 3 && packet.ErrorCode == 4) || (v6 && type == 2);
        return new ProbeResponse(key, Classify(v6, type, packet.ErrorCode), packet.OffenderAddress.IsEmpty ? null : new IPAddress(packet.OffenderAddress),
            packet.KernelTimestampNanoseconds)
        {
            IsV6 = v6,
            Type = type,
            Code = packet.ErrorCode,
            ReplyTtl = Ttl(packet.TimeToLive),
            Mtu = mtuError ? packet.ErrorInfo : null,
            ErrorNumber = packet.ErrorNumber,
            Extensions = QueuedExtensions(packet.Data, v6, strippedHeader),
        };
    }

    /// <summary>
    /// RFC 4884 extensions from an error-queue entry. The kernel queues the ICMP error from the quoted transport header
    /// (or after the UDP header) to its end, without the length attribute, so the structure is looked for where RFC 4884
    /// §5 puts it for a short probe: after an original datagram field padded to 128 bytes, or to a longer multiple of the
    /// word (4 bytes, ICMPv6 8) past the probe, less the quoted IP header (20 or 40 bytes; our probes carry no options) and
    /// what the kernel stripped. Only a version-2 structure whose checksum verifies over the rest counts (§7), as
    /// traceroute's handle_extensions() does.
    /// </summary>
    internal static IcmpExtensionStructure? QueuedExtensions(ReadOnlySpan<byte> data, bool v6, int strippedHeader)
    {
        int skipped = (v6 ? 40 : 20) + strippedHeader;
        int word = v6 ? 8 : 4;
        for (int field = MultipartBody.MinimumOriginalDatagramLength; field - skipped + 4 <= data.Length; field += word)
        {
            var candidate = data[(field - skipped)..];
            if (IcmpExtensionStructure.LooksLikeStructure(candidate)
                && IcmpExtensionStructure.TryParse(candidate, out var structure, out _) && structure is not null)
            {
                return structure;
            }
        }
        return null;
    }

    /// <summary>
    /// What an answer means for the trace: time exceeded in transit (ICMPv4 11/0, ICMPv6 3/0) is a hop on the way; port
    /// unreachable (ICMPv4 3/3, ICMPv6 1/4) and an echo reply are the destination; anything else ends the path.
    /// </summary>
    internal static TraceReplyKind Classify(bool v6, byte type, byte code) => (v6, type, code) switch
    {
        (false, 11, 0) or (true, 3, 0) => TraceReplyKind.TimeExceeded,
        (false, 3, 3) or (true, 1, 4) => TraceReplyKind.PortUnreachable,
        (false, 0, _) or (true, 129, _) => TraceReplyKind.EchoReply,
        _ => TraceReplyKind.Unreachable,
    };

    private static int? Ttl(int ttl) => ttl >= 0 ? ttl : null;
}
