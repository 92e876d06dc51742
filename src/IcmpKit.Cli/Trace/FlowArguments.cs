using System.CommandLine;
using System.Globalization;
using IcmpKit.Sockets;
using IcmpKit.Trace;

namespace IcmpKit.Cli.Trace;

/// <summary>
/// The flags of `icmpkit trace` that choose flows and sizes: -T and -p (traceroute's tcp method and port), --paris,
/// --mtu, --multipath. Each bad combination gets one line that says what to do (docs/trace.md).
/// </summary>
internal static class FlowArguments
{
    /// <summary>Null when the flags agree with each other and the rest; else the problem, in one line.</summary>
    public static string? Check(ParseResult result, TraceCommandOptions o)
    {
        bool tcp = result.GetValue(o.Tcp);
        bool udp = result.GetValue(o.Udp);
        bool flows = result.GetValue(o.Paris) || result.GetValue(o.Multipath);
        if (tcp && result.GetValue(o.SocketKind) == "dgram")
        {
            return "TCP probes (-T) are sent from a raw socket; drop --socket dgram";
        }
        if (result.GetValue(o.Port) is { } portText)
        {
            if (!tcp && !udp)
            {
                return $"-p {portText} sets the port of TCP (-T) or UDP (-U) probes; add -T or -U, or drop -p";
            }
            if (!ushort.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out ushort port) || port == 0)
            {
                return $"bad port '{portText}' (-p); give 1 to 65535";
            }
        }
        if (result.GetValue(o.Mtu) && result.GetValue(o.PacketLength) is { } length)
        {
            return $"--mtu sets the packet length itself (the interface MTU, then each MTU reported); drop packetlen {length}";
        }
        if (result.GetValue(o.Mtu) && result.GetValue(o.Multipath))
        {
            return "--mtu and --multipath exclude each other; give one";
        }
        return null;
    }

    /// <summary>A probe goes at most three times: its first send, once more (at once, or a recheck), and paced.</summary>
    private const int MaxSendsPerProbe = 3;

    /// <summary>
    /// UDP probes take a port each from the first (classic: up to three sends per probe), or one per flow (Paris and
    /// --multipath on a datagram socket: 128): all of them must be ports.
    /// </summary>
    public static string? CheckPorts(TraceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Probe != TraceProbeKind.Udp || options.FirstPort == TraceOptions.DefaultFirstPort)
        {
            return null;
        }
        int ports = options.Paris || options.Multipath
            ? (options.Socket == IcmpSocketKind.Raw ? 1 : 128)
            : MaxSendsPerProbe * (options.MaxTtl - options.FirstTtl + 1) * options.ProbesPerHop;
        return options.FirstPort + ports > 65536
            ? $"-p {options.FirstPort} leaves no room for the probes' ports ({ports} from it); give at most {65536 - ports}"
            : null;
    }

    /// <summary>The checked flags on top of <paramref name="options"/>.</summary>
    public static TraceOptions Apply(ParseResult result, TraceCommandOptions o, TraceOptions options)
    {
        ushort? port = result.GetValue(o.Port) is { } text ? ushort.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) : null;
        return options with
        {
            TcpPort = options.Probe == TraceProbeKind.Tcp && port is { } tcpPort ? tcpPort : TraceOptions.DefaultTcpPort,
            FirstPort = options.Probe == TraceProbeKind.Udp && port is { } udpPort ? udpPort : TraceOptions.DefaultFirstPort,
            Paris = result.GetValue(o.Paris),
            DiscoverPathMtu = result.GetValue(o.Mtu),
            Multipath = result.GetValue(o.Multipath),
            // TCP probes have one socket kind; saying so keeps the header and JSON honest.
            Socket = options.Probe == TraceProbeKind.Tcp ? IcmpSocketKind.Raw : options.Socket,
        };
    }
}
