using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RlRobotics.Core.Control;
using RlRobotics.Hal.Safety;

namespace RlRobotics.Mqtt.Fleet;

/// <summary>What became of one remote command; published on <c>rlr/&lt;robot&gt;/telemetry/commands</c>.</summary>
public sealed record CommandOutcome(string Command, bool Accepted, CommandRefusal Refusal, string Detail, string? Nonce, double Handling_us);

/// <summary>
/// The robot side of <c>rlr/&lt;robot&gt;/cmd/estop|mode|goal</c>. Every command is verified (<see cref="CommandVerifier"/>)
/// and checked against the robot file's limits; what passes becomes a request to the <b>safety filter</b> (e-stop,
/// hold) or to the controller's goal mailbox, applied by the loop at its next cycle — nothing here writes a command
/// interface, so nothing bypasses the filter.
/// <list type="bullet">
/// <item><c>estop</c> <c>{"action": "engage", "reason": "…"}</c> latches the e-stop; <c>{"action": "release"}</c> releases
/// it only when the robot file says <c>allow_remote_release: true</c>.</item>
/// <item><c>mode</c> <c>{"mode": "hold"}</c> holds every joint (safe mode, not latched); <c>{"mode": "run"}</c> resumes.</item>
/// <item><c>goal</c> <c>{"goals": {"cart/position": 0.5}}</c> moves goals named in <c>goal_limits</c>, inside their bounds.</item>
/// </list>
/// </summary>
public sealed class CommandChannel
{
    readonly FleetSettings _settings;
    readonly CommandVerifier _verifier;
    readonly SafetyFilter _filter;
    readonly IGoalTarget? _goals;
    readonly Dictionary<CommandRefusal, long> _refused = new();
    long _accepted;

    public CommandChannel(FleetSettings settings, byte[] key, SafetyFilter filter, IGoalTarget? goals, TimeProvider time)
    {
        _settings = settings;
        _verifier = new CommandVerifier(key, TimeSpan.FromSeconds(settings.MaxAge_s), time);
        _filter = filter;
        _goals = goals;
    }

    /// <summary>Commands accepted so far.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Commands refused so far, by reason.</summary>
    public IReadOnlyDictionary<CommandRefusal, long> Refused
    {
        get { lock (_refused) return new Dictionary<CommandRefusal, long>(_refused); }
    }

    /// <summary>Checks that every goal the robot file lets operators move is one the controller can move; the problems, if any.</summary>
    public static IEnumerable<string> CheckGoals(FleetSettings settings, IGoalTarget? goals)
    {
        foreach (var name in settings.GoalLimits.Keys)
            if (goals is null || !goals.GoalInterfaces.Contains(name))
                yield return $"mqtt.commands.goal_limits: the controller cannot move the goal of '{name}'" +
                             (goals is null ? " (it takes no goals)" : $"; it moves: {string.Join(", ", goals.GoalInterfaces)}");
    }

    /// <summary>Handles one message from <c>cmd/…</c> (the MQTT reader's thread).</summary>
    public CommandOutcome Handle(string topic, ReadOnlySpan<byte> payload)
    {
        var started = Stopwatch.GetTimestamp();
        var command = topic.StartsWith(_settings.Root + "/cmd/", StringComparison.Ordinal) ? topic[(_settings.Root.Length + 5)..] : topic;
        var check = _verifier.Verify(topic, payload);
        var (refusal, detail) = check.Ok ? Apply(command, check.Body) : (check.Refusal, check.Reason);
        if (refusal == CommandRefusal.None) Interlocked.Increment(ref _accepted);
        else lock (_refused) _refused[refusal] = _refused.GetValueOrDefault(refusal) + 1;
        return new CommandOutcome(command, refusal == CommandRefusal.None, refusal, detail, check.Nonce,
            Stopwatch.GetElapsedTime(started).TotalMicroseconds);
    }

    (CommandRefusal, string) Apply(string command, JsonElement body) => command switch
    {
        "estop" => EStop(body),
        "mode" => Mode(body),
        "goal" => Goal(body),
        _ => (CommandRefusal.Unknown, $"unknown command '{command}'; expected estop, mode or goal"),
    };

    (CommandRefusal, string) EStop(JsonElement body)
    {
        var action = Text(body, "action") ?? "engage";
        var reason = Text(body, "reason") ?? "remote e-stop";
        switch (action)
        {
            case "engage":
                _filter.RequestEStop($"remote e-stop: {Clip(reason)}");
                return (CommandRefusal.None, "e-stop requested");
            case "release" when !_settings.AllowRemoteRelease:
                return (CommandRefusal.NotAllowed, "releasing the e-stop remotely is off; the robot file must say mqtt.commands.allow_remote_release: true");
            case "release":
                _filter.RequestRelease();
                return (CommandRefusal.None, "e-stop release requested");
            default:
                return (CommandRefusal.Malformed, $"action must be engage or release, got '{Clip(action)}'");
        }
    }

    (CommandRefusal, string) Mode(JsonElement body)
    {
        switch (Text(body, "mode"))
        {
            case "hold":
                _filter.RequestHold(true, "remote mode hold");
                return (CommandRefusal.None, "hold requested");
            case "run":
                _filter.RequestHold(false, "");
                return (CommandRefusal.None, "run requested");
            case var other:
                return (CommandRefusal.Malformed, $"mode must be hold or run, got '{Clip(other ?? "(none)")}'");
        }
    }

    (CommandRefusal, string) Goal(JsonElement body)
    {
        if (!body.TryGetProperty("goals", out var goals) || goals.ValueKind != JsonValueKind.Object)
            return (CommandRefusal.Malformed, "expected goals: {\"<interface>\": value, …}");
        var wanted = new List<(string Name, double Value)>();
        foreach (var goal in goals.EnumerateObject())
        {
            if (!_settings.GoalLimits.TryGetValue(goal.Name, out var limit))
                return (CommandRefusal.OutOfLimits, $"'{Clip(goal.Name)}' is not a goal operators may move (mqtt.commands.goal_limits)");
            if (goal.Value.ValueKind != JsonValueKind.Number || !goal.Value.TryGetDouble(out var value) || !double.IsFinite(value))
                return (CommandRefusal.Malformed, $"goal '{goal.Name}' must be a finite number");
            if (value < limit.Min || value > limit.Max)
                return (CommandRefusal.OutOfLimits, $"goal {goal.Name} = {value.ToString(CultureInfo.InvariantCulture)} is outside [{limit.Min.ToString(CultureInfo.InvariantCulture)}, {limit.Max.ToString(CultureInfo.InvariantCulture)}]");
            wanted.Add((goal.Name, value));
        }
        if (wanted.Count == 0) return (CommandRefusal.Malformed, "goals is empty");
        // All or nothing: checked above, then applied.
        foreach (var (name, value) in wanted) _goals!.RequestGoal(name, value);
        return (CommandRefusal.None, string.Join(", ", wanted.Select(w => $"{w.Name} → {w.Value.ToString(CultureInfo.InvariantCulture)}")));
    }

    static string? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    static string Clip(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
