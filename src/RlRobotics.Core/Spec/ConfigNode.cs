using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace RlRobotics.Core.Spec;

/// <summary>
/// A strict, location-aware view of one YAML node. Every getter checks the type and range of what it
/// reads and records a <see cref="SpecError"/> with the file, line and column on failure (returning a
/// placeholder so reading continues and the user sees every problem at once). Keys that are never asked
/// for are reported as unknown by <see cref="RejectUnknownKeys"/>.
/// </summary>
public sealed partial class ConfigNode
{
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    private ConfigNode(YamlNode? node, string path, Diagnostics diagnostics, int line, int column)
    {
        Node = node;
        Path = path;
        Diagnostics = diagnostics;
        Line = node is null ? line : (int)node.Start.Line;
        Column = node is null ? column : (int)node.Start.Column;
    }

    /// <summary>Wraps a document's root node.</summary>
    public static ConfigNode Root(YamlNode? node, Diagnostics diagnostics) => new(node, "", diagnostics, 1, 1);

    /// <summary>Reads a YAML document from text; syntax errors become <see cref="SpecError"/>s.</summary>
    public static ConfigNode Parse(string yaml, Diagnostics diagnostics)
    {
        try
        {
            var stream = new YamlStream();
            using var reader = new StringReader(yaml);
            stream.Load(reader);
            if (stream.Documents.Count == 0)
            {
                diagnostics.Add(1, 1, "", "the file is empty; expected a YAML mapping");
                return Root(null, diagnostics);
            }
            if (stream.Documents.Count > 1)
                diagnostics.Add((int)stream.Documents[1].RootNode.Start.Line, (int)stream.Documents[1].RootNode.Start.Column, "",
                    "expected exactly one YAML document, found more ('---' separators)");
            return Root(stream.Documents[0].RootNode, diagnostics);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            diagnostics.Add((int)ex.Start.Line, (int)ex.Start.Column, "", "malformed YAML: " + InnermostMessage(ex));
            return Root(null, diagnostics);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's document loader gives up without a location on some inputs (an unclosed flow
            // sequence, for one); the event parser still knows how far the text was well-formed.
            var (line, column) = LastGoodMark(yaml);
            diagnostics.Add(line, column, "", "malformed YAML: the structure breaks here (an unclosed bracket or brace, or inconsistent indentation?)");
            return Root(null, diagnostics);
        }
    }

    private static (int Line, int Column) LastGoodMark(string yaml)
    {
        var parser = new YamlDotNet.Core.Parser(new StringReader(yaml));
        YamlDotNet.Core.Mark last = YamlDotNet.Core.Mark.Empty;
        try
        {
            while (parser.MoveNext()) last = parser.Current!.End;
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            return ((int)ex.Start.Line, (int)ex.Start.Column);
        }
        catch (InvalidOperationException)
        {
        }
        return ((int)last.Line, (int)last.Column);
    }

    private static string InnermostMessage(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        var message = ex.Message;
        // YamlDotNet prefixes its messages with the location, which we already give.
        var close = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line", StringComparison.Ordinal) && close > 0 ? message[(close + 3)..] : message;
    }

    /// <summary>The wrapped node; null when the key was absent.</summary>
    public YamlNode? Node { get; }

    /// <summary>Dotted path of this node, e.g. <c>joints[1].limits</c>.</summary>
    public string Path { get; }

    public Diagnostics Diagnostics { get; }

    /// <summary>1-based line of the node (or of its parent when the node is absent).</summary>
    public int Line { get; }

    /// <summary>1-based column of the node (or of its parent when the node is absent).</summary>
    public int Column { get; }

    public bool IsMissing => Node is null;

    public bool IsMapping => Node is YamlMappingNode;

    public bool IsSequence => Node is YamlSequenceNode;

    /// <summary>Records an error located at this node.</summary>
    public void Error(string message) => Diagnostics.Add(Line, Column, Path, message);

    private string ChildPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>True when this mapping has the key (and marks it as known).</summary>
    public bool Has(string key)
    {
        _known.Add(key);
        return Node is YamlMappingNode m && m.Children.ContainsKey(new YamlScalarNode(key));
    }

    /// <summary>The child under <paramref name="key"/>; a missing child is returned with <see cref="IsMissing"/> set.</summary>
    public ConfigNode this[string key]
    {
        get
        {
            _known.Add(key);
            if (Node is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode(key), out var child))
            {
                if (child is YamlScalarNode { Value: null or "" or "~" or "null", Style: YamlDotNet.Core.ScalarStyle.Plain })
                    return new ConfigNode(null, ChildPath(key), Diagnostics, (int)child.Start.Line, (int)child.Start.Column);
                return new ConfigNode(child, ChildPath(key), Diagnostics, 0, 0);
            }
            return new ConfigNode(null, ChildPath(key), Diagnostics, Line, Column);
        }
    }

    /// <summary>Checks this node is a mapping (or absent when <paramref name="optional"/>).</summary>
    public bool ExpectMapping(bool optional = false)
    {
        if (Node is YamlMappingNode) return true;
        if (Node is null)
        {
            if (!optional) Error("missing; expected a mapping");
            return false;
        }
        Error($"expected a mapping (key: value lines), got {Describe(Node)}");
        return false;
    }

    /// <summary>The items of a sequence; an absent node yields nothing (or an error when required).</summary>
    public IReadOnlyList<ConfigNode> Items(bool required = false)
    {
        if (Node is YamlSequenceNode s)
            return s.Children.Select((c, i) => new ConfigNode(c, $"{Path}[{i}]", Diagnostics, 0, 0)).ToList();
        if (Node is null)
        {
            if (required) Error("missing; expected a list");
            return Array.Empty<ConfigNode>();
        }
        Error($"expected a list, got {Describe(Node)}");
        return Array.Empty<ConfigNode>();
    }

    /// <summary>The entries of a mapping as (key, value) pairs; all its keys count as known.</summary>
    public IReadOnlyList<(string Key, ConfigNode Value)> Entries()
    {
        if (Node is not YamlMappingNode m)
        {
            if (Node is not null) Error($"expected a mapping, got {Describe(Node)}");
            return Array.Empty<(string, ConfigNode)>();
        }
        var list = new List<(string, ConfigNode)>();
        foreach (var (k, v) in m.Children)
        {
            if (k is not YamlScalarNode { Value: { } key })
            {
                Diagnostics.Add((int)k.Start.Line, (int)k.Start.Column, Path, "expected a plain key");
                continue;
            }
            _known.Add(key);
            list.Add((key, new ConfigNode(v, ChildPath(key), Diagnostics, 0, 0)));
        }
        return list;
    }

    /// <summary>Reports every key of this mapping that no getter asked for, with a suggestion.</summary>
    public void RejectUnknownKeys()
    {
        if (Node is not YamlMappingNode m) return;
        foreach (var k in m.Children.Keys)
        {
            if (k is not YamlScalarNode { Value: { } key } || _known.Contains(key)) continue;
            var suggestion = _known.OrderBy(x => Expressions.NameSuggester.Distance(x, key)).FirstOrDefault();
            var hint = suggestion is not null && Expressions.NameSuggester.Distance(suggestion, key) <= Math.Max(2, key.Length / 3)
                ? $"; did you mean '{suggestion}'?"
                : $"; expected one of: {string.Join(", ", _known.Order(StringComparer.Ordinal))}";
            Diagnostics.Add((int)k.Start.Line, (int)k.Start.Column, ChildPath(key), $"unknown key '{key}'{hint}");
        }
    }

    // ---- scalars ------------------------------------------------------------------------------

    /// <summary>This node as a string scalar.</summary>
    public string? AsString()
    {
        if (Node is YamlScalarNode s) return s.Value;
        if (Node is not null) Error($"expected a text value, got {Describe(Node)}");
        return null;
    }

    /// <summary>This node as a finite number. Accepts plain numbers and multiples of pi (<c>pi</c>, <c>-pi/2</c>, <c>0.5*pi</c>).</summary>
    public double AsDouble(string expected = "a number")
    {
        if (Node is YamlScalarNode s)
        {
            if (s.Style is YamlDotNet.Core.ScalarStyle.Plain && TryParseNumber(s.Value, out var v)) return v;
            var shown = s.Style is YamlDotNet.Core.ScalarStyle.Plain ? $"'{s.Value}'" : $"the quoted text \"{s.Value}\"";
            Error($"expected {expected}, got {shown}");
            return double.NaN;
        }
        Error(Node is null ? $"missing; expected {expected}" : $"expected {expected}, got {Describe(Node)}");
        return double.NaN;
    }

    /// <summary>Parses a plain number, <c>.inf</c>-free, or a rational multiple of pi.</summary>
    public static bool TryParseNumber(string? text, out double value)
    {
        value = double.NaN;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            return double.IsFinite(value);
        var match = PiPattern().Match(text);
        if (!match.Success) return false;
        double scale = 1;
        if (match.Groups["k"].Success && !double.TryParse(match.Groups["k"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out scale)) return false;
        double divisor = 1;
        if (match.Groups["d"].Success && !double.TryParse(match.Groups["d"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out divisor)) return false;
        if (divisor == 0) return false;
        value = (match.Groups["s"].Value == "-" ? -1 : 1) * scale * Math.PI / divisor;
        return double.IsFinite(value);
    }

    [GeneratedRegex(@"^(?<s>[-+]?)\s*(?:(?<k>\d+(?:\.\d*)?)\s*\*?\s*)?pi(?:\s*/\s*(?<d>\d+(?:\.\d*)?))?$")]
    private static partial Regex PiPattern();

    public bool AsBool()
    {
        if (Node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s)
        {
            if (s.Value is "true" or "True" or "yes") return true;
            if (s.Value is "false" or "False" or "no") return false;
        }
        Error(Node is null ? "missing; expected true or false" : $"expected true or false, got {Describe(Node)}");
        return false;
    }

    /// <summary>A required number under <paramref name="key"/>, optionally checked by <paramref name="valid"/>.</summary>
    public double Double(string key, Func<double, bool>? valid = null, string expected = "a number")
    {
        var child = this[key];
        var v = child.AsDouble(expected);
        if (!double.IsNaN(v) && valid is not null && !valid(v))
        {
            child.Error($"expected {expected}, got {v.ToString(CultureInfo.InvariantCulture)}");
            return double.NaN;
        }
        return v;
    }

    /// <summary>An optional number under <paramref name="key"/>.</summary>
    public double Double(string key, double fallback, Func<double, bool>? valid = null, string expected = "a number") =>
        this[key].IsMissing ? fallback : Double(key, valid, expected);

    /// <summary>An optional number that stays null when absent.</summary>
    public double? NullableDouble(string key, Func<double, bool>? valid = null, string expected = "a number") =>
        this[key].IsMissing ? null : Double(key, valid, expected);

    public int Int(string key, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var child = this[key];
        if (child.IsMissing) return fallback;
        var expected = min == int.MinValue && max == int.MaxValue ? "a whole number" : $"a whole number from {min} to {max}";
        var v = child.AsDouble(expected);
        if (double.IsNaN(v)) return fallback;
        if (v != Math.Floor(v) || v < min || v > max)
        {
            child.Error($"expected {expected}, got {v.ToString(CultureInfo.InvariantCulture)}");
            return fallback;
        }
        return (int)v;
    }

    public bool Bool(string key, bool fallback)
    {
        var child = this[key];
        return child.IsMissing ? fallback : child.AsBool();
    }

    public string String(string key, string? fallback = null)
    {
        var child = this[key];
        if (child.IsMissing)
        {
            if (fallback is null) child.Error("missing; expected a text value");
            return fallback ?? "";
        }
        return child.AsString() ?? fallback ?? "";
    }

    /// <summary>A snake_case choice among an enum's names (e.g. <c>zero_effort</c> for <c>ZeroEffort</c>).</summary>
    public T Enum<T>(string key, T? fallback = null) where T : struct, Enum
    {
        var child = this[key];
        var choices = System.Enum.GetValues<T>().ToDictionary(v => SnakeCase(v.ToString()), v => v);
        if (child.IsMissing)
        {
            if (fallback is null) child.Error($"missing; expected one of: {string.Join(", ", choices.Keys)}");
            return fallback ?? default;
        }
        var text = child.AsString();
        if (text is not null && choices.TryGetValue(text, out var value)) return value;
        if (text is not null) child.Error($"expected one of: {string.Join(", ", choices.Keys)}; got '{text}'");
        return fallback ?? default;
    }

    /// <summary>A list of numbers under <paramref name="key"/>; <paramref name="length"/> checks the count when given.</summary>
    public double[]? Doubles(string key, int? length = null, bool required = false)
    {
        var child = this[key];
        if (child.IsMissing)
        {
            if (required) child.Error(length is null ? "missing; expected a list of numbers" : $"missing; expected a list of {length} numbers");
            return null;
        }
        var items = child.Items();
        if (child.Node is not YamlSequenceNode) return null;
        var values = items.Select(i => i.AsDouble()).ToArray();
        if (length is not null && values.Length != length)
        {
            child.Error($"expected {length} numbers, got {values.Length}");
            return null;
        }
        return values.Any(double.IsNaN) ? null : values;
    }

    /// <summary>A list of text values under <paramref name="key"/>.</summary>
    public IReadOnlyList<(string Value, ConfigNode Node)> Strings(string key)
    {
        var child = this[key];
        if (child.IsMissing) return Array.Empty<(string, ConfigNode)>();
        return child.Items().Select(i => (i.AsString() ?? "", i)).ToList();
    }

    // ---- helpers ------------------------------------------------------------------------------

    /// <summary>PascalCase → snake_case, as enum choices are written in the YAML.</summary>
    public static string SnakeCase(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{s.Value}'",
        _ => node.NodeType.ToString(),
    };
}
