using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// `icmpkit trace -T` (TCP SYN probes from a raw socket) through chains of Linux routers: every hop and the destination,
/// which answers RST from a closed port and SYN-ACK from a listening one, after which no connection is left at either end;
/// beside Linux traceroute -T; and the one line it prints without privilege. tshark judges the SYNs on the wire.
/// </summary>
public sealed class TraceTcpTests(ITestOutputHelper output)
{
    private const int Routers = 5;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_hop_in_order_and_the_destination_that_resets_a_closed_port(bool v6)
    {
        using var net = TraceTools.Chain(Routers, v6);
        string server = TraceTools.Server(net, v6);
        var result = TraceTools.Icmpkit(net.Client, asNobody: false, ["-n", "-T", server]);
        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0 && result.Stderr.Length == 0, result.ToString());
        Assert.Equal(
            [
                $"traceroute to {server} ({server}), 30 hops max, {(v6 ? 80 : 60)} byte packets", // traceroute -T's: a 40-byte TCP header
                .. Enumerable.Range(1, Routers).Select(i => TraceTools.FullHop(i, TraceTools.Router(i, v6))),
                TraceTools.FullHop(Routers + 1, server),
            ], TraceTools.Masked(result));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_listening_port_answers_syn_ack_and_the_kernel_resets_each_so_no_connection_is_left(bool v6)
    {
        using var net = TraceTools.Chain(2, v6);
        string server = TraceTools.Server(net, v6);
        string path = Path.Combine(net.Directory, "tcp.pcap");
        CommandResult trace;
        using (var listener = Listener.Start(net.Server, v6, 8080))
        using (var capture = new PacketCapture(net.Client, net.ClientDevice, path, pcapng: false, TimeSpan.FromSeconds(60)))
        {
            capture.WaitUntilCapturing(TimeSpan.FromSeconds(20));
            trace = TraceTools.Icmpkit(net.Client, asNobody: false, ["-n", "-T", "-p", "8080", "--json", server]);
            Thread.Sleep(1500); // libpcap hands packets over a block at a time (see TraceOptionTests)
            capture.Stop(TimeSpan.FromSeconds(20));
            output.WriteLine(trace.ToString());
            Assert.True(trace.ExitCode == 0, trace.ToString());

            // The server's side: no connection was ever completed (the accept queue is empty), none is half-open.
            var listening = Netns.Exec(net.Server, "ss", ["-Hltn", "sport = :8080"]);
            Assert.Equal("0", listening.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]); // Recv-Q
            Assert.Equal("", Netns.Exec(net.Server, "ss", ["-Htn", "state", "syn-recv"]).Stdout.Trim());
            Assert.Equal("", Netns.Exec(net.Server, "ss", ["-Htn", "state", "established"]).Stdout.Trim());
            Assert.Equal("", Netns.Exec(net.Client, "ss", ["-Htn", "state", "established"]).Stdout.Trim());
        }

        using var document = JsonDocument.Parse(trace.Stdout);
        Assert.Equal("tcp", document.RootElement.GetProperty("probe").GetString());
        Assert.Equal(8080, document.RootElement.GetProperty("port").GetInt32());
        var last = document.RootElement.GetProperty("hops").EnumerateArray().Last();
        Assert.Equal(3, last.GetProperty("ttl").GetInt32());
        Assert.All(last.GetProperty("probes").EnumerateArray(), probe =>
        {
            Assert.Equal(server, probe.GetProperty("from").GetString());
            Assert.Equal("tcp_reply", probe.GetProperty("kind").GetString());
            Assert.Equal("SYN,ACK", probe.GetProperty("tcp_flags_text").GetString());
        });

        // On the wire: every SYN-ACK from the server got a RST from the client's kernel, and tshark finds our SYNs sound.
        string ip = v6 ? "ipv6" : "ip";
        int synAcks = Count(path, $"{ip}.src == {server} && tcp.srcport == 8080 && tcp.flags.syn == 1 && tcp.flags.ack == 1");
        int resets = Count(path, $"{ip}.dst == {server} && tcp.dstport == 8080 && tcp.flags.reset == 1");
        Assert.True(synAcks >= 3, $"{synAcks} SYN-ACKs");
        Assert.Equal(synAcks, resets);
        var syns = Netns.Run("tshark", ["-r", path, "-n", "-o", "tcp.check_checksum:TRUE", "-Y", $"{ip}.dst#1 == {server} && tcp.flags.syn == 1 && tcp.flags.ack == 0",
            "-T", "fields", "-E", "occurrence=f", "-e", "tcp.checksum.status", "-e", "tcp.options.mss_val", "-e", "tcp.option_kind", "-e", "tcp.hdr_len"], TimeSpan.FromSeconds(30));
        Assert.True(syns.ExitCode == 0, syns.ToString());
        var rows = syns.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(rows.Length >= 9, syns.ToString()); // three hops of three probes, errors' quotes aside (#1: the outer header)
        Assert.All(rows, row =>
        {
            string[] fields = row.Split('\t');
            Assert.Equal("1", fields[0]); // tcp.checksum.status: 0 bad, 1 good, 2 unverified
            Assert.Equal(v6 ? "1440" : "1460", fields[1]);
            Assert.Equal("40", fields[3]);
        });
    }

    private static int Count(string pcap, string filter)
    {
        var result = Netns.Run("tshark", ["-r", pcap, "-n", "-Y", filter], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    [Fact]
    public void Without_privilege_it_says_what_to_do_and_exits_2()
    {
        using var net = TraceTools.Chain(1, v6: false);
        var result = TraceTools.Icmpkit(net.Client, asNobody: true, ["-n", "-T", net.ServerV4]);
        Assert.True(result.ExitCode == 2 && result.Stdout.Length == 0, result.ToString());
        Assert.Equal(["icmpkit: trace: no permission for a raw TCP socket; TCP probes (-T) need root or cap_net_raw (setcap cap_net_raw+ep)"],
            result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Prints_what_Linux_traceroute_T_prints_but_the_times(bool v6)
    {
        // A flat wait for both: traceroute's adaptive one (3 times a round trip of microseconds, plus 1 ms) runs out before
        // it reads an answer when the machine is busy, and it drops the answer (docs/trace.md, "Where IcmpKit differs").
        CommandResult traceroute, icmpkit;
        using (var net = TraceTools.Chain(Routers, v6))
        {
            traceroute = TraceTools.Traceroute(net.Client, asNobody: false, ["-n", "-T", "-w", "5", TraceTools.Server(net, v6)]);
        }
        using (var net = TraceTools.Chain(Routers, v6))
        {
            icmpkit = TraceTools.Icmpkit(net.Client, asNobody: false, ["-n", "-T", "-w", "5", TraceTools.Server(net, v6)]);
        }
        output.WriteLine($"--- traceroute: {traceroute}\n--- icmpkit: {icmpkit}");
        Assert.True(traceroute.ExitCode == 0 && icmpkit.ExitCode == 0, $"{traceroute}\n{icmpkit}");
        Assert.Equal(TraceTools.Masked(traceroute), TraceTools.Masked(icmpkit));
    }

    /// <summary>A TCP listener (Python's socket module) in a namespace, until disposed: a service for SYNs to meet.</summary>
    private sealed class Listener : IDisposable
    {
        private readonly Process _process;

        private Listener(Process process) => _process = process;

        public static Listener Start(string ns, bool v6, int port)
        {
            string family = v6 ? "AF_INET6" : "AF_INET";
            string any = v6 ? "::" : "0.0.0.0";
            string script = string.Create(CultureInfo.InvariantCulture,
                $"import socket,time\ns=socket.socket(socket.{family})\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('{any}',{port}))\ns.listen(16)\nprint('ready',flush=True)\ntime.sleep(60)\n");
            var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string arg in (string[])["netns", "exec", ns, "/usr/bin/python3", "-c", script])
            {
                start.ArgumentList.Add(arg);
            }
            var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start python3");
            var ready = process.StandardOutput.ReadLineAsync();
            if (!ready.Wait(TimeSpan.FromSeconds(20)) || ready.Result != "ready")
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"the listener did not start: {process.StandardError.ReadToEnd()}");
            }
            return new Listener(process);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5_000);
            }
            _process.Dispose();
        }
    }
}
