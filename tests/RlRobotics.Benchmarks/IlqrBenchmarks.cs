using BenchmarkDotNet.Attributes;
using RlRobotics.Cli.Bench;
using RlRobotics.Control.Planning;

namespace RlRobotics.Benchmarks;

/// <summary>B1 (reference/benchmarks.md): full iLQR solve and the warm-started MPC step; CEM/MPPI at 500 × 30.</summary>
[MemoryDiagnoser]
public class IlqrBenchmarks
{
    private IlqrSolver _solver = null!;
    private SamplingPlanner _cem = null!, _mppi = null!;
    private readonly double[] _x0 = B1.InitialState, _next = new double[4];

    [GlobalSetup]
    public void Setup()
    {
        _solver = new IlqrSolver(B1.Problem(), B1.Options);
        _solver.Solve(_x0, 200);
        var b = B1.Problem();
        var short30 = new PlanningProblem(b.Model, b.Cost, 30, B1.Dt, b.ControlMin, b.ControlMax);
        _cem = new SamplingPlanner(short30, SamplingMethod.Cem, new SamplingOptions());
        _mppi = new SamplingPlanner(short30, SamplingMethod.Mppi, new SamplingOptions());
    }

    [GlobalCleanup]
    public void Cleanup() { _cem.Dispose(); _mppi.Dispose(); }

    [Benchmark(Description = "B1 full solve (200 iterations max)")]
    public int FullSolve()
    {
        _solver.Reset();
        _solver.Solve(_x0, 200);
        return _solver.Solution.Iterations;
    }

    [Benchmark(Description = "B1 warm MPC step")]
    public SolveStatus WarmStep()
    {
        _solver.Solution.State(1).CopyTo(_next);
        return B1.WarmStep(_solver, _next);
    }

    [Benchmark(Description = "CEM 500 × 30, 5 iterations")]
    public SolveStatus Cem() => _cem.Solve(_x0, 5);

    [Benchmark(Description = "MPPI 500 × 30, 5 iterations")]
    public SolveStatus Mppi() => _mppi.Solve(_x0, 5);
}
