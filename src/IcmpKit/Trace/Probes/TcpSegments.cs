using System.Buffers.Binary;

namespace IcmpKit.Trace.Probes;

/// <summary>
/// TCP SYN probes as traceroute's tcp method (mod-tcp.c) sends them with Linux's default sysctls (tcp_sack,
/// tcp_timestamps, tcp_window_scaling): a 40-byte header with MSS, SACK permitted, timestamps and window scale options,
/// so that a capture of both looks alike and a middlebox sees an ordinary SYN. The sequence number names the probe: its
/// high 16 bits are a random cookie of the trace, its low 16 bits the flow key. Any data after the header only pads the
/// probe to a length (packetlen, --mtu).
/// </summary>
internal static class TcpSegments
{
    public const int HeaderLength = 40;
    public const byte Fin = 0x01;
    public const byte Syn = 0x02;
    public const byte Reset = 0x04;
    public const byte Ack = 0x10;

    /// <summary>Linux's initial window for an MSS of 1460 (44 segments), what its own SYNs carry.</summary>
    private const ushort Window = 64240;

    /// <summary>Linux's default window scale shift.</summary>
    private const byte WindowShift = 7;

    /// <summary>
    /// Writes a SYN header into the first <see cref="HeaderLength"/> bytes of <paramref name="segment"/> (RFC 9293 §3.1;
    /// options RFC 6691 MSS, RFC 2018 SACK permitted, RFC 7323 timestamps and window scale), checksum zero.
    /// </summary>
    public static void WriteSyn(Span<byte> segment, ushort sourcePort, ushort destinationPort, uint sequence, ushort mss, uint timestamp)
    {
        var header = segment[..HeaderLength];
        header.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(header, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], sequence);
        header[12] = (HeaderLength / 4) << 4;                 // data offset, in 32-bit words
        header[13] = Syn;
        BinaryPrimitives.WriteUInt16BigEndian(header[14..], Window);
        header[20] = 2; header[21] = 4;                        // MSS
        BinaryPrimitives.WriteUInt16BigEndian(header[22..], mss);
        header[24] = 4; header[25] = 2;                        // SACK permitted
        header[26] = 8; header[27] = 10;                       // timestamps: TSval, TSecr 0
        BinaryPrimitives.WriteUInt32BigEndian(header[28..], timestamp);
        header[36] = 1;                                        // NOP
        header[37] = 3; header[38] = 3; header[39] = WindowShift; // window scale
    }

    /// <summary>The sequence number of probe <paramref name="key"/> under the trace's <paramref name="cookie"/>.</summary>
    public static uint Sequence(ushort cookie, ushort key) => ((uint)cookie << 16) | key;

    /// <summary>The key of a quoted sequence number, when its cookie is the trace's.</summary>
    public static ushort? KeyOfSequence(uint sequence, ushort cookie) => sequence >> 16 == cookie ? (ushort)sequence : null;

    /// <summary>
    /// What a segment from the target says, when it answers a SYN: SYN-ACK (something listens) or RST (nothing does), both
    /// with ACK set and an acknowledgement number (RFC 9293 §3.10.7.1: a RST to a SYN acknowledges it). Null for anything
    /// else, a segment too short to hold a header, or one whose data offset is below the 5-word header or beyond the
    /// segment (RFC 9293 §3.1: a header that cannot be; TCP itself drops it). The checksum is the caller's to check.
    /// </summary>
    public static (ushort SourcePort, ushort DestinationPort, uint Acknowledgement, byte Flags)? ReadAnswer(ReadOnlySpan<byte> segment)
    {
        if (segment.Length < 20)
        {
            return null;
        }
        int dataOffset = (segment[12] >> 4) * 4;
        if (dataOffset < 20 || dataOffset > segment.Length)
        {
            return null;
        }
        byte flags = segment[13];
        if ((flags & Ack) == 0 || (flags & (Syn | Reset)) == 0)
        {
            return null;
        }
        return (BinaryPrimitives.ReadUInt16BigEndian(segment), BinaryPrimitives.ReadUInt16BigEndian(segment[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(segment[8..]), flags);
    }
}
