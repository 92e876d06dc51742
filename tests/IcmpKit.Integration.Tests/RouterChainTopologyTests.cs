namespace IcmpKit.Integration.Tests;

/// <summary>The router chain itself: unique short names, only the test ranges, forwarding end to end, nothing left behind.</summary>
public sealed class RouterChainTopologyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Names_are_unique_and_short_addresses_stay_in_the_test_ranges_and_the_server_answers(int routers)
    {
        Assert.True(Netns.IsRoot(), "the kernel tests need root (network namespaces, veths); run them as root, as CI does");
        using var first = new RouterChainTopology(routers);
        using var second = new RouterChainTopology(routers);
        Assert.True(first.SetupError is null, first.SetupError);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Matches("^ik[0-9a-f]{6}$", first.Id);
        Assert.Equal(routers + 2, first.Namespaces.Count);

        foreach (string ns in first.Namespaces)
        {
            var links = Netns.Run("ip", ["-n", ns, "-o", "link", "show"]);
            foreach (string line in links.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string name = line.Split(':')[1].Trim().Split('@')[0];
                Assert.True(name.Length <= 15, name);
            }
            var addresses = Netns.Run("ip", ["-n", ns, "-o", "addr", "show", "scope", "global"]);
            foreach (string line in addresses.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string address = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
                Assert.True(address.StartsWith("198.18.", StringComparison.Ordinal) || address.StartsWith("198.19.", StringComparison.Ordinal)
                    || address.StartsWith("fd42::", StringComparison.Ordinal) || address.StartsWith("fd42:0:", StringComparison.Ordinal),
                    $"{ns}: {address} is outside 198.18.0.0/15 and fd42::/32");
            }
        }
        Assert.DoesNotContain(first.Id, Netns.Run("ip", ["-o", "link", "show"]).Stdout, StringComparison.Ordinal);

        first.WaitForIPv6();
        foreach (string target in (string[])[first.ServerV4, first.ServerV6])
        {
            var ping = Netns.Exec(first.Client, "ping", ["-c", "1", "-W", "2", target]);
            Assert.True(ping.ExitCode == 0, ping.ToString());
            Assert.Contains($"ttl={64 - routers}", ping.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Dispose_removes_every_namespace_even_when_the_test_body_fails()
    {
        Assert.True(Netns.IsRoot(), "the kernel tests need root (network namespaces, veths); run them as root, as CI does");
        var topology = new RouterChainTopology(2);
        var names = topology.Namespaces.ToList();
        var failure = Record.Exception((Action)(() =>
        {
            try
            {
                Assert.All(names, ns => Assert.True(KernelTopology.NamespaceExists(ns), ns));
                throw new InvalidOperationException("a test failed here");
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
