using RlRobotics.Control.Planning;
using RlRobotics.Core.Concurrency;

namespace RlRobotics.Control.Tests;

public class PlanningTests
{
    [Fact]
    public void Box_qp_matches_a_brute_force_search_on_random_problems()
    {
        var random = new Random(3);
        var qp = new BoxQp(2);
        for (var trial = 0; trial < 200; trial++)
        {
            // H = LLᵀ + 0.1 I (positive definite), random g and box.
            double a = random.NextDouble() * 2 - 1, b = random.NextDouble() * 2 - 1, c = random.NextDouble() * 2 - 1;
            var h = new[] { a * a + 0.1, a * b, a * b, b * b + c * c + 0.1 };
            var g = new[] { random.NextDouble() * 4 - 2, random.NextDouble() * 4 - 2 };
            var lo = new[] { -random.NextDouble(), -random.NextDouble() };
            var hi = new[] { random.NextDouble(), random.NextDouble() };
            var x = new double[2];
            var result = qp.Solve(h, g, lo, hi, x);
            Assert.NotEqual(BoxQpResult.NotPositiveDefinite, result);
            double Value(double x0, double x1) => g[0] * x0 + g[1] * x1 + 0.5 * (h[0] * x0 * x0 + 2 * h[1] * x0 * x1 + h[3] * x1 * x1);
            var best = double.PositiveInfinity;
            for (var i = 0; i <= 400; i++)
                for (var j = 0; j <= 400; j++)
                    best = Math.Min(best, Value(lo[0] + (hi[0] - lo[0]) * i / 400, lo[1] + (hi[1] - lo[1]) * j / 400));
            Assert.InRange(x[0], lo[0], hi[0]);
            Assert.InRange(x[1], lo[1], hi[1]);
            Assert.True(Value(x[0], x[1]) <= best + 1e-9, $"trial {trial}: {Value(x[0], x[1])} vs grid {best}");
            // A dimension is reported clamped only when it sits on a bound.
            for (var i = 0; i < 2; i++)
                if (qp.IsClamped(i)) Assert.True(x[i] == lo[i] || x[i] == hi[i]);
        }
    }

    [Fact]
    public void Box_qp_refuses_an_indefinite_hessian()
    {
        var qp = new BoxQp(2);
        var x = new double[2];
        Assert.Equal(BoxQpResult.NotPositiveDefinite, qp.Solve(new[] { 1.0, 0, 0, -1 }, new[] { 0.1, 0.1 }, new[] { -1.0, -1 }, new[] { 1.0, 1 }, x));
    }

    [Fact]
    public void Shifting_a_plan_drops_the_first_steps_repeats_the_last_and_moves_its_start_time()
    {
        var plan = new Trajectory(4, 1, 1) { Dt = 0.1, T0_ns = 1_000 };
        for (var k = 0; k <= 4; k++) plan.X[k] = k;
        for (var k = 0; k < 4; k++) { plan.U[k] = 10 + k; plan.K[k] = 20 + k; }
        plan.Shift(1);
        Assert.Equal(new double[] { 1, 2, 3, 4, 4 }, plan.X);
        Assert.Equal(new double[] { 11, 12, 13, 13 }, plan.U);
        Assert.Equal(new double[] { 21, 22, 23, 23 }, plan.K);
        Assert.Equal(1_000 + 100_000_000, plan.T0_ns);
        plan.Shift(10); // past the end: everything becomes the last step
        Assert.All(plan.U, u => Assert.Equal(13, u));
        Assert.All(plan.X, x => Assert.Equal(4, x));
    }

    [Fact]
    public void Triple_buffer_hands_over_only_whole_values_and_always_the_newest()
    {
        var buffer = new TripleBuffer<long[]>(() => new long[64]);
        Assert.Null(buffer.ReadLatest());
        const int count = 200_000;
        var writer = new Thread(() =>
        {
            for (long v = 1; v <= count; v++)
            {
                var slot = buffer.WriteSlot;
                for (var i = 0; i < slot.Length; i++) slot[i] = v;
                buffer.Publish();
            }
        });
        writer.Start();
        long last = 0;
        while (last < count)
        {
            var value = buffer.ReadLatest();
            if (value is null) continue;
            var v = value[0];
            Assert.All(value, x => Assert.Equal(v, x)); // never torn
            Assert.True(v >= last);                   // never older than what was already seen
            last = v;
        }
        writer.Join();
    }

    [Fact]
    public void Planning_problem_rejects_inverted_control_bounds()
    {
        var cost = new TrajectoryCost(new[] { 0.0 }, new[] { 0.0 }, new[] { 1.0 }, new[] { 1.0 }, new[] { 1.0 }, 1, new[] { false });
        var model = new RlRobotics.Sim.Models.Pendulum(new RlRobotics.Sim.Models.PendulumParameters());
        Assert.ThrowsAny<ArgumentException>(() => new PlanningProblem(model, new TrajectoryCost(new[] { 0.0, 0 }, new[] { 0.0 }, new[] { 1.0, 1 }, new[] { 1.0 }, new[] { 1.0, 1 }, 1, new[] { true, false }), 10, 0.1, new[] { 1.0 }, new[] { -1.0 }));
        Assert.ThrowsAny<ArgumentException>(() => new PlanningProblem(model, cost, 10, 0.1, new[] { -1.0 }, new[] { 1.0 }));
    }

    [Fact]
    public void Relaxed_barrier_is_finite_and_pushes_back_inside_and_outside_the_bounds()
    {
        var barrier = new StateConstraint(0, "x", -1, 1, ConstraintKind.Barrier, 1, 0.1);
        foreach (var x in new[] { -2.0, -1.0, -0.95, 0.0, 0.95, 1.0, 2.0 })
        {
            Assert.True(double.IsFinite(barrier.Value(x)));
            double d1 = 0, d2 = 0;
            barrier.Accumulate(x, ref d1, ref d2);
            Assert.True(d2 > 0);
            if (x > 0.5) Assert.True(d1 > 0);
            if (x < -0.5) Assert.True(d1 < 0);
            // Derivative matches a central difference.
            const double e = 1e-6;
            Assert.Equal((barrier.Value(x + e) - barrier.Value(x - e)) / (2 * e), d1, 4);
        }
        var penalty = new StateConstraint(0, "x", -1, 1, ConstraintKind.Penalty, 10, 0.1);
        Assert.Equal(0, penalty.Value(0.5));
        Assert.Equal(0.5 * 10 * 0.25, penalty.Value(1.5), 12);
    }

    [Fact]
    public void A_one_thread_rollout_pool_runs_on_the_caller_and_disposes_cleanly()
    {
        var seen = new List<(int Worker, int Start, int End)>();
        var pool = new RolloutWorkers(1, (w, a, b) => seen.Add((w, a, b)));
        pool.Run(10, 3);
        Assert.Equal(new[] { (0, 0, 10) }, seen);
        pool.Dispose(); // used to throw: releasing a semaphore for zero workers
    }
}
