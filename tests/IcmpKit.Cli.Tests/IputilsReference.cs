using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IcmpKit.Cli.Tests;

/// <summary>
/// Runs the real iputils ping (/usr/bin/ping, Debian 12's 20221126) with the same flags as an in-process icmpkit run,
/// and masks what differs from run to run (times, RTT figures, -D stamps, -T timestamps), so that the two outputs
/// can be compared line for line.
/// </summary>
internal static partial class IputilsReference
{
    public const string PingPath = "/usr/bin/ping";

    /// <summary>Runs /usr/bin/ping; killed after <paramref name="timeout"/> (every caller bounds the run with -c/-w/-W).</summary>
    public static CliResult Run(string[] args, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(PingPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["LC_ALL"] = "C";
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + PingPath);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException("iputils ping did not finish: ping " + string.Join(' ', args));
        }
        process.WaitForExit();
        return new CliResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    [GeneratedRegex(@" time=\d+(\.\d+)? ms")]
    private static partial Regex ReplyTime();

    [GeneratedRegex(@"^rtt min/avg/max/mdev = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms")]
    private static partial Regex RttFigures();

    [GeneratedRegex(@"ipg/ewma \d+\.\d{3}/\d+\.\d{3} ms")]
    private static partial Regex IpgEwma();

    [GeneratedRegex(@", time \d+ms$")]
    private static partial Regex SummaryTime();

    [GeneratedRegex(@"^\[\d+\.\d{6}\] ")]
    private static partial Regex DStamp();

    // -T lines: "TS: \t53782642 absolute", "\t0", "\t127.0.0.1\t0", "\t127.0.0.1\t53783181 absolute".
    [GeneratedRegex(@"^(TS: )?\t(\d+\.\d+\.\d+\.\d+\t)?-?\d+( absolute)?$")]
    private static partial Regex TimestampOptionLine();

    [GeneratedRegex(@"\t-?\d+( absolute)?$")]
    private static partial Regex TimestampValue();

    /// <summary>The text with what changes from run to run replaced by "…": reply times, the summary's time and
    /// RTT figures, -D stamps and the times of an IPv4 Timestamp option. Line ends are kept as they are.</summary>
    public static string Mask(string text)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            line = DStamp().Replace(line, "[…] ");
            line = ReplyTime().Replace(line, " time=… ms");
            line = RttFigures().Replace(line, "rtt min/avg/max/mdev = …/…/…/… ms");
            line = IpgEwma().Replace(line, "ipg/ewma …/… ms");
            line = SummaryTime().Replace(line, ", time …ms");
            if (TimestampOptionLine().IsMatch(line))
            {
                line = TimestampValue().Replace(line, m => "\t…" + m.Groups[1].Value);
            }
            lines[i] = line;
        }
        return string.Join('\n', lines);
    }

    /// <summary>iputils' stderr with its "ping: " prefix (error(3) writes argv[0], here "/usr/bin/ping: ") written as
    /// icmpkit's "icmpkit: ping: ".</summary>
    public static string WithIcmpkitPrefix(string iputilsStderr) =>
        string.Join('\n', iputilsStderr.Split('\n').Select(l =>
            l.StartsWith(PingPath + ": ", StringComparison.Ordinal) ? "icmpkit: ping: " + l[(PingPath.Length + 2)..]
            : l.StartsWith("ping: ", StringComparison.Ordinal) ? "icmpkit: " + l
            : l));

    /// <summary>
    /// Runs iputils and icmpkit with the same flags (iputils first) and asserts the masked stdout, the stderr (with
    /// icmpkit's prefix) and the exit code are the same. Returns both runs for further checks.
    /// </summary>
    public static (CliResult Iputils, CliResult Icmpkit) AssertSameAsIputils(params string[] args)
    {
        var iputils = Run(args);
        var icmpkit = CliRunner.Run(["ping", .. args]);
        string command = "ping " + string.Join(' ', args);
        Assert.True(Mask(iputils.Stdout) == Mask(icmpkit.Stdout),
            $"stdout differs for '{command}'\n--- iputils (masked) ---\n{Visible(Mask(iputils.Stdout))}\n--- icmpkit (masked) ---\n{Visible(Mask(icmpkit.Stdout))}\n--- icmpkit stderr ---\n{icmpkit.Stderr}");
        Assert.True(WithIcmpkitPrefix(iputils.Stderr) == icmpkit.Stderr,
            $"stderr differs for '{command}'\n--- iputils ---\n{iputils.Stderr}\n--- icmpkit ---\n{icmpkit.Stderr}");
        Assert.True(iputils.ExitCode == icmpkit.ExitCode,
            $"exit code differs for '{command}': iputils {iputils.ExitCode}, icmpkit {icmpkit.ExitCode}\n{icmpkit.Stderr}");
        return (iputils, icmpkit);
    }

    /// <summary>Control characters made visible for an assertion message ("\b" as "^H", tab as "^I").</summary>
    public static string Visible(string text) => text.Replace("\b", "^H", StringComparison.Ordinal).Replace("\t", "^I", StringComparison.Ordinal);

    public static double Ms(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}

/// <summary>A strict JSON check: System.Text.Json's reader walked by hand, failing on a repeated key in any object.</summary>
internal static class StrictJson
{
    /// <summary>Parses <paramref name="text"/> as exactly one JSON value; throws on a duplicate property name.</summary>
    public static JsonElement Parse(string text)
    {
        AssertNoDuplicateKeys(text);
        var node = System.Text.Json.Nodes.JsonNode.Parse(text); // throws on duplicate keys too
        Assert.NotNull(node);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static void AssertNoDuplicateKeys(string text)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var scopes = new Stack<HashSet<string>?>();
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    scopes.Push(new HashSet<string>(StringComparer.Ordinal));
                    break;
                case JsonTokenType.StartArray:
                    scopes.Push(null);
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    scopes.Pop();
                    break;
                case JsonTokenType.PropertyName:
                    string name = reader.GetString()!;
                    var keys = scopes.Peek()!;
                    Assert.True(keys.Add(name), $"duplicate key \"{name}\" at byte {reader.TokenStartIndex} in: {text}");
                    break;
            }
        }
        Assert.Empty(scopes);
    }
}

/// <summary>
/// Captures the ICMPv4 packets the host sees on a raw socket (root): on loopback, both the echo requests and their
/// replies. Used to compare the data bytes iputils and icmpkit put in their requests.
/// </summary>
internal sealed class IcmpV4Capture : IDisposable
{
    private readonly Socket _socket;
    private readonly Thread _thread;
    private readonly List<byte[]> _packets = [];
    private volatile bool _stop;

    public IcmpV4Capture()
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp) { ReceiveTimeout = 50 };
        _socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        _thread = new Thread(Loop) { IsBackground = true };
        _thread.Start();
    }

    private void Loop()
    {
        var buffer = new byte[70000];
        while (!_stop)
        {
            try
            {
                int n = _socket.Receive(buffer);
                // The IPv4 header (IHL words), then ICMP.
                int ihl = (buffer[0] & 0x0F) * 4;
                if (n > ihl)
                {
                    lock (_packets)
                    {
                        _packets.Add(buffer.AsSpan(ihl, n - ihl).ToArray());
                    }
                }
            }
            catch (SocketException)
            {
                // timeout: look at _stop again
            }
        }
    }

    /// <summary>The ICMP messages (header included) seen so far.</summary>
    public byte[][] Packets
    {
        get
        {
            lock (_packets)
            {
                return [.. _packets];
            }
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        _socket.Dispose();
    }
}
