using RlRobotics.Cli.Bench;
using RlRobotics.Cli.Node;
using RlRobotics.Control.Controllers;
using RlRobotics.Control.Mpc;
using RlRobotics.Control.Planning;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Loop;
using RlRobotics.Sim.Components;

namespace RlRobotics.Cli.Tests;

public class MpcTests
{
    private static RobotNode Build(string robotFile, string controller, double seconds, double[]? initial, int seed = 0, params ICycleObserver[] observers)
    {
        var spec = RobotSpecLoader.LoadFile(Path.Combine(RunCommandTests.Root(), robotFile));
        var node = RobotNode.Build(new NodeOptions
        {
            Robot = spec, Controller = controller, Clock = new SimulatedClock(), Seed = seed, InitialState = initial,
            Duration_s = seconds, Observers = observers,
        });
        Assert.Empty(node.Activate());
        return node;
    }

    private static RobotNode Run(string robotFile, string controller, double seconds, double[]? initial, int seed = 0, params ICycleObserver[] observers)
    {
        var node = Build(robotFile, controller, seconds, initial, seed, observers);
        node.Loop.Run();
        return node;
    }

    private static string Describe(RobotNode node) =>
        string.Join("; ", node.Monitor!.Results().Select(r => $"{r.Interface} err {r.FinalError:0.####}")) +
        $"; settled {node.Monitor.Settled_s:0.###} s; fallback cycles {((MpcController)node.Controller).FallbackCycles}";

    [Fact]
    public void B1_box_ddp_reaches_the_reference_optimum()
    {
        var solver = new IlqrSolver(B1.Problem(), B1.Options);
        var status = solver.Solve(B1.InitialState, 200);
        Assert.Equal(SolveStatus.Converged, status);
        Assert.InRange(solver.Solution.Cost, B1.ReferenceCost * 0.999, B1.ReferenceCost * 1.001);
        Assert.True(Math.Abs(solver.Solution.State(B1.Steps)[1] - Math.PI) < 0.02);
        Assert.All(solver.Solution.U, u => Assert.InRange(u, -10.0, 10.0));
        // The cost falls monotonically, iteration after iteration.
        var history = solver.CostHistory.ToArray();
        for (var i = 1; i < history.Length; i++) Assert.True(history[i] < history[i - 1]);
    }

    [Fact]
    public void B1_clamping_the_unconstrained_step_stalls_short_of_upright()
    {
        var boxed = new IlqrSolver(B1.Problem(), B1.Options);
        boxed.Solve(B1.InitialState, 200);
        var clamped = new IlqrSolver(B1.Problem(), B1.Options with { BoxQp = false });
        clamped.Solve(B1.InitialState, 200);
        Assert.True(Math.Abs(clamped.Solution.State(B1.Steps)[1] - Math.PI) > 0.1, "clamping alone is expected to stall");
        Assert.True(clamped.Solution.Cost > 2 * boxed.Solution.Cost);
    }

    [Fact]
    public void Ilqr_solve_and_warm_mpc_step_allocate_nothing_after_construction()
    {
        var solver = new IlqrSolver(B1.Problem(), B1.Options);
        var x0 = B1.InitialState;
        var next = new double[4];
        solver.Solve(x0, 200);
        for (var i = 0; i < 50; i++) { solver.Solution.State(1).CopyTo(next); B1.WarmStep(solver, next); }
        solver.Reset();
        var before = GC.GetAllocatedBytesForCurrentThread();
        solver.Solve(x0, 200);
        for (var i = 0; i < 100; i++) { solver.Solution.State(1).CopyTo(next); B1.WarmStep(solver, next); }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Ilqr_mpc_swings_the_cartpole_up_from_hanging_within_3_s_with_noise_and_20_ms_latency()
    {
        using var node = Run("robots/cartpole.sim.yaml", "ilqr-mpc", 6, new[] { 0.0, 0, 0, 0 });
        var sim = (SimulatedSystem)node.Resources.Components[0];
        Assert.True(node.Monitor!.Succeeded, Describe(node));
        Assert.True(node.Monitor.Settled_s < 3.0, Describe(node));
        Assert.Equal(0, node.Filter.Counters.Interventions);
        Assert.Equal(0, ((MpcController)node.Controller).FallbackCycles);
        Assert.Equal(0, node.Loop.Statistics.AllocatedBytes);
        Assert.Contains("latency_s: 0.02", File.ReadAllText(node.Robot.SourcePath)); // the run really had the latency
        Assert.True(Math.Abs(sim.TrueState[1] - Math.PI) < 0.05);
    }

    [Fact]
    public void Ilqr_mpc_swings_up_from_20_random_starts_and_never_exceeds_the_force_limit()
    {
        var random = new Random(7);
        for (var k = 0; k < 20; k++)
        {
            var initial = new[] { random.NextDouble() - 0.5, (2 * random.NextDouble() - 1) * Math.PI, 0, 0 };
            var probe = new CommandProbe("cart/effort");
            using var node = Run("robots/cartpole.sim.yaml", "ilqr-mpc", 6, initial, seed: k, probe);
            var where = $"start {k} [{string.Join(", ", initial.Select(v => v.ToString("0.###")))}]: ";
            Assert.True(node.Monitor!.Succeeded, where + Describe(node));
            Assert.True(probe.MaxAbs <= 10.0, where + $"force {probe.MaxAbs} N");
            Assert.Equal(0, node.Filter.Counters.EffortLimited + node.Filter.Counters.RateLimited);
            Assert.False(node.Filter.EStopLatched);
        }
    }

    [Fact]
    public void Ilqr_mpc_swings_the_acrobot_up_and_balances_it()
    {
        using var node = Run("robots/acrobot.sim.yaml", "ilqr-mpc", 8, new[] { 0.0, 0, 0, 0 });
        Assert.True(node.Monitor!.Succeeded, Describe(node));
        Assert.Equal(0, node.Filter.Counters.EffortLimited);
    }

    [Theory]
    [InlineData("cem-mpc", 8)]
    [InlineData("mppi-mpc", 3)]
    public void Sampling_mpc_swings_the_cartpole_up_from_most_of_10_starts(string controller, int atLeast)
    {
        var random = new Random(11);
        var successes = 0;
        for (var k = 0; k < 10; k++)
        {
            var initial = new[] { random.NextDouble() - 0.5, (2 * random.NextDouble() - 1) * Math.PI, 0, 0 };
            using var node = Run("robots/cartpole.sim.yaml", controller, 6, initial, seed: k);
            if (node.Monitor!.Succeeded) successes++;
            Assert.Equal(0, node.Filter.Counters.EffortLimited);
        }
        Console.WriteLine($"{controller}: {successes}/10 swing-ups");
        Assert.True(successes >= atLeast, $"{controller}: {successes}/10 swing-ups");
    }

    [Fact]
    public void Killing_the_planner_thread_falls_back_within_one_plan_period_and_stays_safe()
    {
        var killer = new KillAt(2.0);
        using var node = Build("robots/cartpole.sim.yaml", "ilqr-mpc", 6, new[] { 0.0, 0, 0, 0 }, 0, killer);
        var mpc = (MpcController)node.Controller;
        killer.Target = mpc;
        node.Loop.Run();
        Assert.False(mpc.Planner.IsAlive);
        Assert.IsType<PlannerKilledException>(mpc.Planner.Fault);
        Assert.True(mpc.FallbackCyclesFor(FallbackReason.PlannerDead) > 0);
        var reaction_s = (mpc.FirstFallback_ns - node.Loop.Started_ns) * 1e-9 - killer.KilledAt_s;
        Assert.True(reaction_s >= 0 && reaction_s <= mpc.Options.ReplanPeriod_s + 1e-9, $"fell back {reaction_s * 1000:0.###} ms after the kill");
        // The LQR fallback keeps the pole up and nothing tripped the safety filter.
        Assert.True(node.Monitor!.Succeeded, Describe(node));
        Assert.False(node.Filter.EStopLatched);
        Assert.Equal(0, node.Filter.Counters.EffortLimited);
    }

    [Fact]
    public void Planning_sections_report_every_error_at_its_line()
    {
        var yaml = File.ReadAllText(Path.Combine(RunCommandTests.Root(), "robots/cartpole.sim.yaml"))
            .Replace("state: cart/position", "state: cart/positon")
            .Replace("fallback: lqr", "fallback: panic")
            .Replace("replan_period_s: 0.02", "replan_period_s: -1\n    horizn: 5");
        var spec = RobotSpecLoader.Load(yaml, "cp.yaml");
        var ex = Assert.Throws<SpecException>(() => RobotNode.Build(new NodeOptions { Robot = spec, Controller = "ilqr-mpc" }));
        Assert.Contains(ex.Errors, e => e.Path.EndsWith(".state") && e.Message.Contains("unknown state 'cart/positon'"));
        Assert.Contains(ex.Errors, e => e.Path == "agent.mpc.fallback" && e.Message.Contains("lqr, hold, stop"));
        Assert.Contains(ex.Errors, e => e.Path == "agent.mpc.replan_period_s");
        Assert.Contains(ex.Errors, e => e.Path == "agent.mpc.horizn" && e.Message.Contains("horizon"));
        Assert.All(ex.Errors, e => Assert.True(e.Line > 0));
    }

    /// <summary>Records the largest |command| sent to one interface (after the safety filter).</summary>
    private sealed class CommandProbe(string name) : ICycleObserver
    {
        private int _index = -1;
        public double MaxAbs { get; private set; }

        public void OnCycle(StateFrame state, CommandFrame command, in CycleTime time)
        {
            if (_index < 0) _index = command.Require(name);
            MaxAbs = Math.Max(MaxAbs, Math.Abs(command.Values[_index]));
        }
    }

    /// <summary>Kills the MPC's planner thread at a given loop time.</summary>
    private sealed class KillAt(double seconds) : ICycleObserver
    {
        private long _start = long.MinValue;
        public MpcController? Target { get; set; }
        public double KilledAt_s { get; private set; } = double.NaN;

        public void OnCycle(StateFrame state, CommandFrame command, in CycleTime time)
        {
            if (_start == long.MinValue) _start = time.Now_ns;
            if (double.IsNaN(KilledAt_s) && (time.Now_ns - _start) * 1e-9 >= seconds && Target is not null)
            {
                Target.Planner.Kill();
                KilledAt_s = (time.Now_ns - _start) * 1e-9;
            }
        }
    }
}
