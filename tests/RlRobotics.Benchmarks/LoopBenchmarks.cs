using BenchmarkDotNet.Attributes;
using RlRobotics.Cli.Node;
using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Sim.Models;

namespace RlRobotics.Benchmarks;

/// <summary>
/// The control cycle on the simulated clock (cart-pole, LQR: read with RK4 physics, controller, safety filter,
/// write, task monitor) and its parts. MemoryDiagnoser shows the allocations: 0 B per cycle is the target.
/// </summary>
[MemoryDiagnoser]
public class LoopBenchmarks
{
    private RobotNode? _node;
    private RobotSpec? _spec;
    private Rk4? _rk4;
    private readonly double[] _x = { 0.1, 3.0, 0.2, -0.1 }, _u = { 1.5 }, _next = new double[4], _a = new double[16], _b = new double[4];

    [GlobalSetup]
    public void Setup()
    {
        _spec = RobotSpecLoader.LoadFile(Path.Combine(RepositoryRoot.Find(), "robots", "cartpole.sim.yaml"));
        _rk4 = new Rk4(new CartPole(new CartPoleParameters()));
    }

    [IterationSetup(Target = nameof(CartPoleLqr1000Cycles))]
    public void BuildNode()
    {
        _node?.Dispose();
        _node = RobotNode.Build(new NodeOptions { Robot = _spec!, Duration_s = 1.0, Clock = new SimulatedClock() });
        _node.Activate();
    }

    /// <summary>1000 full cycles (1 s of robot time at 1 kHz).</summary>
    [Benchmark]
    public long CartPoleLqr1000Cycles()
    {
        _node!.Loop.Run();
        return _node.Loop.Statistics.Cycles;
    }

    /// <summary>One RK4 step of the cart-pole with exact Jacobians (the iLQR/LQR linearisation kernel).</summary>
    [Benchmark]
    public double Rk4StepWithJacobians()
    {
        _rk4!.StepWithJacobians(_x, _u, 0.02, _next, _a, _b);
        return _next[1];
    }

    /// <summary>One plain RK4 step of the cart-pole.</summary>
    [Benchmark]
    public double Rk4Step()
    {
        _rk4!.Step(_x, _u, 0.02, _next);
        return _next[1];
    }
}
