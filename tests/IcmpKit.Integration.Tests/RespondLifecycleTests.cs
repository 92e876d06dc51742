using System.Diagnostics;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// The TUN device of `icmpkit respond` is gone after every way it can end (issue 4 §5): SIGTERM, SIGKILL (no handler
/// runs: a TUN device that is not persistent disappears when its last descriptor closes, taking its routes), and a
/// failure at start-up; a second responder that fails leaves the first one answering.
/// </summary>
public sealed class RespondLifecycleTests
{
    private const string Host = "198.18.21.1";

    private static RespondProcess StartAnswering()
    {
        var respond = RespondProcess.Start("--address", Host, "--hops", "198.18.22.1");
        AssertAnswers(respond);
        return respond;
    }

    private static void AssertAnswers(RespondProcess respond)
    {
        var ping = respond.Exec("ping", "-c", "2", "-i", "0.1", "-W", "2", "-q", Host);
        Assert.True(ping.ExitCode == 0 && ping.Stdout.Contains("2 packets transmitted, 2 received", StringComparison.Ordinal), ping.ToString());
    }

    /// <summary>The device and every route through it gone, within a bound (the kernel unregisters a device asynchronously).</summary>
    private static void AssertDeviceGone(RespondProcess respond, string device)
    {
        var watch = Stopwatch.StartNew();
        while ((Netns.Run("ip", ["-n", respond.Namespace, "link", "show", device]).ExitCode == 0 || respond.Routes().Contains(device, StringComparison.Ordinal))
               && watch.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(50);
        }
        Assert.NotEqual(0, Netns.Run("ip", ["-n", respond.Namespace, "link", "show", device]).ExitCode);
        Assert.DoesNotContain(device, respond.Routes(), StringComparison.Ordinal);
    }

    [Fact]
    public void After_sigterm_the_device_and_its_routes_are_gone_and_the_exit_is_clean()
    {
        using var respond = StartAnswering();
        Assert.Contains(respond.Device, respond.Routes(), StringComparison.Ordinal);
        var exit = respond.Stop();
        Assert.True(exit.ExitCode == 0 && exit.Stderr.Length == 0, exit.ToString());
        Assert.Contains("  answered echo_reply: 2\n", exit.Stdout, StringComparison.Ordinal);
        AssertDeviceGone(respond, respond.Device);
    }

    [Fact]
    public void After_sigkill_the_device_and_its_routes_are_gone()
    {
        using var respond = StartAnswering();
        var exit = respond.Kill();
        Assert.True(exit.ExitCode == 128 + 9, exit.ToString()); // killed by signal 9, nothing printed at exit
        AssertDeviceGone(respond, respond.Device);
        var ping = respond.Exec("ping", "-c", "1", "-W", "1", Host);
        Assert.NotEqual(0, ping.ExitCode);
    }

    [Fact]
    public void A_second_responder_on_the_same_device_name_fails_with_one_line_and_exit_2_and_the_first_keeps_answering()
    {
        using var respond = StartAnswering();
        var second = respond.IcmpKit("respond", "--tun", respond.Device, "--address", "198.18.31.1");
        Assert.True(second.ExitCode == 2, second.ToString());
        Assert.Equal("", second.Stdout);
        Assert.Matches($@"^icmpkit: respond: [^\n]*\b{respond.Device}\b[^\n]*\n$", second.Stderr);
        Assert.True(respond.DeviceExists());
        AssertAnswers(respond);
        Assert.False(respond.HasExited);
    }

    /// <summary>
    /// A start-up failure after the device was created (its route to an address the first responder already routes
    /// cannot be added): the new device goes with the failure, and the first responder's route and answers stay.
    /// </summary>
    [Fact]
    public void A_responder_that_fails_after_creating_its_device_removes_it_and_leaves_the_first_answering()
    {
        using var respond = StartAnswering();
        string other = respond.Device[..^1] + "v";
        var second = respond.IcmpKit("respond", "--tun", other, "--address", Host);
        Assert.True(second.ExitCode == 2, second.ToString());
        Assert.Matches($@"^icmpkit: respond: [^\n]*\b{Host.Replace(".", @"\.", StringComparison.Ordinal)}\b[^\n]*\n$", second.Stderr);
        AssertDeviceGone(respond, other);
        Assert.True(respond.DeviceExists());
        AssertAnswers(respond);
        var exit = respond.Stop();
        Assert.True(exit.ExitCode == 0, exit.ToString());
        AssertDeviceGone(respond, respond.Device);
    }
}
