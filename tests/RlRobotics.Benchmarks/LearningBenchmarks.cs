using BenchmarkDotNet.Attributes;
using RlRobotics.Cli.Bench;
using RlRobotics.Learning.Compute;
using RlRobotics.Learning.Nn;

namespace RlRobotics.Benchmarks;

/// <summary>W1, W2, W3 and W5 (reference/benchmarks.md) on each BLAS backend; the same workloads as 'rlr bench learning'.</summary>
[MemoryDiagnoser]
public class LearningBenchmarks
{
    private LearningWorkloads.W1Trainer _w1 = null!;
    private LearningWorkloads.W3Rollouts _w3 = null!;
    private LearningWorkloads.W5Jacobians _w5 = null!;
    private LearningWorkloads.W4PpoUpdate _w4 = null!;
    private Mlp _policy = null!;
    private MlpWorkspace _policyWs = null!;
    private readonly float[] _obs = { 0.1f, -0.2f, 0.05f, 0.3f }, _act = new float[1];

    [Params(BlasBackend.OpenBlas, BlasBackend.Managed)]
    public BlasBackend Backend { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var blas = Blas.Create(Backend);
        _w1 = new LearningWorkloads.W1Trainer(blas);
        _w3 = new LearningWorkloads.W3Rollouts(blas);
        _w5 = new LearningWorkloads.W5Jacobians(blas);
        _w4 = new LearningWorkloads.W4PpoUpdate(blas);
        _policy = new Mlp(LearningWorkloads.W2Shape, blas);
        _policy.InitialiseOrthogonal(new Random(1));
        _policyWs = _policy.CreateWorkspace(1);
    }

    [Benchmark(Description = "W1 one training step (5 × 256 member-samples)")]
    public double W1() => _w1.Step();

    [Benchmark(Description = "W2 policy inference, batch 1")]
    public float W2() { _policy.ForwardOne(_policyWs, 0, _obs, _act); return _act[0]; }

    [Benchmark(Description = "W3 500 × 30 ensemble rollouts")]
    public double W3() => _w3.Run();

    [Benchmark(Description = "W4 one PPO update (2048 transitions × 10 epochs)")]
    public void W4() => _w4.Run();

    [Benchmark(Description = "W5 100 learned-model Jacobians")]
    public void W5() => _w5.Run();
}
