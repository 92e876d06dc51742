using System.Net;
using System.Net.Sockets;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Responder;

public sealed partial class ResponderCore
{
    /// <summary>
    /// Runs the common paths once — echo to the host and to the first hop, a probe expiring at the first hop, UDP
    /// to a closed port, IPv4 and IPv6 as configured — on a scratch core built from the same options, whose answers
    /// go nowhere. Without it the first packets of a run pay for just-in-time compilation (tens of ms here), and a
    /// traceroute's first hops look far slower than configured. This core's counters and rate limits are untouched.
    /// </summary>
    public static void WarmUp(ResponderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var quiet = options with
        {
            Loss = 0,
            Delay = TimeSpan.Zero,
            Hops = options.Hops.Select(h => h with { Loss = 0, QueueLimit = null, QueueRate = 0 }).ToList(),
            GlobalErrorsPerSecond = int.MaxValue / 2,
        };
        var scratch = new ResponderCore(quiet);
        var sink = new DiscardingSink();
        foreach (var host in options.Addresses)
        {
            bool v4 = host.AddressFamily == AddressFamily.InterNetwork;
            var prober = v4 ? IPAddress.Parse("198.18.255.254") : IPAddress.Parse("fd42:ffff:ffff::fffe");
            var firstHop = options.Hops.FirstOrDefault(h => h.Address.AddressFamily == host.AddressFamily)?.Address;
            for (int round = 0; round < 2; round++)
            {
                foreach (var target in firstHop is null ? [host] : new[] { host, firstHop })
                {
                    scratch.Process(v4 ? EchoV4(prober, target, 64) : EchoV6(prober, target, 64), sink);
                }
                if (firstHop is not null)
                {
                    scratch.Process(v4 ? EchoV4(prober, host, 1) : EchoV6(prober, host, 1), sink);
                }
                scratch.Process(Udp(prober, host), sink);
            }
        }
    }

    private static byte[] EchoV4(IPAddress source, IPAddress destination, byte ttl)
    {
        byte[] icmp = new IcmpV4Message.EchoRequest(1, 1, new byte[56]).ToArray();
        return IPv4(source, destination, IPProtocol.Icmp, ttl, icmp);
    }

    private static byte[] EchoV6(IPAddress source, IPAddress destination, byte hopLimit)
    {
        byte[] icmp = new IcmpV6Message.EchoRequest(1, 1, new byte[56]).ToArray(source, destination);
        return IPv6(source, destination, IPProtocol.IcmpV6, hopLimit, icmp);
    }

    /// <summary>A UDP datagram with no checksum (RFC 768 allows it in IPv4; the core accepts it in IPv6 too, or drops it: either path is warmed).</summary>
    private static byte[] Udp(IPAddress source, IPAddress destination)
    {
        byte[] udp = [0x9C, 0x40, 0x82, 0x9A, 0, 16, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
        return source.AddressFamily == AddressFamily.InterNetwork
            ? IPv4(source, destination, IPProtocol.Udp, 64, udp)
            : IPv6(source, destination, IPProtocol.Udp, 64, udp);
    }

    private static byte[] IPv4(IPAddress source, IPAddress destination, byte protocol, byte ttl, byte[] payload)
    {
        var header = new IPv4Header { Source = source, Destination = destination, Protocol = protocol, TimeToLive = ttl, TotalLength = (ushort)(20 + payload.Length) };
        var packet = new byte[20 + payload.Length];
        header.Write(packet);
        payload.CopyTo(packet, 20);
        return packet;
    }

    private static byte[] IPv6(IPAddress source, IPAddress destination, byte nextHeader, byte hopLimit, byte[] payload)
    {
        var header = new IPv6Header { Source = source, Destination = destination, NextHeader = nextHeader, HopLimit = hopLimit, PayloadLength = (ushort)payload.Length };
        var packet = new byte[40 + payload.Length];
        header.Write(packet);
        payload.CopyTo(packet, 40);
        return packet;
    }

    private sealed class DiscardingSink : IResponderSink
    {
        public void Emit(ReadOnlySpan<byte> ipPacket, TimeSpan delay)
        {
        }
    }
}
