using System.Globalization;
using System.Net;
using System.Text.Json;

namespace IcmpKit.Cli.Respond;

/// <summary>A config file mistake, with the JSON path of the value at fault (e.g. <c>hops[1].mtu</c>).</summary>
internal sealed class ConfigException(string path, string message) : Exception(path.Length == 0 ? message : $"{path}: {message}")
{
    public string Path { get; } = path;
}

/// <summary>
/// Strict reads from one JSON object of the config file: every key must be known (a typo is an error, not a silently
/// ignored setting) and every value of the expected type and range. Paths name the value in errors.
/// </summary>
internal readonly struct JsonConfigReader
{
    private readonly JsonElement _object;
    private readonly string _path;

    public JsonConfigReader(JsonElement element, string path, params string[] knownKeys)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException(path, "expected an object { ... }");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!knownKeys.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new ConfigException(Join(path, property.Name), $"unknown key; known here: {string.Join(", ", knownKeys)}");
            }
            if (!seen.Add(property.Name))
            {
                throw new ConfigException(Join(path, property.Name), "given twice");
            }
        }
        _object = element;
        _path = path;
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public string PathOf(string key) => Join(_path, key);

    public bool Has(string key) => _object.TryGetProperty(key, out _);

    public JsonElement? Element(string key) => _object.TryGetProperty(key, out var value) ? value : null;

    public bool? Boolean(string key) => Element(key) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw new ConfigException(PathOf(key), "expected true or false"),
    };

    public double? Number(string key, double minimum, double maximum)
    {
        if (Element(key) is not { } value)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double number) || number < minimum || number > maximum)
        {
            throw new ConfigException(PathOf(key), $"expected a number from {Text(minimum)} to {Text(maximum)}");
        }
        return number;
    }

    public int? Integer(string key, int minimum, int maximum)
    {
        if (Element(key) is not { } value)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int number) || number < minimum || number > maximum)
        {
            throw new ConfigException(PathOf(key), $"expected a whole number from {Text(minimum)} to {Text(maximum)}");
        }
        return number;
    }

    /// <summary>A probability from 0 to 1.</summary>
    public double? Probability(string key) => Number(key, 0, 1);

    public string? String(string key)
    {
        if (Element(key) is not { } value)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new ConfigException(PathOf(key), "expected a string");
    }

    public IPAddress? Address(string key) => Element(key) is { } value ? ParseAddress(value, PathOf(key)) : null;

    public List<IPAddress>? Addresses(string key) =>
        Element(key) is { } value ? Items(value, PathOf(key)).Select(item => ParseAddress(item.Value, item.Path)).ToList() : null;

    /// <summary>A duration: a string such as "10ms", "1.5s", "250us", or a number of milliseconds.</summary>
    public TimeSpan? Duration(string key)
    {
        if (Element(key) is not { } value)
        {
            return null;
        }
        string? text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        if (text is null || !Durations.TryParse(text, out var duration))
        {
            throw new ConfigException(PathOf(key), "expected a duration such as \"10ms\", \"1.5s\" or \"250us\" (at most 1 hour)");
        }
        return duration;
    }

    /// <summary>The elements of an array, each with its path (<c>key[i]</c>).</summary>
    public IEnumerable<(JsonElement Value, string Path)> Array(string key) =>
        Element(key) is { } value ? Items(value, PathOf(key)) : [];

    private static List<(JsonElement Value, string Path)> Items(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new ConfigException(path, "expected an array [ ... ]");
        }
        return value.EnumerateArray().Select((item, i) => (item, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]")).ToList();
    }

    private static IPAddress ParseAddress(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.String && IPAddress.TryParse(value.GetString(), out var address) && !RespondArguments.HasScope(address)
            ? address
            : throw new ConfigException(path, "expected an IPv4 or IPv6 address as a string");

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Durations as the respond flags and the config file write them: 10ms, 1.5s, 250us; a bare number is ms.</summary>
internal static class Durations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        (string number, double scale) = text.EndsWith("us", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1.0)
            : text.EndsWith('s') ? (text[..^1], 1000.0)
            : (text, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double amount) || !double.IsFinite(amount)
            || amount < 0 || amount * scale > 3_600_000)
        {
            return false;
        }
        value = TimeSpan.FromMilliseconds(amount * scale);
        return true;
    }
}
