namespace RlRobotics.Learning.Compute;

/// <summary>Shape checks shared by the backends, so a wrong stride fails loudly instead of reading past a span.</summary>
internal static class BlasChecks
{
    public static void Gemm(bool transA, bool transB, int m, int n, int k, int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        var (aRows, aCols) = transA ? (k, m) : (m, k);
        var (bRows, bCols) = transB ? (n, k) : (k, n);
        Require(aRows, aCols, aLength, lda, "A");
        Require(bRows, bCols, bLength, ldb, "B");
        Require(m, n, cLength, ldc, "C");
    }

    private static void Require(int rows, int cols, int length, int ld, string name)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(name, "negative dimension");
        if (rows == 0 || cols == 0) return;
        if (ld < cols) throw new ArgumentException($"{name}: row stride {ld} < {cols} columns");
        if ((long)(rows - 1) * ld + cols > length) throw new ArgumentException($"{name}: {rows}×{cols} (stride {ld}) needs more than its {length} elements");
    }
}
