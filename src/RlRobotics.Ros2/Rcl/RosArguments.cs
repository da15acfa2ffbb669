using System.Globalization;
using RlRobotics.Core.Spec;
using YamlDotNet.RepresentationModel;

namespace RlRobotics.Ros2.Rcl;

/// <summary>The type of a ROS 2 parameter value, inferred from its YAML the way rcl infers it.</summary>
public enum RosParameterType
{
    /// <summary><c>true</c>/<c>false</c> (also <c>True</c>, <c>yes</c>, <c>on</c> …), unquoted.</summary>
    Bool,
    /// <summary>A whole number, unquoted.</summary>
    Integer,
    /// <summary>A number with a fraction or exponent, unquoted.</summary>
    Double,
    /// <summary>Anything else, and every quoted scalar.</summary>
    String,
    /// <summary>A YAML list.</summary>
    Array,
}

/// <summary>One parameter override.</summary>
/// <param name="Name">Parameter name; nested YAML keys are joined with '.'.</param>
/// <param name="Text">The value as written (a list as its YAML flow text).</param>
/// <param name="Type">The value's inferred type.</param>
/// <param name="Source">Where it came from: <c>-p name:=value</c> or <c>file:line:column</c>.</param>
public sealed record RosParameter(string Name, string Text, RosParameterType Type, string Source);

/// <summary>One remapping rule <c>[node:]from:=to</c>.</summary>
/// <param name="Node">The node the rule is for; null: every node.</param>
/// <param name="From">Topic name to match, or <c>__node</c> / <c>__ns</c>.</param>
/// <param name="To">Replacement.</param>
public sealed record RosRemapRule(string? Node, string From, string To);

/// <summary>
/// The ROS 2 command-line arguments of a node (rcl's <c>--ros-args</c> block), so launch files and ROS tooling can start
/// a program that has no rcl:
/// <code>
/// prog [own args] --ros-args -r __node:=name -r __ns:=/ns -r from:=to -p name:=value --params-file f.yaml
///      --log-level info -e /enclave [--] [own args]
/// </code>
/// Every block from <c>--ros-args</c> to <c>--</c> (or the end) is taken out; there may be several. Remapping follows rcl:
/// the first matching rule wins, names are compared fully qualified. Parameters are applied in the order given, a later
/// one overriding an earlier one; of a params file (<c>&lt;node&gt;: ros__parameters: {…}</c>) only the sections for
/// this node count: <c>/**</c>, and the name given by <c>-r __node:=</c> in the namespace of <c>-r __ns:=</c> (with
/// <c>*</c> and <c>**</c> wildcards). A malformed block throws <see cref="ArgumentException"/> with what was expected.
/// </summary>
public sealed class RosArguments
{
    /// <summary>The flag that starts a block of ROS arguments.</summary>
    public const string Begin = "--ros-args";

    /// <summary>The token that ends a block early.</summary>
    public const string End = "--";

    static readonly HashSet<string> Switches = new(StringComparer.Ordinal)
    {
        "--enable-rosout-logs", "--disable-rosout-logs", "--enable-stdout-logs", "--disable-stdout-logs",
        "--enable-external-lib-logs", "--disable-external-lib-logs",
    };

    static readonly string[] LogLevels = ["debug", "info", "warn", "error", "fatal", "unset"];

    const string Expected = "-r/--remap from:=to, -p/--param name:=value, --params-file file.yaml, --log-level level, -e/--enclave name";

    readonly List<RosRemapRule> _remaps = new();
    readonly List<object> _sources = new();   // RosParameter, or ParamsFile: in the order given
    readonly List<string> _paramsFiles = new();
    List<RosParameter> _parameters = new();

    sealed record ParamsFile(string Path, IReadOnlyList<(string Pattern, IReadOnlyList<RosParameter> Parameters)> Sections);

    RosArguments() { }

    /// <summary>Every remapping rule in the order given, <c>__node</c> and <c>__ns</c> included.</summary>
    public IReadOnlyList<RosRemapRule> Remaps => _remaps;

    /// <summary>The parameters that apply to this node, in the order given (a later one overrides an earlier one of the same name).</summary>
    public IReadOnlyList<RosParameter> Parameters => _parameters;

    /// <summary>The params files given, in order.</summary>
    public IReadOnlyList<string> ParamsFiles => _paramsFiles;

    /// <summary><c>--log-level</c> as given (e.g. <c>info</c> or <c>rlr:=debug</c>); null when absent.</summary>
    public string? LogLevel { get; private set; }

    /// <summary><c>-e/--enclave</c> as given; null when absent.</summary>
    public string? Enclave { get; private set; }

    /// <summary>True when there is a topic rule (not <c>__node</c> or <c>__ns</c>).</summary>
    public bool RemapsTopics => _remaps.Any(r => !r.From.StartsWith("__", StringComparison.Ordinal));

    /// <summary>
    /// Splits a command line into the program's own arguments and its ROS arguments (null when it has no
    /// <c>--ros-args</c>). Throws <see cref="ArgumentException"/> for a malformed block or an unreadable params file.
    /// </summary>
    public static (string[] Own, RosArguments? Ros) Extract(IReadOnlyList<string> args)
    {
        var rest = new List<string>(args.Count);
        RosArguments? ros = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] != Begin)
            {
                rest.Add(args[i]);
                continue;
            }
            ros ??= new RosArguments();
            for (i++; i < args.Count && args[i] != End; i++)
            {
                var flag = args[i];
                switch (flag)
                {
                    case "-r" or "--remap": ros.AddRemap(Value(args, ref i, "from:=to")); break;
                    case "-p" or "--param": ros.AddParameter(Value(args, ref i, "name:=value")); break;
                    case "--params-file": ros.AddParamsFile(Value(args, ref i, "a params file")); break;
                    case "--log-level": ros.SetLogLevel(Value(args, ref i, "a level")); break;
                    case "-e" or "--enclave": ros.Enclave = Value(args, ref i, "an enclave name"); break;
                    case Begin: break;   // launch_ros starts a second block after a node's ros_args
                    // Logging configuration of rcl's loggers: accepted so ROS tooling may pass them; rlr has no rcl logger.
                    case "--log-config-file" or "--log-file-name": Value(args, ref i, "a file name"); break;
                    default:
                        if (Switches.Contains(flag)) break;
                        throw new ArgumentException(flag.StartsWith('-')
                            ? $"unknown ROS argument '{flag}'; expected {Expected}"
                            : $"unexpected '{flag}' among the ROS arguments; expected {Expected}, and '--' before the program's own arguments");
                }
            }
        }
        ros?.ResolveParameters();
        return (rest.ToArray(), ros);
    }

    static string Value(IReadOnlyList<string> args, ref int i, string what)
    {
        var flag = args[i];
        if (i + 1 >= args.Count || args[i + 1] == End) throw new ArgumentException($"{flag} expects {what}");
        return args[++i];
    }

    // ---------------------------------------------------------------- remapping

    void AddRemap(string rule)
    {
        var sep = rule.IndexOf(":=", StringComparison.Ordinal);
        if (sep < 0)
            throw new ArgumentException($"-r {rule}: expected from:=to, e.g. -r joint_states:=/robot1/joint_states, -r __node:=my_node, -r __ns:=/robot1");
        var from = rule[..sep];
        var to = rule[(sep + 2)..];
        string? node = null;
        var colon = from.IndexOf(':');
        if (colon >= 0)
        {
            node = from[..colon];
            from = from[(colon + 1)..];
            Check(rule, () => TopicNames.ValidateNodeName(node));
        }
        if (from.Length == 0 || to.Length == 0) throw new ArgumentException($"-r {rule}: both sides of ':=' must be named");
        switch (from)
        {
            case "__node" or "__name":
                Check(rule, () => TopicNames.ValidateNodeName(to));
                from = "__node";
                break;
            case "__ns":
                if (to[0] != '/') throw new ArgumentException($"-r {rule}: expected an absolute namespace such as /robot1");
                if (to != "/") Check(rule, () => TopicNames.Validate(to));
                break;
            default:
                if (from.StartsWith("__", StringComparison.Ordinal))
                    throw new ArgumentException($"-r {rule}: unknown special name '{from}'; expected __node or __ns");
                // Relative names are checked as they would resolve in the root namespace; they resolve for real when applied.
                Check(rule, () => TopicNames.Resolve(from, "/", "node"));
                Check(rule, () => TopicNames.Resolve(to, "/", "node"));
                break;
        }
        _remaps.Add(new RosRemapRule(node, from, to));
    }

    static void Check(string rule, Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"-r {rule}: {ex.Message}");
        }
    }

    static bool For(RosRemapRule rule, string? originalNode) => rule.Node is null || rule.Node == originalNode;

    /// <summary>The node's name after <c>-r __node:=</c> (the first rule for it wins); <paramref name="original"/> when none.</summary>
    public string NodeName(string original) =>
        _remaps.FirstOrDefault(r => r.From == "__node" && For(r, original))?.To ?? original;

    /// <summary>The node's namespace after <c>-r __ns:=</c>; <paramref name="original"/> when none.</summary>
    /// <param name="originalNode">The node's name before remapping (node-specific rules name it).</param>
    /// <param name="original">The namespace it would have otherwise.</param>
    public string Namespace(string originalNode, string original) =>
        _remaps.FirstOrDefault(r => r.From == "__ns" && For(r, originalNode))?.To ?? original;

    /// <summary>
    /// The fully qualified name of topic <paramref name="name"/> of node <paramref name="node"/> in namespace
    /// <paramref name="ns"/> after the first topic rule that matches it (both sides resolved in that node and namespace).
    /// </summary>
    /// <param name="name">The topic as the node names it (relative, absolute or <c>~/…</c>).</param>
    /// <param name="ns">The node's namespace (after remapping).</param>
    /// <param name="node">The node's name (after remapping).</param>
    /// <param name="originalNode">The node's name before remapping, for node-specific rules.</param>
    public string RemapTopic(string name, string ns, string node, string originalNode)
    {
        var full = TopicNames.Resolve(name, ns, node);
        foreach (var rule in _remaps)
        {
            if (rule.From.StartsWith("__", StringComparison.Ordinal) || !For(rule, originalNode)) continue;
            string from, to;
            try
            {
                (from, to) = (TopicNames.Resolve(rule.From, ns, node), TopicNames.Resolve(rule.To, ns, node));
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"-r {rule.From}:={rule.To}: {ex.Message}");
            }
            if (from == full) return to;
        }
        return full;
    }

    // ---------------------------------------------------------------- parameters

    void AddParameter(string rule)
    {
        var sep = rule.IndexOf(":=", StringComparison.Ordinal);
        if (sep < 0) throw new ArgumentException($"-p {rule}: expected name:=value, e.g. -p use_sim:=true");
        var name = rule[..sep];
        var text = rule[(sep + 2)..];
        if (!IsParameterName(name))
            throw new ArgumentException($"-p {rule}: '{name}' is not a parameter name (letters, digits, '_' and '.', not starting with a digit)");
        if (text.Trim().Length == 0) throw new ArgumentException($"-p {rule}: the value is missing");
        YamlNode node;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            node = stream.Documents[0].RootNode;
        }
        catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or InvalidOperationException)
        {
            throw new ArgumentException($"-p {rule}: the value is not valid YAML");
        }
        var value = node switch
        {
            YamlScalarNode s => Infer(s),
            YamlSequenceNode => (text.Trim(), RosParameterType.Array),
            _ => throw new ArgumentException($"-p {rule}: expected a single value or a list"),
        };
        _sources.Add(new RosParameter(name, value.Item1, value.Item2, $"-p {rule}"));
    }

    static bool IsParameterName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.');

    // rcl's YAML scalar rules: unquoted true/false words are bools, whole numbers integers, other numbers doubles.
    static (string Text, RosParameterType Type) Infer(YamlScalarNode s)
    {
        var text = s.Value ?? "";
        if (s.Style != YamlDotNet.Core.ScalarStyle.Plain) return (text, RosParameterType.String);
        if (text is "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON"
            or "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF")
            return (text, RosParameterType.Bool);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) return (text, RosParameterType.Integer);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || text is ".inf" or "-.inf" or ".nan")
            return (text, RosParameterType.Double);
        return (text, RosParameterType.String);
    }

    /// <summary>True/false of a <see cref="RosParameterType.Bool"/> parameter's text.</summary>
    public static bool IsTrue(RosParameter parameter) =>
        parameter.Type == RosParameterType.Bool && parameter.Text is "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON";

    void SetLogLevel(string level)
    {
        var sep = level.IndexOf(":=", StringComparison.Ordinal);
        var value = sep < 0 ? level : level[(sep + 2)..];
        if (!LogLevels.Contains(value.ToLowerInvariant()))
            throw new ArgumentException($"--log-level {level}: expected one of {string.Join(", ", LogLevels)} (or logger:=level)");
        LogLevel = level;
    }

    void AddParamsFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ArgumentException(ex is FileNotFoundException or DirectoryNotFoundException
                ? $"--params-file {path}: file not found"
                : $"--params-file {path}: cannot read it: {ex.Message}");
        }
        var diagnostics = new Diagnostics(path);
        var root = ConfigNode.Parse(text, diagnostics);
        var sections = new List<(string, IReadOnlyList<RosParameter>)>();
        if (!diagnostics.HasErrors && root.ExpectMapping())
        {
            foreach (var (pattern, section) in root.Entries())
            {
                if (!section.ExpectMapping()) continue;
                var parameters = new List<RosParameter>();
                var values = section["ros__parameters"];
                if (values.ExpectMapping()) Flatten(values, "", parameters);
                section.RejectUnknownKeys();
                sections.Add((pattern, parameters));
            }
        }
        if (diagnostics.HasErrors)
            throw new ArgumentException($"--params-file {path}: expected '<node or /**>: ros__parameters: {{name: value}}':"
                                        + string.Concat(diagnostics.Errors.Select(e => "\n  " + e)));
        _paramsFiles.Add(path);
        _sources.Add(new ParamsFile(path, sections));
    }

    static void Flatten(ConfigNode mapping, string prefix, List<RosParameter> into)
    {
        foreach (var (key, value) in mapping.Entries())
        {
            var name = prefix + key;
            var where = $"{value.Diagnostics.File}:{value.Line}:{value.Column}";
            switch (value.Node)
            {
                case YamlMappingNode: Flatten(value, name + ".", into); break;
                case YamlScalarNode s:
                    var (text, type) = Infer(s);
                    into.Add(new RosParameter(name, text, type, where));
                    break;
                case YamlSequenceNode seq: into.Add(new RosParameter(name, seq.ToString(), RosParameterType.Array, where)); break;
                default: value.Error("expected a value"); break;
            }
        }
    }

    void ResolveParameters()
    {
        // Only rules for every node count here: the node's original name is not known yet.
        var name = _remaps.FirstOrDefault(r => r.From == "__node" && r.Node is null)?.To;
        var ns = _remaps.FirstOrDefault(r => r.From == "__ns" && r.Node is null)?.To ?? "/";
        var nodeTokens = ns.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(t => (string?)t).Append(name).ToArray();
        _parameters = new List<RosParameter>();
        foreach (var source in _sources)
        {
            if (source is RosParameter p) _parameters.Add(p);
            else if (source is ParamsFile file)
            {
                foreach (var (pattern, parameters) in file.Sections)
                    if (Matches(pattern.Split('/', StringSplitOptions.RemoveEmptyEntries), 0, nodeTokens, 0)) _parameters.AddRange(parameters);
            }
        }
    }

    /// <summary>Whether a params-file section key names this node: tokens compare equal, <c>*</c> is any one token, <c>**</c> any number.</summary>
    /// <remarks>The node's last token is null when it was not named with <c>__node</c>: then only a wildcard matches it.</remarks>
    static bool Matches(string[] pattern, int p, string?[] node, int t)
    {
        if (p == pattern.Length) return t == node.Length;
        if (pattern[p] == "**")
        {
            for (var skip = t; skip <= node.Length; skip++)
                if (Matches(pattern, p + 1, node, skip)) return true;
            return false;
        }
        if (t == node.Length) return false;
        return (pattern[p] == "*" || (node[t] is { } token && pattern[p] == token)) && Matches(pattern, p + 1, node, t + 1);
    }

    /// <summary>The last value given for parameter <paramref name="name"/>, or null.</summary>
    public RosParameter? Parameter(string name) => _parameters.LastOrDefault(p => p.Name == name);
}
