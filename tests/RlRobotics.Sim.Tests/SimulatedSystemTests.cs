using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Hal.Components;
using RlRobotics.Sim.Components;

namespace RlRobotics.Sim.Tests;

public class SimulatedSystemTests
{
    private static string Robot(string mode, string settings) => $$"""
        robot: slider
        rate_hz: 1000
        joints:
          - name: pendulum
            kind: continuous
            limits: { velocity: 50, effort: 2.0 }
            command_interfaces: [{{mode}}]
            state_interfaces: [position, velocity, effort]
        hardware:
          - name: sim
            type: sim
            joints: [pendulum]
            settings:
              model: pendulum
              params: { gravity_mps2: 0 }
        {{settings}}
        agent: { controller: hold }
        """;

    private static (SimulatedSystem Sim, ResourceManager Rm) Build(string yaml, int seed = 1)
    {
        var spec = RobotSpecLoader.Load(yaml, "t.yaml");
        var components = new ComponentRegistry().AddSimulation().CreateAll(spec, seed, null);
        var rm = new ResourceManager(components);
        Assert.Empty(rm.ConfigureAndActivate());
        return ((SimulatedSystem)components[0], rm);
    }

    private static void Cycle(ResourceManager rm, long k, double command)
    {
        var t = new CycleTime(k * 1_000_000, 1e-3, k);
        rm.ReadAll(t);
        rm.Command.Values[0] = command;
        rm.WriteAll(t);
    }

    [Fact]
    public void Latency_delays_commands_by_whole_cycles()
    {
        var (_, rm) = Build(Robot("effort", "      latency_s: 0.003"));
        for (var k = 0; k < 3; k++) Cycle(rm, k, k == 0 ? 1.0 : 0.0);
        // The step written at cycle 0 takes effect three writes later: the effort state shows it after that read.
        var seen = new List<double>();
        for (var k = 3; k < 8; k++) { Cycle(rm, k, 0.0); seen.Add(rm.State["pendulum/effort"]); }
        Assert.Equal(new[] { 0.0, 1.0, 0.0, 0.0, 0.0 }, seen);
    }

    [Fact]
    public void Effort_saturates_at_the_joint_limit()
    {
        var (_, rm) = Build(Robot("effort", ""));
        for (var k = 0; k < 5; k++) Cycle(rm, k, 50.0);
        Assert.Equal(2.0, rm.State["pendulum/effort"]);
    }

    [Fact]
    public void Velocity_mode_tracks_the_commanded_speed()
    {
        var (_, rm) = Build(Robot("velocity", "      servo: { kv: 5 }"));
        for (var k = 0; k < 3000; k++) Cycle(rm, k, 1.0);
        Assert.Equal(1.0, rm.State["pendulum/velocity"], 2);
    }

    [Fact]
    public void Position_mode_reaches_the_commanded_angle()
    {
        var (_, rm) = Build(Robot("position", "      servo: { kp: 20, kd: 2 }"));
        for (var k = 0; k < 5000; k++) Cycle(rm, k, 0.5);
        Assert.Equal(0.5, rm.State["pendulum/position"], 3);
    }

    [Fact]
    public void Coulomb_friction_stops_a_sliding_joint()
    {
        var (sim, rm) = Build(Robot("effort", "      initial_state: [0, 3]\n      friction: { pendulum: { coulomb: 0.5 } }"));
        for (var k = 0; k < 3000; k++) Cycle(rm, k, 0.0);
        Assert.True(Math.Abs(sim.TrueState[1]) < 0.02, $"still moving at {sim.TrueState[1]}");
    }

    [Fact]
    public void Noise_is_seeded_and_reproducible()
    {
        var yaml = Robot("effort", "      initial_state: [0.3, 0]\n      noise: { position_std: 0.01 }");
        double[] Run(int seed)
        {
            var (_, rm) = Build(yaml, seed);
            return Enumerable.Range(0, 20).Select(k => { Cycle(rm, k, 0.0); return rm.State["pendulum/position"]; }).ToArray();
        }
        Assert.Equal(Run(5), Run(5));
        Assert.NotEqual(Run(5), Run(6));
    }

    [Fact]
    public void Frozen_sensors_keep_their_values_and_time_stamp()
    {
        var (sim, rm) = Build(Robot("effort", "      initial_state: [0, 1]"));
        Cycle(rm, 0, 0); Cycle(rm, 1, 0);
        var before = rm.State["pendulum/position"];
        var stamp = sim.StateStamp_ns;
        sim.FreezeSensors = true;
        for (var k = 2; k < 10; k++) Cycle(rm, k, 0);
        Assert.Equal(before, rm.State["pendulum/position"]);
        Assert.Equal(stamp, sim.StateStamp_ns);
        Assert.NotEqual(before, sim.TrueState[0]);
    }

    [Fact]
    public void Unknown_settings_and_passive_commands_are_refused_with_locations()
    {
        var yaml = """
            robot: cp
            rate_hz: 100
            joints:
              - { name: cart, kind: prismatic, limits: { position: [-1, 1], velocity: 1, effort: 1 }, command_interfaces: [effort], state_interfaces: [position, velocity] }
              - { name: pole, kind: continuous, limits: { velocity: 1, effort: 1 }, command_interfaces: [effort], state_interfaces: [position, velocity] }
            hardware:
              - name: sim
                type: sim
                joints: [cart, pole]
                settings: { model: cartpole, substep: 3 }
            agent: { controller: hold }
            """;
        var spec = RobotSpecLoader.Load(yaml, "t.yaml");
        var ex = Assert.Throws<SpecException>(() => new ComponentRegistry().AddSimulation().CreateAll(spec, 0, null));
        Assert.Contains(ex.Errors, e => e.Message.Contains("joint 'pole' is passive"));
        Assert.Contains(ex.Errors, e => e.Message.Contains("unknown key 'substep'") && e.Message.Contains("did you mean 'substeps'"));
    }
}
