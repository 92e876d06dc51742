using System.Net;
using IcmpKit.Cli.Respond;
using IcmpKit.Responder;
using IcmpKit.Wire.Extensions;

namespace IcmpKit.Cli.Tests;

/// <summary>
/// The `respond --config` format (docs/respond.md): every documented key reaches the responder's options, mistakes
/// name the value at fault in one line, and flags given on the command line win over the file.
/// </summary>
public sealed class RespondConfigTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"icmpkit-respond-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_file);

    private const string Full = """
        {
          // comments are allowed
          "addresses": ["198.18.21.1", "fd42:21::1"],
          "delay": "5ms", "jitter": 0.5, "loss": 0.1, "duplicate": 0.01, "reorder": 0.02, "reorderDelay": "3ms",
          "addressMask": "255.255.255.0", "answerBroadcast": true, "tcpSyn": "silent", "extendedEcho": false,
          "interfaces": [{ "name": "eth7", "index": 7, "addresses": ["198.18.21.1"], "active": false }],
          "rateLimit": { "burst": 10, "perSecond": 2.5 }, "globalRateLimit": 500, "seed": 42,
          "hops": [
            { "address": "198.18.22.1", "delay": "1ms", "jitter": "200us", "loss": 0.05, "duplicate": 0.5,
              "reorder": 0.25, "reorderDelay": "20ms", "mtu": 1300, "mpls": [16001, 16002],
              "interface": { "name": "ge-0/0/1", "index": 9, "address": "198.18.22.1", "mtu": 1500 },
              "redirect": "198.18.22.9", "queue": { "limit": 4, "rate": 100 }, "rateLimit": { "burst": 2, "perSecond": 1 } },
            { "address": "198.18.22.2", "silent": true },
            { "address": "198.18.22.3", "unreachable": "admin" },
            { "address": "fd42:22::3", "unreachable": "host" },
            { "address": "fd42:22::4", "unreachable": 5 },
          ],
        }
        """;

    [Fact]
    public void Every_documented_key_reaches_the_options()
    {
        var options = RespondConfig.Parse(Full);
        Assert.Equal([IPAddress.Parse("198.18.21.1"), IPAddress.Parse("fd42:21::1")], options.Addresses);
        Assert.Equal(TimeSpan.FromMilliseconds(5), options.Delay);
        Assert.Equal(TimeSpan.FromMilliseconds(0.5), options.Jitter);
        Assert.Equal(0.1, options.Loss);
        Assert.Equal(0.01, options.Duplicate);
        Assert.Equal(0.02, options.Reorder);
        Assert.Equal(TimeSpan.FromMilliseconds(3), options.ReorderDelay);
        Assert.Equal(IPAddress.Parse("255.255.255.0"), options.AddressMask);
        Assert.True(options.AnswerBroadcastEcho);
        Assert.Equal(TcpSynAnswer.Silent, options.TcpSyn);
        Assert.False(options.AnswerExtendedEcho);
        var table = Assert.Single(options.Interfaces);
        Assert.Equal(("eth7", 7, false), (table.Name, table.Index, table.Active));
        Assert.Equal([IPAddress.Parse("198.18.21.1")], table.Addresses);
        Assert.Equal(new ErrorRateLimit(10, 2.5), options.PerSourceErrors);
        Assert.Equal(500, options.GlobalErrorsPerSecond);
        Assert.Equal(42, options.RandomSeed);

        Assert.Equal(5, options.Hops.Count);
        var first = options.Hops[0];
        Assert.Equal(IPAddress.Parse("198.18.22.1"), first.Address);
        Assert.Equal(TimeSpan.FromMilliseconds(1), first.Delay);
        Assert.Equal(TimeSpan.FromMilliseconds(0.2), first.Jitter);
        Assert.Equal((0.05, 0.5, 0.25), (first.Loss, first.Duplicate, first.Reorder));
        Assert.Equal(TimeSpan.FromMilliseconds(20), first.ReorderDelay);
        Assert.Equal(1300, first.Mtu);
        Assert.Equal([16001u, 16002u], first.MplsLabels!);
        var info = Assert.IsType<InterfaceInformationObject>(Assert.Single(first.ExtensionObjects!));
        Assert.Equal((InterfaceRole.IncomingIPInterface, 9u, "ge-0/0/1", 1500u), (info.Role, info.InterfaceIndex!.Value, info.Name, info.Mtu!.Value));
        Assert.Equal(IPAddress.Parse("198.18.22.1"), info.Address);
        Assert.Equal(IPAddress.Parse("198.18.22.9"), first.RedirectGateway);
        Assert.Equal((4, 100.0), (first.QueueLimit, first.QueueRate));
        Assert.Equal(new ErrorRateLimit(2, 1), first.ErrorRateLimit);
        Assert.True(options.Hops[1].Silent);
        Assert.Equal((byte)13, options.Hops[2].UnreachableCode); // RFC 1812 §5.2.7.1: communication administratively prohibited
        Assert.Equal((byte)3, options.Hops[3].UnreachableCode);  // RFC 4443 §3.1: address unreachable
        Assert.Equal((byte)5, options.Hops[4].UnreachableCode);
        // The whole file makes a valid responder.
        _ = new ResponderCore(options);
    }

    [Fact]
    public void Defaults_are_the_responders_own()
    {
        var options = RespondConfig.Parse("""{ "addresses": ["198.18.21.1"] }""");
        var defaults = new ResponderOptions { Addresses = [] };
        Assert.Equal(defaults.PerSourceErrors, options.PerSourceErrors);
        Assert.Equal(defaults.GlobalErrorsPerSecond, options.GlobalErrorsPerSecond);
        Assert.Equal(defaults.TcpSyn, options.TcpSyn);
        Assert.Equal(defaults.ReorderDelay, options.ReorderDelay);
        Assert.Empty(options.Hops);
        Assert.Null(options.RandomSeed);
    }

    [Theory]
    [InlineData("""{ "adresses": [] }""", "adresses: unknown key")]
    [InlineData("""{ "hops": [ { "address": "198.18.22.1", "mtu": 40 } ] }""", "hops[0].mtu: expected a whole number from 68 to 65535")]
    [InlineData("""{ "hops": [ { "address": "fd42::1", "mtu": 1000 } ] }""", "hops[0].mtu: expected a whole number from 1280 to 65535")]
    [InlineData("""{ "hops": [ { "delay": "1ms" } ] }""", "hops[0].address: every hop needs an address")]
    [InlineData("""{ "hops": [ {}, { "address": "198.18.22.300" } ] }""", "hops[0].address: every hop needs an address")]
    [InlineData("""{ "hops": [ { "address": "198.18.22.1" }, { "address": "198.18.22.300" } ] }""", "hops[1].address: expected an IPv4 or IPv6 address as a string")]
    [InlineData("""{ "loss": 1.5 }""", "loss: expected a number from 0 to 1")]
    [InlineData("""{ "delay": "soon" }""", "delay: expected a duration")]
    [InlineData("""{ "tcpSyn": "drop" }""", "tcpSyn: expected \"reset\" or \"silent\"")]
    [InlineData("""{ "hops": [ { "address": "198.18.22.1", "mpls": [1048576] } ] }""", "hops[0].mpls[0]: expected an MPLS label from 0 to 1048575")]
    [InlineData("""{ "hops": [ { "address": "198.18.22.1", "unreachable": "nowhere" } ] }""", "hops[0].unreachable: unknown code name 'nowhere'")]
    [InlineData("""{ "hops": [ { "address": "fd42::1", "redirect": "fd42::2" } ] }""", "hops[0].redirect: redirects are emulated for IPv4 hops only")]
    [InlineData("""{ "hops": [ { "address": "198.18.22.1", "queue": { "limit": 4 } } ] }""", "hops[0].queue.rate: a queue needs a rate")]
    [InlineData("""{ "rateLimit": { "burst": 0, "perSecond": 1 } }""", "rateLimit.burst: expected a whole number from 1 to 1000000")]
    [InlineData("""{ "interfaces": [ { "name": "eth0" } ] }""", "interfaces[0].index: every interface needs an index")]
    [InlineData("""{ "addressMask": "255.0.255.0" }""", "addressMask: expected an IPv4 mask")]
    [InlineData("""{ "delay": "1ms", "delay": "2ms" }""", "delay: given twice")]
    [InlineData("""[1, 2]""", "expected an object")]
    [InlineData("""{ "addresses": """, "not valid JSON")]
    public void A_mistake_is_named_in_one_line(string json, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => RespondConfig.Parse(json));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Flags_override_the_file()
    {
        File.WriteAllText(_file, Full);
        var (options, problem) = new RespondArguments
        {
            ConfigFile = _file,
            Addresses = ["198.18.30.1"],
            Delay = "7ms",
            HopDelay = "2ms",
            Loss = 0,
            Tcp = "reset",
            Seed = 7,
        }.Resolve();
        Assert.Null(problem);
        Assert.Equal([IPAddress.Parse("198.18.30.1")], options!.Addresses);
        Assert.Equal(TimeSpan.FromMilliseconds(7), options.Delay);
        Assert.Equal(0, options.Loss);
        Assert.Equal(TcpSynAnswer.Reset, options.TcpSyn);
        Assert.Equal(7, options.RandomSeed);
        Assert.All(options.Hops, hop => Assert.Equal(TimeSpan.FromMilliseconds(2), hop.Delay));
        Assert.Equal(1300, options.Hops[0].Mtu); // what no flag names stays as the file says
    }

    [Fact]
    public void Without_an_interface_table_the_host_has_lo_and_eth0()
    {
        var (options, problem) = new RespondArguments { Addresses = ["198.18.30.1"] }.Resolve();
        Assert.Null(problem);
        Assert.Equal(["lo", "eth0"], options!.Interfaces.Select(i => i.Name));
        Assert.Equal([IPAddress.Parse("198.18.30.1")], options.Interfaces[1].Addresses);
    }

    [Theory]
    [InlineData(new[] { "respond", "--address", "198.18.30.1" }, "give either --tun NAME (a new TUN device) or --interface NAME")]
    [InlineData(new[] { "respond", "--tun", "x", "--interface", "lo", "--address", "198.18.30.1" }, "give either --tun NAME")]
    [InlineData(new[] { "respond", "--tun", "x" }, "no address to answer as: give --address ADDR")]
    [InlineData(new[] { "respond", "--tun", "x", "--address", "198.18.30.1", "--tcp", "drop" }, "bad --tcp drop: give reset or silent")]
    [InlineData(new[] { "respond", "--tun", "x", "--address", "198.18.30.1", "--address-mask", "255.0.255.0" }, "bad --address-mask 255.0.255.0")]
    [InlineData(new[] { "respond", "--tun", "x", "--address", "198.18.30.1", "--status", "0" }, "bad --status: give seconds from 0.1 to 86400")]
    [InlineData(new[] { "respond", "--tun", "x", "--config", "/nonexistent/respond.json" }, "/nonexistent/respond.json: cannot read it")]
    public void Bad_flags_get_one_line_and_exit_2(string[] args, string expected)
    {
        var result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("icmpkit: respond: " + expected, line, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public void A_config_mistake_names_the_file_and_the_value()
    {
        File.WriteAllText(_file, """{ "addresses": ["198.18.30.1"], "hops": [ { "address": "198.18.22.1", "loss": -1 } ] }""");
        var result = CliRunner.Run(["respond", "--tun", "x", "--config", _file]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"icmpkit: respond: config {_file}: hops[0].loss: expected a number from 0 to 1", Assert.Single(result.StderrLines));
    }
}
