using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using IcmpKit.Wire.Extensions;

namespace IcmpKit.Responder;

/// <summary>
/// One node of an emulated path, prepared for the per-packet code: address as an integer (IPv4 in the low 32 bits),
/// times in ticks, the RFC 4884 extension structure encoded once.
/// </summary>
internal sealed class PathNode
{
    /// <summary>A node of <paramref name="hop"/>, or the host's node when it is null (settings from <paramref name="options"/>).</summary>
    public PathNode(int position, bool v6, UInt128 address, ResponderHop? hop, ResponderOptions options)
    {
        Position = position;
        LimiterKey = v6 ? -position : position;
        IsHost = hop is null;
        Address = address;
        Delay = hop?.Delay ?? options.Delay;
        Jitter = hop?.Jitter ?? options.Jitter;
        Loss = hop?.Loss ?? options.Loss;
        Duplicate = hop?.Duplicate ?? options.Duplicate;
        Reorder = hop?.Reorder ?? options.Reorder;
        ReorderDelay = hop?.ReorderDelay ?? options.ReorderDelay;
        Silent = hop?.Silent ?? false;
        UnreachableCode = hop?.UnreachableCode;
        Mtu = hop?.Mtu;
        Extensions = hop is null ? [] : EncodeExtensions(hop);
        ErrorLimit = hop?.ErrorRateLimit ?? options.PerSourceErrors;
        RedirectGateway = hop?.RedirectGateway is { } gateway ? (uint)ToKey(gateway) : null;
        Queue = hop?.QueueLimit is int limit ? new OutputQueue(limit, hop.QueueRate) : null;
    }

    /// <summary>1 for the nearest hop; the host is one past the last hop.</summary>
    public int Position { get; }

    /// <summary>Tells this node from the node at the same position on the other family's path, for the error buckets.</summary>
    public int LimiterKey { get; }

    public bool IsHost { get; }

    public UInt128 Address { get; }

    public TimeSpan Delay { get; }

    public TimeSpan Jitter { get; }

    public double Loss { get; }

    public double Duplicate { get; }

    public double Reorder { get; }

    public TimeSpan ReorderDelay { get; }

    /// <summary>The per-source bucket for this node's ICMP errors.</summary>
    public ErrorRateLimit ErrorLimit { get; }

    /// <summary>The IPv4 gateway this node redirects sources to, or null.</summary>
    public uint? RedirectGateway { get; }

    /// <summary>The emulated output queue, or null.</summary>
    public OutputQueue? Queue { get; }

    public bool Silent { get; }

    public byte? UnreachableCode { get; }

    public int? Mtu { get; }

    /// <summary>The encoded extension structure (RFC 4884 §7) for this node's errors; empty when none.</summary>
    public byte[] Extensions { get; }

    public static UInt128 ToKey(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        return written == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    public static void WriteV4(UInt128 key, Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)key);

    public static void WriteV6(UInt128 key, Span<byte> destination) => BinaryPrimitives.WriteUInt128BigEndian(destination, key);

    private static byte[] EncodeExtensions(ResponderHop hop)
    {
        var objects = new List<IcmpExtensionObject>();
        if (hop.MplsLabels is { Count: > 0 } labels)
        {
            // RFC 4950 §5: the stack as the router saw it, top first; TTL 1 is what the expiring entry held.
            var entries = labels.Select((label, i) => new MplsLabelEntry((int)label, 0, i == labels.Count - 1, 1)).ToArray();
            objects.Add(new MplsLabelStackObject(entries));
        }
        if (hop.ExtensionObjects is not null)
        {
            objects.AddRange(hop.ExtensionObjects);
        }
        if (objects.Count == 0)
        {
            return [];
        }
        var structure = new IcmpExtensionStructure { Objects = objects };
        // 576 bytes less the headers and the 128-byte minimum quote (RFC 4884 §4.1) leave 420 for extensions.
        if (structure.EncodedLength > 420)
        {
            throw new ArgumentException($"The extensions of hop {hop.Address} take {structure.EncodedLength} bytes; at most 420 fit.", nameof(hop));
        }
        var bytes = new byte[structure.EncodedLength];
        structure.Write(bytes);
        return bytes;
    }

    public static bool IsFamily(IPAddress address, bool v6) =>
        address.AddressFamily == (v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
}
