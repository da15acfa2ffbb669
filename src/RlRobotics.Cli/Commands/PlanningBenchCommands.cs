using System.CommandLine;
using System.Diagnostics;
using RlRobotics.Cli.Bench;
using RlRobotics.Control.Planning;
using Spectre.Console;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr bench b1</c> and <c>rlr bench sampling</c>: the planners' speed next to the reference figures.</summary>
internal static class PlanningBenchCommands
{
    public static Command B1Command(TextWriter output)
    {
        var solves = new Option<int>("--solves") { Description = "Full solves timed (median reported)", DefaultValueFactory = _ => 20 };
        var steps = new Option<int>("--warm-steps") { Description = "Warm MPC steps timed", DefaultValueFactory = _ => 1000 };
        var command = new Command("b1", "B1: cart-pole swing-up iLQR (N = 100, box-QP) — full solve, per iteration, warm MPC step, phases, allocations")
        {
            solves, steps,
        };
        command.SetAction(parse =>
        {
            var r = RunB1(Math.Max(1, parse.GetValue(solves)), Math.Max(1, parse.GetValue(steps)));
            var console = RunCommand.Console(output);
            var table = new Table().Border(TableBorder.Rounded).AddColumns("B1", "RlRobotics", "reference (C++/Eigen)");
            table.AddRow("iterations", $"{r.Iterations}", $"{B1.ReferenceIterations}");
            table.AddRow("final cost", $"{r.Cost:0.######}", $"{B1.ReferenceCost:0.######}");
            table.AddRow("final |θ − π| rad", $"{r.AngleError:0.###}", $"{B1.ReferenceAngleError_rad:0.###}");
            table.AddRow("full solve ms (median)", $"{r.Solve_ms:0.###}", $"{B1.ReferenceSolve_ms}");
            table.AddRow("per iteration µs", $"{r.Iteration_us:0.#}", $"{B1.ReferenceIteration_us}");
            table.AddRow("warm MPC step µs (median · p99)", $"{r.WarmMedian_us:0.#} · {r.WarmP99_us:0.#}", $"{B1.ReferenceWarmStep_us}");
            table.AddRow("rollout · Jacobians · backward · line-search pass µs", $"{r.Rollout_us:0.#} · {r.Jacobians_us:0.#} · {r.Backward_us:0.#} · {r.Rollout_us:0.#}", "16 · 23 · 11 · 16");
            table.AddRow("bytes allocated per solve", $"{r.AllocatedPerSolve}", "0");
            console.Write(table);
            console.MarkupLine("[grey]The reference was measured once on this kind of machine; figures drift ±20–30 % between runs here.[/]");
            return ExitCodes.Success;
        });
        return command;
    }

    internal sealed record B1Result(int Iterations, double Cost, double AngleError, double Solve_ms, double Iteration_us, double WarmMedian_us,
        double WarmP99_us, double Rollout_us, double Jacobians_us, double Backward_us, long AllocatedPerSolve);

    internal static B1Result RunB1(int solves, int warmSteps)
    {
        var solver = new IlqrSolver(B1.Problem(), B1.Options);
        var x0 = B1.InitialState;
        var next = new double[4];
        for (var i = 0; i < 5; i++) { solver.Reset(); solver.Solve(x0, 200); } // JIT warm-up
        var times = new double[solves];
        for (var i = 0; i < solves; i++)
        {
            solver.Reset();
            var t = Stopwatch.GetTimestamp();
            solver.Solve(x0, 200);
            times[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        Array.Sort(times);
        var iterations = solver.Solution.Iterations;
        var cost = solver.Solution.Cost;
        var angle = Math.Abs(solver.Solution.State(B1.Steps)[1] - Math.PI);
        solver.Reset();
        var before = GC.GetAllocatedBytesForCurrentThread();
        solver.Solve(x0, 200);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var warm = new double[warmSteps];
        for (var i = 0; i < warmSteps; i++)
        {
            solver.Solution.State(1).CopyTo(next);
            var t = Stopwatch.GetTimestamp();
            B1.WarmStep(solver, next);
            warm[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }
        Array.Sort(warm);

        solver.Reset();
        solver.Solve(x0, 200);
        double Phase(Action a)
        {
            for (var i = 0; i < 50; i++) a();
            var t = Stopwatch.GetTimestamp();
            for (var i = 0; i < 500; i++) a();
            return Stopwatch.GetElapsedTime(t).TotalMicroseconds / 500;
        }
        var rollout = Phase(() => solver.ForwardPass(x0, 0.5));
        var jacobians = Phase(solver.ComputeJacobians);
        var backward = Phase(() => solver.BackwardPass());
        var median = times[times.Length / 2];
        return new B1Result(iterations, cost, angle, median, median * 1000 / iterations, warm[warm.Length / 2], warm[(int)(warm.Length * 0.99)],
            rollout, jacobians, backward, allocated);
    }

    public static Command SamplingCommand(TextWriter output)
    {
        var samples = new Option<int>("--samples") { Description = "Candidate sequences", DefaultValueFactory = _ => 500 };
        var horizon = new Option<int>("--horizon") { Description = "Steps per candidate", DefaultValueFactory = _ => 30 };
        var threads = new Option<int>("--threads") { Description = "Rollout threads (0: all cores)", DefaultValueFactory = _ => 0 };
        var repeats = new Option<int>("--repeats") { Description = "Planning steps timed", DefaultValueFactory = _ => 50 };
        var command = new Command("sampling", "CEM, MPPI and random shooting on the cart-pole: planning time per control step (default 500 samples × horizon 30)")
        {
            samples, horizon, threads, repeats,
        };
        command.SetAction(parse =>
        {
            var console = RunCommand.Console(output);
            var table = new Table().Border(TableBorder.Rounded).AddColumns("planner", "samples × horizon", "iterations", "threads", "ms per control step (median · p99)", "ms per iteration", "bytes per step");
            foreach (var method in new[] { SamplingMethod.Cem, SamplingMethod.Mppi, SamplingMethod.Random })
            {
                var basis = B1.Problem();
                var problem = new PlanningProblem(basis.Model, basis.Cost, Math.Max(1, parse.GetValue(horizon)), B1.Dt, basis.ControlMin, basis.ControlMax);
                var options = new SamplingOptions { Samples = Math.Max(2, parse.GetValue(samples)), Elites = Math.Min(50, Math.Max(2, parse.GetValue(samples))), Threads = parse.GetValue(threads), Iterations = method == SamplingMethod.Random ? 1 : 5 };
                using var planner = new SamplingPlanner(problem, method, options);
                var x = B1.InitialState;
                for (var i = 0; i < 5; i++) planner.Solve(x, options.Iterations);
                var n = Math.Max(1, parse.GetValue(repeats));
                var t = new double[n];
                var before = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < n; i++)
                {
                    var s = Stopwatch.GetTimestamp();
                    planner.Solution.Shift(1);
                    planner.Solve(x, options.Iterations);
                    t[i] = Stopwatch.GetElapsedTime(s).TotalMilliseconds;
                }
                var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / n;
                Array.Sort(t);
                table.AddRow(planner.Name, $"{options.Samples} × {problem.Steps}", $"{options.Iterations}", $"{planner.Threads}",
                    $"{t[n / 2]:0.###} · {t[Math.Min(n - 1, (int)(n * 0.99))]:0.###}", $"{t[n / 2] / options.Iterations:0.###}", $"{bytes}");
            }
            console.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
