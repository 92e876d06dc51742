using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IcmpKit.Integration.Tests.Injection;

/// <summary>
/// Two throw-away namespaces joined by one veth, and a hostile peer (issue 6 §2, after FreeBSD's ping injection tests):
/// <code>
///  client C                                  peer P: kernel echo off, timestamp requests dropped by nftables;
///  [c0] 198.18.16.1/24, fd42:16::1/64 ---- [p0] 198.18.16.2/24, fd42:16::2/64
///                                           injector.py (scapy) reads every frame on p0 and answers as the scenario says
/// </code>
/// The injector (<c>Injection/injector.py</c>, embedded in this assembly) is one long-lived process for the lab: each
/// test switches its scenario over stdin and then runs `icmpkit ping` in the client namespace. `ping_group_range` is open
/// in the client namespace so that root can use datagram sockets too (`--socket dgram`), as well as raw ones.
/// Names are "ik" + 6 random hex digits + a role letter; everything is removed in Dispose, and if the constructor fails.
/// </summary>
public class InjectionLab : IDisposable
{
    public const string ClientV4 = "198.18.16.1";
    public const string PeerV4 = "198.18.16.2";
    /// <summary>An address on the link that nobody has: the injector's "reply from a different address" comes from it.</summary>
    public const string OtherV4 = "198.18.16.3";
    public const string ClientV6 = "fd42:16::1";
    public const string PeerV6 = "fd42:16::2";
    public const string OtherV6 = "fd42:16::3";

    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(10);

    private readonly List<string> _created = [];
    private readonly BlockingCollection<string> _answers = [];
    private readonly StringBuilder _log = new();
    private Process? _injector;

    public InjectionLab()
    {
        Id = "ik" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        Client = Id + "c";
        Peer = Id + "p";
        Directory = System.IO.Directory.CreateTempSubdirectory($"icmpkit-{Id}-").FullName;
        SetupError = CheckPrerequisites();
        if (SetupError is not null)
        {
            return;
        }
        try
        {
            Build();
            StartInjector();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Id { get; }
    public string Client { get; }
    public string Peer { get; }
    public string Directory { get; }

    /// <summary>Why the lab could not be built (not root, a tool missing), for the tests to fail with; null when built.</summary>
    public string? SetupError { get; }

    /// <summary>What the injector wrote on stderr so far (one line per packet it answered), for failure messages.</summary>
    public string InjectorLog
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    private static string? CheckPrerequisites()
    {
        if (!Netns.IsRoot())
        {
            return "the injection tests need root (network namespaces, veths, AF_PACKET, nftables); run them as root, as CI does";
        }
        foreach (string tool in (string[])["ip", "nft", "sysctl"])
        {
            if (Netns.Which(tool) is null)
            {
                return $"'{tool}' is missing; install it (DEBIAN_FRONTEND=noninteractive apt-get install -y iproute2 nftables procps)";
            }
        }
        var scapy = Netns.Run("/usr/bin/python3", ["-c", "import scapy.layers.inet6"], TimeSpan.FromSeconds(20));
        if (scapy.ExitCode != 0)
        {
            return $"/usr/bin/python3 cannot import scapy (apt-get install -y python3-scapy): {scapy}";
        }
        return null;
    }

    private void Build()
    {
        foreach (string ns in (string[])[Client, Peer])
        {
            Netns.Ip("netns", "add", ns);
            _created.Add(ns);
            Netns.Ip("-n", ns, "link", "set", "lo", "up");
            // Before the link exists: its link-local address then skips duplicate address detection, so neighbour
            // discovery works at once.
            Netns.Sysctl(ns, "net.ipv6.conf.default.accept_dad=0");
            Netns.Sysctl(ns, "net.ipv6.conf.all.accept_dad=0");
        }
        Netns.Ip("link", "add", Client + "0", "netns", Client, "type", "veth", "peer", "name", Peer + "0", "netns", Peer);
        Address(Client, Client + "0", ClientV4 + "/24", ClientV6 + "/64");
        Address(Peer, Peer + "0", PeerV4 + "/24", PeerV6 + "/64");
        // The peer's kernel must stay silent: every answer comes from the injector.
        Netns.Sysctl(Peer, "net.ipv4.icmp_echo_ignore_all=1");
        Netns.Sysctl(Peer, "net.ipv6.icmp.echo_ignore_all=1");
        // Linux answers timestamp requests whatever icmp_echo_ignore_all says. The injector reads the frame from its
        // AF_PACKET socket before netfilter, so dropping here silences only the kernel.
        string rules = Path.Combine(Directory, "peer.nft");
        File.WriteAllText(rules, """
            table inet ikinject {
                chain input {
                    type filter hook input priority 0; policy accept;
                    icmp type timestamp-request drop
                }
            }
            """);
        var nft = Netns.Exec(Peer, "nft", ["-f", rules], TimeSpan.FromSeconds(20));
        if (nft.ExitCode != 0)
        {
            throw new InvalidOperationException($"nft rejected the peer's rules: {nft}");
        }
        // Root may use datagram sockets here (ping_group_range is per namespace), so both kinds can be tried.
        Netns.Sysctl(Client, "net.ipv4.ping_group_range=0 2147483647");
        WaitForLinkLocal(Client, Client + "0");
        WaitForLinkLocal(Peer, Peer + "0");
    }

    private static void Address(string ns, string device, string v4, string v6)
    {
        Netns.Ip("-n", ns, "addr", "add", v4, "dev", device);
        Netns.Ip("-n", ns, "addr", "add", v6, "dev", device, "nodad");
        Netns.Ip("-n", ns, "link", "set", device, "up");
    }

    /// <summary>Neighbour discovery needs the link-local addresses; without DAD they appear within moments of link up.</summary>
    private static void WaitForLinkLocal(string ns, string device)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!Netns.Run("ip", ["-n", ns, "-6", "addr", "show", "dev", device, "scope", "link"]).Stdout.Contains("fe80::", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"no IPv6 link-local address on {device} in {ns} after 10 s");
            }
            Thread.Sleep(50);
        }
    }

    /// <summary>The injector, extracted from this assembly's resources next to the lab's files.</summary>
    private string WriteInjector()
    {
        string path = Path.Combine(Directory, "injector.py");
        using var resource = typeof(InjectionLab).Assembly.GetManifestResourceStream("IcmpKit.Integration.Tests.Injection.injector.py")
            ?? throw new InvalidOperationException("injector.py is not embedded in the test assembly (see the .csproj)");
        using (var file = File.Create(path))
        {
            resource.CopyTo(file);
        }
        return path;
    }

    private void StartInjector()
    {
        string script = WriteInjector();
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["netns", "exec", Peer, "/usr/bin/python3", "-u", script, Peer + "0"])
        {
            start.ArgumentList.Add(arg);
        }
        _injector = new Process { StartInfo = start };
        _injector.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _answers.Add(e.Data);
            }
        };
        _injector.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_log)
                {
                    _log.AppendLine(e.Data);
                }
            }
        };
        _injector.Start();
        _injector.BeginOutputReadLine();
        _injector.BeginErrorReadLine();
        string ready = Answer("ready");
        if (!ready.StartsWith("ready ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the injector did not start: '{ready}'\n{InjectorLog}");
        }
    }

    /// <summary>The injector's next line on stdout; throws with its log when it does not come in time.</summary>
    private string Answer(string waitingFor)
    {
        if (_answers.TryTake(out string? line, CommandLimit))
        {
            return line;
        }
        throw new InvalidOperationException(
            $"the injector did not answer ({waitingFor}) within {CommandLimit.TotalSeconds} s; exited: {_injector?.HasExited}\n{InjectorLog}");
    }

    private string Command(string line)
    {
        _injector!.StandardInput.WriteLine(line);
        _injector.StandardInput.Flush();
        return Answer(line);
    }

    /// <summary>
    /// Switches the injector to <paramref name="scenario"/> (a name in injector.py). With <paramref name="once"/>, only
    /// the first request of each run (each identifier) meets the scenario; later requests get a faithful reply.
    /// </summary>
    public void Use(string scenario, bool once = false)
    {
        string answer = Command(once ? $"scenario {scenario} once" : $"scenario {scenario}");
        if (answer != $"ok {scenario}")
        {
            throw new InvalidOperationException($"the injector refused scenario {scenario}: '{answer}'");
        }
    }

    /// <summary>Requests the current scenario was shown, and frames it sent, since it was chosen.</summary>
    public (int Seen, int Sent) Stats()
    {
        string answer = Command("stats");
        var words = answer.Split(' ');
        if (words.Length != 3 || words[0] != "stats")
        {
            throw new InvalidOperationException($"unexpected answer to stats: '{answer}'");
        }
        return (int.Parse(words[1]["seen=".Length..], CultureInfo.InvariantCulture), int.Parse(words[2]["sent=".Length..], CultureInfo.InvariantCulture));
    }

    public void Dispose()
    {
        if (_injector is not null)
        {
            try
            {
                if (!_injector.HasExited)
                {
                    _injector.StandardInput.WriteLine("quit");
                    _injector.StandardInput.Flush();
                    if (!_injector.WaitForExit(3_000))
                    {
                        _injector.Kill(entireProcessTree: true);
                        _injector.WaitForExit(5_000);
                    }
                }
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                // Already gone.
            }
            _injector.Dispose();
            _injector = null;
        }
        _answers.Dispose();
        Netns.DeleteAll(_created, Directory);
        GC.SuppressFinalize(this);
    }
}
