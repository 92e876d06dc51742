using IcmpKit.Fuzz;
using SharpFuzz;

// Under afl-fuzz (fuzz/run.sh): SharpFuzz's fork-server loop, one input per round on stdin; an exception that escapes
// is a crash. With file arguments: replays each file once and prints the first exception with its stack trace, so a
// crash AFL++ saved can be read (and turned into a regression test) without AFL++.
if (args.Length == 0)
{
    Fuzzer.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        Targets.Run(buffer.ToArray());
    });
    return 0;
}

int failed = 0;
foreach (string path in args)
{
    try
    {
        Targets.Run(File.ReadAllBytes(path));
        Console.WriteLine($"ok    {path}");
    }
#pragma warning disable CA1031 // Replay reports every exception: each is a finding.
    catch (Exception e)
#pragma warning restore CA1031
    {
        failed++;
        Console.WriteLine($"CRASH {path}");
        Console.WriteLine(e);
    }
}
return failed == 0 ? 0 : 1;
