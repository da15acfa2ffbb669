namespace RlRobotics.Learning.Compute;

/// <summary>
/// The dense linear algebra the learning code needs, behind one narrow seam: single-precision matrix products on
/// row-major spans. <see cref="OpenBlas"/> calls Debian's OpenBLAS; <see cref="ManagedBlas"/> is the SIMD fallback when
/// the library is absent. Both must agree to float rounding (tests check 1e-4 relative).
/// </summary>
public interface IBlas
{
    /// <summary>Backend name, e.g. <c>openblas (1 thread)</c> or <c>managed (avx512)</c>.</summary>
    string Name { get; }

    /// <summary>
    /// C = α op(A) op(B) + β C, row-major. op(A) is m×k (A is k×m when <paramref name="transA"/>), op(B) is k×n,
    /// C is m×n; lda, ldb, ldc are row strides in elements. With β = 0, C is overwritten (NaN in C does not leak).
    /// </summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc);
}
