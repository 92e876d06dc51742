using System.Text.Encodings.Web;
using System.Text.Json;

namespace IcmpKit.Cli.Output;

/// <summary>JSON as people read it: "'" and "+" stay themselves (the default encoder writes \u0027 and \u002B for HTML safety, which a terminal does not need).</summary>
internal static class JsonOutput
{
    public static JsonWriterOptions Options { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One JSON object on one line: <paramref name="body"/> writes its members.</summary>
    public static string Object(Action<Utf8JsonWriter> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
