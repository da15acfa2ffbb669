using RlRobotics.Control.Controllers;
using RlRobotics.Control.Lqr;
using RlRobotics.Core.Numerics;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Components;
using RlRobotics.Hal.Loop;
using RlRobotics.Hal.Safety;
using RlRobotics.Sim;
using RlRobotics.Sim.Components;
using RlRobotics.Sim.Models;

namespace RlRobotics.Control.Tests;

public class LqrTests
{
    internal static string RepoFile(string relative) => Path.Combine(RlRobotics.Core.Spec.RepositoryRoot.Find(), relative);

    [Fact]
    public void Doubling_solution_satisfies_the_discrete_riccati_equation()
    {
        var model = new CartPole(new CartPoleParameters());
        var (a, b) = DiscreteLqr.Linearise(model, new[] { 0, Math.PI, 0, 0 }, new[] { 0.0 }, 0.001);
        var q = Matrix.Diagonal(new[] { 10.0, 100, 1, 10 });
        var r = Matrix.Diagonal(new[] { 1.0 });
        var (p, k) = DiscreteLqr.Solve(a, b, q, r);
        var at = a.Transpose();
        var residual = q + at * p * a - at * p * b * k - p;
        Assert.True(residual.MaxAbs() < 1e-6 * p.MaxAbs(), $"Riccati residual {residual.MaxAbs()}");
        // The closed loop A − BK is stable: its state decays from any start.
        var closed = a - b * k;
        var x = new Matrix(4, 1, new[] { 0.1, 0.2, -0.1, 0.3 });
        for (var i = 0; i < 20_000; i++) x = closed * x;
        Assert.True(x.MaxAbs() < 1e-4);
    }

    [Fact]
    public void Equilibrium_control_compensates_gravity_on_the_arm()
    {
        var model = TwoLink.Arm(TwoLinkParameters.Arm);
        var x = new[] { 0.8, 0.6, 0, 0 };
        var u = DiscreteLqr.EquilibriumControl(model, x);
        var xdot = new double[4];
        model.Derivative(x, u, xdot);
        Assert.True(Math.Abs(xdot[2]) < 1e-9 && Math.Abs(xdot[3]) < 1e-9);
        Assert.True(Math.Abs(u[0]) > 1); // holding two 1 kg links out takes real torque
    }

    /// <summary>Runs a robot file's controller through the real loop on the simulated clock.</summary>
    internal static (TaskMonitor Monitor, SafetyFilter Filter, SimulatedSystem Sim) RunRobot(string robotFile, string? controller, double seconds,
        double[]? initial = null, int seed = 0)
    {
        var spec = RobotSpecLoader.LoadFile(RepoFile(robotFile));
        var components = new ComponentRegistry().AddSimulation().CreateAll(spec, seed, initial);
        var rm = new ResourceManager(components);
        var sim = (SimulatedSystem)components[0];
        var ctrl = ControllerFactory.Create(spec, controller, () => sim.Model);
        var filter = new SafetyFilter(spec, rm.State, rm.Command);
        var monitor = new TaskMonitor(spec.Task!, rm.State);
        rm.ConfigureAndActivate();
        new ControlLoop(new ControlLoopOptions { RateHz = spec.RateHz, Duration_s = seconds }, new SimulatedClock(), rm, ctrl, filter, new[] { monitor }).Run();
        return (monitor, filter, sim);
    }

    [Fact]
    public void Lqr_balances_the_cartpole_from_50_random_starts_within_0_2_rad()
    {
        var random = new Random(2026);
        for (var k = 0; k < 50; k++)
        {
            var initial = new[] { random.NextDouble() * 0.4 - 0.2, Math.PI + random.NextDouble() * 0.4 - 0.2, random.NextDouble() * 0.2 - 0.1, random.NextDouble() * 0.4 - 0.2 };
            var (monitor, filter, sim) = RunRobot("robots/cartpole.sim.yaml", null, 6.0, initial);
            Assert.True(monitor.Succeeded, $"start {k} [{string.Join(", ", initial.Select(v => v.ToString("0.###")))}]: " +
                string.Join("; ", monitor.Results().Select(r => $"{r.Interface} err {r.FinalError:0.####}")));
            Assert.False(filter.EStopLatched);
            Assert.True(Math.Abs(sim.TrueState[1] - Math.PI) < 0.02);
        }
    }

    [Fact]
    public void Lqr_gain_uses_every_state_and_needs_no_force_at_the_upright_goal()
    {
        var spec = RobotSpecLoader.LoadFile(RepoFile("robots/cartpole.sim.yaml"));
        var lqr = new LqrController(spec, new CartPole(new CartPoleParameters()), new LqrOptions(new[] { 10.0, 100, 1, 10 }, new[] { 1.0 }));
        Assert.All(Enumerable.Range(0, 4), i => Assert.True(Math.Abs(lqr.Gain[0, i]) > 1e-3));
        Assert.Equal(0.0, lqr.EquilibriumControl[0], 12);
    }

    [Fact]
    public void Agent_section_errors_are_located()
    {
        var yaml = File.ReadAllText(RepoFile("robots/cartpole.sim.yaml")).Replace("r: [1]", "r: [1, 2]").Replace("kd: 5", "kd: 5\n    ki: 1");
        var spec = RobotSpecLoader.Load(yaml, "cp.yaml");
        var ex = Assert.Throws<SpecException>(() => ControllerFactory.Create(spec, null, () => new CartPole(new CartPoleParameters())));
        Assert.Contains(ex.Errors, e => e.Path == "agent.lqr.r" && e.Message.Contains("expected 1 numbers"));
        Assert.Contains(ex.Errors, e => e.Path == "agent.pd.ki" && e.Message.Contains("unknown key"));
    }
}
