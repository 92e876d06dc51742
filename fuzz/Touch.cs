using System.Collections;
using System.Reflection;

namespace IcmpKit.Fuzz;

/// <summary>
/// Reads every public property of a parsed value, and of the IcmpKit values and lists inside it: a getter that
/// computes (a quote parsed on access, a display name) must not throw either. Other types are only formatted, since
/// some BCL getters throw by design (IPAddress.ScopeId on an IPv4 address).
/// </summary>
internal static class Touch
{
    private const int MaxDepth = 6;
    private static readonly Dictionary<Type, PropertyInfo[]> Properties = [];

    public static void All(object? value) => Walk(value, 0);

    private static void Walk(object? value, int depth)
    {
        if (value is null || depth > MaxDepth)
        {
            return;
        }
        if (value is IEnumerable items and not string)
        {
            foreach (object? item in items)
            {
                Walk(item, depth + 1);
            }
            return;
        }
        var type = value.GetType();
        if (type.Namespace?.StartsWith("IcmpKit", StringComparison.Ordinal) != true)
        {
            _ = value.ToString();
            return;
        }
        _ = value.ToString();
        foreach (var property in PropertiesOf(type))
        {
            Walk(property.GetValue(value), depth + 1);
        }
    }

    private static PropertyInfo[] PropertiesOf(Type type)
    {
        if (!Properties.TryGetValue(type, out var properties))
        {
            properties = [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && p.CanRead)];
            Properties[type] = properties;
        }
        return properties;
    }
}
