using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace RlRobotics.Cli.Launch;

/// <summary>What <see cref="LaunchFileCheck"/> found in one launch file.</summary>
/// <param name="Path">The launch file.</param>
/// <param name="Problems">Everything wrong, each as <c>file:line: what</c>; empty when the file validates.</param>
/// <param name="Commands">Each process it starts: the command line with the arguments' defaults, and what rlr said of it.</param>
internal sealed record LaunchFileReport(string Path, IReadOnlyList<string> Problems, IReadOnlyList<string> Commands)
{
    /// <summary>True when nothing is wrong.</summary>
    public bool Ok => Problems.Count == 0;
}

/// <summary>
/// Validates a ROS 2 XML launch file that starts rlr, with no ROS installed: the XML is well-formed under
/// <c>&lt;launch&gt;</c>; every <c>&lt;arg&gt;</c> has a default and is used as <c>$(var name)</c>, and every
/// <c>$(var name)</c> is declared; every referenced file exists (the program, the robot file, params files, models,
/// policies); and the command line of every <c>&lt;node&gt;</c> and <c>&lt;executable&gt;</c>, built the way ros2 launch
/// builds it from the arguments' defaults, is accepted by rlr's own parser (<c>rlr run --check</c> for the node, which
/// also loads the robot file and builds the node without starting it).
/// <para>
/// Command lines follow ros2/launch: <c>cmd</c> and <c>args</c> split at whitespace outside substitutions, a substituted
/// value stays one argument. <c>&lt;node exec=… args=… ros_args=… name=… namespace=…&gt;</c> follows launch_ros:
/// <c>exec args [--ros-args ros_args] --ros-args [-r __node:=name] [-r __ns:=/ns] --params-file … -r from:=to</c>, each
/// <c>&lt;param name value&gt;</c> written to a params file under <c>/**</c> (or <c>/ns/name</c> when both are given).
/// Substitutions understood: <c>$(var)</c>, <c>$(dirname)</c>, <c>$(filename)</c>, <c>$(env NAME [default])</c>.
/// </para>
/// </summary>
internal sealed partial class LaunchFileCheck
{
    static readonly string[] Tags = ["launch", "arg", "node", "executable", "group", "param", "remap", "env", "set_env"];

    // Options of rlr whose value is a file that must exist.
    static readonly string[] FileOptions = ["--robot", "--params-file", "--model", "--policy"];

    readonly string _path;
    readonly string _directory;
    readonly List<string> _problems = new();
    readonly List<string> _commands = new();
    readonly Dictionary<string, (string? Default, int Line)> _args = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _written = new(StringComparer.Ordinal);   // params file written for a <param> → what it holds, for display

    LaunchFileCheck(string path)
    {
        _path = path;
        _directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
    }

    /// <summary>Checks one launch file.</summary>
    public static LaunchFileReport Check(string path)
    {
        var check = new LaunchFileCheck(path);
        check.Run();
        return new LaunchFileReport(path, check._problems, check._commands);
    }

    void Run()
    {
        XDocument document;
        try
        {
            document = XDocument.Load(_path, LoadOptions.SetLineInfo);
        }
        catch (XmlException ex)
        {
            Problem(ex.LineNumber, $"not well-formed XML: {ex.Message}");
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _problems.Add($"{_path}: cannot read it: {ex.Message}");
            return;
        }
        var root = document.Root!;
        if (root.Name.LocalName != "launch")
        {
            Problem(root, $"the root element is <{root.Name.LocalName}>; expected <launch>");
            return;
        }

        foreach (var e in root.DescendantsAndSelf())
        {
            var tag = e.Name.LocalName;
            if (!Tags.Contains(tag)) Problem(e, $"<{tag}> is not a tag rlr launch check knows; expected one of {string.Join(", ", Tags.Skip(1).Select(t => $"<{t}>"))}");
            if (tag == "arg") Declare(e);
        }

        // Every variable used is declared, every one declared is used; then every attribute substitutes.
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in root.DescendantsAndSelf())
        {
            foreach (var attribute in e.Attributes())
            {
                foreach (var name in Variables(attribute.Value, e))
                {
                    used.Add(name);
                    if (!_args.ContainsKey(name)) Problem(e, $"$(var {name}) is used, but no <arg name=\"{name}\"> declares it");
                }
            }
        }
        foreach (var (name, (_, line)) in _args)
            if (!used.Contains(name)) Problem(line, $"<arg name=\"{name}\"> is declared but never used (as $(var {name}))");
        foreach (var e in root.DescendantsAndSelf())
        {
            foreach (var attribute in e.Attributes()) Substitute(attribute.Value, e);
            foreach (var condition in new[] { "if", "unless" })
            {
                if (e.Attribute(condition) is { } c && Substitute(c.Value, e) is { } value && value.ToLowerInvariant() is not ("true" or "false" or "1" or "0"))
                    Problem(e, $"{condition}=\"{c.Value}\" is '{value}' with the defaults; expected true, false, 1 or 0");
            }
        }
        if (_problems.Count > 0) return;

        var processes = root.Descendants().Where(e => e.Name.LocalName is "node" or "executable").ToList();
        if (processes.Count == 0) Problem(root, "starts nothing; expected a <node> or <executable> that runs rlr");
        foreach (var process in processes) CheckProcess(process);
    }

    void Declare(XElement arg)
    {
        var name = arg.Attribute("name")?.Value;
        if (string.IsNullOrEmpty(name))
        {
            Problem(arg, "<arg> needs a name");
            return;
        }
        if (_args.ContainsKey(name))
        {
            Problem(arg, $"<arg name=\"{name}\"> is declared twice");
            return;
        }
        var fallback = arg.Attribute("default")?.Value;
        if (fallback is null) Problem(arg, $"<arg name=\"{name}\"> has no default; give one, so the file starts as it is");
        _args[name] = (fallback, Line(arg));
    }

    // ---------------------------------------------------------------- processes

    void CheckProcess(XElement e)
    {
        var scratch = Path.Combine(Path.GetTempPath(), $"rlr-launch-{Guid.NewGuid():N}");
        try
        {
            var command = e.Name.LocalName == "executable" ? ExecutableCommand(e) : NodeCommand(e, scratch);
            if (command is null) return;
            CheckFiles(e, command);
            CheckWithRlr(e, command);
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
    }

    List<string>? ExecutableCommand(XElement e)
    {
        if (e.Attribute("cmd")?.Value is not { } cmd)
        {
            Problem(e, "<executable> needs cmd=\"…\"");
            return null;
        }
        return Arguments(cmd, e);
    }

    // launch_ros' Node: exec [args] [--ros-args ros_args] --ros-args [-r __node:=name] [-r __ns:=ns] [--params-file f]… [-r from:=to]…
    List<string>? NodeCommand(XElement e, string scratch)
    {
        if (e.Attribute("pkg") is { } pkg)
        {
            Problem(e, $"pkg=\"{pkg.Value}\": rlr is not installed as a ROS package; leave pkg out and give exec the launcher's path, e.g. exec=\"$(dirname)/../rlr\"");
            return null;
        }
        if (e.Attribute("exec")?.Value is not { } exec)
        {
            Problem(e, "<node> needs exec=\"…\" (the rlr launcher's path)");
            return null;
        }
        var command = new List<string>();
        if (Substitute(exec, e) is not { } program) return null;
        command.Add(program);
        if (e.Attribute("args")?.Value is { } args && Arguments(args, e) is { } own) command.AddRange(own);
        if (e.Attribute("ros_args")?.Value is { } rosArgs && Arguments(rosArgs, e) is { } extra) command.AddRange(["--ros-args", .. extra]);
        command.Add("--ros-args");
        var name = e.Attribute("name")?.Value is { } n ? Substitute(n, e) : null;
        var ns = e.Attribute("namespace")?.Value is { } s ? Substitute(s, e) : null;
        if (ns is not null && !ns.StartsWith('/')) ns = "/" + ns;
        if (name is not null) command.AddRange(["-r", $"__node:={name}"]);
        if (ns is not null) command.AddRange(["-r", $"__ns:={ns}"]);
        var section = name is not null && ns is not null ? $"{ns.TrimEnd('/')}/{name}" : "/**";
        var remaps = new List<string>();
        foreach (var child in e.Elements())
        {
            switch (child.Name.LocalName)
            {
                case "param" when child.Attribute("from")?.Value is { } from:
                    if (Substitute(from, child) is { } file) command.AddRange(["--params-file", file]);
                    break;
                case "param":
                    if (ParamsFile(child, section, scratch) is { } written) command.AddRange(["--params-file", written]);
                    break;
                case "remap":
                    if (child.Attribute("from")?.Value is not { } source || child.Attribute("to")?.Value is not { } target)
                        Problem(child, "<remap> needs from=\"…\" and to=\"…\"");
                    else if (Substitute(source, child) is { } f && Substitute(target, child) is { } t) remaps.AddRange(["-r", $"{f}:={t}"]);
                    break;
                case "env":
                    break;
                default:
                    Problem(child, $"<{child.Name.LocalName}> inside <node>; expected <param>, <remap> or <env>");
                    break;
            }
        }
        command.AddRange(remaps);
        return command;
    }

    // One <param name value/> as launch_ros writes it: a params file of its own, the value as YAML (so true is a bool).
    string? ParamsFile(XElement param, string section, string scratch)
    {
        if (param.Elements().Any())
        {
            Problem(param, "nested <param> groups: rlr has no nested parameters");
            return null;
        }
        if (param.Attribute("name")?.Value is not { } rawName || param.Attribute("value")?.Value is not { } rawValue)
        {
            Problem(param, "<param> needs name=\"…\" and value=\"…\" (or from=\"file.yaml\")");
            return null;
        }
        if (Substitute(rawName, param) is not { } name || Substitute(rawValue, param) is not { } value) return null;
        if (name == "robot" && !File.Exists(value)) Problem(param, $"param robot: {value}: file not found");
        Directory.CreateDirectory(scratch);
        var file = Path.Combine(scratch, $"params_{Directory.GetFiles(scratch).Length}.yaml");
        File.WriteAllText(file, $"{Quoted(section)}:\n  ros__parameters:\n    {Quoted(name)}: {(PlainScalar().IsMatch(value) ? value : Quoted(value))}\n");
        _written[file] = $"<{section}: {name}:={value}>";
        return file;
    }

    static string Quoted(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    [GeneratedRegex(@"^[A-Za-z0-9_./+~-]+$")]
    private static partial Regex PlainScalar();

    void CheckFiles(XElement e, List<string> command)
    {
        var program = command[0];
        if (Path.GetFileName(program) != "rlr")
            Problem(e, $"starts '{program}'; expected the rlr launcher (e.g. $(dirname)/../rlr)");
        else if (program.Contains('/') && !File.Exists(program))
            Problem(e, $"{program}: file not found");
        for (var i = 1; i + 1 < command.Count; i++)
            if (FileOptions.Contains(command[i]) && !File.Exists(command[i + 1]))
                Problem(e, $"{command[i]} {command[i + 1]}: file not found");
    }

    // rlr's own parser decides: 'rlr run' gets --check (it also loads the robot file and builds the node); any other command is parsed.
    void CheckWithRlr(XElement e, List<string> command)
    {
        var rest = command.Skip(1).ToArray();
        var output = new StringWriter();
        var error = new StringWriter();
        int code;
        if (rest.FirstOrDefault() == "run") code = Program.Run(["run", "--check", .. rest[1..]], output, error);
        else code = Program.Parse(rest, output, error) is null ? ExitCodes.BadInput : ExitCodes.Success;
        var said = string.Join(" ", new[] { output.ToString(), error.ToString() }.Select(t => t.Trim()).Where(t => t.Length > 0));
        _commands.Add($"line {Line(e)}: {Display(command)}" + (said.Length > 0 ? $"\n       {said.Replace("\n", "\n       ")}" : ""));
        if (code != ExitCodes.Success) Problem(e, $"rlr refuses the command line (exit {code}):\n       {error.ToString().Trim().Replace("\n", "\n       ")}");
    }

    string Display(IEnumerable<string> command) =>
        string.Join(" ", command.Select(a => _written.TryGetValue(a, out var held) ? held : a.Length == 0 || a.Any(char.IsWhiteSpace) ? Quoted(a) : a));

    // ---------------------------------------------------------------- substitutions

    // A command line split the way launch splits cmd and args: at whitespace outside substitutions and quotes.
    List<string>? Arguments(string text, XElement e)
    {
        var raw = new List<string>();
        var current = new StringBuilder();
        var any = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '$' && i + 1 < text.Length && text[i + 1] == '(')
            {
                var end = Closing(text, i);
                if (end < 0)
                {
                    Problem(e, $"unterminated substitution in '{text}'");
                    return null;
                }
                current.Append(text, i, end - i + 1);
                i = end;
                any = true;
            }
            else if (c is '"' or '\'')
            {
                var end = text.IndexOf(c, i + 1);
                if (end < 0)
                {
                    Problem(e, $"unterminated quote in '{text}'");
                    return null;
                }
                current.Append(text, i + 1, end - i - 1);
                i = end;
                any = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (any) raw.Add(current.ToString());
                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }
        if (any) raw.Add(current.ToString());
        var result = new List<string>();
        foreach (var token in raw)
        {
            if (Substitute(token, e) is not { } value) return null;
            result.Add(value);
        }
        return result;
    }

    // Index of the ')' closing the substitution that starts at 'start' ("$("), or -1.
    static int Closing(string text, int start)
    {
        var depth = 0;
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')' && --depth == 0) return i;
        }
        return -1;
    }

    IEnumerable<string> Variables(string text, XElement e)
    {
        for (var i = text.IndexOf("$(", StringComparison.Ordinal); i >= 0; i = text.IndexOf("$(", i + 2, StringComparison.Ordinal))
        {
            var end = Closing(text, i);
            if (end < 0) yield break;
            var parts = text[(i + 2)..end].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["var", var name]) yield return name;
        }
    }

    /// <summary>The text with every substitution performed (variables take their defaults); null after reporting a problem.</summary>
    string? Substitute(string text, XElement e, int depth = 0)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '$' || i + 1 >= text.Length || text[i + 1] != '(')
            {
                result.Append(text[i]);
                continue;
            }
            var end = Closing(text, i);
            if (end < 0)
            {
                Problem(e, $"unterminated substitution in '{text}'");
                return null;
            }
            var inner = text[(i + 2)..end];
            if (inner.Contains("$(", StringComparison.Ordinal))
            {
                Problem(e, $"$({inner}): nested substitutions are not supported by rlr launch check");
                return null;
            }
            var parts = inner.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            string? value = parts switch
            {
                ["var", var name] => _args.TryGetValue(name, out var arg) && arg.Default is { } d && depth < 8 ? Substitute(d, e, depth + 1) : null,
                ["dirname"] => _directory,
                ["filename"] => Path.GetFullPath(_path),
                ["env", var name] => Environment.GetEnvironmentVariable(name) ?? Missing($"$(env {name}): {name} is not set; give a default: $(env {name} value)"),
                ["env", var name, var fallback] => Environment.GetEnvironmentVariable(name) ?? fallback,
                _ => Missing($"$({inner}) is not supported by rlr launch check (it knows $(var name), $(dirname), $(filename), $(env NAME [default]))"),
            };
            if (value is null) return null;   // an undeclared variable is reported once, where it is used
            result.Append(value);
            i = end;
        }
        return result.ToString();

        string? Missing(string problem)
        {
            Problem(e, problem);
            return null;
        }
    }

    // ---------------------------------------------------------------- problems

    static int Line(XObject o) => o is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : 0;

    void Problem(XObject where, string what) => Problem(Line(where), what);

    void Problem(int line, string what)
    {
        var problem = line > 0 ? $"{_path}:{line}: {what}" : $"{_path}: {what}";
        if (!_problems.Contains(problem)) _problems.Add(problem);
    }
}
