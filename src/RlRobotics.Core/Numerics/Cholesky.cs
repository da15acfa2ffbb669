namespace RlRobotics.Core.Numerics;

/// <summary>
/// Cholesky factorisation A = L Lᵀ of a small symmetric positive-definite row-major matrix, in place (the lower
/// triangle receives L), and solves with the factor. Allocation-free.
/// </summary>
public static class Cholesky
{
    /// <summary>Factors <paramref name="a"/> (n×n) in place; false when it is not positive definite.</summary>
    public static bool TryFactorInPlace(Span<double> a, int n)
    {
        for (var j = 0; j < n; j++)
        {
            var d = a[j * n + j];
            for (var k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
            if (!(d > 0)) return false;
            d = Math.Sqrt(d);
            a[j * n + j] = d;
            for (var i = j + 1; i < n; i++)
            {
                var s = a[i * n + j];
                for (var k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
                a[i * n + j] = s / d;
            }
        }
        return true;
    }

    /// <summary>Solves L Lᵀ y = b in place, with L from <see cref="TryFactorInPlace"/>.</summary>
    public static void Solve(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (var i = 0; i < n; i++)
        {
            var s = b[i];
            for (var k = 0; k < i; k++) s -= l[i * n + k] * b[k];
            b[i] = s / l[i * n + i];
        }
        for (var i = n - 1; i >= 0; i--)
        {
            var s = b[i];
            for (var k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
            b[i] = s / l[i * n + i];
        }
    }
}
