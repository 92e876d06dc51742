using System.Net;
using IcmpKit.Responder;
using static IcmpKit.Tests.Responder.ResponderTestPackets;

namespace IcmpKit.Tests.Responder;

/// <summary>Bad settings fail at construction with one line that names the setting (the CLI prints it as it is).</summary>
public sealed class ResponderValidationTests
{
    private static ResponderOptions Base => new() { Addresses = [Host, Host6] };

    private static ResponderOptions WithHop(ResponderHop hop) => Base with { Hops = [hop] };

    private static ResponderOptions WithInterfaces(params ResponderInterface[] interfaces) => Base with { Interfaces = interfaces };

    public static TheoryData<string, ResponderOptions, string> Invalid() => new()
    {
        { "host duplicate above 1", Base with { Duplicate = 1.5 }, "the host: Duplicate is 1.5; a probability lies between 0 and 1." },
        { "host reorder negative", Base with { Reorder = -0.1 }, "the host: Reorder is -0.1" },
        { "host reorder NaN", Base with { Reorder = double.NaN }, "the host: Reorder is NaN" },
        { "host jitter negative", Base with { Jitter = TimeSpan.FromMilliseconds(-1) }, "the host: Jitter is -1 ms; it must not be negative." },
        { "host reorder delay negative", Base with { ReorderDelay = TimeSpan.FromMilliseconds(-2) }, "the host: ReorderDelay is -2 ms" },
        { "hop duplicate above 1", WithHop(new() { Address = Hop1, Duplicate = 2 }), "hop 1 (198.18.1.1): Duplicate is 2" },
        { "hop reorder above 1", WithHop(new() { Address = Hop1, Reorder = 1.01 }), "hop 1 (198.18.1.1): Reorder is 1.01" },
        { "hop loss above 1", WithHop(new() { Address = Hop1, Loss = 3 }), "hop 1 (198.18.1.1): Loss is 3" },
        { "hop reorder delay negative", WithHop(new() { Address = Hop1, ReorderDelay = TimeSpan.FromMilliseconds(-1) }), "hop 1 (198.18.1.1): ReorderDelay is -1 ms" },
        { "queue limit 0", WithHop(new() { Address = Hop1, QueueLimit = 0, QueueRate = 10 }), "hop 1 (198.18.1.1): QueueLimit is 0; a queue holds at least 1 packet." },
        { "queue without a rate", WithHop(new() { Address = Hop1, QueueLimit = 5 }), "hop 1 (198.18.1.1): QueueRate is 0; a queue needs a rate above 0 packets per second." },
        { "queue with an infinite rate", WithHop(new() { Address = Hop1, QueueLimit = 5, QueueRate = double.PositiveInfinity }), "QueueRate is Infinity" },
        { "a rate without a queue", WithHop(new() { Address = Hop1, QueueRate = 10 }), "hop 1 (198.18.1.1): QueueRate 10 is set without a QueueLimit." },
        { "redirect from an IPv6 hop", WithHop(new() { Address = Hop6, RedirectGateway = IPAddress.Parse("198.18.1.254") }), "hop 1 (fd42:2::1): RedirectGateway is for IPv4 hops only" },
        { "an IPv6 gateway", WithHop(new() { Address = Hop1, RedirectGateway = IPAddress.Parse("fd42::9") }), "RedirectGateway fd42::9 must be an IPv4 unicast address." },
        { "a multicast gateway", WithHop(new() { Address = Hop1, RedirectGateway = IPAddress.Parse("224.0.0.1") }), "RedirectGateway 224.0.0.1 must be" },
        { "the broadcast gateway", WithHop(new() { Address = Hop1, RedirectGateway = IPAddress.Broadcast }), "RedirectGateway 255.255.255.255 must be" },
        { "hop bucket of burst 0", WithHop(new() { Address = Hop1, ErrorRateLimit = new ErrorRateLimit(0, 1) }), "hop 1 (198.18.1.1): ErrorRateLimit: Burst is 0; it must be at least 1." },
        { "hop bucket of rate 0", WithHop(new() { Address = Hop1, ErrorRateLimit = new ErrorRateLimit(5, 0) }), "hop 1 (198.18.1.1): ErrorRateLimit: PerSecond is 0; it must be above 0." },
        { "host bucket of negative rate", Base with { PerSourceErrors = new ErrorRateLimit(6, -1) }, "PerSourceErrors: PerSecond is -1" },
        { "global rate 0", Base with { GlobalErrorsPerSecond = 0 }, "GlobalErrorsPerSecond is 0" },
        { "hop MTU below 68", WithHop(new() { Address = Hop1, Mtu = 60 }), "hop 1 (198.18.1.1): Mtu 60 must lie between 68 and 65535." },
        { "an undefined TCP answer", Base with { TcpSyn = (TcpSynAnswer)7 }, "TcpSyn 7 is neither Reset nor Silent." },
        { "an empty interface name", WithInterfaces(new ResponderInterface { Name = "", Index = 1 }), "An interface needs a name." },
        { "a 64-byte interface name", WithInterfaces(new ResponderInterface { Name = new string('x', 64), Index = 1 }), "must be 1 to 63 bytes of UTF-8 without NUL (it is 64)." },
        { "a name of 22 three-byte characters", WithInterfaces(new ResponderInterface { Name = new string('€', 22), Index = 1 }), "(it is 66)" },
        { "a NUL in a name", WithInterfaces(new ResponderInterface { Name = "eth\00", Index = 1 }), "without NUL" },
        { "index 0", WithInterfaces(new ResponderInterface { Name = "eth0" }), "Interface eth0: Index 0 must be above 0" },
        { "a negative index", WithInterfaces(new ResponderInterface { Name = "eth0", Index = -3 }), "Interface eth0: Index -3 must be above 0" },
        { "a name twice", WithInterfaces(new ResponderInterface { Name = "eth0", Index = 1 }, new ResponderInterface { Name = "eth0", Index = 2 }), "Interface name eth0 appears twice." },
        { "an index twice", WithInterfaces(new ResponderInterface { Name = "eth0", Index = 1 }, new ResponderInterface { Name = "eth1", Index = 1 }), "Interface index 1 appears twice." },
        { "a null interface address", WithInterfaces(new ResponderInterface { Name = "eth0", Index = 1, Addresses = [null!] }), "Interface eth0: every address must be IPv4 or IPv6." },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_settings_are_refused_with_a_one_line_message_naming_them(string name, ResponderOptions options, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new ResponderCore(options));
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{name}: \"{error.Message}\"");
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Every_new_setting_at_its_limits_is_accepted()
    {
        var options = Base with
        {
            Duplicate = 1,
            Reorder = 0,
            Jitter = TimeSpan.Zero,
            ReorderDelay = TimeSpan.Zero,
            TcpSyn = TcpSynAnswer.Silent,
            AnswerExtendedEcho = false,
            Hops =
            [
                new() { Address = Hop1, Duplicate = 0, Reorder = 1, QueueLimit = 1, QueueRate = 0.001, RedirectGateway = IPAddress.Parse("198.18.1.254"), ErrorRateLimit = new ErrorRateLimit(1, 0.01) },
                new() { Address = Hop6, QueueLimit = int.MaxValue, QueueRate = 1e9 },
            ],
            Interfaces =
            [
                new() { Name = new string('x', 63), Index = int.MaxValue, Addresses = [Host, Host6], Active = false },
                new() { Name = "€", Index = 1, Addresses = [Host] }, // an address on two interfaces is allowed (RFC 8335 code 4)
            ],
        };
        _ = new ResponderCore(options);
    }
}
