using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// A chain of throw-away network namespaces, client – router 1 – … – router N – server, the Linux kernel in each:
/// <code>
///  client C        router R1 (fwd)            router R2 (fwd)             server S
///  [c0] .0.1 --- [r1a] .0.2 | [r1b] .1.1 --- [r2a] .1.2 | [r2b] .2.1 --- [s0] .2.2     (N = 2)
///              link 0               link 1 (MTU 1280)              link 2
/// </code>
/// Link i is 198.18.i.0/24 and fd42:0:i::/64; the node nearer the client has .1 / ::1, the farther one .2 / ::2
/// (N = 1: client 198.18.0.1, router 198.18.0.2 | 198.18.1.1, server 198.18.1.2). Link 1 (behind the first router) has
/// MTU 1280, so the first router sends fragmentation needed / packet too big.
/// <para>
/// Names are "ik" + 6 random hex digits + a role (c, r1, r2, s), veths add a letter or digit (at most 11 characters,
/// under IFNAMSIZ 15). The veths are created inside the namespaces: the host's interfaces and routes are never touched.
/// Duplicate address detection is off in every namespace before its links exist, so IPv6 works as soon as the link-local
/// addresses appear (see <see cref="WaitForIPv6"/>). Everything is removed in Dispose, and if the constructor fails.
/// </para>
/// </summary>
public sealed class RouterChainTopology : IDisposable
{
    public const int SmallMtu = 1280;

    private readonly List<string> _created = [];
    private bool _ipv6Ready;

    public RouterChainTopology(int routers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(routers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(routers, 9);
        Routers = routers;
        Id = "ik" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        Client = Id + "c";
        Server = Id + "s";
        RouterNames = [.. Enumerable.Range(1, routers).Select(i => Id + "r" + i.ToString(CultureInfo.InvariantCulture))];
        Directory = System.IO.Directory.CreateTempSubdirectory($"icmpkit-{Id}-").FullName;
        SetupError = CheckPrerequisites();
        if (SetupError is not null)
        {
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
    public int Routers { get; }
    public string Client { get; }
    public string Server { get; }
    public IReadOnlyList<string> RouterNames { get; }

    /// <summary>The first router's namespace.</summary>
    public string Router => RouterNames[0];

    /// <summary>A temporary directory for files the tests write (nft scripts), removed with the topology.</summary>
    public string Directory { get; }

    /// <summary>Why the topology could not be built (not root, a tool missing), for the tests to fail with; null when built.</summary>
    public string? SetupError { get; }

    public static string ClientV4 => V4(0, 1);
    public static string ClientV6 => V6(0, 1);
    public string ServerV4 => V4(Routers, 2);
    public string ServerV6 => V6(Routers, 2);

    /// <summary>An unused address on the server's link: the last router asks for it (ARP / neighbour solicitation) and drops the request.</summary>
    public string SilentV4 => V4(Routers, 3);
    public string SilentV6 => V6(Routers, 3);

    /// <summary>Router <paramref name="router"/> (1-based) on the link toward the client: where its ICMP errors come from.</summary>
    public static string RouterNearV4(int router = 1) => V4(router - 1, 2);
    public static string RouterNearV6(int router = 1) => V6(router - 1, 2);

    /// <summary>Router <paramref name="router"/> (1-based) on the link toward the server.</summary>
    public static string RouterFarV4(int router = 1) => V4(router, 1);
    public static string RouterFarV6(int router = 1) => V6(router, 1);

    /// <summary>
    /// An address outside every link (198.19.NET.1, fd42:0:fNET::1; still inside 198.18.0.0/15 and fd42::/32), for routes
    /// of type unreachable / prohibit on a router.
    /// </summary>
    public static string Elsewhere(int net, bool v6) =>
        v6 ? string.Create(CultureInfo.InvariantCulture, $"fd42:0:f{net:x2}::1") : string.Create(CultureInfo.InvariantCulture, $"198.19.{net}.1");

    /// <summary>The prefix of <see cref="Elsewhere"/>.</summary>
    public static string ElsewherePrefix(int net, bool v6) =>
        v6 ? string.Create(CultureInfo.InvariantCulture, $"fd42:0:f{net:x2}::/64") : string.Create(CultureInfo.InvariantCulture, $"198.19.{net}.0/24");

    /// <summary>Host <paramref name="host"/> of link <paramref name="link"/>: 198.18.LINK.HOST or fd42:0:LINK::HOST.</summary>
    public static string LinkAddress(int link, int host, bool v6) => v6 ? V6(link, host) : V4(link, host);

    private static string V4(int link, int host) => string.Create(CultureInfo.InvariantCulture, $"198.18.{link}.{host}");
    /// <summary>In the canonical text form (RFC 5952, as the kernel and ping print it: fd42::1, fd42:0:1::2).</summary>
    private static string V6(int link, int host) =>
        System.Net.IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"fd42:0:{link:x}::{host:x}")).ToString();

    private static string? CheckPrerequisites()
    {
        if (!Netns.IsRoot())
        {
            return "the kernel ping tests need root (network namespaces, veths, nftables); run them as root, as CI does";
        }
        foreach (string tool in (string[])["ip", "ping", "nft", "setpriv", "sysctl"])
        {
            if (Netns.Which(tool) is null)
            {
                return $"'{tool}' is missing; install it (DEBIAN_FRONTEND=noninteractive apt-get install -y iproute2 iputils-ping nftables util-linux procps)";
            }
        }
        return null;
    }

    private void Build()
    {
        string[] nodes = [Client, .. RouterNames, Server];
        foreach (string ns in nodes)
        {
            Netns.Ip("netns", "add", ns);
            _created.Add(ns);
            Netns.Ip("-n", ns, "link", "set", "lo", "up");
            // Before any link exists: links made here copy "default", and their link-local addresses skip DAD.
            Sysctl(ns, "net.ipv6.conf.default.accept_dad=0");
            Sysctl(ns, "net.ipv6.conf.all.accept_dad=0");
        }
        for (int link = 0; link <= Routers; link++)
        {
            string left = nodes[link], right = nodes[link + 1];
            string leftDevice = LinkDevice(left, towardServer: true), rightDevice = LinkDevice(right, towardServer: false);
            Netns.Ip("link", "add", leftDevice, "netns", left, "type", "veth", "peer", "name", rightDevice, "netns", right);
            if (link == 1)
            {
                string mtu = SmallMtu.ToString(CultureInfo.InvariantCulture);
                Netns.Ip("-n", left, "link", "set", leftDevice, "mtu", mtu);
                Netns.Ip("-n", right, "link", "set", rightDevice, "mtu", mtu);
            }
            Address(left, leftDevice, V4(link, 1) + "/24", V6(link, 1) + "/64");
            Address(right, rightDevice, V4(link, 2) + "/24", V6(link, 2) + "/64");
        }
        // Default routes point away from the node's own side: the client and routers toward the server, the server back.
        Netns.Ip("-n", Client, "route", "add", "default", "via", V4(0, 2));
        Netns.Ip("-n", Client, "-6", "route", "add", "default", "via", V6(0, 2));
        for (int r = 1; r <= Routers; r++)
        {
            string ns = nodes[r];
            if (r < Routers)
            {
                Netns.Ip("-n", ns, "route", "add", "default", "via", V4(r, 2));
                Netns.Ip("-n", ns, "-6", "route", "add", "default", "via", V6(r, 2));
            }
            if (r > 1)
            {
                // Everything nearer the client than this router's own links goes back toward the client.
                for (int link = 0; link < r - 1; link++)
                {
                    Netns.Ip("-n", ns, "route", "add", V4(link, 0) + "/24", "via", V4(r - 1, 1));
                    Netns.Ip("-n", ns, "-6", "route", "add", V6(link, 0) + "/64", "via", V6(r - 1, 1));
                }
            }
            // The last router has no default route: it reaches the server's link directly, and an address it does not
            // know gets "network unreachable" from it.
            Sysctl(ns, "net.ipv4.ip_forward=1");
            Sysctl(ns, "net.ipv6.conf.all.forwarding=1");
        }
        Netns.Ip("-n", Server, "route", "add", "default", "via", V4(Routers, 1));
        Netns.Ip("-n", Server, "-6", "route", "add", "default", "via", V6(Routers, 1));
    }

    /// <summary>The veth of <paramref name="ns"/> toward the server ("b"/"0") or toward the client ("a"/"0").</summary>
    private string LinkDevice(string ns, bool towardServer) =>
        ns == Client || ns == Server ? ns + "0" : ns + (towardServer ? "b" : "a");

    /// <summary>The client's only link.</summary>
    public string ClientDevice => Client + "0";

    private static void Address(string ns, string device, string v4, string v6)
    {
        Netns.Ip("-n", ns, "addr", "add", v4, "dev", device);
        // nodad: usable at once, no duplicate address detection to wait for.
        Netns.Ip("-n", ns, "addr", "add", v6, "dev", device, "nodad");
        Netns.Ip("-n", ns, "link", "set", device, "up");
    }

    /// <summary>`sysctl -qw SETTING` inside <paramref name="ns"/>, which must succeed.</summary>
    public static void Sysctl(string ns, string setting) => Netns.Sysctl(ns, setting);

    /// <summary>
    /// Waits (at most 10 s) until every link of every namespace has its IPv6 link-local address: a router sends neighbour
    /// solicitations from it, so until the kernel adds it (after the carrier comes up, rate-limited to about 1/s host-wide)
    /// the first IPv6 packet through a router waits about a second, and a comparison would see it.
    /// </summary>
    public void WaitForIPv6()
    {
        if (_ipv6Ready)
        {
            return;
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string[] nodes = [Client, .. RouterNames, Server];
        while (true)
        {
            var missing = nodes.Where(ns => !HasLinkLocalEverywhere(ns)).ToList();
            if (missing.Count == 0)
            {
                _ipv6Ready = true;
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"no usable IPv6 link-local address after 10 s in {string.Join(", ", missing)}");
            }
            Thread.Sleep(50);
        }
    }

    private static bool HasLinkLocalEverywhere(string ns)
    {
        var links = Netns.Run("ip", ["-n", ns, "-o", "link", "show", "type", "veth"], TimeSpan.FromSeconds(10));
        int count = links.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        var addresses = Netns.Run("ip", ["-n", ns, "-o", "-6", "addr", "show", "scope", "link", "-tentative"], TimeSpan.FromSeconds(10));
        int ready = addresses.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(line => line.Contains(" fe80::", StringComparison.Ordinal));
        return count > 0 && ready >= count;
    }

    /// <summary>Loads an nftables script into <paramref name="ns"/> (`nft -f FILE`); the rules go with the namespace.</summary>
    public void Nft(string ns, string script)
    {
        string path = Path.Combine(Directory, $"rules-{Guid.NewGuid():N}.nft");
        File.WriteAllText(path, script);
        var result = Netns.Exec(ns, "nft", ["-f", path], TimeSpan.FromSeconds(20));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"nft rejected the rules: {result}\n{script}");
        }
    }

    /// <summary>The packets an nftables named counter has seen (`nft -j list counter inet TABLE NAME`).</summary>
    public static long NftCounter(string ns, string table, string name)
    {
        var result = Netns.Exec(ns, "nft", ["-j", "list", "counter", "inet", table, name], TimeSpan.FromSeconds(20));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"cannot read the counter: {result}");
        }
        using var document = JsonDocument.Parse(result.Stdout);
        foreach (var item in document.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("counter", out var counter))
            {
                return counter.GetProperty("packets").GetInt64();
            }
        }
        throw new InvalidOperationException($"no counter {name} in {result.Stdout}");
    }

    /// <summary>Deleting a namespace deletes its veth ends; the peers go with them.</summary>
    public void Dispose() => Netns.DeleteAll(_created, Directory);

    /// <summary>The namespaces this topology made (for the cleanup test).</summary>
    public IReadOnlyList<string> Namespaces => [Client, .. RouterNames, Server];
}
