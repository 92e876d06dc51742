using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;

// Usage: DotnetPingLoop [count] [address] [reuse|new]
// Sends `count` echo requests one after another with System.Net.NetworkInformation.Ping, awaiting each reply,
// then prints one line: mode, count, successes, loop milliseconds and pings per second (loop only).
// "reuse": one Ping instance for the whole loop; "new": a new Ping per request (disposed after it).
int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
var address = IPAddress.Parse(args.Length > 1 ? args[1] : "127.0.0.1");
bool reuse = args.Length <= 2 || args[2] != "new";
var buffer = new byte[56]; // the same 56 data bytes as ping's default
var options = new PingOptions();
const int TimeoutMs = 1000;

int ok = 0;
var clock = Stopwatch.StartNew();
if (reuse)
{
    using var ping = new Ping();
    for (int i = 0; i < count; i++)
    {
        var reply = await ping.SendPingAsync(address, TimeoutMs, buffer, options).ConfigureAwait(false);
        if (reply.Status == IPStatus.Success)
        {
            ok++;
        }
    }
}
else
{
    for (int i = 0; i < count; i++)
    {
        using var ping = new Ping();
        var reply = await ping.SendPingAsync(address, TimeoutMs, buffer, options).ConfigureAwait(false);
        if (reply.Status == IPStatus.Success)
        {
            ok++;
        }
    }
}
clock.Stop();
double ms = clock.Elapsed.TotalMilliseconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"mode={(reuse ? "reuse" : "new")} count={count} ok={ok} loop_ms={ms:F3} pings_per_s={count / clock.Elapsed.TotalSeconds:F1}"));
return ok == count ? 0 : 1;
