using RlRobotics.Core.Control;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Components;
using RlRobotics.Hal.Loop;
using RlRobotics.Hal.Safety;
using RlRobotics.Serial.Dynamixel;
using RlRobotics.Sim.Serial;

[assembly: CollectionBehavior(DisableTestParallelization = true)] // the doubles need the CPUs to answer on time

namespace RlRobotics.Serial.Tests;

/// <summary>
/// robots/arm2.dxl-sim.yaml's bus in the real control loop: DynamixelSystem, the termios port, the pseudo-terminal
/// and the servo-chain double, with faults injected between cycles.
/// </summary>
public sealed class DynamixelSystemTests
{
    private static readonly string ArmFile = Path.Combine(RepositoryRoot.Find(), "robots", "arm2.dxl-sim.yaml");

    /// <summary>Commands a fixed effort on every joint (the filter's zero-effort safe value is then visible).</summary>
    private sealed class FixedEffort(RobotSpec robot, double effort) : IController
    {
        private int[] _commands = [];
        public string Kind => "fixed-effort";
        public IReadOnlyList<string> ClaimedCommands { get; } = robot.Joints.Select(j => InterfaceName.Of(j.Name, InterfaceKind.Effort)).ToList();
        public void Bind(StateFrame state, CommandFrame command) => _commands = ClaimedCommands.Select(command.Require).ToArray();
        public void Start(StateFrame state) { }
        public void Update(StateFrame state, CommandFrame command, in CycleTime time)
        {
            foreach (var i in _commands) command.Values[i] = effort;
        }
    }

    /// <summary>Runs an action at given cycles and records, per cycle, safe mode and the efforts written.</summary>
    private sealed class Probe(SafetyFilter filter, IReadOnlyDictionary<long, Action> actions) : ICycleObserver
    {
        public readonly List<(long Cycle, bool Safe, double Shoulder, double Elbow)> Cycles = new();
        public void OnCycle(StateFrame state, CommandFrame command, in CycleTime time)
        {
            Cycles.Add((time.Cycle, filter.InSafeMode, command.Values[0], command.Values[1]));
            if (actions.TryGetValue(time.Cycle, out var act)) act();
        }
    }

    private sealed record Rig(RobotSpec Spec, SimulatedClock Clock, ResourceManager Resources, DynamixelSystem Bus, ServoChainDouble Chain, SafetyFilter Filter) : IDisposable
    {
        public static Rig Build()
        {
            var spec = RobotSpecLoader.LoadFile(ArmFile);
            var clock = new SimulatedClock();
            var components = new ComponentRegistry().AddSerial(SimulatedDynamixelBus.Create).CreateAll(spec, 0, null, clock);
            var resources = new ResourceManager(components);
            var bus = (DynamixelSystem)components[0];
            var chain = ((SimulatedDynamixelBus)bus.Simulation!).Chain;
            return new Rig(spec, clock, resources, bus, chain, new SafetyFilter(spec, resources.State, resources.Command));
        }

        public ControlLoop Loop(double seconds, double effort, ICycleObserver? probe = null) =>
            new(new ControlLoopOptions { RateHz = Spec.RateHz, Duration_s = seconds }, Clock, Resources, new FixedEffort(Spec, effort), Filter,
                probe is null ? null : [probe]);

        public void Dispose() => Resources.ShutdownAll();
    }

    [Fact]
    public void ConfigureChecksEveryServoAndWritesOnlyTheSettingsThatDiffer()
    {
        using var rig = Rig.Build();
        Assert.Empty(rig.Resources.ConfigureAndActivate());
        Assert.Equal(LifecycleState.Active, rig.Bus.State);
        var shoulder = rig.Chain.Servos[0];
        Assert.Equal(0, shoulder.Get("Operating Mode"));          // current mode, from the effort interface
        Assert.Equal(0, shoulder.Get("Return Delay Time"));
        Assert.Equal(1, shoulder.Get("Torque Enable"));
        // 3 N·m at 1.78 N·m/A and 2.69 mA per unit: 627 units.
        Assert.Equal(627, shoulder.Get("Current Limit"));
        rig.Resources.ShutdownAll();
        Assert.Equal(0, shoulder.Get("Torque Enable"));
    }

    [Fact]
    public void ASilentServoMakesEveryJointSafeWithinTwoCyclesAndTheBusRecovers()
    {
        using var rig = Rig.Build();
        Assert.Empty(rig.Resources.ConfigureAndActivate());
        // Only the silenced servo may miss a deadline: give the shared CPUs room (each of its failures costs 2 × 100 ms).
        rig.Bus.Bus!.TimeoutFloor = TimeSpan.FromMilliseconds(100);
        var goalCurrentWhileSilent = int.MinValue;
        var probe = new Probe(rig.Filter, new Dictionary<long, Action>
        {
            [100] = () => rig.Chain.Faults.Silence(2),
            // The trial read at the end of the last break went through the double after every write before it.
            [299] = () => goalCurrentWhileSilent = rig.Chain.Servos[0].Get("Goal Current"),
            [300] = () => rig.Chain.Faults.Restore(2),
        });
        rig.Loop(2.0, effort: 0.5, probe).Run();

        var cycles = probe.Cycles;
        Assert.All(cycles.Where(c => c.Cycle is > 10 and <= 100), c => Assert.False(c.Safe));
        // The first cycle after the servo went silent: the read failed, every joint got zero effort.
        var firstSafe = cycles.First(c => c.Cycle > 100 && c.Safe).Cycle;
        Assert.True(firstSafe <= 102, $"safe only from cycle {firstSafe}");
        Assert.All(cycles.Where(c => c.Cycle >= firstSafe && c.Cycle <= 300), c => Assert.Equal((true, 0.0, 0.0), (c.Safe, c.Shoulder, c.Elbow)));
        Assert.Equal(0, goalCurrentWhileSilent); // the servo that still answers got the safe command
        // The HAL reported it and stayed up; the circuit opened, rested, and closed again once servo 2 answered.
        Assert.Equal(LifecycleState.Active, rig.Bus.State);
        Assert.Contains("no reply from id 2 (joint 'elbow')", rig.Bus.LastError);
        Assert.True(rig.Resources.DegradedReads >= 3);
        Assert.True(rig.Bus.Bus!.Statistics.CircuitOpenings >= 1);
        Assert.Equal(CircuitState.Closed, rig.Bus.Bus.Circuit);
        Assert.False(cycles[^1].Safe);
        var recovered = cycles.First(c => c.Cycle > 300 && !c.Safe).Cycle;
        Assert.True(recovered <= 300 + 50 + 2, $"recovered at cycle {recovered}; the break is 50 cycles");
        Assert.Contains(rig.Filter.Events, e => e.Kind == SafetyEventKind.WatchdogTripped);
    }

    [Fact]
    public void AnOverloadIsAHardwareErrorThatNamesItsCause()
    {
        using var rig = Rig.Build();
        Assert.Empty(rig.Resources.ConfigureAndActivate());
        var probe = new Probe(rig.Filter, new Dictionary<long, Action> { [50] = () => rig.Chain.Faults.Overload(1) });
        rig.Loop(0.5, effort: 0.2, probe).Run();
        Assert.Equal(LifecycleState.Unconfigured, rig.Bus.State);
        Assert.Contains("servo 1 (joint 'shoulder') reports a hardware error: overload", rig.Bus.LastError);
        Assert.Contains("rebooted", rig.Bus.LastError);
        Assert.True(probe.Cycles.First(c => c.Cycle > 50 && c.Safe).Cycle <= 52);
    }

    [Fact]
    public void AServoThatDoesNotAnswerAtConfigureIsNamed()
    {
        using var rig = Rig.Build();
        rig.Chain.Faults.Silence(2);
        var refused = Assert.Single(rig.Resources.ConfigureAndActivate());
        Assert.Contains("servo 2 (elbow) did not answer a ping", refused);
        Assert.Equal(LifecycleState.Unconfigured, rig.Bus.State);
    }

    [Fact]
    public void TheLoopThroughTheSerialPathAllocatesNothingInSteadyState()
    {
        using var rig = Rig.Build();
        Assert.Empty(rig.Resources.ConfigureAndActivate());
        // About allocation, not timing: a reply the shared CPUs delay past its deadline would take the error path.
        rig.Bus.Bus!.TimeoutFloor = TimeSpan.FromMilliseconds(200);
        var loop = rig.Loop(4.0, effort: 0.3);
        loop.Run();
        Assert.True(rig.Resources.ReadErrors == 0, $"{rig.Resources.ReadErrors} read errors: {rig.Bus.LastError}; {rig.Bus.Bus?.Statistics}; cycles {loop.Statistics.Cycles}");
        Assert.True(loop.Statistics.AllocationCycles > 500);
        Assert.Equal(0, loop.Statistics.AllocatedBytes);
    }

    [Theory]
    [InlineData("", 20)]                          // on unless turned off
    [InlineData("\n      late_reply_ms: 35", 35)]
    [InlineData("\n      late_reply_ms: 0", 0)]
    public void The_late_reply_guard_is_on_by_default_and_set_in_the_robot_file(string setting, double expected_ms)
    {
        var spec = RobotSpecLoader.Load(File.ReadAllText(ArmFile).Replace("read: sync", "read: sync" + setting), "arm2.dxl-sim.yaml");
        var bus = (DynamixelSystem)new ComponentRegistry().AddSerial(SimulatedDynamixelBus.Create).CreateAll(spec, 0, null).Single();
        Assert.Equal(TimeSpan.FromMilliseconds(expected_ms), bus.Settings.Bus.LateReplyHorizon);
    }

    [Theory]
    [InlineData("model: XM430-W350, mode: current }", "model: XM999, mode: current }", "unknown servo model 'XM999'")]
    [InlineData("elbow:    { id: 2,", "elbow:    { id: 1,", "id 1 is already used by joint 'shoulder'")]
    [InlineData("mode: current, direction", "mode: position, direction", "mode 'position' does not take the joint's effort command")]
    [InlineData("port: simulated ", "port: /dev/ttyUSB0 ", "a simulation is only used with port: simulated")]
    [InlineData("baud: 1000000", "baud: 12", "expected a whole number from 9600")]
    [InlineData("read: sync", "read: turbo", "expected one of: sync, fast_sync")]
    [InlineData("read: sync", "read: sync\n      late_reply_ms: -5", "0 … 1000 ms (0 turns the guard off)")]
    [InlineData("        elbow:    { id: 2, model: XM430-W350, mode: current, direction: -1 }\n", "", "joint 'elbow' has no servo")]
    public void SettingsMistakesAreReportedWithTheirPlace(string from, string to, string expected)
    {
        var yaml = File.ReadAllText(ArmFile);
        Assert.Contains(from, yaml);
        var spec = RobotSpecLoader.Load(yaml.Replace(from, to), "arm2.dxl-sim.yaml");
        var ex = Assert.Throws<SpecException>(() => new ComponentRegistry().AddSerial(SimulatedDynamixelBus.Create).CreateAll(spec, 0, null));
        Assert.Contains(ex.Errors, e => e.ToString().Contains(expected) && e.ToString().Contains("hardware[0].settings"));
    }
}
