using System.Globalization;
using System.Text;
using RlRobotics.Ros2.Messages.Parsing;
using RlRobotics.Ros2.Messages.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace RlRobotics.Ros2.Messages.Dynamic;

/// <summary>
/// Messages as YAML text: <see cref="Format"/> writes what <c>ros2 topic echo</c> prints for one sample (block style, the
/// <c>---</c> separator left to the caller), <see cref="Parse"/> reads what <c>ros2 topic pub</c> accepts: a flow or block
/// mapping such as <c>{name: [a, b], position: [1.0, 2.0]}</c>, where missing fields keep their defaults.
/// </summary>
public static class MessageText
{
    /// <summary>Renders <paramref name="message"/> as YAML block text ending in a newline.</summary>
    public static string Format(DynamicMessage message)
    {
        var sb = new StringBuilder();
        if (IsEmptyStructure(message.Schema)) return "{}\n";
        WriteMessage(sb, message, 0, listItem: false);
        return sb.ToString();
    }

    /// <summary>
    /// Parses YAML text into a message of type <paramref name="schema"/>. Throws <see cref="FormatException"/> naming the
    /// field and line for unknown fields, values of the wrong type, wrong array lengths and YAML syntax errors.
    /// </summary>
    public static DynamicMessage Parse(MessageSchema schema, string text)
    {
        var message = new DynamicMessage(schema);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new FormatException($"line {e.Start.Line}, column {e.Start.Column}: invalid YAML for {schema.FullName}: {e.Message}", e);
        }
        if (stream.Documents.Count == 0) return message;
        var root = stream.Documents[0].RootNode;
        if (root is YamlScalarNode { Value: null or "" }) return message;
        if (root is not YamlMappingNode mapping)
            throw new FormatException($"line {root.Start.Line}: expected a mapping of {schema.FullName} fields such as '{{{schema.Fields[0].Name}: ...}}'");
        Fill(message, mapping, "");
        return message;
    }

    private static bool IsEmptyStructure(MessageSchema schema) =>
        schema.Fields is [{ Name: MsgParser.EmptyStructureMember }];

    private static void WriteMessage(StringBuilder sb, DynamicMessage message, int indent, bool listItem)
    {
        var fields = message.Schema.Fields;
        for (var i = 0; i < fields.Count; i++)
        {
            // PyYAML block style: a mapping inside a list starts on the '- ' line, its other keys align under the first.
            if (listItem && i == 0) sb.Append(' ', indent - 2).Append("- ");
            else sb.Append(' ', indent);
            sb.Append(fields[i].Name).Append(':');
            WriteValue(sb, fields[i].Type, message[i], indent);
        }
    }

    private static void WriteValue(StringBuilder sb, FieldType type, object value, int indent)
    {
        if (!type.IsCollection)
        {
            if (value is DynamicMessage nested)
            {
                if (IsEmptyStructure(nested.Schema))
                {
                    sb.Append(" {}\n");
                    return;
                }
                sb.Append('\n');
                WriteMessage(sb, nested, indent + 2, listItem: false);
                return;
            }
            sb.Append(' ').Append(FormatScalar(value)).Append('\n');
            return;
        }
        var array = (Array)value;
        if (array.Length == 0)
        {
            sb.Append(" []\n");
            return;
        }
        sb.Append('\n');
        foreach (var item in array)
        {
            // Sequences under a key are not indented further (PyYAML's default).
            if (item is DynamicMessage m) WriteMessage(sb, m, indent + 2, listItem: true);
            else sb.Append(' ', indent).Append("- ").Append(FormatScalar(item)).Append('\n');
        }
    }

    private static string FormatScalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        double d => FormatFloat(d, d.ToString("R", CultureInfo.InvariantCulture)),
        float f => FormatFloat(f, f.ToString("R", CultureInfo.InvariantCulture)),
        string s => QuoteString(s),
        IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string FormatFloat(double d, string text)
    {
        if (double.IsNaN(d)) return ".nan";
        if (double.IsInfinity(d)) return d > 0 ? ".inf" : "-.inf";
        // Python's repr style: always a '.' in the mantissa (1.0, 1.0e+20), so the value reads back as a float.
        var e = text.IndexOf('E');
        var mantissa = e < 0 ? text : text[..e];
        if (!mantissa.Contains('.')) mantissa += ".0";
        return e < 0 ? mantissa : mantissa + "e" + text[(e + 1)..];
    }

    private static string QuoteString(string s)
    {
        if (s.Length == 0) return "''";
        var plain = (char.IsAsciiLetter(s[0]) || s[0] is '_' or '/') && s[^1] != ' ' &&
                    s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '/' or '.' or '-' or ' ') &&
                    !IsYamlKeyword(s);
        if (plain) return s;
        if (s.All(c => !char.IsControl(c))) return "'" + s.Replace("'", "''") + "'";
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                default:
                    if (char.IsControl(c)) sb.Append($"\\x{(int)c:x2}");
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    // YAML 1.1 reads these plain words as bool or null, so strings equal to them need quotes.
    private static bool IsYamlKeyword(string s) =>
        s.ToLowerInvariant() is "true" or "false" or "yes" or "no" or "on" or "off" or "null" or "y" or "n";

    private static void Fill(DynamicMessage message, YamlMappingNode mapping, string path)
    {
        var schema = message.Schema;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value
                      ?? throw new FormatException($"line {keyNode.Start.Line}: expected a field name of {schema.FullName}, found a {keyNode.NodeType}");
            var index = schema.IndexOf(key);
            if (index < 0)
                throw new FormatException($"line {keyNode.Start.Line}: unknown field '{path}{key}' in {schema.FullName}; expected one of: " +
                                          string.Join(", ", schema.Fields.Select(f => f.Name)));
            var field = schema.Fields[index];
            message[index] = Convert(field.Type, valueNode, path + key);
        }
    }

    private static object Convert(FieldType type, YamlNode node, string path)
    {
        if (!type.IsCollection) return ConvertElement(type, node, path);
        if (node is not YamlSequenceNode sequence)
            throw new FormatException($"line {node.Start.Line}: field '{path}' ({type}) expected a list such as [a, b], found {Describe(node)}");
        var count = sequence.Children.Count;
        if (type.Collection == CollectionKind.Array && count != type.Bound)
            throw new FormatException($"line {node.Start.Line}: field '{path}' ({type}) expected exactly {type.Bound} elements, found {count}");
        if (type.Collection == CollectionKind.BoundedSequence && count > type.Bound)
            throw new FormatException($"line {node.Start.Line}: field '{path}' ({type}) expected at most {type.Bound} elements, found {count}");
        var element = type.Element;
        var items = Array.CreateInstance(DynamicMessage.ValueType(element), count);
        for (var i = 0; i < count; i++) items.SetValue(ConvertElement(element, sequence.Children[i], $"{path}[{i}]"), i);
        return items;
    }

    private static object ConvertElement(FieldType element, YamlNode node, string path)
    {
        if (element.Nested is { } nested)
        {
            if (node is not YamlMappingNode mapping)
                throw new FormatException($"line {node.Start.Line}: field '{path}' ({nested.FullName}) expected a mapping such as {{...}}, found {Describe(node)}");
            var message = new DynamicMessage(nested);
            Fill(message, mapping, path + ".");
            return message;
        }
        var kind = element.Primitive!.Value;
        if (node is not YamlScalarNode scalar)
            throw new FormatException($"line {node.Start.Line}: field '{path}' expected a {element} value, found {Describe(node)}");
        var text = scalar.Value ?? "";
        if (kind == PrimitiveKind.String)
        {
            if (element.StringBound > 0 && Encoding.UTF8.GetByteCount(text) > element.StringBound)
                throw new FormatException($"line {node.Start.Line}: field '{path}' ({element}) expected at most {element.StringBound} bytes, found {Encoding.UTF8.GetByteCount(text)}");
            return text;
        }
        // A quoted scalar is a string in YAML, as in ros2 topic pub, so it does not fill a number or bool.
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted)
            throw new FormatException($"line {node.Start.Line}: field '{path}' expected a {element} value, found the string '{text}'");
        try
        {
            return kind.ParseValue(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"line {node.Start.Line}: field '{path}': {e.Message}");
        }
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s => $"'{s.Value}'",
        YamlSequenceNode => "a list",
        _ => "a mapping",
    };
}
