using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IcmpKit.Responder;

/// <summary>
/// The checks on <see cref="ResponderOptions"/> made once, at construction: each failure is an
/// <see cref="ArgumentException"/> whose message names the setting, the hop or interface, and the value, in one line.
/// </summary>
public sealed partial class ResponderCore
{
    private static void Validate(ResponderOptions options)
    {
        Require(options.Addresses is { Count: > 0 }, $"The responder needs at least one host address.");
        Require(options.Hops is not null && options.Hops.All(h => h is not null), $"The hop list must not be null or hold null hops.");
        Require(options.Interfaces is not null && options.Interfaces.All(i => i is not null), $"The interface list must not be null or hold null entries.");
        var seen = new HashSet<IPAddress>();
        foreach (var address in ResponderPath.AllAddresses(options))
        {
            Require(address is not null, $"A host or hop address is missing.");
            bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
            Require((v4 || address.AddressFamily == AddressFamily.InterNetworkV6) && seen.Add(address),
                $"Address {address} is not a unique IPv4 or IPv6 address.");
            Require(IsUnicast(address), $"Address {address} must be a unicast address.");
        }
        CheckNode("the host", options.Delay, options.Jitter, options.Loss, options.Duplicate, options.Reorder, options.ReorderDelay);
        CheckBucket("PerSourceErrors", options.PerSourceErrors);
        Require(options.GlobalErrorsPerSecond >= 1, $"GlobalErrorsPerSecond is {options.GlobalErrorsPerSecond}; it must be at least 1.");
        Require(Enum.IsDefined(options.TcpSyn), $"TcpSyn {options.TcpSyn} is neither Reset nor Silent.");
        for (int i = 0; i < options.Hops.Count; i++)
        {
            CheckHop($"hop {i + 1} ({options.Hops[i].Address})", options.Hops[i]);
        }
        Require(options.AddressMask is null || options.AddressMask.AddressFamily == AddressFamily.InterNetwork,
            $"The address mask is an IPv4 mask (RFC 950).");
        CheckInterfaces(options.Interfaces);
    }

    private static void CheckHop(string name, ResponderHop hop)
    {
        CheckNode(name, hop.Delay, hop.Jitter, hop.Loss, hop.Duplicate, hop.Reorder, hop.ReorderDelay);
        bool v4 = hop.Address.AddressFamily == AddressFamily.InterNetwork;
        if (hop.Mtu is int mtu)
        {
            // RFC 791: every IPv4 link carries 68 bytes; RFC 8200 §5: every IPv6 link 1280.
            int minimum = v4 ? 68 : 1280;
            Require(mtu >= minimum && mtu <= ushort.MaxValue, $"{name}: Mtu {mtu} must lie between {minimum} and {ushort.MaxValue}.");
        }
        Require(hop.MplsLabels?.Any(label => label > 0xFFFFF) != true, $"{name}: MPLS labels are 20 bits (RFC 3032 §2.1), at most {0xFFFFF}.");
        if (hop.RedirectGateway is { } gateway)
        {
            // RFC 4861 §8: an IPv6 redirect comes from an on-link router's link-local address, never from hops away.
            Require(v4, $"{name}: RedirectGateway is for IPv4 hops only; IPv6 redirects are Neighbour Discovery messages that only an on-link router can send (RFC 4861 §8).");
            Require(gateway.AddressFamily == AddressFamily.InterNetwork && IsUnicast(gateway) && !gateway.Equals(IPAddress.Broadcast),
                $"{name}: RedirectGateway {gateway} must be an IPv4 unicast address.");
        }
        if (hop.QueueLimit is int limit)
        {
            Require(limit >= 1, $"{name}: QueueLimit is {limit}; a queue holds at least 1 packet.");
            Require(hop.QueueRate > 0 && double.IsFinite(hop.QueueRate), $"{name}: QueueRate is {hop.QueueRate}; a queue needs a rate above 0 packets per second.");
        }
        else
        {
            Require(hop.QueueRate == 0, $"{name}: QueueRate {hop.QueueRate} is set without a QueueLimit.");
        }
        if (hop.ErrorRateLimit is { } bucket)
        {
            CheckBucket($"{name}: ErrorRateLimit", bucket);
        }
    }

    private static void CheckNode(string name, TimeSpan delay, TimeSpan jitter, double loss, double duplicate, double reorder, TimeSpan reorderDelay)
    {
        CheckProbability(name, "Loss", loss);
        CheckProbability(name, "Duplicate", duplicate);
        CheckProbability(name, "Reorder", reorder);
        CheckNotNegative(name, "Delay", delay);
        CheckNotNegative(name, "Jitter", jitter);
        CheckNotNegative(name, "ReorderDelay", reorderDelay);
    }

    private static void CheckInterfaces(IReadOnlyList<ResponderInterface> interfaces)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var indices = new HashSet<int>();
        foreach (var entry in interfaces)
        {
            Require(!string.IsNullOrEmpty(entry.Name), $"An interface needs a name.");
            int bytes = Encoding.UTF8.GetByteCount(entry.Name);
            // RFC 8335 §2.1: names travel NUL-padded, so a NUL cannot be part of one; RFC 5837 §4.3 caps them at 63 bytes.
            Require(bytes <= InterfaceTable.MaxNameBytes && !entry.Name.Contains('\0', StringComparison.Ordinal),
                $"Interface name \"{entry.Name}\" must be 1 to {InterfaceTable.MaxNameBytes} bytes of UTF-8 without NUL (it is {bytes}).");
            Require(entry.Index > 0, $"Interface {entry.Name}: Index {entry.Index} must be above 0 (an ifIndex, RFC 2863).");
            Require(names.Add(entry.Name), $"Interface name {entry.Name} appears twice.");
            Require(indices.Add(entry.Index), $"Interface index {entry.Index} appears twice.");
            Require(entry.Addresses is not null && entry.Addresses.All(a => a is not null && a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6),
                $"Interface {entry.Name}: every address must be IPv4 or IPv6.");
        }
    }

    private static void CheckBucket(string name, ErrorRateLimit bucket)
    {
        Require(bucket.Burst >= 1, $"{name}: Burst is {bucket.Burst}; it must be at least 1.");
        Require(bucket.PerSecond > 0 && double.IsFinite(bucket.PerSecond), $"{name}: PerSecond is {bucket.PerSecond}; it must be above 0.");
    }

    private static void CheckProbability(string name, string setting, double value) =>
        Require(value >= 0 && value <= 1, $"{name}: {setting} is {value}; a probability lies between 0 and 1.");

    private static void CheckNotNegative(string name, string setting, TimeSpan value) =>
        Require(value >= TimeSpan.Zero, $"{name}: {setting} is {value.TotalMilliseconds} ms; it must not be negative.");

    private static bool IsUnicast(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork
            ? (uint)PathNode.ToKey(address) >> 28 != 0xE && !address.Equals(IPAddress.Any)
            : !address.IsIPv6Multicast && !address.Equals(IPAddress.IPv6Any);

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> with <paramref name="message"/> alone (numbers formatted invariantly, so
    /// 1.5 reads the same everywhere), a line the CLI prints as it is.
    /// </summary>
    private static void Require([DoesNotReturnIf(false)] bool condition, FormattableString message)
    {
        if (!condition)
        {
            throw new ArgumentException(FormattableString.Invariant(message));
        }
    }
}
