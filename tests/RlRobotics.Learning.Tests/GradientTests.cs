using RlRobotics.Learning.Compute;
using RlRobotics.Learning.Nn;

namespace RlRobotics.Learning.Tests;

/// <summary>Finite-difference checks of every layer, loss and the input Jacobians (float32, central differences).</summary>
public class GradientTests
{
    [Theory]
    [InlineData(Activation.Tanh, Activation.Identity, 1, BlasBackend.OpenBlas)]
    [InlineData(Activation.Relu, Activation.Identity, 1, BlasBackend.Managed)]
    [InlineData(Activation.Silu, Activation.Identity, 3, BlasBackend.OpenBlas)]
    [InlineData(Activation.Elu, Activation.Tanh, 2, BlasBackend.Managed)]
    [InlineData(Activation.Identity, Activation.Silu, 1, BlasBackend.OpenBlas)]
    public void MlpBackwardMatchesFiniteDifferences(Activation hidden, Activation output, int members, BlasBackend backend)
    {
        var random = new Random(7);
        var mlp = new Mlp(new MlpShape(members, new[] { 3, 6, 5, 2 }, hidden, output), Blas.Create(backend));
        mlp.InitialiseOrthogonal(random, 1.0, 1.0);
        foreach (var t in mlp.Parameters.Tensors.Where(t => t.Name.EndsWith("bias")))
            for (var i = 0; i < t.Count; i++) mlp.Parameters.Values[t.Offset + i] = (float)(0.3 * (2 * random.NextDouble() - 1));
        const int batch = 4;
        var ws = mlp.CreateWorkspace(batch);
        var x = Fill(new float[members * batch * 3], random, 1);
        var c = Fill(new float[members * batch * 2], random, 1); // L = Σ c ⊙ y

        double Loss(float[] input)
        {
            var y = mlp.Forward(ws, input, batch);
            double s = 0;
            for (var i = 0; i < c.Length; i++) s += c[i] * (double)y[i];
            return s;
        }

        mlp.Parameters.ZeroGradients();
        Loss(x);
        var dx = new float[x.Length];
        mlp.Backward(ws, c, batch, dx);
        var analytic = (float[])mlp.Parameters.Gradients.Clone();
        var p = mlp.Parameters.Values;
        for (var i = 0; i < p.Length; i++)
            AssertClose(analytic[i], Central(v => { var keep = p[i]; p[i] = v; var l = Loss(x); p[i] = keep; return l; }, p[i]), $"parameter {i}");
        for (var i = 0; i < x.Length; i++)
            AssertClose(dx[i], Central(v => { var keep = x[i]; x[i] = v; var l = Loss(x); x[i] = keep; return l; }, x[i]), $"input {i}");
    }

    [Fact]
    public void GaussianNllGradientsMatchFiniteDifferences()
    {
        var random = new Random(3);
        const int rows = 6, d = 3, perMember = 3;
        var output = Fill(new float[rows * 2 * d], random, 2);
        var target = Fill(new float[rows * d], random, 1);
        var max = new float[] { 0.5f, 0.2f, -0.1f };
        var min = new float[] { -3f, -2f, -4f };
        var dOut = new float[output.Length];
        var dMax = new float[d];
        var dMin = new float[d];
        GaussianNll.Evaluate(output, target, rows, perMember, d, max, min, 0.01f, dOut, dMax, dMin);
        double Loss() => GaussianNll.Evaluate(output, target, rows, perMember, d, max, min, 0.01f, new float[output.Length], new float[d], new float[d]);
        for (var i = 0; i < output.Length; i++)
            AssertClose(dOut[i], Central(v => { var k = output[i]; output[i] = v; var l = Loss(); output[i] = k; return l; }, output[i]), $"output {i}");
        for (var j = 0; j < d; j++)
        {
            AssertClose(dMax[j], Central(v => { var k = max[j]; max[j] = v; var l = Loss(); max[j] = k; return l; }, max[j]), $"max {j}");
            AssertClose(dMin[j], Central(v => { var k = min[j]; min[j] = v; var l = Loss(); min[j] = k; return l; }, min[j]), $"min {j}");
        }
        // The squashed log-variance stays inside the bounds (to float precision) for any raw value.
        foreach (var raw in new[] { -100f, -5f, 0f, 5f, 100f })
        {
            var lv = GaussianNll.LogVariance(raw, 0.5f, -10f);
            Assert.InRange(lv, -10f, 0.5f + 1e-4f); // soft bounds: at most softplus(min − max) past the top
        }
    }

    [Fact]
    public void MseGradientMatchesFiniteDifferences()
    {
        var random = new Random(5);
        var y = Fill(new float[10], random, 1);
        var t = Fill(new float[10], random, 1);
        var g = new float[10];
        MeanSquaredError.Evaluate(y, t, g);
        for (var i = 0; i < y.Length; i++)
            AssertClose(g[i], Central(v => { var k = y[i]; y[i] = v; var l = MeanSquaredError.Evaluate(y, t, new float[10]); y[i] = k; return l; }, y[i]), $"prediction {i}");
    }

    [Theory]
    [InlineData(Activation.Silu, 2)]
    [InlineData(Activation.Tanh, 1)]
    public void InputJacobiansMatchFiniteDifferences(Activation act, int members)
    {
        var random = new Random(11);
        var mlp = new Mlp(new MlpShape(members, new[] { 4, 16, 16, 6 }, act), Blas.Default);
        mlp.InitialiseOrthogonal(random, 1.0, 1.0);
        const int batch = 3, outputs = 4;
        var ws = mlp.CreateWorkspace(batch);
        var x = Fill(new float[members * batch * 4], random, 1);
        var jac = new float[members * batch * outputs * 4];
        mlp.InputJacobians(ws, x, batch, outputs, jac);
        for (var e = 0; e < members; e++)
            for (var b = 0; b < batch; b++)
                for (var t = 0; t < outputs; t++)
                    for (var i = 0; i < 4; i++)
                    {
                        var at = (e * batch + b) * 4 + i;
                        var fd = Central(v => { var k = x[at]; x[at] = v; var y = mlp.Forward(ws, x, batch)[(e * batch + b) * 6 + t]; x[at] = k; return y; }, x[at]);
                        AssertClose(jac[((e * batch + b) * outputs + t) * 4 + i], fd, $"J[{e},{b},{t},{i}]");
                    }
    }

    [Fact]
    public void ForwardOneMatchesBatchedForwardAndAllocatesNothing()
    {
        var mlp = new Mlp(new MlpShape(2, new[] { 4, 64, 64, 1 }, Activation.Tanh));
        mlp.InitialiseOrthogonal(new Random(1));
        var ws = mlp.CreateWorkspace(1);
        var x = new float[] { 0.1f, -0.2f, 0.3f, 0.4f };
        var both = x.Concat(x).ToArray();
        var batched = mlp.Forward(ws, both, 1).ToArray();
        var y = new float[1];
        for (var e = 0; e < 2; e++)
        {
            mlp.ForwardOne(ws, e, x, y);
            Assert.Equal(batched[e], y[0], 5);
        }
        for (var i = 0; i < 100; i++) mlp.ForwardOne(ws, 0, x, y);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) mlp.ForwardOne(ws, 0, x, y);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private const float H = 1e-2f;

    private static double Central(Func<float, double> f, float at) => (f(at + H) - f(at - H)) / (2.0 * H);

    private static void AssertClose(double analytic, double numeric, string what) =>
        Assert.True(Math.Abs(analytic - numeric) <= 2e-3 + 2e-2 * Math.Abs(numeric), $"{what}: analytic {analytic:G6}, finite difference {numeric:G6}");

    internal static T Fill<T>(T x, Random r, double scale) where T : IList<float>
    {
        for (var i = 0; i < x.Count; i++) x[i] = (float)(scale * (2 * r.NextDouble() - 1));
        return x;
    }
}
