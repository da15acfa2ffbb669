using System.Diagnostics;
using RlRobotics.Core.Dynamics;
using RlRobotics.Learning.Compute;
using RlRobotics.Learning.Dynamics;
using RlRobotics.Learning.Nn;
using RlRobotics.Learning.Optim;

namespace RlRobotics.Cli.Bench;

/// <summary>
/// The learning workloads W1, W2, W3 and W5 of the shared benchmark definitions (float32), built once here for
/// <c>rlr bench learning</c>, the BenchmarkDotNet project and the tests, with the PyTorch CPU reference figures.
/// </summary>
public static class LearningWorkloads
{
    public const double ReferenceW1_samplesPerS = 65_000;  // PyTorch 1.13, 2 threads, baddbmm ensemble
    public const double ReferenceW2_us = 40;               // eager, no_grad (TorchScript: 23)
    public const double ReferenceW3_ms = 58;
    public const double ReferenceW5_ms = 3.9;              // functorch vmap(jacrev) (hand-written forward mode: 2.0)
    public const double ReferenceW4_ms = 850;

    /// <summary>W1's network: 5 members, 5 → 200 → 200 → 200 → 8, SiLU.</summary>
    public static MlpShape W1Shape(int members = 5) => new(members, new[] { 5, 200, 200, 200, 8 }, Activation.Silu);

    /// <summary>W2's policy: 4 → 64 → 64 → 1, tanh.</summary>
    public static MlpShape W2Shape => new(1, new[] { 4, 64, 64, 1 }, Activation.Tanh);

    /// <summary>W1's ensemble as a dynamics model (4 states, 1 action, no angle features so the input is 5 wide).</summary>
    public static EnsembleDynamicsModel W1Model(IBlas blas, int members = 5) =>
        new(new[] { "s0", "s1", "s2", "s3" }, new[] { "a0" }, new[] { false, false, false, false },
            new EnsembleOptions { Members = members, Hidden = new[] { 200, 200, 200 }, Activation = Activation.Silu }, blas, seed: 1);

    /// <summary>
    /// W4: one full PPO update — actor 4 → 64 → 64 → 1 tanh with a state-independent log σ, critic 4 → 64 → 64 → 1 tanh,
    /// 2048 transitions, 10 epochs of 32 minibatches, clip 0.2, Adam 3e-4, gradient norm 0.5 — on a batch collected from
    /// the cart-pole (observation [p, θ, ṗ, θ̇]).
    /// </summary>
    public sealed class W4PpoUpdate
    {
        private readonly Learning.Rl.OnPolicyTrainer _trainer;

        public W4PpoUpdate(IBlas blas)
        {
            var model = new Sim.Models.CartPole(new Sim.Models.CartPoleParameters());
            var resolve = Learning.Envs.EnvTaskReader.StepNames(model.StateNames, model.ControlNames);
            var n = model.StateSize;
            var task = new Learning.Envs.EnvTask
            {
                StateNames = model.StateNames,
                ActionNames = model.ControlNames,
                Observation = model.StateNames.Select(s => Core.Expressions.Expression.Compile(s, resolve)).ToList(),
                Reward = Core.Expressions.Expression.Compile("(1 - cos(pole/position)) / 2 - 0.001 * sq(cart/effort)", resolve),
                EpisodeSteps = 200,
                Dt_s = 0.02,
                StateClip = Enumerable.Repeat(double.PositiveInfinity, n).ToArray(),
                InitialLow = new double[n],
                InitialHigh = new double[n],
                ActionLow = new[] { -10.0 },
                ActionHigh = new[] { 10.0 },
            };
            var options = new Learning.Rl.OnPolicyOptions
            {
                TotalSteps = 1_000_000, Envs = 1, StepsPerEnv = 2048, Epochs = 10, MinibatchSize = 64, ClipRange = 0.2,
                LearningRate = 3e-4, MaxGradNorm = 0.5, Hidden = new[] { 64, 64 }, Activation = Activation.Tanh, Seed = 1,
            };
            _trainer = new Learning.Rl.OnPolicyTrainer(task, model, options, blas: blas);
            _trainer.RunIteration();
        }

        /// <summary>One full update (320 minibatch steps).</summary>
        public void Run() => _trainer.UpdateOnLastBatch();
    }

    /// <summary>One W1 training step: forward, Gaussian NLL with learnable bounds, backward, Adam.</summary>
    public sealed class W1Trainer
    {
        private readonly EnsembleDynamicsModel _model;
        private readonly MlpWorkspace _ws;
        private readonly Adam _adam;
        private readonly float[] _x, _y, _dOut;
        public const int Batch = 256;

        public W1Trainer(IBlas blas)
        {
            _model = W1Model(blas);
            _ws = _model.Net.CreateWorkspace(Batch);
            _adam = new Adam(new[] { _model.Net.Parameters, _model.Bounds }, new AdamOptions { LearningRate = 1e-3 });
            var random = new Random(2);
            _x = new float[5 * Batch * 5];
            _y = new float[5 * Batch * 4];
            _dOut = new float[5 * Batch * 8];
            for (var i = 0; i < _x.Length; i++) _x[i] = (float)(2 * random.NextDouble() - 1);
            for (var i = 0; i < _y.Length; i++) _y[i] = (float)(0.5 * random.NextDouble());
        }

        public int MemberSamplesPerStep => 5 * Batch;

        public double Step()
        {
            _model.Net.Parameters.ZeroGradients();
            _model.Bounds.ZeroGradients();
            var output = _model.Net.Forward(_ws, _x, Batch);
            var b = _model.Bounds;
            var loss = GaussianNll.Evaluate(output, _y, 5 * Batch, Batch, 4, b.Values.AsSpan(0, 4), b.Values.AsSpan(4, 4), 0.01f,
                _dOut, b.Gradients.AsSpan(0, 4), b.Gradients.AsSpan(4, 4));
            _model.Net.Backward(_ws, _dOut, Batch);
            _adam.Step();
            return loss;
        }
    }

    /// <summary>W3: 500 candidate sequences × 30 steps through W1's ensemble, each candidate bound to one member (TS-∞).</summary>
    public sealed class W3Rollouts
    {
        public const int Candidates = 500, Horizon = 30;
        private readonly IParticlePropagator _propagator;
        private readonly double[] _x, _next, _u;

        public W3Rollouts(IBlas blas)
        {
            var model = W1Model(blas);
            _propagator = model.CreatePropagator(Candidates, ParticlePropagation.TsInfinity, 3);
            _x = new double[Candidates * 4];
            _next = new double[Candidates * 4];
            _u = new double[Candidates * Horizon];
            var random = new Random(4);
            for (var i = 0; i < _u.Length; i++) _u[i] = 2 * random.NextDouble() - 1;
        }

        public double Run()
        {
            Array.Clear(_x);
            _propagator.BeginRollouts(Candidates);
            var x = _x;
            var next = _next;
            for (var k = 0; k < Horizon; k++)
            {
                _propagator.Step(x, _u.AsSpan(k * Candidates, Candidates), Candidates, next);
                (x, next) = (next, x);
            }
            return x[0];
        }
    }

    /// <summary>W5: ∂mean/∂x (4×4) and ∂mean/∂u (4×1) of one W1 member at 100 points, by batched reverse mode.</summary>
    public sealed class W5Jacobians
    {
        public const int Points = 100;
        private readonly Mlp _member;
        private readonly MlpWorkspace _ws;
        private readonly float[] _x, _jacobian;

        public W5Jacobians(IBlas blas)
        {
            _member = new Mlp(W1Shape(1), blas);
            _member.InitialiseTruncatedNormal(new Random(5));
            _ws = _member.CreateWorkspace(Points);
            _x = new float[Points * 5];
            _jacobian = new float[Points * 4 * 5];
            var random = new Random(6);
            for (var i = 0; i < _x.Length; i++) _x[i] = (float)(2 * random.NextDouble() - 1);
        }

        /// <summary>J[p, t, i]: the 4 mean outputs by the 5 inputs (4 states, 1 action) at each point.</summary>
        public ReadOnlySpan<float> Jacobians => _jacobian;

        public void Run() => _member.InputJacobians(_ws, _x, Points, 4, _jacobian);
    }

    /// <summary>
    /// Times <paramref name="action"/>: median and p99 per call, s, and bytes allocated per call. Warm-up runs at least
    /// <paramref name="warmup"/> calls and at least half a second, so tiered JIT has installed optimised code (its
    /// promotion waits for 100 ms without new tier-0 compilations) before anything is timed.
    /// </summary>
    public static (double Median, double P99, double BytesPerCall) Time(Action action, int calls, int warmup)
    {
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < warmup || warm.ElapsedMilliseconds < 500; i++) action();
        var times = new double[calls];
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < calls; i++)
        {
            var t = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(t).TotalSeconds;
        }
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)calls;
        Array.Sort(times);
        return (times[calls / 2], times[Math.Min(calls - 1, (int)(0.99 * calls))], bytes);
    }
}
