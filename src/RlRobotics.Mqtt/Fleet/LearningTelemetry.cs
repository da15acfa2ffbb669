using System.Buffers;
using System.Text.Json;
using RlRobotics.Core.Spec;
using RlRobotics.Mqtt.Managed;

namespace RlRobotics.Mqtt.Fleet;

/// <summary>
/// Learning progress on <c>rlr/&lt;robot&gt;/telemetry/learning</c> while <c>rlr train</c> runs: one QoS 1 JSON message per
/// training iteration (or model-based episode) with the run's metrics, so a fleet dashboard follows training as it
/// follows a robot. Training has no real-time loop, so reports go straight into the managed client's bounded queue; the
/// broker being away never stops training (the queue drops its oldest and counts them).
/// Its client id is the robot's with <c>-learning</c> appended, so it never takes over a running node's session.
/// </summary>
public sealed class LearningTelemetry : IDisposable
{
    readonly FleetSettings _settings;
    readonly string _robot;
    readonly string _run;
    readonly ManagedMqttClient _client;
    long _seq;

    LearningTelemetry(FleetSettings settings, string robot, string run)
    {
        _settings = settings;
        _robot = robot;
        _run = run;
        _client = new ManagedMqttClient(new ManagedMqttClientOptions
        {
            ClientOptions = settings.Connection(settings.ClientId + "-learning").WithCleanSession(false).WithKeepAlivePeriod(TimeSpan.FromSeconds(5)).Build(),
            MaxPendingMessages = settings.QueueLimit,
        });
        _client.StartAsync().GetAwaiter().GetResult();
    }

    /// <summary>The link for the robot file's <c>mqtt:</c> section, started; null when the file has none. Bad settings throw <see cref="SpecException"/>.</summary>
    /// <param name="robot">The robot file being trained on.</param>
    /// <param name="run">What is training, e.g. <c>ppo-lag</c> or <c>mbrl</c>.</param>
    public static LearningTelemetry? For(RobotSpec robot, string run)
    {
        if (robot.Mqtt is not { } node) return null;
        var settings = FleetSettings.Read(node, robot.Name);
        node.Diagnostics.ThrowIfAny();
        return settings is null ? null : new LearningTelemetry(settings, robot.Name, run);
    }

    public string Topic => _settings.TelemetryTopic("learning");
    public long Reported => Interlocked.Read(ref _seq);
    public ManagedMqttClientStatistics Statistics => _client.Statistics;

    public string Describe() => $"MQTT {_settings.Host}:{_settings.Port}: learning progress on {Topic}";

    /// <summary>Queues one progress message: <c>{"seq", "robot", "run", "ts_ms", "phase", …metrics}</c>; a non-finite metric is written as null.</summary>
    public void Report(string phase, IEnumerable<(string Name, double Value)> metrics)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("seq", Interlocked.Increment(ref _seq));
            w.WriteString("robot", _robot);
            w.WriteString("run", _run);
            w.WriteNumber("ts_ms", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            w.WriteString("phase", phase);
            foreach (var (name, value) in metrics)
            {
                if (double.IsFinite(value)) w.WriteNumber(name, value);
                else w.WriteNull(name);
            }
            w.WriteEndObject();
        }
        _client.Enqueue(new MqttApplicationMessageBuilder().WithTopic(Topic).WithPayload(buffer.WrittenMemory)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
    }

    /// <summary>Waits up to 3 s for every queued report to be acknowledged, then disconnects.</summary>
    public void Dispose() => Dispose(TimeSpan.FromSeconds(3));

    public void Dispose(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && Statistics is { } s && s.Pending + s.InFlight > 0) Thread.Sleep(10);
        _client.Dispose();
    }
}
