using System.Globalization;
using System.Security.Cryptography;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// An ECMP pair in throw-away namespaces, the Linux kernel in each:
/// <code>
///                          ┌ [r2a] .1.2 | .3.1 ┐
///  client .0.1 ─ .0.2 [r1]                      [r3] .5.1 ─ .5.2 server
///                  .1.1/.2.1 └ [r2b] .2.2 | .4.1 ┘ .3.2/.4.2
/// </code>
/// Link i is 198.18.i.0/24 and fd42:0:i::/64, the node nearer the client .1 / ::1. R1 reaches the server's link through a
/// multipath route (`ip route add 198.18.5.0/24 nexthop via 198.18.1.2 nexthop via 198.18.2.2`, and the same for IPv6)
/// with the layer-4 hash (net.ipv4.fib_multipath_hash_policy=1, net.ipv6.fib_multipath_hash_policy=1: addresses,
/// protocol and ports), so each UDP or TCP flow takes one of R2a, R2b. ICMP has no ports: the hash sends every echo
/// request one way. R3 routes back through R2a alone, so its IPv4 errors always come from 198.18.3.2 (Linux picks the
/// source of an ICMPv6 error from the interface the packet came in on: fd42:0:3::2 or fd42:0:4::2).
/// <para>
/// The routers and the server answer without the per-host ICMP rate limit (icmp_ratelimit=0): these tests count paths,
/// and several traces of 10 probes per hop in a row would otherwise wait for tokens (the rate limit has tests of its own).
/// Names are "ik" + 6 random hex digits + a role; everything is removed in Dispose, and if the constructor fails.
/// </para>
/// </summary>
public sealed class TraceMultipathTopology : IDisposable
{
    private static readonly string[] Roles = ["c", "r1", "r2a", "r2b", "r3", "s"];

    /// <summary>(link, nearer node, farther node).</summary>
    private static readonly (int Link, string Near, string Far)[] Links =
        [(0, "c", "r1"), (1, "r1", "r2a"), (2, "r1", "r2b"), (3, "r2a", "r3"), (4, "r2b", "r3"), (5, "r3", "s")];

    private readonly List<string> _created = [];

    public TraceMultipathTopology()
    {
        Id = "ik" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        Directory = System.IO.Directory.CreateTempSubdirectory($"icmpkit-{Id}-").FullName;
        if (!Netns.IsRoot())
        {
            SetupError = "the multipath tests need root (network namespaces, veths); run them as root, as CI does";
            return;
        }
        try
        {
            Build();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Id { get; }

    public string Directory { get; }

    public string? SetupError { get; }

    public string Client => Node("c");

    public string Server => Node("s");

    /// <summary>The node of <paramref name="role"/> (c, r1, r2a, r2b, r3, s).</summary>
    public string Node(string role) => Id + role;

    public static string ServerAddress(bool v6) => RouterChainTopology.LinkAddress(5, 2, v6);

    public static string R1(bool v6) => RouterChainTopology.LinkAddress(0, 2, v6);

    /// <summary>The two middle routers, where their errors come from (their address toward R1).</summary>
    public static string[] Middle(bool v6) => [RouterChainTopology.LinkAddress(1, 2, v6), RouterChainTopology.LinkAddress(2, 2, v6)];

    /// <summary>R3's addresses toward R2a and R2b.</summary>
    public static string[] R3(bool v6) => [RouterChainTopology.LinkAddress(3, 2, v6), RouterChainTopology.LinkAddress(4, 2, v6)];

    private void Build()
    {
        foreach (string role in Roles)
        {
            string ns = Node(role);
            Netns.Ip("netns", "add", ns);
            _created.Add(ns);
            Netns.Ip("-n", ns, "link", "set", "lo", "up");
            Netns.Sysctl(ns, "net.ipv6.conf.default.accept_dad=0");
            Netns.Sysctl(ns, "net.ipv6.conf.all.accept_dad=0");
        }
        foreach (var (link, near, far) in Links)
        {
            string l = link.ToString(CultureInfo.InvariantCulture);
            string a = Node(near), b = Node(far);
            Netns.Ip("link", "add", a + "l" + l, "netns", a, "type", "veth", "peer", "name", b + "l" + l, "netns", b);
            Address(a, a + "l" + l, link, 1);
            Address(b, b + "l" + l, link, 2);
        }
        Route("c", "default", "via", Address(0, 2));
        Route("r1", Prefix(5), "nexthop", "via", Address(1, 2), "nexthop", "via", Address(2, 2));
        Route("r2a", "default", "via", Address(3, 2));
        Route("r2a", Prefix(0), "via", Address(1, 1));
        Route("r2b", "default", "via", Address(4, 2));
        Route("r2b", Prefix(0), "via", Address(2, 1));
        Route("r3", Prefix(0), "via", Address(3, 1));
        Route("s", "default", "via", Address(5, 1));
        foreach (string role in (string[])["r1", "r2a", "r2b", "r3"])
        {
            foreach (string setting in (string[])["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1",
                "net.ipv4.fib_multipath_hash_policy=1", "net.ipv6.fib_multipath_hash_policy=1"])
            {
                Netns.Sysctl(Node(role), setting);
            }
        }
        foreach (string role in (string[])["r1", "r2a", "r2b", "r3", "s"])
        {
            Netns.Sysctl(Node(role), "net.ipv4.icmp_ratelimit=0");
            Netns.Sysctl(Node(role), "net.ipv6.icmp.ratelimit=0");
        }
        Netns.Sysctl(Client, "net.ipv4.ping_group_range=0 2147483647");
        WaitForIPv6();
    }

    /// <summary>
    /// `ip route add WORDS` in both families: "net:N" stands for link N's prefix and "host:L.H" for host H of link L, each
    /// in the family of the route.
    /// </summary>
    private void Route(string role, params string[] words)
    {
        Netns.Ip(["-n", Node(role), "route", "add", .. words.Select(w => Word(w, v6: false))]);
        Netns.Ip(["-n", Node(role), "-6", "route", "add", .. words.Select(w => Word(w, v6: true))]);
    }

    private static string Word(string word, bool v6)
    {
        if (word.StartsWith("net:", StringComparison.Ordinal))
        {
            return v6 ? $"fd42:0:{word[4..]}::/64" : $"198.18.{word[4..]}.0/24";
        }
        if (word.StartsWith("host:", StringComparison.Ordinal))
        {
            string[] parts = word[5..].Split('.');
            return RouterChainTopology.LinkAddress(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), v6);
        }
        return word;
    }

    private static string Prefix(int link) => "net:" + link.ToString(CultureInfo.InvariantCulture);

    private static string Address(int link, int host) => string.Create(CultureInfo.InvariantCulture, $"host:{link}.{host}");

    private static void Address(string ns, string device, int link, int host)
    {
        Netns.Ip("-n", ns, "addr", "add", RouterChainTopology.LinkAddress(link, host, false) + "/24", "dev", device);
        Netns.Ip("-n", ns, "addr", "add", RouterChainTopology.LinkAddress(link, host, true) + "/64", "dev", device, "nodad");
        Netns.Ip("-n", ns, "link", "set", device, "up");
    }

    /// <summary>Waits (at most 10 s) for every link-local address, which routers need to forward IPv6 (see RouterChainTopology).</summary>
    private void WaitForIPv6()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        foreach (string role in Roles)
        {
            string ns = Node(role);
            while (true)
            {
                var links = Netns.Run("ip", ["-n", ns, "-o", "link", "show", "type", "veth"], TimeSpan.FromSeconds(10));
                var ready = Netns.Run("ip", ["-n", ns, "-o", "-6", "addr", "show", "scope", "link", "-tentative"], TimeSpan.FromSeconds(10));
                int count = links.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
                if (count > 0 && ready.Stdout.Split('\n').Count(l => l.Contains(" fe80::", StringComparison.Ordinal)) >= count)
                {
                    break;
                }
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"no usable IPv6 link-local address after 10 s in {ns}");
                }
                Thread.Sleep(50);
            }
        }
    }

    public void Dispose() => Netns.DeleteAll(_created, Directory);
}
