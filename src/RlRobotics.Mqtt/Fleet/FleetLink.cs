using System.Buffers;
using System.Globalization;
using System.Text.Json;
using RlRobotics.Core.Concurrency;
using RlRobotics.Core.Control;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Hal.Loop;
using RlRobotics.Hal.Safety;
using RlRobotics.Mqtt.Managed;

namespace RlRobotics.Mqtt.Fleet;

/// <summary>
/// The robot's link to its fleet over MQTT while <c>rlr run</c> drives it:
/// <list type="bullet">
/// <item><c>&lt;root&gt;/status</c>, retained: <c>online</c> while connected; the broker publishes the last will,
/// <c>offline</c>, if the link drops, and a clean stop publishes it too.</item>
/// <item><c>&lt;root&gt;/telemetry/state</c> (QoS 1, <c>state_hz</c>; every sample numbered by <c>seq</c>), <c>…/loop</c>
/// (QoS 1, <c>loop_hz</c>: rate, overruns, lateness, link counters), <c>…/safety</c> (QoS 1: each new safety event and the
/// counters) and <c>…/commands</c> (QoS 1: what became of each remote command).</item>
/// <item><c>&lt;root&gt;/cmd/estop|mode|goal</c>: signed remote commands (<see cref="CommandChannel"/>).</item>
/// </list>
/// The real-time side is <see cref="OnCycle"/>: every few cycles it writes the state into a lock-free ring and returns. A
/// background thread drains the ring into the reconnecting client's bounded queue, so a slow or absent broker can only
/// fill that queue (its drop policy: oldest first, counted); the loop never waits on the network.
/// </summary>
public sealed class FleetLink : ICycleObserver, IDisposable
{
    const int Meta = 2; // ring record: cycle, loop time (ns), then the state values

    readonly FleetSettings _settings;
    readonly string _robot;
    readonly double _rateHz;
    readonly string[] _stateNames;
    readonly SpscRing _ring;
    readonly double[] _record;   // written by the loop thread
    readonly double[] _drained;  // read into by the publishing thread
    readonly int _decimation;
    readonly TimeProvider _time;
    readonly ManualResetEventSlim _stop = new();
    int _countdown = 1;
    TelemetrySources? _sources;
    CommandChannel? _commands;
    ManagedMqttClient? _client;
    Thread? _thread;
    long _stateSeq, _loopSeq, _safetySeq, _commandSeq;
    int _eventsReported;

    public FleetLink(FleetSettings settings, RobotSpec robot, StateFrame state, TimeProvider? time = null)
    {
        _settings = settings;
        _robot = robot.Name;
        _rateHz = robot.RateHz;
        _stateNames = state.Names.ToArray();
        _decimation = Math.Max(1, (int)Math.Round(robot.RateHz / settings.StateHz));
        _record = new double[Meta + state.Count];
        _drained = new double[_record.Length];
        // Room for 10 s of samples: the drain runs far faster than state_hz, so the ring only fills if that thread stalls.
        _ring = new SpscRing(Math.Max(64, (int)(settings.StateHz * 10)), _record.Length);
        _time = time ?? TimeProvider.System;
    }

    public FleetSettings Settings => _settings;

    /// <summary>State samples lost because the ring was full (the drain thread stalled); the loop went on.</summary>
    public long RingDropped => _ring.Dropped;

    /// <summary>State samples handed to the client.</summary>
    public long StatePublished => Interlocked.Read(ref _stateSeq);

    /// <summary>The client's counters (enqueued, delivered, dropped, reconnects…); default before <see cref="Start"/>.</summary>
    public ManagedMqttClientStatistics Link => _client?.Statistics ?? default;

    public bool Connected => _client?.IsConnected ?? false;

    /// <summary>The command channel, when the robot file enables it.</summary>
    public CommandChannel? Commands => _commands;

    /// <summary>Raised (on the MQTT reader) for every remote command handled.</summary>
    public event Action<CommandOutcome>? CommandHandled;

    /// <summary>The last error of the link (connecting, publishing), or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>Connects the loop's counters and the controller's goals (the loop is built after its observers).</summary>
    public void Bind(TelemetrySources sources, IGoalTarget? goals)
    {
        _sources = sources;
        if (_settings.CommandsEnabled && _settings.CommandKey() is { } key)
            _commands = new CommandChannel(_settings, key, sources.Filter, goals, _time);
    }

    /// <summary>A line for the console: broker, security, topics.</summary>
    public string Describe()
    {
        var security = _settings.Tls ? $"TLS{(_settings.CertFile is null ? "" : " + client certificate")}" : "no TLS";
        security += _settings.Username is null ? ", anonymous" : $", user {_settings.Username}";
        var commands = _commands is null ? "commands off" : $"commands on {_settings.Root}/cmd/{{estop,mode,goal}} (signed, max age {_settings.MaxAge_s:0.##} s)";
        var loud = _settings.Insecure && _commands is not null ? " — INSECURE: the command channel runs without TLS or broker authentication (mqtt.insecure: true)" : "";
        return $"MQTT {_settings.Host}:{_settings.Port} as {_settings.ClientId} ({security}): {_settings.Root}/telemetry/{{state,loop,safety,commands}} " +
               $"at {_settings.StateHz:0.##}/{_settings.LoopHz:0.##} Hz, {_settings.StatusTopic} retained; {commands}{loud}";
    }

    // ---------------------------------------------------------------- real time

    public void OnCycle(StateFrame state, CommandFrame command, in CycleTime time)
    {
        if (--_countdown > 0) return;
        _countdown = _decimation;
        _record[0] = time.Cycle;
        _record[1] = time.Now_ns;
        state.Values.AsSpan().CopyTo(_record.AsSpan(Meta));
        _ring.TryWrite(_record); // full: counted by the ring, the sample is lost, the loop goes on
    }

    // ---------------------------------------------------------------- background

    /// <summary>Starts the client (connecting in the background; an unreachable broker is retried) and the publishing thread.</summary>
    public void Start()
    {
        if (_client is not null) return;
        _client = new ManagedMqttClient(new ManagedMqttClientOptions
        {
            ClientOptions = ClientOptions(),
            MaxPendingMessages = _settings.QueueLimit,
        });
        _client.ConnectedAsync += _ =>
        {
            _client.Enqueue(Status("online", retain: true));
            return Task.CompletedTask;
        };
        _client.ApplicationMessageReceivedAsync += e =>
        {
            if (_commands is not null && e.ApplicationMessage.Topic.StartsWith(_settings.Root + "/cmd/", StringComparison.Ordinal))
                OnCommand(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
        if (_commands is not null) _ = _client.SubscribeAsync(_settings.Root + "/cmd/+", MqttQualityOfServiceLevel.AtLeastOnce);
        _client.StartAsync().GetAwaiter().GetResult();
        _thread = new Thread(Run) { IsBackground = true, Name = "rlr-mqtt-telemetry" };
        _thread.Start();
    }

    MqttClientOptions ClientOptions()
    {
        var builder = _settings.Connection(_settings.ClientId)
            .WithCleanSession(false) // QoS 1 in flight survives a reconnect
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(5))
            .WithWillTopic(_settings.StatusTopic)
            .WithWillPayload(StatusPayload("offline"))
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillRetain(true);
        return builder.Build();
    }

    void OnCommand(string topic, byte[] payload)
    {
        var outcome = _commands!.Handle(topic, payload);
        Publish("commands", ref _commandSeq, w =>
        {
            w.WriteString("command", outcome.Command);
            w.WriteBoolean("accepted", outcome.Accepted);
            if (!outcome.Accepted) w.WriteString("refusal", outcome.Refusal.ToString());
            w.WriteString("detail", outcome.Detail);
            if (outcome.Nonce is not null) w.WriteString("nonce", outcome.Nonce);
            w.WriteNumber("handling_us", Math.Round(outcome.Handling_us, 1));
        });
        try { CommandHandled?.Invoke(outcome); }
        catch (Exception ex) { LastError = $"command observer: {ex.Message}"; }
    }

    void Run()
    {
        var loopEvery = TimeSpan.FromSeconds(1 / _settings.LoopHz);
        var nextLoop = _time.GetTimestamp();
        var poll = TimeSpan.FromMilliseconds(Math.Clamp(250 / _settings.StateHz, 2, 50));
        do
        {
            try
            {
                DrainState();
                if (_time.GetElapsedTime(nextLoop) >= TimeSpan.Zero)
                {
                    nextLoop = _time.GetTimestamp() + (long)(loopEvery.TotalSeconds * _time.TimestampFrequency);
                    PublishLoop();
                    PublishSafety();
                }
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                LastError = $"telemetry: {ex.Message}";
            }
        } while (!_stop.Wait(poll));
        DrainState();
        PublishLoop();
        PublishSafety();
    }

    /// <summary>Moves every waiting state sample into the client's queue (the background thread's step; tests call it).</summary>
    public int DrainState()
    {
        var record = _drained;
        var n = 0;
        while (_ring.TryRead(record))
        {
            n++;
            Publish("state", ref _stateSeq, w =>
            {
                w.WriteNumber("cycle", (long)record[0]);
                w.WriteNumber("t", record[1] / 1e9);
                w.WriteStartObject("state");
                for (var i = 0; i < _stateNames.Length; i++) WriteNumber(w, _stateNames[i], record[Meta + i]);
                w.WriteEndObject();
            });
        }
        return n;
    }

    void PublishLoop()
    {
        if (_sources is not { } src) return;
        var stats = src.Loop;
        var link = Link;
        Publish("loop", ref _loopSeq, w =>
        {
            w.WriteNumber("rate_hz_target", _rateHz);
            w.WriteNumber("cycles", stats.Cycles);
            w.WriteNumber("overruns", stats.Overruns);
            w.WriteNumber("lateness_p50_us", stats.Lateness.Percentile_us(0.5));
            w.WriteNumber("lateness_p99_us", stats.Lateness.Percentile_us(0.99));
            w.WriteNumber("compute_p99_us", stats.Compute.Percentile_us(0.99));
            w.WriteNumber("bytes_per_cycle", Math.Round(stats.AllocatedBytesPerCycle, 3));
            w.WriteString("controller_fault", src.ControllerFault()?.Message);
            w.WriteNumber("state_ring_dropped", RingDropped);
            w.WriteNumber("mqtt_enqueued", link.Enqueued);
            w.WriteNumber("mqtt_delivered", link.Delivered);
            w.WriteNumber("mqtt_dropped", link.Dropped);
            w.WriteNumber("mqtt_reconnects", link.Reconnects);
            w.WriteNumber("commands_accepted", _commands?.Accepted ?? 0);
            w.WriteNumber("commands_refused", _commands?.Refused.Values.Sum() ?? 0);
        });
    }

    void PublishSafety()
    {
        if (_sources is not { } src) return;
        var filter = src.Filter;
        var events = filter.Events;
        if (events.Count == _eventsReported && _safetySeq > 0) return;
        var fresh = events.Skip(_eventsReported).ToArray();
        _eventsReported = events.Count;
        var c = filter.Counters;
        Publish("safety", ref _safetySeq, w =>
        {
            w.WriteString("mode", filter.EStopLatched ? "estop" : filter.Held ? "hold" : filter.InSafeMode ? "safe" : "ok");
            w.WriteString("estop_reason", filter.EStopReason);
            w.WriteStartArray("events");
            foreach (var e in fresh)
            {
                w.WriteStartObject();
                w.WriteNumber("t", e.Time_ns / 1e9);
                w.WriteString("kind", e.Kind.ToString());
                w.WriteString("detail", e.Detail);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("interventions", c.Interventions);
            w.WriteNumber("watchdog_trips", c.WatchdogTrips);
            w.WriteNumber("estops", c.EStops);
            w.WriteNumber("safe_cycles", c.SafeCycles);
        });
    }

    void Publish(string stream, ref long seq, Action<Utf8JsonWriter> fields)
    {
        if (_client is null) return;
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("seq", Interlocked.Increment(ref seq));
            w.WriteString("robot", _robot);
            fields(w);
            w.WriteEndObject();
        }
        _client.Enqueue(new MqttApplicationMessageBuilder().WithTopic(_settings.TelemetryTopic(stream)).WithPayload(buffer.WrittenMemory)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
    }

    MqttApplicationMessage Status(string state, bool retain) =>
        new MqttApplicationMessageBuilder().WithTopic(_settings.StatusTopic).WithPayload(StatusPayload(state))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build();

    byte[] StatusPayload(string state) => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["state"] = state, ["robot"] = _robot });

    static void WriteNumber(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name); // JSON has no NaN
    }

    /// <summary>Waits until every queued message was acknowledged by the broker, up to <paramref name="timeout"/>.</summary>
    public bool Flush(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var s = Link;
            if (s.Pending == 0 && s.InFlight == 0) return true;
            Thread.Sleep(10);
        }
        return false;
    }

    /// <summary>Publishes what is left, says <c>offline</c> (retained), and disconnects cleanly.</summary>
    public void Dispose()
    {
        _stop.Set();
        _thread?.Join(TimeSpan.FromSeconds(5));
        if (_client is null) return;
        if (_client.IsConnected)
        {
            _client.Enqueue(Status("offline", retain: true));
            Flush(TimeSpan.FromSeconds(2));
        }
        _client.Dispose();
        _client = null;
    }
}
