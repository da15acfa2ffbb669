using RlRobotics.Core.Dynamics;
using RlRobotics.Learning.Checkpoints;
using RlRobotics.Learning.Data;
using RlRobotics.Learning.Dynamics;

namespace RlRobotics.Learning.Tests;

public class EnsembleModelTests
{
    // A damped pendulum with torque, as data: θ̈ = −(g/l) sin θ − c θ̇ + u, Euler-stepped at dt.
    private static ReplayBuffer PendulumData(int count, int seed, double dt = 0.05)
    {
        var random = new Random(seed);
        var buffer = new ReplayBuffer(2, 1, count);
        for (var i = 0; i < count; i++)
        {
            var x = new[] { (2 * random.NextDouble() - 1) * Math.PI, (2 * random.NextDouble() - 1) * 4 };
            var u = new[] { (2 * random.NextDouble() - 1) * 2 };
            buffer.Add(x, u, PendulumStep(x, u, dt), 0);
        }
        return buffer;
    }

    private static double[] PendulumStep(double[] x, double[] u, double dt)
    {
        var acc = -9.81 * Math.Sin(x[0]) - 0.1 * x[1] + u[0];
        return new[] { x[0] + dt * x[1] + 0.5 * dt * dt * acc, x[1] + dt * acc };
    }

    private static EnsembleDynamicsModel NewModel(int members = 3, int seed = 1) =>
        new(new[] { "pendulum/position", "pendulum/velocity" }, new[] { "pendulum/effort" }, new[] { true, false },
            new EnsembleOptions { Members = members, Hidden = new[] { 32, 32 }, Dt_s = 0.05 }, seed: seed);

    [Fact]
    public void LearnsAPendulumWellEnoughForHeldOutData()
    {
        var model = NewModel();
        var trainer = new EnsembleTrainer(model, new EnsembleTrainingOptions { MaxEpochs = 60, BatchSize = 64, Seed = 2 });
        var report = trainer.Fit(PendulumData(1500, 1));
        Assert.True(report.Epochs >= 5);
        var heldOut = PendulumData(300, 99);
        var eval = EnsembleTrainer.Evaluate(model, heldOut, 0, heldOut.Count);
        // Predicting "no change" would score the variance of Δ: compare against it.
        double baseline = 0;
        for (var i = 0; i < heldOut.Count; i++)
            for (var j = 0; j < 2; j++) { var d = heldOut.Next(i)[j] - heldOut.State(i)[j]; baseline += d * d; }
        baseline /= heldOut.Count * 2;
        Assert.True(eval.Mse < 0.02 * baseline, $"held-out MSE {eval.Mse:G3} vs no-change baseline {baseline:G3}");
        Assert.True(double.IsFinite(eval.Nll));
    }

    [Fact]
    public void StepperJacobiansMatchFiniteDifferencesOfItsStep()
    {
        var model = NewModel();
        new EnsembleTrainer(model, new EnsembleTrainingOptions { MaxEpochs = 3, BatchSize = 64 }).Fit(PendulumData(200, 3));
        var stepper = model.CreateStepper();
        var x = new[] { 0.7, -1.2 };
        var u = new[] { 0.4 };
        var next = new double[2];
        var ad = new double[4];
        var bd = new double[2];
        stepper.StepWithJacobians(x, u, 0.05, next, ad, bd);
        var plain = new double[2];
        stepper.Step(x, u, 0.05, plain);
        Assert.Equal(plain, next);
        const double h = 1e-3;
        for (var j = 0; j < 2; j++)
        {
            var xp = (double[])x.Clone(); xp[j] += h;
            var xm = (double[])x.Clone(); xm[j] -= h;
            var fp = new double[2]; var fm = new double[2];
            stepper.Step(xp, u, 0.05, fp);
            stepper.Step(xm, u, 0.05, fm);
            for (var i = 0; i < 2; i++) Assert.Equal((fp[i] - fm[i]) / (2 * h), ad[i * 2 + j], 2);
        }
        var up = new[] { u[0] + h }; var um = new[] { u[0] - h };
        var gp = new double[2]; var gm = new double[2];
        stepper.Step(x, up, 0.05, gp);
        stepper.Step(x, um, 0.05, gm);
        for (var i = 0; i < 2; i++) Assert.Equal((gp[i] - gm[i]) / (2 * h), bd[i], 2);
        var error = Assert.Throws<InvalidOperationException>(() => stepper.Step(x, u, 0.01, next));
        Assert.Contains("0.05", error.Message);
    }

    [Fact]
    public void ContinuousViewIsTheForwardEulerReadingOfTheStep()
    {
        var model = NewModel();
        new EnsembleTrainer(model, new EnsembleTrainingOptions { MaxEpochs = 2, BatchSize = 64 }).Fit(PendulumData(200, 6));
        var x = new[] { 0.4, 0.9 };
        var u = new[] { -0.5 };
        var next = new double[2]; var ad = new double[4]; var bd = new double[2];
        model.CreateStepper().StepWithJacobians(x, u, 0.05, next, ad, bd);
        var xdot = new double[2]; var a = new double[4]; var b = new double[2];
        model.Derivative(x, u, xdot);
        model.Jacobians(x, u, a, b);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal((next[i] - x[i]) / 0.05, xdot[i], 9);
            Assert.Equal(bd[i] / 0.05, b[i], 9);
            for (var j = 0; j < 2; j++) Assert.Equal((ad[i * 2 + j] - (i == j ? 1 : 0)) / 0.05, a[i * 2 + j], 9);
        }
    }

    [Theory]
    [InlineData(ParticlePropagation.Ts1)]
    [InlineData(ParticlePropagation.TsInfinity)]
    [InlineData(ParticlePropagation.Mean)]
    public void PropagatorIsSeededAndMeanModeMatchesTheStepper(ParticlePropagation mode)
    {
        var model = NewModel();
        new EnsembleTrainer(model, new EnsembleTrainingOptions { MaxEpochs = 5, BatchSize = 64 }).Fit(PendulumData(300, 4));
        const int rows = 7; // not a multiple of the member count
        var x = new double[rows * 2];
        var u = new double[rows];
        for (var r = 0; r < rows; r++) { x[2 * r] = 0.1 * r; x[2 * r + 1] = -0.2 * r; u[r] = 0.3; }
        double[] Run(int seed)
        {
            var p = model.CreatePropagator(rows, mode, seed);
            p.BeginRollouts(rows);
            var next = new double[rows * 2];
            p.Step(x, u, rows, next);
            return next;
        }
        Assert.Equal(Run(5), Run(5));
        var result = Run(5);
        Assert.All(result, v => Assert.True(double.IsFinite(v)));
        if (mode == ParticlePropagation.Mean)
        {
            var stepper = model.CreateStepper();
            var single = new double[2];
            for (var r = 0; r < rows; r++)
            {
                stepper.Step(x.AsSpan(2 * r, 2), u.AsSpan(r, 1), 0.05, single);
                Assert.Equal(single[0], result[2 * r], 5);
                Assert.Equal(single[1], result[2 * r + 1], 5);
            }
        }
        else Assert.NotEqual(Run(5), Run(6)); // noise is sampled
    }

    [Fact]
    public void CheckpointRoundTripsBitExactly()
    {
        var model = NewModel();
        new EnsembleTrainer(model, new EnsembleTrainingOptions { MaxEpochs = 2, BatchSize = 64 }).Fit(PendulumData(200, 5));
        var bytes = model.ToCheckpoint().ToBytes();
        var loaded = EnsembleDynamicsModel.FromCheckpoint(Checkpoint.FromBytes(bytes));
        Assert.Equal(bytes, loaded.ToCheckpoint().ToBytes());
        Assert.Equal(model.Net.Parameters.Values, loaded.Net.Parameters.Values);
        Assert.Equal(model.InputNormaliser.Std, loaded.InputNormaliser.Std);
        var a = new double[2]; var b = new double[2];
        model.CreateStepper().Step(new[] { 0.3, 0.1 }, new[] { 1.0 }, 0.05, a);
        loaded.CreateStepper().Step(new[] { 0.3, 0.1 }, new[] { 1.0 }, 0.05, b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void CorruptedOrTruncatedCheckpointsAreRefusedWithAReason()
    {
        var bytes = NewModel().ToCheckpoint().ToBytes();
        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x40;
        Assert.Contains("checksum mismatch", Assert.Throws<CheckpointException>(() => Checkpoint.FromBytes(flipped)).Message);
        var header = (byte[])bytes.Clone();
        header[20] ^= 0x22; // inside the JSON header: found by the hash, not trusted by the parser
        Assert.Contains("checksum mismatch", Assert.Throws<CheckpointException>(() => Checkpoint.FromBytes(header)).Message);
        Assert.Contains("truncated", Assert.Throws<CheckpointException>(() => Checkpoint.FromBytes(bytes.AsSpan(0, bytes.Length - 100))).Message);
        Assert.Contains("truncated", Assert.Throws<CheckpointException>(() => Checkpoint.FromBytes(bytes.AsSpan(0, 20))).Message);
        var magic = (byte[])bytes.Clone();
        magic[0] = (byte)'X';
        Assert.Contains("not an RlRobotics checkpoint", Assert.Throws<CheckpointException>(() => Checkpoint.FromBytes(magic)).Message);
        var version = (byte[])bytes.Clone();
        version[8] = 9;
        Assert.Contains("version 9", Assert.Throws<CheckpointException>(() => Checkpoint.FromBytes(version)).Message);
        var other = new Checkpoint("mlp");
        Assert.Contains("not a dynamics ensemble", Assert.Throws<CheckpointException>(() => EnsembleDynamicsModel.FromCheckpoint(other)).Message);
        var path = Path.Combine(Path.GetTempPath(), $"rlr-missing-{Guid.NewGuid():N}.ckpt");
        Assert.Contains(path, Assert.Throws<CheckpointException>(() => Checkpoint.Load(path)).Message);
    }
}
