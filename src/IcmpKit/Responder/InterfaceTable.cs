using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using IcmpKit.Wire.Extensions;
using IcmpKit.Wire.IcmpV4;

namespace IcmpKit.Responder;

/// <summary>
/// The host's interface table, prepared for RFC 8335 queries: names as UTF-8, addresses as integers (IPv4 in the low
/// 32 bits), so a query is answered without allocating.
/// </summary>
internal sealed class InterfaceTable
{
    /// <summary>RFC 5837 §4.3 caps interface names at 63 bytes; a name field is at most that, padded to 64.</summary>
    public const int MaxNameBytes = 63;

    private readonly Entry[] _entries;

    public InterfaceTable(IReadOnlyList<ResponderInterface> interfaces)
    {
        _entries = interfaces.Select(i => new Entry(
            Encoding.UTF8.GetBytes(i.Name),
            (uint)i.Index,
            i.Addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork).Select(PathNode.ToKey).ToArray(),
            i.Addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6).Select(PathNode.ToKey).ToArray(),
            i.Active)).ToArray();
    }

    /// <summary>
    /// Answers the query in <paramref name="body"/> (the request after its 8-byte header: an RFC 4884 extension
    /// structure holding one interface identification object, RFC 8335 §2) with a reply code and the low byte of the
    /// reply's second word: State (3 bits, 0: RFC 8335 §3 sets it only for proxied queries), 2 reserved bits, A, 4, 6.
    /// </summary>
    /// <remarks>
    /// As Linux's icmp_build_probe: the structure header's version and checksum are not checked; the object must be
    /// longer than its own header and lie within the message, else the query is malformed. Stricter than Linux, as
    /// RFC 8335 §4 asks: an object of another class than 3 is malformed. Names compare byte for byte up to the first
    /// NUL (the padding, RFC 8335 §2.1); a name field over 64 bytes is malformed (Linux's limit is IFNAMSIZ, 16).
    /// </remarks>
    public (ExtendedEchoReplyCode Code, byte Status) Query(ReadOnlySpan<byte> body)
    {
        const int StructureHeader = 4;
        const int ObjectHeader = 4;
        var malformed = (ExtendedEchoReplyCode.MalformedQuery, (byte)0);
        if (body.Length < StructureHeader + ObjectHeader)
        {
            return malformed;
        }
        var obj = body[StructureHeader..];
        int length = BinaryPrimitives.ReadUInt16BigEndian(obj);
        if (length <= ObjectHeader || length > obj.Length || obj[2] != ExtensionClass.InterfaceIdentification)
        {
            return malformed;
        }
        var payload = obj[ObjectHeader..length];
        int found = -1;
        int matches = 0;
        switch ((InterfaceIdentificationKind)obj[3])
        {
            case InterfaceIdentificationKind.ByName:
                if (payload.Length > MaxNameBytes + 1)
                {
                    return malformed;
                }
                int end = payload.IndexOf((byte)0);
                var name = end < 0 ? payload : payload[..end];
                for (int i = 0; i < _entries.Length; i++)
                {
                    if (name.Length > 0 && name.SequenceEqual(_entries[i].Name))
                    {
                        (found, matches) = (i, matches + 1);
                    }
                }
                break;
            case InterfaceIdentificationKind.ByIndex:
                if (payload.Length != 4)
                {
                    return malformed;
                }
                uint index = BinaryPrimitives.ReadUInt32BigEndian(payload);
                for (int i = 0; i < _entries.Length; i++)
                {
                    if (_entries[i].Index == index)
                    {
                        (found, matches) = (i, matches + 1);
                    }
                }
                break;
            case InterfaceIdentificationKind.ByAddress:
                // RFC 8335 §2.1: AFI (1 IPv4, 2 IPv6), address length, reserved, then the address.
                if (payload.Length < 4 || payload.Length != 4 + payload[2])
                {
                    return malformed;
                }
                int afi = BinaryPrimitives.ReadUInt16BigEndian(payload);
                bool v4 = afi == 1 && payload[2] == 4;
                if (!v4 && !(afi == 2 && payload[2] == 16))
                {
                    return malformed;
                }
                UInt128 key = v4 ? BinaryPrimitives.ReadUInt32BigEndian(payload[4..]) : BinaryPrimitives.ReadUInt128BigEndian(payload[4..]);
                for (int i = 0; i < _entries.Length; i++)
                {
                    if ((v4 ? _entries[i].V4 : _entries[i].V6).AsSpan().Contains(key))
                    {
                        (found, matches) = (i, matches + 1);
                    }
                }
                break;
            default:
                return malformed;
        }
        if (matches == 0)
        {
            return (ExtendedEchoReplyCode.NoSuchInterface, 0);
        }
        if (matches > 1)
        {
            return (ExtendedEchoReplyCode.MultipleInterfacesSatisfyQuery, 0);
        }
        // RFC 8335 §3: A when the interface is active; 4 and 6 only with A, when it runs IPv4 / IPv6 (Linux sets 4 and
        // 6 from the addresses alone, active or not).
        var entry = _entries[found];
        byte status = !entry.Active ? (byte)0
            : (byte)(0x04 | (entry.V4.Length > 0 ? 0x02 : 0) | (entry.V6.Length > 0 ? 0x01 : 0));
        return (ExtendedEchoReplyCode.NoError, status);
    }

    private sealed record Entry(byte[] Name, uint Index, UInt128[] V4, UInt128[] V6, bool Active);
}
