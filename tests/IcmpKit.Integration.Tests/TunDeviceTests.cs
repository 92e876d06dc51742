using System.Buffers.Binary;
using System.Diagnostics;
using IcmpKit.Sockets;
using IcmpKit.Wire.Checksum;

namespace IcmpKit.Integration.Tests;

/// <summary>
/// The TUN device the responder (issue 4) will stand on, against the kernel and iputils: inside a throw-away
/// namespace, iputils ping's request comes out of the device, a reply written into it reaches ping, and the device
/// is gone once disposed.
/// </summary>
public sealed class TunDeviceTests : IDisposable
{
    private readonly string _namespace = "ik" + Guid.NewGuid().ToString("N")[..6] + "t";
    private readonly string _device = "ikt" + Guid.NewGuid().ToString("N")[..8];

    public TunDeviceTests()
    {
        Netns.Ip("netns", "add", _namespace);
        Netns.Ip("-n", _namespace, "link", "set", "lo", "up");
    }

    [Fact]
    public async Task Iputils_ping_through_the_device_gets_the_reply_written_back()
    {
        var device = TunDevice.InNamespace($"/var/run/netns/{_namespace}", () => TunDevice.Create(_device));
        try
        {
            Netns.Ip("-n", _namespace, "addr", "add", "198.18.7.1/24", "dev", _device);
            var ping = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", _namespace, "ping", "-c", "1", "-W", "3", "198.18.7.2"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var output = ping.StandardOutput.ReadToEndAsync();
            byte[] buffer = new byte[65536];
            int length = 0;
            var watch = Stopwatch.StartNew();
            // The kernel may send other packets first (IPv6 router solicitations); wait for the echo request.
            while (watch.Elapsed < TimeSpan.FromSeconds(3))
            {
                length = device.Read(buffer, 200);
                if (length >= 28 && buffer[0] >> 4 == 4 && buffer[9] == 1 && buffer[20] == 8)
                {
                    break;
                }
                length = 0;
            }
            Assert.True(length > 0, "no echo request came out of the device");
            Assert.Equal([198, 18, 7, 2], buffer[16..20]);
            // Answer it: swap the addresses (the header checksum sums them either way) and make it an echo reply.
            byte[] reply = buffer[..length];
            reply.AsSpan(12, 4).CopyTo(buffer.AsSpan(16));
            reply.AsSpan(16, 4).CopyTo(buffer.AsSpan(12));
            Array.Copy(buffer, 12, reply, 12, 8);
            int header = (reply[0] & 0x0F) * 4;
            reply[header] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(header + 2), 0);
            BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(header + 2), InternetChecksum.Compute(reply.AsSpan(header)));
            Assert.Equal(0, device.Write(reply));
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await ping.WaitForExitAsync(limit.Token);
            string text = await output;
            Assert.True(ping.ExitCode == 0, text);
            Assert.Contains("bytes from 198.18.7.2: icmp_seq=1", text, StringComparison.Ordinal);
        }
        finally
        {
            device.Dispose();
        }
        // Not persistent: closing the descriptor removed the device.
        Assert.NotEqual(0, Netns.Run("ip", ["-n", _namespace, "link", "show", _device]).ExitCode);
    }

    [Fact]
    public void A_bad_or_taken_name_is_one_clear_error()
    {
        var bad = Assert.Throws<IcmpSocketException>(() => TunDevice.Create("a-name-that-is-too-long"));
        Assert.StartsWith("bad device name 'a-name-that-is-too-long'", bad.Message, StringComparison.Ordinal);
        var first = TunDevice.InNamespace($"/var/run/netns/{_namespace}", () => TunDevice.Create(_device));
        try
        {
            var taken = Assert.Throws<IcmpSocketException>(() =>
                TunDevice.InNamespace($"/var/run/netns/{_namespace}", () => TunDevice.Create(_device)));
            Assert.StartsWith($"cannot create TUN device {_device}:", taken.Message, StringComparison.Ordinal);
        }
        finally
        {
            first.Dispose();
        }
    }

    [Fact]
    public void Routes_through_the_device_are_added_and_removed_with_netlink()
    {
        string ns = $"/var/run/netns/{_namespace}";
        var device = TunDevice.InNamespace(ns, () => TunDevice.Create(_device));
        try
        {
            TunDevice.InNamespace(ns, () =>
            {
                NetlinkRoutes.Add(System.Net.IPAddress.Parse("198.18.8.5"), 32, _device);
                NetlinkRoutes.Add(System.Net.IPAddress.Parse("fd42:8::5"), 128, _device);
                return 0;
            });
            string v4 = Netns.Run("ip", ["-n", _namespace, "route", "show"]).Stdout;
            string v6 = Netns.Run("ip", ["-n", _namespace, "-6", "route", "show"]).Stdout;
            Assert.Contains($"198.18.8.5 dev {_device} proto static scope link", v4, StringComparison.Ordinal);
            Assert.Contains($"fd42:8::5 dev {_device} proto static", v6, StringComparison.Ordinal);
            var again = Assert.Throws<IcmpSocketException>(() => TunDevice.InNamespace(ns, () =>
            {
                NetlinkRoutes.Add(System.Net.IPAddress.Parse("198.18.8.5"), 32, _device);
                return 0;
            }));
            Assert.StartsWith($"cannot add the route 198.18.8.5/32 dev {_device}: File exists", again.Message, StringComparison.Ordinal);
            TunDevice.InNamespace(ns, () =>
            {
                NetlinkRoutes.Remove(System.Net.IPAddress.Parse("198.18.8.5"), 32, _device);
                return 0;
            });
            Assert.DoesNotContain("198.18.8.5", Netns.Run("ip", ["-n", _namespace, "route", "show"]).Stdout, StringComparison.Ordinal);
        }
        finally
        {
            device.Dispose();
        }
    }

    public void Dispose() => Netns.Run("ip", ["netns", "del", _namespace]);
}
