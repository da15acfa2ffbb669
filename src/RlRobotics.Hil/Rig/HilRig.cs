using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RlRobotics.Hil.Scenarios;
using RlRobotics.Mqtt;
using RlRobotics.Mqtt.Broker;
using RlRobotics.Mqtt.Managed;

namespace RlRobotics.Hil.Rig;

/// <summary>
/// The processes around the node under test: the ROS 2 driver (<c>rlr sim serve --ros2</c>), the MQTT broker
/// (mosquitto, persistent) and a persistent-session QoS 1 subscriber that counts every state sample the robot sends.
/// The runner starts them before the node, the fault injector stops and restarts them, and disposing tears everything
/// down, whatever happened. Stops and starts run off the loop thread; each is logged with the time it took.
/// </summary>
public sealed class HilRig : IDisposable
{
    private readonly RigSpec _spec;
    private readonly Func<string, ProcessStartInfo> _driverCommand;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _events = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly HashSet<long> _seqs = [];
    private Process? _driver;
    private MosquittoProcess.LocalBroker? _broker;
    private ManagedMqttClient? _counter;
    private string _robotName = "";
    private readonly object _gate = new();
    private Task _pending = Task.CompletedTask;

    /// <param name="spec">What the scenario's rig runs.</param>
    /// <param name="driverCommand">How to start <c>rlr sim serve --ros2</c> for a robot file (the runner knows where rlr is).</param>
    public HilRig(RigSpec spec, Func<string, ProcessStartInfo> driverCommand)
    {
        _spec = spec;
        _driverCommand = driverCommand;
    }

    /// <summary>The rig's log: what was stopped and started, and how long it took (wall time).</summary>
    public IReadOnlyList<string> Events => [.. _events];

    /// <summary>The last lines the driver printed (for a failure's reason).</summary>
    public string DriverOutput => string.Join("\n", _output.TakeLast(20));

    /// <summary>The broker's port, when the rig runs one.</summary>
    public int? BrokerPort => _broker?.Port;

    /// <summary>Starts the broker the scenario asks for and the telemetry counter (the driver starts once the node knows its DDS domain).</summary>
    public void Start(string robotName)
    {
        _robotName = robotName;
        if (_spec.MqttBroker)
        {
            _broker = MosquittoProcess.StartLocal(persistent: true);
            StartCounter();
        }
    }

    /// <summary>
    /// The robot file's text with an <c>mqtt:</c> section pointing at the rig's broker (loopback, no credentials, state
    /// at 50 Hz over QoS 1). A robot file that has its own <c>mqtt:</c> is refused: the rig would not be what it tests.
    /// </summary>
    public string WithBroker(string robotYaml)
    {
        if (_broker is null) return robotYaml;
        if (robotYaml.Split('\n').Any(l => l.StartsWith("mqtt:", StringComparison.Ordinal)))
            throw new InvalidOperationException("the robot file has its own mqtt: section; rig.mqtt_broker points the node at the rig's broker instead: remove one");
        return robotYaml.TrimEnd() + $"""


            mqtt:
              broker: 127.0.0.1
              port: {_broker.Port}
              insecure: true               # the rig's own broker on loopback
              client_id: rlr-hil-{_robotName}
              telemetry: {"{"} state_hz: 50, loop_hz: 1 {"}"}

            """;
    }

    // ------------------------------------------------------------------ ROS 2 driver

    /// <summary>Starts <c>rlr sim serve --ros2</c> on the scenario's driver robot file (after killing one still running).</summary>
    public void StartDriver()
    {
        KillDriver();
        var watch = Stopwatch.StartNew();
        var start = _driverCommand(_spec.Ros2Driver!);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var p = Process.Start(start) ?? throw new InvalidOperationException("the ROS 2 driver did not start");
        p.OutputDataReceived += (_, e) => { if (e.Data is { } line) _output.Enqueue("[driver] " + line); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { } line) _output.Enqueue("[driver stderr] " + line); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _driver = p;
        Log($"ROS 2 driver started (pid {p.Id}) in {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    /// <summary>Kills the driver (SIGKILL: a crash, no goodbye on the wire).</summary>
    public void KillDriver()
    {
        if (_driver is not { } p) return;
        try { p.Kill(entireProcessTree: true); p.WaitForExit(5000); }
        catch (InvalidOperationException) { }
        Log($"ROS 2 driver killed (pid {p.Id})");
        p.Dispose();
        _driver = null;
    }

    // ------------------------------------------------------------------ MQTT broker

    /// <summary>Stops the broker gracefully (SIGTERM: sessions and queues are saved).</summary>
    public void StopBroker()
    {
        var watch = Stopwatch.StartNew();
        _broker?.Process.Stop();
        Log($"MQTT broker stopped in {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    public void StartBroker()
    {
        var watch = Stopwatch.StartNew();
        _broker?.Process.Start();
        Log($"MQTT broker started again in {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    /// <summary>Runs a stop or start off the loop thread, after the ones before it.</summary>
    public void Later(Action action)
    {
        lock (_gate) _pending = _pending.ContinueWith(_ => action(), TaskScheduler.Default);
    }

    /// <summary>Waits for stops and starts still running (at the end of a run).</summary>
    public void WaitIdle(TimeSpan timeout)
    {
        Task pending;
        lock (_gate) pending = _pending;
        pending.Wait(timeout);
    }

    // ------------------------------------------------------------------ telemetry counter

    private void StartCounter()
    {
        _counter = new ManagedMqttClient(new ManagedMqttClientOptions
        {
            ClientOptions = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker!.Port)
                .WithClientId($"rlr-hil-counter-{_robotName}").WithCleanSession(false).Build(),
            MinReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(500),
        });
        _counter.ApplicationMessageReceivedAsync += e =>
        {
            try
            {
                using var doc = JsonDocument.Parse(e.ApplicationMessage.ConvertPayloadToString());
                lock (_seqs) _seqs.Add(doc.RootElement.GetProperty("seq").GetInt64());
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                Log($"telemetry counter: a state message without a number seq ({ex.Message})");
            }
            return Task.CompletedTask;
        };
        _counter.SubscribeAsync($"rlr/{_robotName}/telemetry/state", MqttQualityOfServiceLevel.AtLeastOnce).GetAwaiter().GetResult();
        _counter.StartAsync().GetAwaiter().GetResult();
        var deadline = Stopwatch.StartNew();
        while (!_counter.IsConnected && deadline.Elapsed.TotalSeconds < 10) Thread.Sleep(10);
        if (!_counter.IsConnected) throw new InvalidOperationException($"the telemetry counter could not connect to the rig's broker on port {_broker.Port}");
    }

    /// <summary>
    /// State samples numbered 1 … <paramref name="published"/> that never reached the counter, after waiting up to
    /// <paramref name="timeout"/> for the last of them; and how many distinct samples did arrive.
    /// </summary>
    public (long Missing, long Received, string FirstGaps) TelemetryLoss(long published, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            long missing;
            lock (_seqs) missing = Enumerable.Range(1, (int)published).Count(s => !_seqs.Contains(s));
            if (missing == 0 || watch.Elapsed > timeout)
            {
                lock (_seqs)
                {
                    var gaps = Enumerable.Range(1, (int)published).Where(s => !_seqs.Contains(s)).Take(5);
                    return (missing, _seqs.Count, string.Join(", ", gaps));
                }
            }
            Thread.Sleep(20);
        }
    }

    private void Log(string text) =>
        _events.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalSeconds:0.000} s: {text}"));

    public void Dispose()
    {
        WaitIdle(TimeSpan.FromSeconds(10));
        try { _counter?.Dispose(); } catch (Exception ex) when (ex is MqttCommunicationException or IOException or ObjectDisposedException) { }
        KillDriver();
        _broker?.Dispose();
        _broker = null;
    }
}
