using System.Security.Cryptography;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// Three throw-away network namespaces, the Linux kernel as every peer:
/// <code>
///  client C            router R (forwarding)                   server S
///  [c0] 198.18.0.1 --- [r0] 198.18.0.254 | [r1] 198.18.1.254 --- [s0] 198.18.1.2
///       fd42::1             fd42::fe     |      fd42:0:1::fe          fd42:0:1::2
///                                          MTU 1280 on r1/s0 (fragmentation needed, packet too big)
/// </code>
/// Names are "ik" + 6 random hex digits + a role letter (veths add a digit: 10 characters, under IFNAMSIZ 15).
/// Only 198.18.0.0/15 and fd42::/32 are used; the host's interfaces and routes are never touched (the veths are
/// created directly inside the namespaces). Everything is removed in Dispose, and if the constructor fails.
/// </summary>
public sealed class KernelTopology : IDisposable
{
    public const string ClientV4 = "198.18.0.1";
    public const string RouterNearV4 = "198.18.0.254";
    public const string RouterFarV4 = "198.18.1.254";
    public const string ServerV4 = "198.18.1.2";
    public const string ClientV6 = "fd42::1";
    public const string RouterNearV6 = "fd42::fe";
    public const string RouterFarV6 = "fd42:0:1::fe";
    public const string ServerV6 = "fd42:0:1::2";
    public const int FarMtu = 1280;

    private readonly List<string> _created = [];

    public KernelTopology()
    {
        Id = "ik" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        Client = Id + "c";
        Router = Id + "r";
        Server = Id + "s";
        ClientDevice = Client + "0";
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
    public string Client { get; }
    public string Router { get; }
    public string Server { get; }
    public string ClientDevice { get; }

    /// <summary>A temporary directory for captures, removed with the topology.</summary>
    public string Directory { get; }

    /// <summary>Why the topology could not be built (not root, a tool missing), for the tests to fail with; null when built.</summary>
    public string? SetupError { get; }

    /// <summary>What sends the ICMP timestamp request: hping3, else scapy.</summary>
    public string? Hping3 { get; } = Netns.Which("hping3");

    private static string? CheckPrerequisites()
    {
        if (!Netns.IsRoot())
        {
            return "the kernel differential tests need root (network namespaces, veths, packet capture); run them as root, as CI does";
        }
        foreach (string tool in (string[])["ip", "tshark", "ping"])
        {
            if (Netns.Which(tool) is null)
            {
                return $"'{tool}' is missing; install it (DEBIAN_FRONTEND=noninteractive apt-get install -y iproute2 tshark iputils-ping)";
            }
        }
        if (!File.Exists("/usr/bin/python3"))
        {
            return "/usr/bin/python3 is missing; it sends the UDP datagram for port unreachable (apt-get install -y python3-scapy)";
        }
        return null;
    }

    private void Build()
    {
        foreach (string ns in (string[])[Client, Router, Server])
        {
            Netns.Ip("netns", "add", ns);
            _created.Add(ns);
            Netns.Ip("-n", ns, "link", "set", "lo", "up");
            // Link-local addresses skip duplicate address detection too: while they are tentative, neighbour
            // discovery cannot run, and the first IPv6 packet across the router was lost about half the time.
            Sysctl(ns, "net.ipv6.conf.all.accept_dad=0");
            Sysctl(ns, "net.ipv6.conf.default.accept_dad=0");
        }
        // Created inside the namespaces: the host never sees these devices.
        Netns.Ip("link", "add", ClientDevice, "netns", Client, "type", "veth", "peer", "name", Router + "0", "netns", Router);
        Netns.Ip("link", "add", Router + "1", "netns", Router, "type", "veth", "peer", "name", Server + "0", "netns", Server);
        Netns.Ip("-n", Router, "link", "set", Router + "1", "mtu", FarMtu.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Netns.Ip("-n", Server, "link", "set", Server + "0", "mtu", FarMtu.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Address(Client, ClientDevice, ClientV4 + "/24", ClientV6 + "/64");
        Address(Router, Router + "0", RouterNearV4 + "/24", RouterNearV6 + "/64");
        Address(Router, Router + "1", RouterFarV4 + "/24", RouterFarV6 + "/64");
        Address(Server, Server + "0", ServerV4 + "/24", ServerV6 + "/64");

        Netns.Ip("-n", Client, "route", "add", "default", "via", RouterNearV4);
        Netns.Ip("-n", Client, "-6", "route", "add", "default", "via", RouterNearV6);
        Netns.Ip("-n", Server, "route", "add", "default", "via", RouterFarV4);
        Netns.Ip("-n", Server, "-6", "route", "add", "default", "via", RouterFarV6);
        Sysctl(Router, "net.ipv4.ip_forward=1");
        Sysctl(Router, "net.ipv6.conf.all.forwarding=1");
    }

    private static void Address(string ns, string device, string v4, string v6)
    {
        Netns.Ip("-n", ns, "addr", "add", v4, "dev", device);
        // nodad: usable at once, no duplicate address detection to wait for.
        Netns.Ip("-n", ns, "addr", "add", v6, "dev", device, "nodad");
        Netns.Ip("-n", ns, "link", "set", device, "up");
    }

    private static void Sysctl(string ns, string setting) => Netns.Sysctl(ns, setting);

    /// <summary>Deleting a namespace deletes its veth ends; the peers go with them.</summary>
    public void Dispose() => Netns.DeleteAll(_created, Directory);

    /// <summary>Whether a namespace of this topology still exists (for the cleanup test).</summary>
    public static bool NamespaceExists(string ns) =>
        Netns.Run("ip", ["netns", "list"]).Stdout.Split('\n').Any(line => line.Split(' ')[0] == ns);
}
