using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Parsing;

/// <summary>
/// Message and service schemas by name. Looks up <c>pkg/msg/Name</c>, <c>pkg/Name</c> and the DDS name
/// <c>pkg::msg::dds_::Name_</c>; resolves message-typed fields against what it already holds plus the batch being added, in any
/// order, and rejects missing types and cycles with file and line. Not thread-safe while being added to.
/// </summary>
public sealed partial class MessageRegistry
{
    private static readonly ConcurrentDictionary<RosDistro, MessageRegistry> s_builtin = new();

    private readonly Dictionary<string, MessageSchema> _messages;
    private readonly Dictionary<string, ServiceSchema> _services;

    /// <summary>An empty registry (no built-in types); <paramref name="distro"/> is recorded for callers.</summary>
    public MessageRegistry(RosDistro distro = RosDistro.Jazzy)
    {
        Distro = distro;
        _messages = new Dictionary<string, MessageSchema>(StringComparer.Ordinal);
        _services = new Dictionary<string, ServiceSchema>(StringComparer.Ordinal);
    }

    private MessageRegistry(MessageRegistry source)
    {
        Distro = source.Distro;
        _messages = new Dictionary<string, MessageSchema>(source._messages, StringComparer.Ordinal);
        _services = new Dictionary<string, ServiceSchema>(source._services, StringComparer.Ordinal);
    }

    /// <summary>The distribution whose layouts the built-in definitions follow.</summary>
    public RosDistro Distro { get; }

    /// <summary>All message schemas, service halves included.</summary>
    public IEnumerable<MessageSchema> Messages => _messages.Values;

    /// <summary>All service schemas.</summary>
    public IEnumerable<ServiceSchema> Services => _services.Values;

    /// <summary>
    /// A registry holding the built-in definitions (builtin_interfaces, std_msgs, sensor_msgs, geometry_msgs, trajectory_msgs,
    /// diagnostic_msgs, rmw_dds_common, std_srvs, example_interfaces) for <paramref name="distro"/>. The schema objects are
    /// shared with the typed classes in <c>Types</c>; adding to the returned registry does not affect other registries.
    /// </summary>
    public static MessageRegistry CreateDefault(RosDistro distro = RosDistro.Jazzy) => new(Builtin(distro));

    /// <summary>The shared built-in registry; never added to after construction.</summary>
    internal static MessageRegistry Builtin(RosDistro distro) => s_builtin.GetOrAdd(distro, LoadBuiltin);

    /// <summary>Parses and adds one message; its message-typed fields must already be in the registry.</summary>
    public MessageSchema Add(string package, string name, string text, string? fileName = null)
    {
        var definition = MsgParser.ParseMessage(package, name, text, fileName);
        AddBatch([definition], []);
        return _messages[definition.FullName];
    }

    /// <summary>Parses and adds one service (.srv text); its message-typed fields must already be in the registry.</summary>
    public ServiceSchema AddService(string package, string name, string text, string? fileName = null)
    {
        var definition = MsgParser.ParseService(package, name, text, fileName);
        AddBatch([], [definition]);
        return _services[$"{package}/{name}"];
    }

    /// <summary>
    /// Loads a tree of <c>&lt;pkg&gt;/msg/*.msg</c> and <c>&lt;pkg&gt;/srv/*.srv</c> under <paramref name="path"/>. Files may
    /// refer to each other in any order and to types already in the registry. Nothing is added if any file fails.
    /// </summary>
    public void LoadDirectory(string path)
    {
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"message directory '{path}' does not exist (expected <pkg>/msg/*.msg below it)");
        var messages = new List<MessageDefinition>();
        var services = new List<ServiceDefinition>();
        foreach (var packageDir in Directory.GetDirectories(path).Order(StringComparer.Ordinal))
        {
            var package = Path.GetFileName(packageDir);
            var msgDir = Path.Combine(packageDir, "msg");
            if (Directory.Exists(msgDir))
                foreach (var file in Directory.GetFiles(msgDir, "*.msg").Order(StringComparer.Ordinal))
                    messages.Add(MsgParser.ParseMessage(package, Path.GetFileNameWithoutExtension(file), File.ReadAllText(file), file));
            var srvDir = Path.Combine(packageDir, "srv");
            if (Directory.Exists(srvDir))
                foreach (var file in Directory.GetFiles(srvDir, "*.srv").Order(StringComparer.Ordinal))
                    services.Add(MsgParser.ParseService(package, Path.GetFileNameWithoutExtension(file), File.ReadAllText(file), file));
        }
        AddBatch(messages, services);
    }

    /// <summary>Finds a message by <c>pkg/msg/Name</c>, <c>pkg/Name</c>, <c>pkg::msg::dds_::Name_</c> (or the <c>srv</c> forms of service halves).</summary>
    public bool TryResolve(string name, out MessageSchema schema)
    {
        schema = null!;
        return Key(name) is { } key && _messages.TryGetValue(key, out schema!);
    }

    /// <summary>Like <see cref="TryResolve"/>, but throws <see cref="KeyNotFoundException"/> saying what was looked for.</summary>
    public MessageSchema Resolve(string name)
    {
        if (TryResolve(name, out var schema)) return schema;
        if (Key(name) is null)
            throw new KeyNotFoundException($"'{name}' is not a message type name: expected pkg/msg/Name, pkg/Name or pkg::msg::dds_::Name_");
        throw new KeyNotFoundException($"unknown message type '{name}'; the registry holds {_messages.Count} types, " +
                                       "add its .msg with Add or LoadDirectory");
    }

    /// <summary>Finds a service by <c>pkg/srv/Name</c> or <c>pkg/Name</c>.</summary>
    public bool TryResolveService(string name, out ServiceSchema schema)
    {
        var parts = name.Split('/');
        var key = parts.Length switch
        {
            2 => name,
            3 when parts[1] == "srv" => $"{parts[0]}/{parts[2]}",
            _ => null,
        };
        schema = null!;
        return key is not null && _services.TryGetValue(key, out schema!);
    }

    /// <summary>Like <see cref="TryResolveService"/>, but throws <see cref="KeyNotFoundException"/>.</summary>
    public ServiceSchema ResolveService(string name) =>
        TryResolveService(name, out var schema)
            ? schema
            : throw new KeyNotFoundException($"unknown service type '{name}': expected pkg/srv/Name or pkg/Name of a service in the registry");

    private static string? Key(string name)
    {
        var dds = DdsNameRegex().Match(name);
        if (dds.Success) return $"{dds.Groups[1].Value}/{dds.Groups[2].Value}/{dds.Groups[3].Value}";
        var parts = name.Split('/');
        return parts.Length switch
        {
            2 when parts[0].Length > 0 && parts[1].Length > 0 => $"{parts[0]}/msg/{parts[1]}",
            3 when parts[1] is "msg" or "srv" => name,
            _ => null,
        };
    }

    /// <summary>Resolves a batch of definitions against each other and the registry, then adds all of them or none.</summary>
    private void AddBatch(IReadOnlyList<MessageDefinition> messages, IReadOnlyList<ServiceDefinition> services)
    {
        var pending = new Dictionary<string, MessageDefinition>(StringComparer.Ordinal);
        foreach (var d in messages.Concat(services.SelectMany(s => new[] { s.Request, s.Response })))
        {
            if (_messages.ContainsKey(d.FullName) || !pending.TryAdd(d.FullName, d))
                throw new MsgParseException(d.FileName, 0, $"{d.FullName} is already defined");
        }
        var resolved = new Dictionary<string, MessageSchema>(StringComparer.Ordinal);
        var inProgress = new List<string>();
        foreach (var d in pending.Values) Build(d, pending, resolved, inProgress);
        foreach (var (key, schema) in resolved) _messages[key] = schema;
        foreach (var s in services)
            _services[$"{s.Package}/{s.Name}"] = new ServiceSchema(s.Package, s.Name, resolved[s.Request.FullName], resolved[s.Response.FullName]);
    }

    private MessageSchema Build(MessageDefinition d, Dictionary<string, MessageDefinition> pending,
        Dictionary<string, MessageSchema> resolved, List<string> inProgress)
    {
        if (resolved.TryGetValue(d.FullName, out var done)) return done;
        inProgress.Add(d.FullName);
        var fields = new List<Field>(d.Fields.Count);
        foreach (var f in d.Fields)
        {
            var t = f.Type;
            MessageSchema? nested = null;
            if (t.Primitive is null)
            {
                var key = $"{t.Package}/msg/{t.MessageName}";
                if (inProgress.Contains(key))
                {
                    var cycle = string.Join(" -> ", inProgress.Skip(inProgress.IndexOf(key)).Append(key));
                    throw new MsgParseException(d.FileName, f.Line, $"field '{f.Name}' makes a cycle of message types: {cycle}");
                }
                if (!_messages.TryGetValue(key, out nested) && !resolved.TryGetValue(key, out nested))
                {
                    if (!pending.TryGetValue(key, out var dependency))
                        throw new MsgParseException(d.FileName, f.Line,
                            $"field '{f.Name}' has unknown type '{t.Package}/{t.MessageName}': expected a primitive or a message in the registry or the files being loaded");
                    nested = Build(dependency, pending, resolved, inProgress);
                }
            }
            var type = new FieldType(t.Primitive, nested, t.StringBound, t.Collection, t.Bound);
            fields.Add(new Field(f.Name, type, f.Default) { DefaultValue = f.DefaultValue });
        }
        inProgress.RemoveAt(inProgress.Count - 1);
        var schema = new MessageSchema(d.Package, d.Name, fields, d.Constants, d.InterfaceKind);
        resolved[d.FullName] = schema;
        return schema;
    }

    private static MessageRegistry LoadBuiltin(RosDistro distro)
    {
        var assembly = typeof(MessageRegistry).Assembly;
        var distroFolder = distro == RosDistro.Humble ? "humble" : "jazzy";
        var messages = new List<MessageDefinition>();
        var services = new List<ServiceDefinition>();
        foreach (var resource in assembly.GetManifestResourceNames().Order(StringComparer.Ordinal))
        {
            // ros/<common|humble|jazzy>/<pkg>/<msg|srv>/<Name>.<ext>
            var parts = resource.Replace('\\', '/').Split('/');
            if (parts.Length != 5 || parts[0] != "ros" || (parts[1] != "common" && parts[1] != distroFolder)) continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            var text = new StreamReader(stream).ReadToEnd();
            var name = Path.GetFileNameWithoutExtension(parts[4]);
            var file = $"{parts[2]}/{parts[3]}/{parts[4]}";
            if (parts[3] == "srv") services.Add(MsgParser.ParseService(parts[2], name, text, file));
            else messages.Add(MsgParser.ParseMessage(parts[2], name, text, file));
        }
        var registry = new MessageRegistry(distro);
        registry.AddBatch(messages, services);
        return registry;
    }

    [GeneratedRegex(@"^([a-z][a-z0-9_]*)::(msg|srv)::dds_::([A-Za-z0-9_]+)_$")]
    private static partial Regex DdsNameRegex();
}
