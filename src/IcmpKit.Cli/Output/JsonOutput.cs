using System.Text.Encodings.Web;
using System.Text.Json;

namespace IcmpKit.Cli.Output;

/// <summary>JSON as people read it: "'" and "+" stay themselves (the default encoder writes \u0027 and \u002B for HTML safety, which a terminal does not need).</summary>
internal static class JsonOutput
{
    public static JsonWriterOptions Options { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
