using System.Net;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Wire.Rules;

/// <summary>Why no ICMP error may be sent about a datagram; <see cref="None"/> means one may.</summary>
public enum ErrorSuppression : byte
{
    None = 0,
    /// <summary>The datagram could not be read as an IP header: there is nothing sound to quote.</summary>
    Malformed,
    /// <summary>The datagram is itself an ICMP error (RFC 1122 §3.2.2, RFC 4443 §2.4(e.1)).</summary>
    IsIcmpError,
    /// <summary>The datagram is an ICMPv6 redirect (RFC 4443 §2.4(e.2)).</summary>
    IsRedirect,
    /// <summary>Destined to a broadcast address (RFC 1122 §3.2.2).</summary>
    BroadcastDestination,
    /// <summary>Destined to a multicast address (RFC 1122 §3.2.2, RFC 4443 §2.4(e.3)).</summary>
    MulticastDestination,
    /// <summary>Received as a link-layer broadcast or multicast (RFC 1122 §3.2.2, RFC 4443 §2.4(e.4–5)).</summary>
    LinkLayerBroadcast,
    /// <summary>A fragment other than the first (RFC 1122 §3.2.2).</summary>
    NonInitialFragment,
    /// <summary>The source does not name a single host: zero, loopback, broadcast, multicast, class E (RFC 1122 §3.2.2, RFC 1812 §4.3.2.7), or unspecified/multicast for IPv6 (RFC 4443 §2.4(e.6)).</summary>
    InvalidSource,
}

/// <summary>
/// The rules on when an ICMP error must not be sent: RFC 1122 §3.2.2 and RFC 1812 §4.3.2.7 for IPv4,
/// RFC 4443 §2.4(e) for IPv6. Pure functions over the offending datagram.
/// </summary>
public static class IcmpErrorGuard
{
    /// <summary>
    /// May an ICMPv4 error be sent about <paramref name="datagram"/>? <paramref name="isDirectedBroadcast"/>
    /// tells the subnet broadcast addresses the sender knows of (the limited broadcast is always known).
    /// </summary>
    public static ErrorSuppression CheckIPv4(ReadOnlySpan<byte> datagram, bool receivedAsLinkLayerBroadcast = false, Func<IPAddress, bool>? isDirectedBroadcast = null)
    {
        if (!IPv4Packet.TryReadQuoted(datagram, out var packet, out _))
        {
            return ErrorSuppression.Malformed;
        }
        if (packet.IsNonInitialFragment)
        {
            return ErrorSuppression.NonInitialFragment;
        }
        if (packet.Protocol == IPProtocol.Icmp)
        {
            // RFC 1812 §4.3.2.7: unknown ICMP types are not errors; an ICMP header too short to show its type
            // cannot be proven not to be one, so no error is sent about it.
            if (packet.Payload.IsEmpty || IcmpV4Message.IsErrorType((IcmpV4Type)packet.Payload[0]))
            {
                return ErrorSuppression.IsIcmpError;
            }
        }
        if (receivedAsLinkLayerBroadcast)
        {
            return ErrorSuppression.LinkLayerBroadcast;
        }
        var destination = packet.DestinationAddressBytes;
        if (destination[0] >= 224 && destination[0] <= 239)
        {
            return ErrorSuppression.MulticastDestination;
        }
        if (IsAllOnes(destination) || (isDirectedBroadcast?.Invoke(new IPAddress(destination)) ?? false))
        {
            return ErrorSuppression.BroadcastDestination;
        }
        var source = packet.SourceAddressBytes;
        bool zero = source[0] == 0 && source[1] == 0 && source[2] == 0 && source[3] == 0;
        if (zero || source[0] == 127 || source[0] >= 224 || IsAllOnes(source)
            || (isDirectedBroadcast?.Invoke(new IPAddress(source)) ?? false))
        {
            return ErrorSuppression.InvalidSource;
        }
        return ErrorSuppression.None;
    }

    /// <summary>
    /// May an ICMPv6 error of <paramref name="errorType"/>/<paramref name="errorCode"/> be sent about
    /// <paramref name="packet6"/>? RFC 4443 §2.4(e.3–5) lets Packet Too Big, and Parameter Problem code 2 for an
    /// option whose type's high bits are 10, go to multicast destinations.
    /// </summary>
    public static ErrorSuppression CheckIPv6(ReadOnlySpan<byte> packet6, IcmpV6Type errorType, byte errorCode, bool receivedAsLinkLayerMulticast = false, bool optionHighBitsAre10 = false)
    {
        if (!IPv6Packet.TryReadQuoted(packet6, out var packet, out _))
        {
            return ErrorSuppression.Malformed;
        }
        var walker = new IPv6ExtensionWalker(packet.NextHeader, packet.Payload);
        walker.SkipToUpperLayer();
        if (walker.NextHeader == IPProtocol.IcmpV6 && !walker.NonInitialFragment && !walker.Truncated)
        {
            var upper = packet.Payload[walker.Offset..];
            if (upper.IsEmpty || IcmpV6Message.IsErrorType((IcmpV6Type)upper[0]))
            {
                return ErrorSuppression.IsIcmpError;
            }
            if ((IcmpV6Type)upper[0] == IcmpV6Type.Redirect)
            {
                return ErrorSuppression.IsRedirect;
            }
        }
        bool exempt = errorType == IcmpV6Type.PacketTooBig
            || (errorType == IcmpV6Type.ParameterProblem && errorCode == 2 && optionHighBitsAre10);
        if (!exempt && receivedAsLinkLayerMulticast)
        {
            return ErrorSuppression.LinkLayerBroadcast;
        }
        if (!exempt && packet.DestinationAddressBytes[0] == 0xFF)
        {
            return ErrorSuppression.MulticastDestination;
        }
        var source = packet.SourceAddressBytes;
        if (source[0] == 0xFF || source.IndexOfAnyExcept((byte)0) < 0)
        {
            return ErrorSuppression.InvalidSource;
        }
        return ErrorSuppression.None;
    }

    private static bool IsAllOnes(ReadOnlySpan<byte> address) => address.IndexOfAnyExcept((byte)0xFF) < 0;
}
