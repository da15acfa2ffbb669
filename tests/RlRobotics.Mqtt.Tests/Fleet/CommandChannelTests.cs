using System.Text;
using System.Text.Json;
using RlRobotics.Core.Control;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Hal.Safety;
using RlRobotics.Mqtt.Fleet;

namespace RlRobotics.Mqtt.Tests.Fleet;

/// <summary>The command channel without a broker: signatures, freshness, replays, limits, and what reaches the safety filter.</summary>
public sealed class CommandChannelTests
{
    static readonly byte[] Key = Convert.FromHexString("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    const string Yaml = """
        robot: slider
        rate_hz: 100
        joints:
          - name: cart
            kind: prismatic
            limits: { position: [-1.0, 1.0], velocity: 2.0, effort: 10.0 }
            command_interfaces: [effort]
            state_interfaces: [position, velocity]
            safe: zero_effort
        hardware:
          - name: slider_sim
            type: sim
            joints: [cart]
            settings: { model: pendulum }
        agent:
          controller: pd
          pd: { kp: 10, kd: 1 }
        task:
          goal: { cart/position: 0 }
        mqtt:
          insecure: true
          commands:
            key_env: RLR_TEST_NEVER_SET_FOR_THE_CHANNEL
            max_age_s: 2
            goal_limits: { cart/position: [-0.5, 0.5] }
        """;

    sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    sealed class Goals : IGoalTarget
    {
        public readonly Dictionary<string, double> Values = new() { ["cart/position"] = 0 };
        public IReadOnlyList<string> GoalInterfaces => [.. Values.Keys];
        public double Goal(string interfaceName) => Values[interfaceName];
        public bool RequestGoal(string interfaceName, double value) { Values[interfaceName] = value; return true; }
    }

    sealed class Rig
    {
        public readonly FixedTime Time = new(Now);
        public readonly SafetyFilter Filter;
        public readonly Goals Goals = new();
        public readonly CommandChannel Channel;
        public readonly StateFrame State;
        public readonly CommandFrame Command;
        public readonly FleetSettings Settings;
        long _cycle;

        public Rig(bool allowRelease = false)
        {
            var spec = RobotSpecLoader.Load(Yaml.Replace("max_age_s: 2", allowRelease ? "max_age_s: 2\n    allow_remote_release: true" : "max_age_s: 2"), "slider.yaml");
            Settings = FleetSettings.Read(spec.Mqtt!, spec.Name)!;
            State = new StateFrame(["cart/position", "cart/velocity"]);
            Command = new CommandFrame(["cart/effort"]);
            Filter = new SafetyFilter(spec, State, Command);
            Channel = new CommandChannel(Settings, Key, Filter, Goals, Time);
        }

        public CommandOutcome Send(string command, object fields, DateTimeOffset? at = null, string? nonce = null, byte[]? key = null)
        {
            var topic = Settings.CommandTopic(command);
            var dict = JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(fields))!;
            var payload = SignedCommand.Create(key ?? Key, topic, dict, at ?? Time.Now, nonce);
            return Channel.Handle(topic, Encoding.UTF8.GetBytes(payload));
        }

        /// <summary>One filter cycle with a fresh state: requests take effect here.</summary>
        public void Cycle()
        {
            State.Stamp_ns = _cycle * 10_000_000;
            Filter.Apply(State, Command, new CycleTime(_cycle * 10_000_000, 0.01, _cycle), _cycle * 10_000_000);
            _cycle++;
        }
    }

    [Fact]
    public void A_signed_estop_latches_the_filter_at_its_next_cycle()
    {
        var rig = new Rig();
        var outcome = rig.Send("estop", new { action = "engage", reason = "operator saw smoke" });
        Assert.True(outcome.Accepted, outcome.Detail);
        Assert.False(rig.Filter.EStopLatched); // nothing happens off the loop
        rig.Cycle();
        Assert.True(rig.Filter.EStopLatched);
        Assert.Equal("remote e-stop: operator saw smoke", rig.Filter.EStopReason);
    }

    [Fact]
    public void Unsigned_forged_stale_replayed_and_malformed_commands_are_refused_and_counted()
    {
        var rig = new Rig();
        var topic = rig.Settings.CommandTopic("estop");
        Assert.Equal(CommandRefusal.Unsigned, rig.Channel.Handle(topic, Encoding.UTF8.GetBytes("""{"body":"{}"}""")).Refusal);
        Assert.Equal(CommandRefusal.Malformed, rig.Channel.Handle(topic, Encoding.UTF8.GetBytes("stop!")).Refusal);
        Assert.Equal(CommandRefusal.Malformed, rig.Channel.Handle(topic, new byte[SignedCommand.MaxPayload + 1]).Refusal);
        var wrongKey = Key.Select(b => (byte)(b ^ 1)).ToArray();
        Assert.Equal(CommandRefusal.BadSignature, rig.Send("estop", new { }, key: wrongKey).Refusal);
        Assert.Equal(CommandRefusal.Stale, rig.Send("estop", new { }, at: Now.AddSeconds(-2.5)).Refusal);
        Assert.Equal(CommandRefusal.Stale, rig.Send("estop", new { }, at: Now.AddSeconds(3)).Refusal);

        // A genuine command replayed word for word, and signed for one topic but sent to another.
        var payload = SignedCommand.Create(Key, topic, new Dictionary<string, object?>(), Now, "nonce-0123456789abcdef");
        Assert.True(rig.Channel.Handle(topic, Encoding.UTF8.GetBytes(payload)).Accepted);
        var replay = rig.Channel.Handle(topic, Encoding.UTF8.GetBytes(payload));
        Assert.Equal(CommandRefusal.Replayed, replay.Refusal);
        Assert.Equal(CommandRefusal.BadSignature, rig.Channel.Handle(rig.Settings.CommandTopic("mode"), Encoding.UTF8.GetBytes(payload)).Refusal);

        rig.Cycle();
        Assert.Equal(1, rig.Filter.Counters.EStops); // only the genuine one reached the filter
        Assert.Equal(1, rig.Channel.Accepted);
        var refused = rig.Channel.Refused;
        Assert.Equal(1, refused[CommandRefusal.Unsigned]);
        Assert.Equal(2, refused[CommandRefusal.Malformed]);
        Assert.Equal(2, refused[CommandRefusal.BadSignature]);
        Assert.Equal(2, refused[CommandRefusal.Stale]);
        Assert.Equal(1, refused[CommandRefusal.Replayed]);
    }

    [Fact]
    public void A_nonce_is_forgotten_only_once_a_replay_would_be_stale_anyway()
    {
        var rig = new Rig();
        var topic = rig.Settings.CommandTopic("mode");
        var payload = Encoding.UTF8.GetBytes(SignedCommand.Create(Key, topic, new Dictionary<string, object?> { ["mode"] = "run" }, Now, "nonce-aaaaaaaaaaaaaaaa"));
        Assert.True(rig.Channel.Handle(topic, payload).Accepted);
        rig.Time.Now = Now.AddSeconds(1.9);
        Assert.Equal(CommandRefusal.Replayed, rig.Channel.Handle(topic, payload).Refusal);
        rig.Time.Now = Now.AddSeconds(2.1);
        Assert.Equal(CommandRefusal.Stale, rig.Channel.Handle(topic, payload).Refusal);
    }

    [Fact]
    public void Goals_move_only_inside_the_robot_files_limits_and_all_or_nothing()
    {
        var rig = new Rig();
        Assert.True(rig.Send("goal", new { goals = new Dictionary<string, double> { ["cart/position"] = 0.4 } }).Accepted);
        Assert.Equal(0.4, rig.Goals.Values["cart/position"]);
        var far = rig.Send("goal", new { goals = new Dictionary<string, double> { ["cart/position"] = 0.6 } });
        Assert.Equal(CommandRefusal.OutOfLimits, far.Refusal);
        Assert.Contains("outside [-0.5, 0.5]", far.Detail);
        Assert.Equal(CommandRefusal.OutOfLimits, rig.Send("goal", new { goals = new Dictionary<string, double> { ["pole/position"] = 0 } }).Refusal);
        Assert.Equal(CommandRefusal.Malformed, rig.Send("goal", new { goals = new Dictionary<string, string> { ["cart/position"] = "left" } }).Refusal);
        Assert.Equal(0.4, rig.Goals.Values["cart/position"]);
        Assert.Equal(CommandRefusal.Unknown, rig.Send("launch", new { }).Refusal);
    }

    [Fact]
    public void Releasing_the_estop_remotely_needs_the_robot_files_consent()
    {
        var rig = new Rig();
        rig.Send("estop", new { action = "engage" });
        rig.Cycle();
        var refused = rig.Send("estop", new { action = "release" });
        Assert.Equal(CommandRefusal.NotAllowed, refused.Refusal);
        Assert.Contains("allow_remote_release", refused.Detail);
        rig.Cycle();
        Assert.True(rig.Filter.EStopLatched);

        var consenting = new Rig(allowRelease: true);
        consenting.Send("estop", new { action = "engage" });
        consenting.Cycle();
        Assert.True(consenting.Send("estop", new { action = "release" }).Accepted);
        consenting.Cycle();
        Assert.False(consenting.Filter.EStopLatched);
    }

    [Fact]
    public void Hold_mode_holds_every_joint_without_latching_and_run_resumes()
    {
        var rig = new Rig();
        rig.State.Values[0] = 0.3;
        Assert.True(rig.Send("mode", new { mode = "hold" }).Accepted);
        rig.Command.Values[0] = 5;
        rig.Cycle();
        Assert.True(rig.Filter.Held);
        Assert.True(rig.Filter.InSafeMode);
        Assert.False(rig.Filter.EStopLatched);
        Assert.Equal(0, rig.Command.Values[0]); // an effort joint holds with zero effort
        Assert.True(rig.Send("mode", new { mode = "run" }).Accepted);
        rig.Command.Values[0] = 5;
        rig.Cycle();
        Assert.False(rig.Filter.InSafeMode);
        Assert.NotEqual(0, rig.Command.Values[0]);
        Assert.Equal([SafetyEventKind.HoldEngaged, SafetyEventKind.HoldReleased], rig.Filter.Events.Select(e => e.Kind));
        Assert.Equal(CommandRefusal.Malformed, rig.Send("mode", new { mode = "dance" }).Refusal);
    }

    [Fact]
    public void The_robot_file_cannot_open_the_command_channel_without_tls_and_auth_unless_it_says_insecure()
    {
        var yaml = Yaml.Replace("  insecure: true\n", "");
        var ex = Assert.Throws<SpecException>(() =>
        {
            var spec = RobotSpecLoader.Load(yaml, "slider.yaml");
            FleetSettings.Read(spec.Mqtt!, spec.Name);
            spec.Mqtt!.Diagnostics.ThrowIfAny();
        });
        Assert.Contains(ex.Errors, e => e.Message.Contains("needs TLS") && e.Message.Contains("insecure: true"));
        var password = Assert.Throws<SpecException>(() =>
        {
            var spec = RobotSpecLoader.Load(Yaml.Replace("  insecure: true\n", "  insecure: true\n  username: robot\n  password: hunter2\n"), "slider.yaml");
            FleetSettings.Read(spec.Mqtt!, spec.Name);
            spec.Mqtt!.Diagnostics.ThrowIfAny();
        });
        Assert.Contains(password.Errors, e => e.Message.Contains("credentials are never read from the robot file"));
    }
}
