using System.Reflection;
using System.Runtime.InteropServices;
using IcmpKit.Sockets;

namespace IcmpKit.Cli.Ping;

/// <summary>
/// The CLI's side of least privilege (docs/ping.md, "Privileges"): once a command's sockets are open, every capability
/// of the process goes (<see cref="Privileges.DropAll"/>), so nothing that handles replies from the network holds one.
/// `ping` and `probe` call it; `respond` does not (it needs CAP_NET_ADMIN for its TUN device and routes).
/// </summary>
internal static class ProcessPrivileges
{
    /// <summary>
    /// Drops every capability of this process when it is the icmpkit program. A host that runs the CLI in its own
    /// process (the CLI tests do, as root) keeps its privileges: they are not the command's to drop.
    /// </summary>
    public static void DropAfterSocketsOpen(TextWriter stderr, string verb)
    {
        if (Assembly.GetEntryAssembly() != typeof(ProcessPrivileges).Assembly)
        {
            return;
        }
        if (Privileges.DropAll() == PrivilegeDrop.Incomplete)
        {
            stderr.WriteLine($"icmpkit: {verb}: warning: some threads still hold capabilities (this build cannot clear them on " +
                $"{RuntimeInformation.ProcessArchitecture}); grant none and use a datagram socket (net.ipv4.ping_group_range)");
        }
    }
}
