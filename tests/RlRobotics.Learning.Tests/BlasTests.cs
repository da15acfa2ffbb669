using RlRobotics.Learning.Compute;

namespace RlRobotics.Learning.Tests;

public class BlasTests
{
    // OpenBLAS is installed by scripts/install-deps.sh test; its absence is a failure here, not a skip.
    private static readonly IBlas Open = Blas.Create(BlasBackend.OpenBlas);
    private static readonly IBlas Managed = Blas.Create(BlasBackend.Managed);

    [Theory]
    [InlineData(false, false, 7, 19, 13)]
    [InlineData(true, false, 7, 19, 13)]
    [InlineData(false, true, 7, 19, 13)]
    [InlineData(true, true, 7, 19, 13)]
    [InlineData(false, false, 33, 200, 65)]
    [InlineData(true, false, 256, 200, 5)]
    [InlineData(false, true, 1, 64, 64)]
    [InlineData(true, true, 100, 8, 200)]
    public void OpenBlasAndManagedAgree(bool ta, bool tb, int m, int n, int k)
    {
        var random = new Random(m * 1000 + n * 10 + k);
        int lda = ta ? m + 3 : k + 2, ldb = tb ? k + 1 : n + 4, ldc = n + 5; // padded strides
        var a = Fill(new float[(ta ? k : m) * lda], random);
        var b = Fill(new float[(tb ? n : k) * ldb], random);
        var c0 = Fill(new float[m * ldc], random);
        var c1 = (float[])c0.Clone();
        var original = (float[])c0.Clone();
        Open.Gemm(ta, tb, m, n, k, 0.7f, a, lda, b, ldb, 0.3f, c0, ldc);
        Managed.Gemm(ta, tb, m, n, k, 0.7f, a, lda, b, ldb, 0.3f, c1, ldc);
        var scale = c0.Max(Math.Abs);
        for (var i = 0; i < c0.Length; i++) Assert.True(Math.Abs(c0[i] - c1[i]) <= 1e-4 * scale, $"element {i}: {c0[i]} vs {c1[i]}");
        // And against a double-precision reference for one element per row.
        for (var i = 0; i < m; i++)
        {
            var j = i % n;
            double s = 0;
            for (var p = 0; p < k; p++) s += (ta ? a[p * lda + i] : a[i * lda + p]) * (double)(tb ? b[j * ldb + p] : b[p * ldb + j]);
            var expected = 0.7 * s + 0.3 * original[i * ldc + j];
            Assert.True(Math.Abs(c0[i * ldc + j] - expected) <= 1e-4 * Math.Max(1, scale), $"row {i}: {c0[i * ldc + j]} vs {expected}");
        }
    }

    [Fact]
    public void BetaZeroOverwritesNaN()
    {
        foreach (var blas in new[] { Open, Managed })
        {
            var c = Enumerable.Repeat(float.NaN, 6).ToArray();
            blas.Gemm(false, false, 2, 3, 1, 1f, new float[] { 1, 2 }, 1, new float[] { 1, 2, 3 }, 3, 0f, c, 3);
            Assert.Equal(new float[] { 1, 2, 3, 2, 4, 6 }, c);
        }
    }

    [Fact]
    public void WrongShapeIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => Managed.Gemm(false, false, 2, 2, 2, 1f, new float[3], 2, new float[4], 2, 0f, new float[4], 2));
        Assert.Contains("A:", e.Message);
    }

    private static float[] Fill(float[] x, Random r)
    {
        for (var i = 0; i < x.Length; i++) x[i] = (float)(2 * r.NextDouble() - 1);
        return x;
    }
}
