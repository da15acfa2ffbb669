using System.Text;
using System.Text.RegularExpressions;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Parsing;

/// <summary>
/// Parses ROS 2 .msg and .srv text following rosidl_adapter's rules: <c>type name</c>, <c>type name default</c>,
/// <c>TYPE NAME=value</c> constants, <c>#</c> comments, <c>T[]</c> / <c>T[N]</c> / <c>T[&lt;=N]</c>, <c>string&lt;=N</c>,
/// <c>pkg/Type</c> or same-package <c>Type</c>, <c>Header</c> as <c>std_msgs/Header</c>, ROS 1 <c>time</c>/<c>duration</c>
/// as builtin_interfaces. Errors are <see cref="MsgParseException"/> with file and line.
/// </summary>
public static partial class MsgParser
{
    /// <summary>rosidl gives an empty structure this one member, and rmw writes it as a single 0 byte.</summary>
    public const string EmptyStructureMember = "structure_needs_at_least_one_member";

    private const string NameRules = "starting with a letter, without '__' or a trailing '_'";

    /// <summary>Parses a .msg file's text. <paramref name="fileName"/> appears in errors (default <c>pkg/msg/Name.msg</c>).</summary>
    public static MessageDefinition ParseMessage(string package, string name, string text, string? fileName = null)
    {
        fileName ??= $"{package}/msg/{name}.msg";
        CheckNames(package, name, fileName);
        var lines = SplitLines(text).ToList();
        foreach (var (line, content) in lines)
            if (content == "---") throw new MsgParseException(fileName, line, "'---' separates a service's request and response; it is not allowed in a .msg file");
        return ParseBody(package, name, "msg", fileName, lines);
    }

    /// <summary>Parses a .srv file's text: request fields, a line <c>---</c>, response fields.</summary>
    public static ServiceDefinition ParseService(string package, string name, string text, string? fileName = null)
    {
        fileName ??= $"{package}/srv/{name}.srv";
        CheckNames(package, name, fileName);
        var lines = SplitLines(text).ToList();
        var separators = lines.Where(l => l.Content == "---").ToList();
        if (separators.Count == 0) throw new MsgParseException(fileName, lines.Count == 0 ? 1 : lines[^1].Line, "expected a line '---' between the request and the response");
        if (separators.Count > 1) throw new MsgParseException(fileName, separators[1].Line, "expected one '---' separator, found a second one");
        var split = lines.IndexOf(separators[0]);
        var request = ParseBody(package, name + "_Request", "srv", fileName, lines.Take(split));
        var response = ParseBody(package, name + "_Response", "srv", fileName, lines.Skip(split + 1));
        return new ServiceDefinition(package, name, request, response);
    }

    /// <summary>True for a valid field name: lower case letters, digits and underscores, starting with a letter, no '__', no trailing '_'.</summary>
    public static bool IsValidFieldName(string name) => FieldNameRegex().IsMatch(name) && !name.Contains("__") && !name.EndsWith('_');

    /// <summary>True for a valid constant name: upper case letters, digits and underscores, starting with a letter, no '__', no trailing '_'.</summary>
    public static bool IsValidConstantName(string name) => ConstantNameRegex().IsMatch(name) && !name.Contains("__") && !name.EndsWith('_');

    /// <summary>True for a valid package name (same rules as a field name).</summary>
    public static bool IsValidPackageName(string name) => IsValidFieldName(name);

    /// <summary>True for a valid message or service name: a capital letter, then letters and digits.</summary>
    public static bool IsValidTypeName(string name) => TypeNameRegex().IsMatch(name);

    private static void CheckNames(string package, string name, string fileName)
    {
        if (!IsValidPackageName(package))
            throw new MsgParseException(fileName, 0, $"package name '{package}' is invalid: expected lower case letters, digits and underscores, {NameRules}");
        if (!IsValidTypeName(name))
            throw new MsgParseException(fileName, 0, $"type name '{name}' is invalid: expected a capital letter followed by letters and digits");
    }

    /// <summary>Yields (1-based line, content without comment, trimmed), skipping lines left empty.</summary>
    private static IEnumerable<(int Line, string Content)> SplitLines(string text)
    {
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var content = StripComment(raw).Trim();
            if (content.Length > 0) yield return (number, content);
        }
    }

    /// <summary>Cuts the line at the first '#' that is not inside a quoted string (a string default may contain '#').</summary>
    private static string StripComment(string line)
    {
        var hash = IndexOutsideQuotes(line, '#', 0);
        return hash < 0 ? line : line[..hash];
    }

    /// <summary>The index of <paramref name="target"/> at or after <paramref name="start"/> outside '...' or "..." (backslash escapes inside), or -1.</summary>
    private static int IndexOutsideQuotes(string text, char target, int start)
    {
        var quote = '\0';
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == '\\') i++;
                else if (c == quote) quote = '\0';
            }
            else if (c is '"' or '\'') quote = c;
            else if (c == target) return i;
        }
        return -1;
    }

    private static MessageDefinition ParseBody(string package, string name, string kind, string file, IEnumerable<(int Line, string Content)> lines)
    {
        var fields = new List<FieldDefinition>();
        var constants = new List<Constant>();
        var seen = new Dictionary<string, int>();
        foreach (var (line, content) in lines)
        {
            var ws = content.IndexOfAny([' ', '\t']);
            if (ws < 0) throw new MsgParseException(file, line, $"expected 'type name', found only '{content}'");
            var typeText = content[..ws];
            var rest = content[ws..].TrimStart();
            var nameEnd = 0;
            while (nameEnd < rest.Length && (char.IsAsciiLetterOrDigit(rest[nameEnd]) || rest[nameEnd] == '_')) nameEnd++;
            var memberName = rest[..nameEnd];
            var after = rest[nameEnd..].TrimStart();
            if (memberName.Length == 0) throw new MsgParseException(file, line, $"expected a name after type '{typeText}', found '{rest}'");
            if (after.Length > 0 && after[0] != '=' && !char.IsWhiteSpace(rest[nameEnd]))
                throw new MsgParseException(file, line, $"expected a name of letters, digits and underscores, found '{rest}'");
            if (seen.TryGetValue(memberName, out var first))
                throw new MsgParseException(file, line, $"'{memberName}' is already declared on line {first}");
            seen[memberName] = line;

            var type = ParseType(typeText, package, file, line);
            if (after.StartsWith('='))
            {
                constants.Add(ParseConstant(type, typeText, memberName, after[1..].Trim(), file, line));
                continue;
            }
            if (!IsValidFieldName(memberName))
                throw new MsgParseException(file, line, $"field name '{memberName}' is invalid: expected lower case letters, digits and underscores, {NameRules}");
            if (after.Length == 0)
            {
                fields.Add(new FieldDefinition(memberName, type, null, line));
                continue;
            }
            if (type.Primitive is null)
                throw new MsgParseException(file, line, $"field '{memberName}' of message type {type} cannot have a default value; only primitive fields can");
            object value;
            try
            {
                value = ParseDefault(type, after);
            }
            catch (FormatException e)
            {
                throw new MsgParseException(file, line, $"default value of field '{memberName}' ({type}): {e.Message}");
            }
            fields.Add(new FieldDefinition(memberName, type, after, line) { DefaultValue = value });
        }
        if (fields.Count == 0)
            fields.Add(new FieldDefinition(EmptyStructureMember, new TypeReference(PrimitiveKind.UInt8, null, null, 0, CollectionKind.None, 0), null, 0));
        return new MessageDefinition(package, name, kind, file, fields, constants);
    }

    private static Constant ParseConstant(TypeReference type, string typeText, string name, string valueText, string file, int line)
    {
        if (!IsValidConstantName(name))
            throw new MsgParseException(file, line, $"constant name '{name}' is invalid: expected upper case letters, digits and underscores, {NameRules}");
        if (type.Primitive is not { } kind || type.Collection != CollectionKind.None)
            throw new MsgParseException(file, line, $"constant '{name}' has type '{typeText}': expected a primitive type, not an array or message");
        if (valueText.Length == 0) throw new MsgParseException(file, line, $"expected a value after '{name}='");
        try
        {
            var value = ParseDefault(type, valueText);
            return new Constant(name, kind, kind == PrimitiveKind.String ? (string)value : valueText);
        }
        catch (FormatException e)
        {
            throw new MsgParseException(file, line, $"value of constant '{name}' ({typeText}): {e.Message}");
        }
    }

    /// <summary>Parses a type token such as <c>float64[9]</c>, <c>string&lt;=5[&lt;=3]</c>, <c>geometry_msgs/Point[]</c>.</summary>
    private static TypeReference ParseType(string text, string package, string file, int line)
    {
        var m = TypeRegex().Match(text);
        if (!m.Success)
            throw new MsgParseException(file, line, $"type '{text}' is malformed: expected 'type', 'pkg/Type', 'type[]', 'type[N]', 'type[<=N]' or 'string<=N'");
        var baseName = m.Groups["base"].Value;
        var collection = CollectionKind.None;
        var bound = 0;
        if (m.Groups["array"].Success)
        {
            var inner = m.Groups["array"].Value;
            if (inner.Length == 0) collection = CollectionKind.Sequence;
            else
            {
                collection = inner.StartsWith("<=") ? CollectionKind.BoundedSequence : CollectionKind.Array;
                if (!int.TryParse(inner.TrimStart('<', '='), out bound) || bound <= 0)
                    throw new MsgParseException(file, line, $"array size in '{text}' must be a positive integer, found '{inner}'");
            }
        }
        var stringBound = 0;
        if (m.Groups["sbound"].Success)
        {
            if (baseName != "string")
                throw new MsgParseException(file, line, $"'<=N' after the type name bounds a string; '{baseName}' is not a string");
            if (!int.TryParse(m.Groups["sbound"].Value, out stringBound) || stringBound <= 0)
                throw new MsgParseException(file, line, $"string bound in '{text}' must be a positive integer");
        }

        if (PrimitiveKinds.TryParse(baseName, out var kind)) return new TypeReference(kind, null, null, stringBound, collection, bound);
        switch (baseName)
        {
            case "wstring":
                throw new MsgParseException(file, line, "type 'wstring' is not supported (UTF-16 strings have no XCDR1 mapping here); use 'string'");
            case "time": // ROS 1 built-ins, as ros1_bridge maps them
                return new TypeReference(null, "builtin_interfaces", "Time", 0, collection, bound);
            case "duration":
                return new TypeReference(null, "builtin_interfaces", "Duration", 0, collection, bound);
            case "Header": // rosidl_adapter: a bare 'Header' is std_msgs/Header
                return new TypeReference(null, "std_msgs", "Header", 0, collection, bound);
        }
        var parts = baseName.Split('/');
        var (pkg, type) = parts.Length switch
        {
            1 => (package, parts[0]),
            2 => (parts[0], parts[1]),
            3 when parts[1] == "msg" => (parts[0], parts[2]),
            _ => throw new MsgParseException(file, line, $"type '{baseName}' is malformed: expected 'pkg/Type' or 'pkg/msg/Type'"),
        };
        if (!IsValidPackageName(pkg))
            throw new MsgParseException(file, line, $"package '{pkg}' in type '{baseName}' is invalid: expected lower case letters, digits and underscores, {NameRules}");
        if (!IsValidTypeName(type))
            throw new MsgParseException(file, line, parts.Length == 1
                ? $"unknown type '{type}': expected a primitive (bool, byte, char, int8..uint64, float32, float64, string) or a message name starting with a capital letter"
                : $"message name '{type}' in '{baseName}' is invalid: expected a capital letter followed by letters and digits");
        return new TypeReference(null, pkg, type, 0, collection, bound);
    }

    /// <summary>Parses a default or constant value for a primitive type; arrays are written <c>[a, b, c]</c>.</summary>
    internal static object ParseDefault(TypeReference type, string text)
    {
        var kind = type.Primitive!.Value;
        if (type.Collection == CollectionKind.None) return ParseScalar(kind, type.StringBound, text);
        var t = text.Trim();
        if (!t.StartsWith('[') || !t.EndsWith(']')) throw new FormatException($"expected a list '[a, b, ...]', found '{text}'");
        var items = SplitList(t[1..^1]);
        if (type.Collection == CollectionKind.Array && items.Count != type.Bound)
            throw new FormatException($"expected {type.Bound} elements, found {items.Count}");
        if (type.Collection == CollectionKind.BoundedSequence && items.Count > type.Bound)
            throw new FormatException($"expected at most {type.Bound} elements, found {items.Count}");
        var array = kind.CreateArray(items.Count);
        for (var i = 0; i < items.Count; i++) array.SetValue(ParseScalar(kind, type.StringBound, items[i]), i);
        return array;
    }

    private static object ParseScalar(PrimitiveKind kind, int stringBound, string text)
    {
        if (kind != PrimitiveKind.String) return kind.ParseValue(text);
        var s = Unquote(text.Trim());
        if (stringBound > 0 && Encoding.UTF8.GetByteCount(s) > stringBound)
            throw new FormatException($"expected at most {stringBound} bytes (string<={stringBound}), found {Encoding.UTF8.GetByteCount(s)}");
        return s;
    }

    private static string Unquote(string s)
    {
        if (s.Length < 2 || s[0] is not ('"' or '\'') || s[^1] != s[0]) return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 1; i < s.Length - 1; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length - 1) i++;
            sb.Append(s[i]);
        }
        return sb.ToString();
    }

    private static List<string> SplitList(string inner)
    {
        var items = new List<string>();
        if (inner.Trim().Length == 0) return items;
        var start = 0;
        for (var comma = IndexOutsideQuotes(inner, ',', 0); comma >= 0; comma = IndexOutsideQuotes(inner, ',', start))
        {
            items.Add(inner[start..comma].Trim());
            start = comma + 1;
        }
        items.Add(inner[start..].Trim());
        if (items.Any(i => i.Length == 0)) throw new FormatException($"expected list elements separated by commas, found an empty element in '[{inner}]'");
        return items;
    }

    [GeneratedRegex(@"^(?<base>[A-Za-z][A-Za-z0-9_/]*)(<=(?<sbound>[0-9]+))?(\[(?<array>(<=)?[0-9]*)\])?$")]
    private static partial Regex TypeRegex();

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex FieldNameRegex();

    [GeneratedRegex("^[A-Z][A-Z0-9_]*$")]
    private static partial Regex ConstantNameRegex();

    [GeneratedRegex("^[A-Z][A-Za-z0-9]*$")]
    private static partial Regex TypeNameRegex();
}
