using System.Text.Json;

namespace IcmpKit.Cli.Tests;

/// <summary>What one in-process run of the CLI printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => SplitLines(Stdout);

    public string[] StderrLines => SplitLines(Stderr);

    /// <summary>Each stdout line parsed as one JSON document (the --json contract: one document per packet per line).</summary>
    public JsonElement[] JsonDocuments => [.. StdoutLines.Select(line =>
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    })];

    private static string[] SplitLines(string text) =>
        text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');
}

/// <summary>Runs `icmpkit` in-process through <see cref="IcmpKitCli.Run"/> with captured streams.</summary>
internal static class CliRunner
{
    public static CliResult Run(string[] args, string stdin = "")
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        using var input = new StringReader(stdin);
        int exit = IcmpKitCli.Run(args, stdout, stderr, input);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    public static CliResult Decode(params string[] args) => Run(["decode", .. args]);

    public static CliResult DecodeStdin(string stdin, params string[] args) => Run(["decode", .. args], stdin);

    /// <summary>A malformed input: exactly one stderr line with that text, no stack trace, exit 2.</summary>
    public static void AssertOneErrorLine(CliResult result, string expected)
    {
        Assert.Equal(2, result.ExitCode);
        Assert.Equal([expected], result.StderrLines);
        AssertNoStackTrace(result);
    }

    public static void AssertNoStackTrace(CliResult result)
    {
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stdout, StringComparison.Ordinal);
    }
}
