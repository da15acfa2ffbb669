using RlRobotics.Learning.Data;
using RlRobotics.Learning.Nn;
using RlRobotics.Learning.Optim;

namespace RlRobotics.Learning.Tests;

public class TrainingPartsTests
{
    [Fact]
    public void AdamMinimisesAQuadratic()
    {
        var set = new ParameterSet(new[] { ("p", new[] { 3 }) });
        set.Values[0] = 5; set.Values[1] = -3; set.Values[2] = 1;
        var target = new[] { 1f, 2f, -0.5f };
        var adam = new Adam(new[] { set }, new AdamOptions { LearningRate = 0.05 });
        for (var i = 0; i < 2000; i++)
        {
            for (var j = 0; j < 3; j++) set.Gradients[j] = 2 * (set.Values[j] - target[j]);
            adam.Step();
        }
        for (var j = 0; j < 3; j++) Assert.Equal(target[j], set.Values[j], 2);
    }

    [Fact]
    public void AdamWDecaysWeightsWithoutGradient()
    {
        var set = new ParameterSet(new[] { ("p", new[] { 9 }) });
        Array.Fill(set.Values, 1f);
        var adam = new Adam(new[] { set }, new AdamOptions { LearningRate = 0.1, WeightDecay = 0.5 });
        for (var i = 0; i < 10; i++) adam.Step(); // zero gradients: only the decoupled decay acts
        Assert.All(set.Values, v => Assert.Equal(Math.Pow(1 - 0.05, 10), v, 4));
    }

    [Fact]
    public void GlobalNormClippingScalesEverySet()
    {
        var a = new ParameterSet(new[] { ("a", new[] { 2 }) });
        var b = new ParameterSet(new[] { ("b", new[] { 1 }) });
        a.Gradients[0] = 3; a.Gradients[1] = 0; b.Gradients[0] = 4;
        var before = ParameterSet.ClipGradientNorm(new[] { a, b }, 1.0);
        Assert.Equal(5, before, 5);
        Assert.Equal(1, ParameterSet.GradientNorm(new[] { a, b }), 5);
        Assert.Equal(0.6f, a.Gradients[0], 5);
        Assert.Equal(0.8f, b.Gradients[0], 5);
    }

    [Theory]
    [InlineData(64, 4)]
    [InlineData(4, 64)]
    [InlineData(16, 16)]
    public void OrthogonalInitialisationIsOrthonormalTimesGain(int rows, int cols)
    {
        var w = new float[rows * cols];
        Initialisers.Orthogonal(w, rows, cols, 2.0, new Random(1));
        // The shorter side's vectors are orthonormal (× gain): WᵀW = g²I when rows ≥ cols, else WWᵀ = g²I.
        var r = Math.Min(rows, cols);
        for (var i = 0; i < r; i++)
            for (var j = 0; j < r; j++)
            {
                double s = 0;
                if (rows >= cols) for (var t = 0; t < rows; t++) s += w[t * cols + i] * w[t * cols + j];
                else for (var t = 0; t < cols; t++) s += w[i * cols + t] * w[j * cols + t];
                Assert.Equal(i == j ? 4.0 : 0.0, s, 3);
            }
    }

    [Fact]
    public void NormaliserMatchesBatchStatisticsAndInverts()
    {
        var data = new float[] { 1, 10, 2, 20, 3, 30, 4, 40 };
        var n = new Normaliser(2);
        n.Fit(data, 4);
        Assert.Equal(2.5f, n.Mean[0], 5);
        Assert.Equal(25f, n.Mean[1], 4);
        Assert.Equal((float)Math.Sqrt(1.25), n.Std[0], 5);
        var y = new float[8];
        n.Apply(data, y);
        var back = new float[8];
        n.Invert(y, back);
        for (var i = 0; i < 8; i++) Assert.Equal(data[i], back[i], 4);
        var constant = new Normaliser(1);
        constant.Fit(new float[] { 5, 5, 5 }, 3);
        Assert.Equal(1e-3f, constant.Std[0], 6); // the floor, so new inputs cannot blow up
    }

    [Fact]
    public void AssemblerPairsStatesWithTheDelayedCommandAndBreaksOnGaps()
    {
        var buffer = new ReplayBuffer(1, 1, 100);
        var assembler = new TransitionAssembler(1, 1, 0.02, delaySteps: 1);
        // samples: t, x, u issued at that sample
        assembler.Add(new[] { 0.00, 0.0, 5.0 }, buffer, 0);
        assembler.Add(new[] { 0.02, 0.1, 6.0 }, buffer, 0);
        assembler.Add(new[] { 0.04, 0.3, 7.0 }, buffer, 0);
        Assert.Equal(2, buffer.Count);
        Assert.Equal(0.0, buffer.Control(0)[0]);      // nothing issued before the first sample had arrived yet
        Assert.Equal(5.0, buffer.Control(1)[0]);      // over [0.02, 0.04] the command from t = 0 acted
        Assert.Equal(0.3, buffer.Next(1)[0]);
        assembler.Add(new[] { 0.10, 0.9, 8.0 }, buffer, 0); // a gap: no transition across it
        Assert.Equal(2, buffer.Count);
        Assert.Equal(1, assembler.Gaps);
    }

    [Fact]
    public void ReplayBufferOverwritesTheOldestWhenFull()
    {
        var buffer = new ReplayBuffer(1, 1, 3);
        for (var i = 0; i < 5; i++) buffer.Add(new double[] { i }, new double[] { 0 }, new double[] { i + 1 }, i);
        Assert.Equal(3, buffer.Count);
        Assert.Equal(5, buffer.Added);
        Assert.Equal(new double[] { 3, 4, 2 }, Enumerable.Range(0, 3).Select(i => buffer.State(i)[0]));
        Assert.Throws<ArgumentException>(() => buffer.Add(new double[2], new double[1], new double[1], 0));
    }
}
