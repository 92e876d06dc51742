using System.Net;
using System.Net.Sockets;

namespace IcmpKit.Cli;

/// <summary>The target of a command: a literal in the family asked for, or a name resolved within 10 seconds.</summary>
internal static class HostNames
{
    /// <summary>IPv4 first when the name has both (as iputils); null when it cannot be resolved in that family.</summary>
    public static async Task<IPAddress?> ResolveAsync(string host, AddressFamily family, CancellationToken token)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return family == AddressFamily.Unspecified || literal.AddressFamily == family ? literal : null;
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var addresses = await Dns.GetHostAddressesAsync(host, family, timeout.Token).ConfigureAwait(false);
            return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ArgumentException)
        {
            return null;
        }
    }
}
