using System.Globalization;
using System.Text.RegularExpressions;

namespace IcmpKit.Integration.Tests;

/// <summary>Runs `icmpkit trace` and Linux traceroute inside a namespace, as root or as `nobody`, and reads their hop lines.</summary>
internal static partial class TraceTools
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>Drops to nobody/nogroup with no supplementary groups and no capabilities.</summary>
    private static readonly string[] Nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];

    public static CommandResult Icmpkit(string ns, bool asNobody, IEnumerable<string> args) =>
        asNobody
            ? Netns.Exec(ns, "setpriv", [.. Nobody, IcmpKitBinary.Path, "trace", .. args], Limit)
            : Netns.Exec(ns, IcmpKitBinary.Path, ["trace", .. args], Limit);

    /// <summary>Debian's traceroute 2.1.2 (package traceroute), as root or as nobody.</summary>
    public static CommandResult Traceroute(string ns, bool asNobody, IEnumerable<string> args)
    {
        string program = Netns.Which("traceroute") ?? throw new InvalidOperationException(
            "traceroute is missing; install it (DEBIAN_FRONTEND=noninteractive apt-get install -y traceroute)");
        return asNobody ? Netns.Exec(ns, "setpriv", [.. Nobody, program, .. args], Limit) : Netns.Exec(ns, program, args, Limit);
    }

    /// <summary>A fresh chain of <paramref name="routers"/> routers, IPv6 ready when asked, ICMP datagram sockets open to every group.</summary>
    public static RouterChainTopology Chain(int routers, bool v6)
    {
        var net = new RouterChainTopology(routers);
        try
        {
            Assert.True(net.SetupError is null, net.SetupError);
            RouterChainTopology.Sysctl(net.Client, "net.ipv4.ping_group_range=0 2147483647");
            if (v6)
            {
                net.WaitForIPv6();
            }
            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    /// <summary>The destination of a chain: the server, behind every router.</summary>
    public static string Server(RouterChainTopology net, bool v6) => v6 ? net.ServerV6 : net.ServerV4;

    /// <summary>Router i answers from its address on the link toward the client (link i-1, ".2" / "::2").</summary>
    public static string Router(int i, bool v6) => RouterChainTopology.LinkAddress(i - 1, 2, v6);

    [GeneratedRegex(@"\d+\.\d{3} ms")]
    private static partial Regex Time();

    /// <summary>stdout as lines, the times ("0.052 ms") replaced by "&lt;t&gt; ms": what two runs must share.</summary>
    public static IReadOnlyList<string> Masked(CommandResult result) =>
        [.. result.Stdout.Split('\n').Where(line => line.Length > 0).Select(line => Time().Replace(line, "<t> ms"))];

    /// <summary>Lines expected of a full answer from <paramref name="address"/> at <paramref name="ttl"/>: the address once, three times.</summary>
    public static string FullHop(int ttl, string address) =>
        string.Create(CultureInfo.InvariantCulture, $"{ttl,2}  {address}  <t> ms  <t> ms  <t> ms");
}
