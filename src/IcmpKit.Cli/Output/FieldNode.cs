using System.Globalization;
using System.Text;
using System.Text.Json;

namespace IcmpKit.Cli.Output;

/// <summary>
/// A tree of named fields, rendered as indented text or as JSON. Values are numbers, strings or booleans;
/// <see cref="Text"/> overrides how a value reads in text ("0x1c2d (valid)") without changing its JSON.
/// </summary>
internal sealed class FieldNode
{
    private readonly List<FieldNode> _children = [];

    public FieldNode(string name, object? value = null, string? text = null, bool isList = false)
    {
        Name = name;
        Value = value;
        Text = text;
        IsList = isList;
    }

    public string Name { get; }
    public object? Value { get; }
    public string? Text { get; }
    public bool IsList { get; }
    public IReadOnlyList<FieldNode> Children => _children;

    public FieldNode Add(string name, object? value, string? text = null)
    {
        _children.Add(new FieldNode(name, value, text));
        return this;
    }

    /// <summary>Adds a field only when the value is present.</summary>
    public FieldNode AddIf(string name, object? value, string? text = null) => value is null ? this : Add(name, value, text);

    public FieldNode Object(string name)
    {
        var child = new FieldNode(name);
        _children.Add(child);
        return child;
    }

    public FieldNode List(string name)
    {
        var child = new FieldNode(name, isList: true);
        _children.Add(child);
        return child;
    }

    /// <summary>For a list: adds an object item.</summary>
    public FieldNode Item()
    {
        var child = new FieldNode($"{Name}[{_children.Count}]");
        _children.Add(child);
        return child;
    }

    /// <summary>For a list: adds a scalar item.</summary>
    public FieldNode ItemValue(object value, string? text = null)
    {
        _children.Add(new FieldNode($"{Name}[{_children.Count}]", value, text));
        return this;
    }

    public void WriteText(StringBuilder output, int depth)
    {
        string indent = new(' ', depth * 2);
        // A scalar has a value (or only a text); an object with no fields yet (a header cut short) prints as
        // "name:" like any object, matching its JSON `{}`, not as an empty scalar "name: ".
        if (Value is not null || (_children.Count == 0 && !IsList && Text is not null))
        {
            output.Append(indent).Append(Name).Append(": ").Append(Text ?? Format(Value)).Append('\n');
            return;
        }
        output.Append(indent).Append(Name).Append(IsList && _children.Count == 0 ? ": (none)" : ":").Append('\n');
        foreach (var child in _children)
        {
            child.WriteText(output, depth + 1);
        }
    }

    public void WriteJson(Utf8JsonWriter writer)
    {
        if (IsList)
        {
            writer.WriteStartArray();
            foreach (var child in _children)
            {
                child.WriteJsonValue(writer);
            }
            writer.WriteEndArray();
            return;
        }
        WriteJsonValue(writer);
    }

    private void WriteJsonValue(Utf8JsonWriter writer)
    {
        if (IsList)
        {
            WriteJson(writer);
            return;
        }
        if (Value is null && (_children.Count > 0 || Text is null))
        {
            writer.WriteStartObject();
            foreach (var child in _children)
            {
                writer.WritePropertyName(child.Name);
                child.WriteJsonValue(writer);
            }
            writer.WriteEndObject();
            return;
        }
        switch (Value)
        {
            case null: writer.WriteNullValue(); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case byte n: writer.WriteNumberValue(n); break;
            case ushort n: writer.WriteNumberValue(n); break;
            case int n: writer.WriteNumberValue(n); break;
            case uint n: writer.WriteNumberValue(n); break;
            case long n: writer.WriteNumberValue(n); break;
            case ulong n: writer.WriteNumberValue(n); break;
            default: writer.WriteStringValue(Convert.ToString(Value, CultureInfo.InvariantCulture)); break;
        }
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "yes" : "no",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
