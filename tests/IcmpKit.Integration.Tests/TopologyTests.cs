namespace IcmpKit.Integration.Tests;

/// <summary>The test topology itself: unique names, only the test ranges, and nothing left behind.</summary>
public sealed class TopologyTests
{
    [Fact]
    public void Names_are_unique_short_and_addresses_stay_in_the_test_ranges()
    {
        Assert.True(Netns.IsRoot(), "the kernel tests need root (network namespaces, veths, packet capture); run them as root, as CI does");
        using var first = new KernelTopology();
        using var second = new KernelTopology();
        Assert.Null(first.SetupError);

        Assert.NotEqual(first.Id, second.Id);
        Assert.Matches("^ik[0-9a-f]{6}$", first.Id);
        Assert.True(first.ClientDevice.Length <= 15, first.ClientDevice);

        foreach (string ns in (string[])[first.Client, first.Router, first.Server])
        {
            var addresses = Netns.Run("ip", ["-n", ns, "-o", "addr", "show", "scope", "global"]);
            Assert.Equal(0, addresses.ExitCode);
            foreach (string line in addresses.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string address = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
                Assert.True(address.StartsWith("198.18.", StringComparison.Ordinal) || address.StartsWith("198.19.", StringComparison.Ordinal)
                    || address.StartsWith("fd42:", StringComparison.Ordinal), $"{ns}: {address} is outside 198.18.0.0/15 and fd42::/32");
            }
        }
        // The veths were made inside the namespaces: none of them is on the host.
        var hostLinks = Netns.Run("ip", ["-o", "link", "show"]);
        Assert.DoesNotContain(first.Id, hostLinks.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_removes_the_namespaces_even_when_the_test_body_fails()
    {
        Assert.True(Netns.IsRoot(), "the kernel tests need root (network namespaces, veths, packet capture); run them as root, as CI does");
        var topology = new KernelTopology();
        string[] names = [topology.Client, topology.Router, topology.Server];
        var failure = Record.Exception((Action)(() =>
        {
            try
            {
                Assert.All(names, ns => Assert.True(KernelTopology.NamespaceExists(ns), ns));
                using var capture = new PacketCapture(topology.Client, topology.ClientDevice, Path.Combine(topology.Directory, "x.pcap"), pcapng: false, TimeSpan.FromSeconds(30));
                capture.WaitUntilCapturing(TimeSpan.FromSeconds(20));
                throw new InvalidOperationException("a test failed here, with the capture running");
            }
            finally
            {
                topology.Dispose();
            }
        }));

        Assert.IsType<InvalidOperationException>(failure);
        Assert.All(names, ns => Assert.False(KernelTopology.NamespaceExists(ns), $"{ns} is still there"));
        Assert.False(Directory.Exists(topology.Directory));
    }
}
