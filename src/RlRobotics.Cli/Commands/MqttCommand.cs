using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using RlRobotics.Core.Spec;
using RlRobotics.Mqtt;
using RlRobotics.Mqtt.Fleet;

namespace RlRobotics.Cli.Commands;

/// <summary>
/// <c>rlr mqtt pub|sub|cmd|sign</c>: the operator's side of the fleet link. <c>pub</c>/<c>sub</c> work like
/// <c>mosquitto_pub</c>/<c>mosquitto_sub</c>; <c>cmd</c> sends a signed command to a robot and prints what the robot did
/// with it; <c>sign</c> prints a signed payload for any other MQTT tool. With <c>--robot</c> the broker, TLS, topic root and
/// command key come from the robot file's <c>mqtt:</c> section; the operator brings their own broker credentials.
/// </summary>
internal static class MqttCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var mqtt = new Command("mqtt", "The fleet link from an operator's seat: pub, sub, signed robot commands (cmd, sign)");
        mqtt.Subcommands.Add(Pub(output, error));
        mqtt.Subcommands.Add(Sub(output, error));
        mqtt.Subcommands.Add(Cmd(output, error));
        mqtt.Subcommands.Add(Sign(output, error));
        return mqtt;
    }

    /// <summary>Where the broker is and who we are to it.</summary>
    sealed class Broker
    {
        readonly Option<string?> _robot = new("--robot") { Description = "Take the broker, TLS files, topic root and command key from this robot file's mqtt: section", HelpName = "yaml" };
        readonly Option<string?> _host = new("--host") { Description = "Broker host (default: the robot file's, else localhost)" };
        readonly Option<int?> _port = new("--port") { Description = "Broker port (default: the robot file's, else 1883, or 8883 with --cafile)" };
        readonly Option<string?> _ca = new("--cafile") { Description = "Use TLS and trust this CA (PEM)" };
        readonly Option<string?> _cert = new("--cert") { Description = "Client certificate (PEM), with --key" };
        readonly Option<string?> _key = new("--key") { Description = "Client certificate's private key (PEM)" };
        readonly Option<string?> _user = new("--username", "-u") { Description = "Broker user name" };
        readonly Option<string?> _passwordEnv = new("--password-env") { Description = "Environment variable holding the broker password", HelpName = "name" };
        readonly Option<string?> _passwordFile = new("--password-file") { Description = "File holding the broker password", HelpName = "path" };
        readonly Option<string?> _id = new("--id", "-i") { Description = "Client id (default: rlr-mqtt-<pid>)" };
        public readonly Option<double> Wait = new("--wait", "-W") { Description = "sub: seconds to wait for --count messages; cmd: for the robot's verdict", DefaultValueFactory = _ => 10, HelpName = "s" };
        readonly Option<double> _connectTimeout = new("--connect-timeout") { Description = "Seconds to wait for the broker's answer to CONNECT (TLS included)", DefaultValueFactory = _ => 10, HelpName = "s" };

        public void AddTo(Command c)
        {
            foreach (var o in new Option[] { _robot, _host, _port, _ca, _cert, _key, _user, _passwordEnv, _passwordFile, _id, Wait, _connectTimeout }) c.Options.Add(o);
        }

        /// <summary>The robot file's settings with the command line's overrides; bad input throws before anything connects.</summary>
        public FleetSettings Settings(ParseResult p)
        {
            var robot = FromRobot(p);
            var settings = robot ?? new FleetSettings { Host = "localhost", Port = 1883, ClientId = "", Root = "rlr" };
            if (p.GetValue(_ca) is { } ca) settings = settings with { CaFile = ExistingFile(ca, "--cafile") };
            if (p.GetValue(_cert) is { } cert)
                settings = settings with { CertFile = ExistingFile(cert, "--cert"), KeyFile = ExistingFile(p.GetValue(_key) ?? throw new ArgumentException("--cert needs --key"), "--key") };
            if (p.GetValue(_host) is { } host) settings = settings with { Host = host };
            var port = p.GetValue(_port) ?? robot?.Port ?? (settings.Tls ? 8883 : 1883);
            if (port is < 1 or > 65535) throw new ArgumentException($"--port must be 1 … 65535, got {port}");
            return settings with { Port = port };
        }

        FleetSettings? FromRobot(ParseResult p) => p.GetValue(_robot) is { } path ? RobotSettings(path) : null;

        /// <summary>Connects a clean-session client; throws an <see cref="MqttCommunicationException"/> with the broker's reason.</summary>
        public MqttClient Connect(ParseResult p, FleetSettings settings)
        {
            var builder = settings.Connection(p.GetValue(_id) ?? $"rlr-mqtt-{Environment.ProcessId}")
                .WithCleanSession()
                .WithTimeout(TimeSpan.FromSeconds(p.GetValue(_connectTimeout) is var t && t > 0 && t <= 3600 ? t : throw new ArgumentException($"--connect-timeout must be above 0 and at most 3600 s, got {t}")));
            if (p.GetValue(_user) is { } user) builder.WithCredentials(user, Password(p));
            else if (p.GetValue(_passwordEnv) is not null || p.GetValue(_passwordFile) is not null) throw new ArgumentException("a password needs --username");
            var client = new MqttClient();
            try { client.ConnectAsync(builder.Build()).GetAwaiter().GetResult(); }
            catch
            {
                client.Dispose();
                throw;
            }
            return client;
        }

        string? Password(ParseResult p)
        {
            if (p.GetValue(_passwordEnv) is { } env)
                return Environment.GetEnvironmentVariable(env) ?? throw new ArgumentException($"--password-env: the environment variable {env} is not set");
            if (p.GetValue(_passwordFile) is { } file)
                return File.Exists(file) ? File.ReadAllText(file).TrimEnd('\r', '\n') : throw new ArgumentException($"--password-file: no such file: {Path.GetFullPath(file)}");
            return null;
        }

        static string ExistingFile(string path, string option) =>
            File.Exists(path) ? Path.GetFullPath(path) : throw new ArgumentException($"{option}: no such file: {Path.GetFullPath(path)}");
    }

    /// <summary>A robot file's <c>mqtt:</c> section as an operator reads it (their own credentials, the robot's broker and key).</summary>
    static FleetSettings RobotSettings(string path)
    {
        var robot = RobotSpecLoader.LoadFile(path);
        if (robot.Mqtt is not { } node) throw new ArgumentException($"{path} has no mqtt: section");
        var settings = FleetSettings.Read(node, robot.Name, operatorSide: true);
        node.Diagnostics.ThrowIfAny();
        return settings!;
    }

    static int Guard(TextWriter error, string verb, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception ex) when (ex is ArgumentException or SpecException or FormatException or JsonException or IOException)
        {
            error.WriteLine($"rlr mqtt {verb}: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is MqttCommunicationException or MqttProtocolException)
        {
            error.WriteLine($"rlr mqtt {verb}: {ex.Message}");
            return ExitCodes.TaskFailed;
        }
    }

    static Option<int> Qos(int fallback) =>
        new("--qos", "-q") { Description = "QoS: 0 at most once, 1 at least once, 2 exactly once", DefaultValueFactory = _ => fallback };

    static MqttQualityOfServiceLevel QosLevel(int value) => value is >= 0 and <= 2
        ? (MqttQualityOfServiceLevel)value
        : throw new ArgumentException($"--qos must be 0, 1 or 2, got {value}");

    static Command Pub(TextWriter output, TextWriter error)
    {
        var broker = new Broker();
        var topic = new Argument<string>("topic") { Description = "Topic name (no wildcards)" };
        var message = new Argument<string>("message") { Description = "Payload text (UTF-8); '-' reads it from standard input" };
        var qos = Qos(0);
        var retain = new Option<bool>("--retain", "-r") { Description = "Ask the broker to retain the message" };
        var repeat = new Option<int>("--repeat") { Description = "Publish this many times", DefaultValueFactory = _ => 1 };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Say what was published" };
        var c = new Command("pub", "Publish one message (or --repeat N), like mosquitto_pub") { topic, message, qos, retain, repeat, verbose };
        broker.AddTo(c);
        c.SetAction(p => Guard(error, "pub", () =>
        {
            var level = QosLevel(p.GetValue(qos));
            if (p.GetValue(repeat) is var times && times < 1) throw new ArgumentException($"--repeat must be at least 1, got {times}");
            var text = p.GetValue(message) == "-" ? Console.In.ReadToEnd() : p.GetValue(message)!;
            var built = new MqttApplicationMessageBuilder().WithTopic(p.GetValue(topic)!).WithPayload(text)
                .WithQualityOfServiceLevel(level).WithRetainFlag(p.GetValue(retain)).Build(); // a bad topic fails before connecting
            var settings = broker.Settings(p);
            using var client = broker.Connect(p, settings);
            for (var i = 0; i < times; i++) client.PublishAsync(built).GetAwaiter().GetResult();
            client.DisconnectAsync().GetAwaiter().GetResult();
            if (p.GetValue(verbose)) output.WriteLine($"published {times} × {Encoding.UTF8.GetByteCount(text)} B to {built.Topic} (QoS {(int)level}{(built.Retain ? ", retained" : "")})");
            return ExitCodes.Success;
        }));
        return c;
    }

    static Command Sub(TextWriter output, TextWriter error)
    {
        var broker = new Broker();
        var filters = new Argument<string[]>("filter") { Description = "Topic filters ('+' one level, '#' the rest), e.g. rlr/+/telemetry/#", Arity = ArgumentArity.OneOrMore };
        var qos = Qos(1);
        var count = new Option<int>("--count", "-C") { Description = "Exit after this many messages (0: never); exit 1 if they do not come within --wait", DefaultValueFactory = _ => 0 };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print the topic before each payload" };
        var c = new Command("sub", "Print the messages of topic filters, like mosquitto_sub") { filters, qos, count, verbose };
        broker.AddTo(c);
        c.SetAction(p => Guard(error, "sub", () =>
        {
            var level = QosLevel(p.GetValue(qos));
            var wanted = p.GetValue(count);
            if (wanted < 0) throw new ArgumentException($"--count must be 0 or more, got {wanted}");
            var subscribe = new MqttClientSubscribeOptionsBuilder();
            foreach (var f in p.GetValue(filters)!) subscribe.WithTopicFilter(f, level); // a bad filter fails before connecting
            var options = subscribe.Build();
            var settings = broker.Settings(p);
            var received = Channel.CreateUnbounded<MqttApplicationMessage>();
            using var client = broker.Connect(p, settings);
            client.ApplicationMessageReceivedAsync += e => { received.Writer.TryWrite(e.ApplicationMessage); return Task.CompletedTask; };
            var result = client.SubscribeAsync(options).GetAwaiter().GetResult();
            if (result.Items.FirstOrDefault(i => (int)i.ResultCode >= 0x80) is { } refused)
                throw new MqttCommunicationException($"the broker refused the subscription to '{refused.TopicFilter.Topic}' (not allowed for this user?)");
            using var stop = new CancellationTokenSource();
            if (wanted > 0) stop.CancelAfter(TimeSpan.FromSeconds(p.GetValue(broker.Wait)));
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += onCancel;
            var seen = 0;
            try
            {
                while (wanted == 0 || seen < wanted)
                {
                    var m = received.Reader.ReadAsync(stop.Token).AsTask().GetAwaiter().GetResult();
                    output.WriteLine(p.GetValue(verbose) ? $"{m.Topic} {m.ConvertPayloadToString()}" : m.ConvertPayloadToString());
                    output.Flush();
                    seen++;
                }
            }
            catch (OperationCanceledException) { }
            finally { Console.CancelKeyPress -= onCancel; }
            if (client.IsConnected) client.DisconnectAsync().GetAwaiter().GetResult();
            if (wanted > 0 && seen < wanted)
            {
                error.WriteLine($"rlr mqtt sub: {seen} of {wanted} messages within {p.GetValue(broker.Wait)} s");
                return ExitCodes.TaskFailed;
            }
            return ExitCodes.Success;
        }));
        return c;
    }

    sealed class Key
    {
        readonly Option<string?> _env = new("--key-env") { Description = "Environment variable holding the robot's command key (hex)", HelpName = "name" };
        readonly Option<string?> _file = new("--key-file") { Description = "File holding the robot's command key (hex)", HelpName = "path" };

        public void AddTo(Command c)
        {
            c.Options.Add(_env);
            c.Options.Add(_file);
        }

        public byte[] Read(ParseResult p, FleetSettings? robot)
        {
            string? text = null;
            if (p.GetValue(_env) is { } env) text = Environment.GetEnvironmentVariable(env) ?? throw new ArgumentException($"--key-env: the environment variable {env} is not set");
            else if (p.GetValue(_file) is { } file) text = File.Exists(file) ? File.ReadAllText(file) : throw new ArgumentException($"--key-file: no such file: {Path.GetFullPath(file)}");
            else if (robot?.ReadCommandKey() is { } fromRobot) return fromRobot;
            if (text is null)
                throw new ArgumentException(robot?.CommandKeySource is { } source
                    ? $"the robot's command key ({source}) is not readable here; give --key-env or --key-file"
                    : "no command key: give --key-env or --key-file, or --robot with mqtt.commands.key_env/key_file");
            var key = Convert.FromHexString(text.Trim());
            return key.Length >= 16 ? key : throw new ArgumentException("the command key must hold at least 32 hex digits");
        }
    }

    /// <summary>The topic (under the robot's root) and the fields of an operator's command.</summary>
    static (string Command, Dictionary<string, object?> Fields) CommandFields(string verb, string[] args) => verb switch
    {
        "estop" => ("estop", new() { ["action"] = "engage", ["reason"] = args.Length > 0 ? string.Join(' ', args) : "operator e-stop" }),
        "release" => ("estop", new() { ["action"] = "release" }),
        "hold" or "run" => ("mode", new() { ["mode"] = verb }),
        "goal" when args.Length > 0 => ("goal", new() { ["goals"] = args.ToDictionary(GoalName, GoalValue) }),
        "goal" => throw new ArgumentException("goal needs name=value pairs, e.g. goal cart/position=0.5"),
        _ => throw new ArgumentException($"unknown command '{verb}'; expected estop [reason], release, hold, run or goal name=value…"),
    };

    static string GoalName(string pair) => pair.Split('=', 2) is [var name, _] && name.Length > 0 ? name : throw new ArgumentException($"expected name=value, got '{pair}'");

    static double GoalValue(string pair) =>
        double.TryParse(pair.Split('=', 2)[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw new ArgumentException($"expected a finite number after '=', got '{pair}'");

    static Command Cmd(TextWriter output, TextWriter error)
    {
        var broker = new Broker();
        var key = new Key();
        var verb = new Argument<string>("command") { Description = "estop, release, hold, run or goal" };
        var args = new Argument<string[]>("args") { Description = "estop: a reason; goal: name=value pairs", Arity = ArgumentArity.ZeroOrMore };
        var noWait = new Option<bool>("--no-wait") { Description = "Do not wait for the robot's answer" };
        var c = new Command("cmd", "Send a robot a signed command (QoS 1) and print the robot's verdict from its telemetry") { verb, args, noWait };
        broker.AddTo(c);
        key.AddTo(c);
        c.SetAction(p => Guard(error, "cmd", () =>
        {
            var (command, fields) = CommandFields(p.GetValue(verb)!, p.GetValue(args) ?? []);
            var settings = broker.Settings(p);
            var secret = key.Read(p, settings);
            var topic = settings.CommandTopic(command);
            var nonce = SignedCommand.NewNonce();
            var payload = SignedCommand.Create(secret, topic, fields, DateTimeOffset.UtcNow, nonce);
            using var client = broker.Connect(p, settings);
            var verdict = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
            client.ApplicationMessageReceivedAsync += e =>
            {
                try
                {
                    using var doc = JsonDocument.Parse(e.ApplicationMessage.Payload);
                    if (doc.RootElement.TryGetProperty("nonce", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() == nonce)
                        verdict.TrySetResult(doc.RootElement.Clone());
                }
                catch (JsonException) { } // not ours to judge
                return Task.CompletedTask;
            };
            var wait = !p.GetValue(noWait);
            if (wait) client.SubscribeAsync(settings.TelemetryTopic("commands"), MqttQualityOfServiceLevel.AtLeastOnce).GetAwaiter().GetResult();
            client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()).GetAwaiter().GetResult();
            if (!wait)
            {
                output.WriteLine($"sent {command} to {topic} (nonce {nonce})");
                client.DisconnectAsync().GetAwaiter().GetResult();
                return ExitCodes.Success;
            }
            if (!verdict.Task.Wait(TimeSpan.FromSeconds(p.GetValue(broker.Wait))))
            {
                error.WriteLine($"rlr mqtt cmd: sent {command} to {topic}, but no verdict on {settings.TelemetryTopic("commands")} within {p.GetValue(broker.Wait)} s " +
                                "(is the robot running, with mqtt.commands enabled, and may this user read its telemetry?)");
                return ExitCodes.TaskFailed;
            }
            client.DisconnectAsync().GetAwaiter().GetResult();
            var v = verdict.Task.Result;
            var detail = v.TryGetProperty("detail", out var d) ? d.GetString() : "";
            if (v.GetProperty("accepted").GetBoolean())
            {
                output.WriteLine($"accepted: {detail}");
                return ExitCodes.Success;
            }
            output.WriteLine($"refused ({v.GetProperty("refusal").GetString()}): {detail}");
            return ExitCodes.TaskFailed;
        }));
        return c;
    }

    static Command Sign(TextWriter output, TextWriter error)
    {
        var key = new Key();
        var robot = new Option<string?>("--robot") { Description = "Take the topic root and command key from this robot file", HelpName = "yaml" };
        var verb = new Argument<string>("command") { Description = "estop, release, hold, run or goal" };
        var args = new Argument<string[]>("args") { Description = "estop: a reason; goal: name=value pairs", Arity = ArgumentArity.ZeroOrMore };
        var root = new Option<string?>("--topic-root") { Description = "Topic root, rlr/<robot> (default: the robot file's)" };
        var c = new Command("sign", "Print a signed command payload (its topic goes to standard error), for mosquitto_pub or any MQTT tool (valid for the robot's max_age_s)") { verb, args, robot, root };
        key.AddTo(c);
        c.SetAction(p => Guard(error, "sign", () =>
        {
            var (command, fields) = CommandFields(p.GetValue(verb)!, p.GetValue(args) ?? []);
            var settings = p.GetValue(robot) is { } path ? RobotSettings(path) : null;
            var topicRoot = p.GetValue(root) ?? settings?.Root ?? throw new ArgumentException("give --robot or --topic-root");
            var topic = $"{topicRoot.TrimEnd('/')}/cmd/{command}";
            output.WriteLine(SignedCommand.Create(key.Read(p, settings), topic, fields, DateTimeOffset.UtcNow));
            error.WriteLine($"publish it to {topic}, e.g. mosquitto_pub -q 1 -t {topic} -m \"$(rlr mqtt sign …)\"");
            return ExitCodes.Success;
        }));
        return c;
    }
}
