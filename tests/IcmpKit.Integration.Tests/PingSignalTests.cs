using System.Diagnostics;

namespace IcmpKit.Integration.Tests;

/// <summary>iputils' signals: SIGQUIT prints the interim statistics on stderr and goes on; SIGINT ends with the summary.</summary>
public sealed class PingSignalTests
{
    [Fact]
    public async Task Sigquit_prints_interim_statistics_and_sigint_prints_the_summary()
    {
        var start = new ProcessStartInfo(IcmpKitBinary.Path, ["ping", "-i", "0.2", "127.0.0.1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var ping = Process.Start(start)!;
        var stdout = ping.StandardOutput.ReadToEndAsync();
        var stderr = ping.StandardError.ReadToEndAsync();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.Equal(0, Netns.Run("kill", ["-QUIT", ping.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ExitCode);
            await Task.Delay(TimeSpan.FromSeconds(0.5));
            Assert.False(ping.HasExited, "SIGQUIT must not end the run");
            Assert.Equal(0, Netns.Run("kill", ["-INT", ping.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ExitCode);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await ping.WaitForExitAsync(wait.Token);
        }
        finally
        {
            if (!ping.HasExited)
            {
                ping.Kill();
            }
        }
        string output = await stdout;
        string errors = await stderr;
        Assert.Equal(0, ping.ExitCode);
        Assert.Matches(@"^\d+/\d+ packets, 0% loss, min/avg/ewma/max = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms\n$", errors);
        Assert.Contains("\n--- 127.0.0.1 ping statistics ---\n", output, StringComparison.Ordinal);
        // The request in flight when SIGINT came may count as lost, as in iputils.
        Assert.Matches(@"\n\d+ packets transmitted, \d+ received, \d+(\.\d+)?% packet loss, time \d+ms\nrtt min/avg/max/mdev = ", output);
    }
}
