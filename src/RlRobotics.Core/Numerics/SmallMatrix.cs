namespace RlRobotics.Core.Numerics;

/// <summary>
/// Allocation-free dense kernels for the small row-major matrices of dynamics and control (n ≲ 20).
/// </summary>
public static class SmallMatrix
{
    /// <summary>C (r×c) = A (r×k) · B (k×c).</summary>
    public static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int r, int k, int cols)
    {
        for (var i = 0; i < r; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                double s = 0;
                for (var t = 0; t < k; t++) s += a[i * k + t] * b[t * cols + j];
                c[i * cols + j] = s;
            }
        }
    }

    /// <summary>y (r) = A (r×c) · x (c).</summary>
    public static void MultiplyVector(ReadOnlySpan<double> a, ReadOnlySpan<double> x, Span<double> y, int r, int c)
    {
        for (var i = 0; i < r; i++)
        {
            double s = 0;
            for (var j = 0; j < c; j++) s += a[i * c + j] * x[j];
            y[i] = s;
        }
    }
}
