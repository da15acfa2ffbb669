using RlRobotics.Core.Spec;

namespace RlRobotics.Mqtt.Fleet;

/// <summary>
/// The robot file's <c>mqtt:</c> section: the broker, how to reach it safely, what telemetry to send and which remote
/// commands to take. Credentials are never read from the YAML itself: only the names of environment variables or files
/// that hold them.
/// </summary>
public sealed record FleetSettings
{
    public required string Host { get; init; }
    public required int Port { get; init; }
    public required string ClientId { get; init; }
    /// <summary>Topic prefix, <c>rlr/&lt;robot&gt;</c> by default.</summary>
    public required string Root { get; init; }
    public string? CaFile { get; init; }
    public string? CertFile { get; init; }
    public string? KeyFile { get; init; }
    public bool Tls => CaFile is not null;
    public string? Username { get; init; }
    /// <summary>Where the password comes from ("env RLR_MQTT_PASSWORD", "file /etc/rlr/mqtt.pass"), for messages; the value itself is never kept here.</summary>
    public string? PasswordSource { get; init; }
    internal Func<string?> Password { get; init; } = () => null;
    /// <summary>Run without TLS or broker authentication (tests on loopback); loudly reported.</summary>
    public bool Insecure { get; init; }
    /// <summary>QoS 1 messages kept while the broker is unreachable; beyond it the oldest are dropped and counted.</summary>
    public int QueueLimit { get; init; } = 10_000;
    public double StateHz { get; init; } = 10;
    public double LoopHz { get; init; } = 1;
    public bool CommandsEnabled { get; init; }
    internal Func<byte[]?> CommandKey { get; init; } = () => null;
    public string? CommandKeySource { get; init; }
    /// <summary>A command older (or newer) than this by the robot's clock is stale.</summary>
    public double MaxAge_s { get; init; } = 5;
    /// <summary>Whether a signed remote command may release a latched e-stop (the local confirmation).</summary>
    public bool AllowRemoteRelease { get; init; }
    /// <summary>Goals a remote <c>goal</c> command may set, with their bounds (task units).</summary>
    public IReadOnlyDictionary<string, (double Min, double Max)> GoalLimits { get; init; } = new Dictionary<string, (double, double)>();

    public string StatusTopic => $"{Root}/status";
    public string TelemetryTopic(string stream) => $"{Root}/telemetry/{stream}";
    public string CommandTopic(string command) => $"{Root}/cmd/{command}";

    /// <summary>
    /// Reads <c>mqtt:</c>; problems go to the node's diagnostics with their line. Null when the section is absent.
    /// <paramref name="operatorSide"/>: read by an operator's tool (<c>rlr mqtt</c>), which brings its own broker
    /// credentials, so the robot's password source is neither needed nor read.
    /// </summary>
    public static FleetSettings? Read(ConfigNode node, string robotName, bool operatorSide = false)
    {
        if (node.IsMissing || !node.ExpectMapping()) return null;
        if (node.Has("password")) node["password"].Error("credentials are never read from the robot file: use password_env (an environment variable) or password_file");
        var insecure = node.Bool("insecure", false);
        var tls = node["tls"];
        string? ca = null, cert = null, key = null;
        if (!tls.IsMissing && tls.ExpectMapping())
        {
            ca = ExistingFile(tls, "ca_file", required: true);
            cert = ExistingFile(tls, "cert_file", required: false);
            key = ExistingFile(tls, "key_file", required: cert is not null);
            tls.RejectUnknownKeys();
        }
        var host = node.String("broker", "localhost");
        var port = node.Int("port", ca is null ? 1883 : 8883, 1, 65535);
        var username = node.Has("username") ? node.String("username") : null;
        var (password, passwordSource) = operatorSide ? (() => null, null) : Secret(node, "password", text => text);
        if (username is null && passwordSource is not null) node["username"].Error("a password needs a username");
        if (operatorSide) { node.Has("password_env"); node.Has("password_file"); } // known keys, not read here

        var telemetry = node["telemetry"];
        double stateHz = 10, loopHz = 1;
        if (!telemetry.IsMissing && telemetry.ExpectMapping())
        {
            stateHz = telemetry.Double("state_hz", 10, v => v > 0 && v <= 1000, "a rate in Hz above 0 and at most 1000");
            loopHz = telemetry.Double("loop_hz", 1, v => v > 0 && v <= 100, "a rate in Hz above 0 and at most 100");
            telemetry.RejectUnknownKeys();
        }

        var commands = node["commands"];
        var enabled = false;
        var allowRelease = false;
        var maxAge = 5.0;
        Func<byte[]?> commandKey = () => null;
        string? keySource = null;
        var limits = new Dictionary<string, (double, double)>();
        if (!commands.IsMissing && commands.ExpectMapping())
        {
            enabled = commands.Bool("enabled", true);
            maxAge = commands.Double("max_age_s", 5, v => v > 0 && v <= 600, "seconds above 0 and at most 600");
            allowRelease = commands.Bool("allow_remote_release", false);
            (commandKey, keySource) = Secret(commands, "key", text => Convert.FromHexString(text.Trim()));
            if (enabled && keySource is null) commands.Error("the command channel needs the robot's HMAC key: key_env (an environment variable) or key_file, holding at least 32 hex digits");
            var goals = commands["goal_limits"];
            if (!goals.IsMissing && goals.ExpectMapping())
                foreach (var (name, value) in goals.Entries())
                {
                    var pair = value.Items();
                    if (pair.Count != 2) { value.Error("expected [min, max]"); continue; }
                    var (lo, hi) = (pair[0].AsDouble(), pair[1].AsDouble());
                    if (!(lo <= hi)) value.Error($"expected min ≤ max, got [{lo}, {hi}]");
                    limits[name] = (lo, hi);
                }
            commands.RejectUnknownKeys();
        }
        if (enabled && !insecure && (ca is null || username is null))
            node.Error("the command channel needs TLS (mqtt.tls.ca_file) and broker authentication (mqtt.username with password_env or " +
                       "password_file); to run it without them on a network you control, say insecure: true");
        var settings = new FleetSettings
        {
            Host = host,
            Port = port,
            ClientId = node.String("client_id", $"rlr-{robotName}"),
            Root = node.String("topic_root", $"rlr/{robotName}").TrimEnd('/'),
            CaFile = ca,
            CertFile = cert,
            KeyFile = key,
            Username = username,
            Password = password,
            PasswordSource = passwordSource,
            Insecure = insecure,
            QueueLimit = node.Int("queue", 10_000, 1, 10_000_000),
            StateHz = stateHz,
            LoopHz = loopHz,
            CommandsEnabled = enabled,
            CommandKey = commandKey,
            CommandKeySource = keySource,
            MaxAge_s = maxAge,
            AllowRemoteRelease = allowRelease,
            GoalLimits = limits,
        };
        if (settings.Root.Contains('+') || settings.Root.Contains('#') || settings.Root.Length == 0)
            node["topic_root"].Error($"expected a topic name without wildcards, got '{settings.Root}'");
        node.RejectUnknownKeys();
        return settings;
    }

    /// <summary>The broker connection these settings describe: address, credentials and TLS; the caller adds the session.</summary>
    public MqttClientOptionsBuilder Connection(string clientId)
    {
        var builder = new MqttClientOptionsBuilder().WithTcpServer(Host, Port).WithClientId(clientId);
        if (Username is not null) builder.WithCredentials(Username, Password());
        if (Tls)
            builder.WithTlsOptions(new MqttClientTlsOptions { UseTls = true, CaFile = CaFile, ClientCertificateFile = CertFile, ClientKeyFile = KeyFile });
        return builder;
    }

    /// <summary>The robot's command key, read now from its source; null when there is none or it is unreadable.</summary>
    public byte[]? ReadCommandKey() => CommandKey();

    static string? ExistingFile(ConfigNode node, string key, bool required)
    {
        if (!node.Has(key))
        {
            if (required) node.Error($"missing '{key}'");
            return null;
        }
        var path = node.String(key);
        var full = Path.IsPathRooted(path) ? path : Path.GetFullPath(path);
        if (!File.Exists(full)) node[key].Error($"no such file: {full}");
        return full;
    }

    // A secret named by <name>_env (an environment variable) or <name>_file; read when needed, never stored in the settings.
    static (Func<T?>, string?) Secret<T>(ConfigNode node, string name, Func<string, T> parse) where T : class
    {
        var env = node.Has($"{name}_env") ? node.String($"{name}_env") : null;
        var file = node.Has($"{name}_file") ? node.String($"{name}_file") : null;
        if (env is not null && file is not null) node[$"{name}_file"].Error($"give {name}_env or {name}_file, not both");
        if (env is not null)
        {
            if (Environment.GetEnvironmentVariable(env) is null) node[$"{name}_env"].Error($"the environment variable {env} is not set");
            else if (!TryParse(Environment.GetEnvironmentVariable(env)!, parse, out _)) node[$"{name}_env"].Error($"the environment variable {env} does not hold a valid {name}");
            return (() => TryParse(Environment.GetEnvironmentVariable(env) ?? "", parse, out var v) ? v : null, $"environment variable {env}");
        }
        if (file is not null)
        {
            var full = Path.GetFullPath(file);
            if (!File.Exists(full)) node[$"{name}_file"].Error($"no such file: {full}");
            else if (!TryParse(File.ReadAllText(full).TrimEnd('\r', '\n'), parse, out _)) node[$"{name}_file"].Error($"{full} does not hold a valid {name}");
            return (() => File.Exists(full) && TryParse(File.ReadAllText(full).TrimEnd('\r', '\n'), parse, out var v) ? v : null, $"file {full}");
        }
        return (() => null, null);
    }

    static bool TryParse<T>(string text, Func<string, T> parse, out T? value) where T : class
    {
        try
        {
            value = parse(text);
            return value is not byte[] bytes || bytes.Length >= 16;
        }
        catch (FormatException)
        {
            value = null;
            return false;
        }
    }
}
