using Xunit.Abstractions;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// The socket options of `icmpkit trace` on the wire: -t sets the TOS / traffic class of every probe (tshark reads it from
/// a capture on the client's link), -s and -i send from the client's own address and device.
/// </summary>
public sealed class TraceOptionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("icmp", false)]
    [InlineData("udp", false)]
    [InlineData("icmp", true)]
    [InlineData("udp", true)]
    public void Every_probe_carries_the_tos_given_and_leaves_from_the_source_and_device_given(string probe, bool v6)
    {
        using var net = TraceTools.Chain(2, v6);
        string server = TraceTools.Server(net, v6);
        string source = RouterChainTopology.LinkAddress(0, 1, v6);
        string path = Path.Combine(net.Directory, "probes.pcap");
        CommandResult trace;
        using (var capture = new PacketCapture(net.Client, net.ClientDevice, path, pcapng: false, TimeSpan.FromSeconds(60)))
        {
            capture.WaitUntilCapturing(TimeSpan.FromSeconds(20));
            trace = TraceTools.Icmpkit(net.Client, asNobody: true,
                ["-n", probe == "udp" ? "-U" : "-I", "-t", "0x28", "-s", source, "-i", net.ClientDevice, server]);
            // libpcap hands packets over a block at a time (TPACKET_V3, about a second's timeout): stopping at once would
            // lose the last block, which here is the whole trace.
            Thread.Sleep(1500);
            capture.Stop(TimeSpan.FromSeconds(20));
        }
        output.WriteLine(trace.ToString());
        Assert.True(trace.ExitCode == 0, trace.ToString());
        Assert.Equal(TraceTools.FullHop(3, server), TraceTools.Masked(trace)[^1]);

        // The probes: packets the client sent (the outer header's source, "#1": the errors coming back quote our probes,
        // with their TOS, under a header of the router's with its own), echo requests or UDP datagrams.
        string filter = $"{(v6 ? "ipv6.src#1" : "ip.src#1")} == {source} && {(probe == "udp" ? "udp" : v6 ? "icmpv6.type#1 == 128" : "icmp.type#1 == 8")}";
        var fields = Netns.Run("tshark", ["-r", path, "-n", "-Y", filter, "-T", "fields", "-E", "occurrence=f", "-e", v6 ? "ipv6.tclass" : "ip.dsfield"],
            TimeSpan.FromSeconds(30));
        Assert.True(fields.ExitCode == 0, fields.ToString());
        var values = fields.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(values.Length >= 9, fields.ToString()); // three hops of three probes, and any sent beyond the server
        Assert.All(values, value => Assert.Equal(0x28, Convert.ToInt32(value.Trim(), 16))); // "0x28" (IPv6: "0x00000028")
    }
}
