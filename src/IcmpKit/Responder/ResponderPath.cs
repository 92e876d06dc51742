using System.Net;

namespace IcmpKit.Responder;

/// <summary>
/// The path one address family sees: its hops, nearest first, then the host. A probe's target is a position on it:
/// hop k is position k, the host is position <see cref="HostPosition"/>.
/// </summary>
internal sealed class ResponderPath
{
    private readonly PathNode[] _hops;
    private readonly UInt128[] _hostAddresses;

    public ResponderPath(ResponderOptions options, bool v6)
    {
        _hops = options.Hops.Where(h => PathNode.IsFamily(h.Address, v6))
            .Select((hop, i) => new PathNode(i + 1, v6, PathNode.ToKey(hop.Address), hop, options))
            .ToArray();
        _hostAddresses = options.Addresses.Where(a => PathNode.IsFamily(a, v6)).Select(PathNode.ToKey).ToArray();
        HostPosition = _hops.Length + 1;
        Host = new PathNode(HostPosition, v6, _hostAddresses.Length > 0 ? _hostAddresses[0] : UInt128.Zero, null, options);
    }

    public int HostPosition { get; }

    /// <summary>The host; its <see cref="PathNode.Address"/> is its first address of this family.</summary>
    public PathNode Host { get; }

    public bool HasHost => _hostAddresses.Length > 0;

    public ReadOnlySpan<UInt128> HostAddresses => _hostAddresses;

    /// <summary>The node at <paramref name="position"/> (1-based; <see cref="HostPosition"/> for the host).</summary>
    public PathNode At(int position) => position == HostPosition ? Host : _hops[position - 1];

    /// <summary>The position of the node owning <paramref name="address"/>, or 0 when none does.</summary>
    public int Find(UInt128 address)
    {
        if (_hostAddresses.AsSpan().Contains(address))
        {
            return HostPosition;
        }
        for (int i = 0; i < _hops.Length; i++)
        {
            if (_hops[i].Address == address)
            {
                return i + 1;
            }
        }
        return 0;
    }

    /// <summary>Every address on the path, for the duplicate check at construction.</summary>
    public static IEnumerable<IPAddress> AllAddresses(ResponderOptions options) =>
        options.Addresses.Concat(options.Hops.Select(h => h.Address));
}
