using System.Net;
using System.Net.Sockets;

namespace IcmpKit.Cli.Trace;

/// <summary>
/// Reverse DNS names for the addresses a trace meets, each looked up once and at most <see cref="Budget"/> long. A lookup
/// starts as soon as an address answers a probe, while probing goes on (the engine never waits for names: its events
/// queue up meanwhile), so the hop line rarely waits at all; a name that is not there in time is printed as the address,
/// as traceroute prints one that has no name.
/// </summary>
internal sealed class ReverseNames(TimeSpan budget, Func<IPAddress, CancellationToken, Task<string?>>? resolve = null)
{
    /// <summary>How long one address may take to resolve, counted from when it first answered.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(1);

    private readonly Dictionary<IPAddress, Lookup> _lookups = [];
    private readonly Func<IPAddress, CancellationToken, Task<string?>> _resolve = resolve ?? ResolveAsync;

    public TimeSpan Budget { get; } = budget;

    /// <summary>Starts looking <paramref name="address"/> up, unless that is already under way or done.</summary>
    public void Start(IPAddress address)
    {
        if (_lookups.ContainsKey(address))
        {
            return;
        }
        var timeout = new CancellationTokenSource(Budget);
        _lookups[address] = new Lookup(Task.Run(() => _resolve(address, timeout.Token), CancellationToken.None), timeout);
    }

    /// <summary>The name of <paramref name="address"/>, or null when it has none or did not resolve within the budget.</summary>
    public async Task<string?> NameAsync(IPAddress address)
    {
        Start(address);
        var lookup = _lookups[address];
        var remaining = Budget - (DateTime.UtcNow - lookup.Started);
        if (!lookup.Task.IsCompleted && remaining > TimeSpan.Zero)
        {
            await Task.WhenAny(lookup.Task, Task.Delay(remaining)).ConfigureAwait(false);
        }
        return lookup.Task.IsCompletedSuccessfully ? lookup.Task.Result : null;
    }

    /// <summary>getnameinfo() through the system resolver (/etc/hosts, then DNS, as nsswitch.conf says).</summary>
    private static async Task<string?> ResolveAsync(IPAddress address, CancellationToken token)
    {
        try
        {
            var entry = await Dns.GetHostEntryAsync(address.ToString(), address.AddressFamily, token).ConfigureAwait(false);
            return string.IsNullOrEmpty(entry.HostName) || entry.HostName == address.ToString() ? null : entry.HostName;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ArgumentException)
        {
            return null;
        }
    }

    private sealed record Lookup(Task<string?> Task, CancellationTokenSource Timeout)
    {
        public DateTime Started { get; } = DateTime.UtcNow;
    }
}
