using System.Net;
using System.Net.Sockets;

namespace IcmpKit.Wire.IPv4;

/// <summary>An IPv4 header as a value (RFC 791 §3.1), options parsed.</summary>
public sealed record IPv4Header
{
    public byte TypeOfService { get; init; }
    public ushort TotalLength { get; init; }
    public ushort Identification { get; init; }
    public bool ReservedFlag { get; init; }
    public bool DontFragment { get; init; }
    public bool MoreFragments { get; init; }
    /// <summary>In 8-byte units, as on the wire.</summary>
    public int FragmentOffset { get; init; }
    public byte TimeToLive { get; init; } = 64;
    public byte Protocol { get; init; }
    /// <summary>The checksum as read; <see cref="Write"/> computes a fresh one unless told otherwise.</summary>
    public ushort HeaderChecksum { get; init; }
    public IPAddress Source { get; init; } = IPAddress.Any;
    public IPAddress Destination { get; init; } = IPAddress.Any;
    public IReadOnlyList<IPv4Option> Options { get; init; } = [];

    /// <summary>Where the option walk stopped, if an option was malformed (never fatal: see <see cref="IPv4MalformedOption"/>).</summary>
    public WireError OptionsError { get; init; }

    /// <summary>True when the header checksum verified when read (true for headers built in code).</summary>
    public bool HeaderChecksumValid { get; init; } = true;

    public int Dscp => TypeOfService >> 2;
    public int Ecn => TypeOfService & 3;

    /// <summary>Header length: 20 plus the options, padded to a multiple of 4.</summary>
    public int HeaderLength => 20 + ((IPv4Option.EncodedLengthOf(Options) + 3) & ~3);

    public static IPv4Header FromPacket(IPv4Packet packet)
    {
        var optionsError = WireError.None;
        var options = packet.Options.IsEmpty ? [] : IPv4Option.ParseAll(packet.Options, out optionsError);
        return new IPv4Header
        {
            TypeOfService = packet.TypeOfService,
            TotalLength = packet.TotalLength,
            Identification = packet.Identification,
            ReservedFlag = packet.ReservedFlag,
            DontFragment = packet.DontFragment,
            MoreFragments = packet.MoreFragments,
            FragmentOffset = packet.FragmentOffset,
            TimeToLive = packet.TimeToLive,
            Protocol = packet.Protocol,
            HeaderChecksum = packet.HeaderChecksum,
            Source = packet.SourceAddress,
            Destination = packet.DestinationAddress,
            Options = options,
            OptionsError = packet.Options.IsEmpty ? WireError.None : optionsError.Shift(IPv4Packet.Field.Options),
            HeaderChecksumValid = packet.IsHeaderChecksumValid,
        };
    }

    /// <summary>Reads a whole datagram's header (see <see cref="IPv4Packet.TryRead"/>).</summary>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out IPv4Header? header, out WireError error)
    {
        header = IPv4Packet.TryRead(buffer, out var packet, out error) ? FromPacket(packet) : null;
        return header is not null;
    }

    /// <summary>
    /// Writes the header into <paramref name="destination"/> (at least <see cref="HeaderLength"/> bytes),
    /// computing the checksum unless <paramref name="keepChecksum"/> asks to write <see cref="HeaderChecksum"/> as is.
    /// </summary>
    public int Write(Span<byte> destination, bool keepChecksum = false)
    {
        if (Source.AddressFamily != AddressFamily.InterNetwork || Destination.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("IPv4 header addresses must be IPv4 addresses.");
        }
        int headerLength = HeaderLength;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(headerLength, 60, nameof(Options));
        var header = destination[..headerLength];
        var writer = new IPv4PacketWriter(header);
        writer.SetVersionAndHeaderLength(headerLength);
        writer.SetTypeOfService(TypeOfService);
        writer.SetTotalLength(TotalLength);
        writer.SetIdentification(Identification);
        writer.SetFlagsAndFragmentOffset(ReservedFlag, DontFragment, MoreFragments, FragmentOffset);
        writer.SetTimeToLive(TimeToLive);
        writer.SetProtocol(Protocol);
        Span<byte> address = stackalloc byte[4];
        Source.TryWriteBytes(address, out _);
        writer.SetSourceAddress(address);
        Destination.TryWriteBytes(address, out _);
        writer.SetDestinationAddress(address);
        var optionArea = writer.Options;
        optionArea.Clear();
        int at = 0;
        foreach (var option in Options)
        {
            option.Write(optionArea[at..]);
            at += option.EncodedLength;
        }
        if (keepChecksum)
        {
            writer.SetHeaderChecksum(HeaderChecksum);
        }
        else
        {
            writer.FillHeaderChecksum();
        }
        return headerLength;
    }
}
