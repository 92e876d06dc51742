using System.Text.Json;
using Xunit.Abstractions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// A UDP probe that reaches something listening on its port gets a UDP datagram back instead of a port unreachable
/// (traceroute's UDP method counts that as the destination too). The server of a two-router chain runs a UDP echo
/// service on the one port probed; `icmpkit trace -U` must take its answer on a datagram socket (the UDP socket's receive
/// queue) and with --socket raw (errors on a raw ICMP socket, the answer still on the UDP socket), IPv4 and IPv6; and
/// with --paris on a datagram socket, where the answer names its probe by the payload it echoes.
/// </summary>
public sealed class TraceUdpReplyTests(ITestOutputHelper output)
{
    private const int Routers = 2;
    private const string Port = "40000";

    /// <summary>
    /// An echo service (RFC 862): sends every datagram on the port back, until 30 s pass without one. Classic UDP probes
    /// are named by their port, so any answer would do; Paris probes all share their ports and are named by their
    /// payload, which only an echo gives back.
    /// </summary>
    private const string EchoService = """
        import socket, sys
        family = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.bind((sys.argv[1], int(sys.argv[2])))
        s.settimeout(30)  # gone by itself should the kill not come
        print('ready', flush=True)
        while True:
            data, peer = s.recvfrom(65535)
            s.sendto(data, peer)
        """;

    [Theory]
    [InlineData(false, "dgram")]
    [InlineData(false, "raw")]
    [InlineData(true, "dgram")]
    [InlineData(true, "raw")]
    [InlineData(false, "dgram", "--paris")]
    [InlineData(true, "dgram", "--paris")]
    public void A_udp_answer_from_a_service_on_the_port_reaches_the_destination(bool v6, string socket, string paris = "")
    {
        using var net = TraceTools.Chain(Routers, v6);
        string server = TraceTools.Server(net, v6);
        // One shell in the root namespace: the service in the server's namespace, in the background until the trace is
        // done; the trace, once the port is bound, in the client's. Only the server's TTL, one probe, to the service's
        // port (-p: the first probe's port).
        string script = $"""
            ip netns exec {net.Server} /usr/bin/python3 -c "$0" {server} {Port} >/dev/null 2>&1 & service=$!
            for i in $(seq 100); do ip netns exec {net.Server} ss -Hlun "sport = :{Port}" | grep -q . && break; sleep 0.1; done
            ip netns exec {net.Client} {IcmpKitBinary.Path} trace -n -U -p {Port} -f {Routers + 1} -m {Routers + 1} -q 1 --socket {socket} {paris} --json {server}
            status=$?
            kill $service
            exit $status
            """;
        var run = Netns.Run("sh", ["-c", script, EchoService], TraceTools.Limit);
        output.WriteLine(run.ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        using var document = JsonDocument.Parse(run.Stdout);
        var probe = document.RootElement.GetProperty("hops")[0].GetProperty("probes")[0];
        Assert.Equal(("udp_reply", server), (probe.GetProperty("kind").GetString(), probe.GetProperty("from").GetString()));
        Assert.InRange(probe.GetProperty("rtt_ms").GetDouble(), 0, 1000);
        Assert.True(document.RootElement.GetProperty("end").GetProperty("reached").GetBoolean());
    }
}
