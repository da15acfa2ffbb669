using System.Runtime.Intrinsics;

namespace RlRobotics.Learning.Compute;

/// <summary>
/// Managed SIMD fallback for <see cref="IBlas"/>: a register-blocked kernel (4 rows × 16 columns of C held in eight
/// 256-bit accumulators, fused multiply-add over k), B transposed into a per-thread buffer when needed. Single-threaded:
/// callers parallelise over ensemble members or batches. Allocation-free once a thread's buffer has grown.
/// </summary>
public sealed unsafe class ManagedBlas : IBlas
{
    [ThreadStatic] private static float[]? t_packed;

    public string Name => Vector256.IsHardwareAccelerated ? "managed (256-bit SIMD)" : "managed (scalar)";

    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        BlasChecks.Gemm(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        for (var i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0) row.Clear();
            else if (beta != 1) for (var j = 0; j < n; j++) row[j] *= beta;
        }
        if (k == 0 || alpha == 0) return;
        if (transB)
        {
            // op(B) = Bᵀ: copy it to k×n row-major so the kernel streams contiguous rows.
            var need = k * n;
            var packed = t_packed is { } p && p.Length >= need ? p : (t_packed = new float[Math.Max(need, 4096)]);
            for (var j = 0; j < n; j++)
            {
                var src = b.Slice(j * ldb, k);
                for (var q = 0; q < k; q++) packed[q * n + j] = src[q];
            }
            fixed (float* pa = a, pb = packed, pc = c) Kernel(transA, m, n, k, alpha, pa, lda, pb, n, pc, ldc);
        }
        else
        {
            fixed (float* pa = a, pb = b, pc = c) Kernel(transA, m, n, k, alpha, pa, lda, pb, ldb, pc, ldc);
        }
    }

    // C += α op(A) B with B k×n row-major. a(i, p) = transA ? A[p·lda + i] : A[i·lda + p].
    private static void Kernel(bool transA, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float* c, int ldc)
    {
        var rowStep = transA ? 1 : lda;   // distance between a(i, p) and a(i + 1, p)
        var depthStep = transA ? lda : 1; // distance between a(i, p) and a(i, p + 1)
        var vAlpha = Vector256.Create(alpha);
        var i = 0;
        for (; i + 4 <= m; i += 4)
        {
            var a0 = a + i * rowStep;
            var j = 0;
            for (; j + 16 <= n; j += 16)
            {
                Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default,
                                 c20 = default, c21 = default, c30 = default, c31 = default;
                var ap = a0;
                var bp = b + j;
                for (var p = 0; p < k; p++, ap += depthStep, bp += ldb)
                {
                    var b0 = Vector256.Load(bp);
                    var b1 = Vector256.Load(bp + 8);
                    var x = Vector256.Create(ap[0]);
                    c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
                    x = Vector256.Create(ap[rowStep]);
                    c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
                    x = Vector256.Create(ap[2 * rowStep]);
                    c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
                    x = Vector256.Create(ap[3 * rowStep]);
                    c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
                }
                Accumulate(c + i * ldc + j, vAlpha, c00, c01);
                Accumulate(c + (i + 1) * ldc + j, vAlpha, c10, c11);
                Accumulate(c + (i + 2) * ldc + j, vAlpha, c20, c21);
                Accumulate(c + (i + 3) * ldc + j, vAlpha, c30, c31);
            }
            for (var r = 0; r < 4; r++) Row(a0 + r * rowStep, depthStep, k, alpha, b, ldb, c + (i + r) * ldc, j, n);
        }
        for (; i < m; i++) Row(a + i * rowStep, depthStep, k, alpha, b, ldb, c + i * ldc, 0, n);
    }

    private static void Accumulate(float* c, Vector256<float> alpha, Vector256<float> lo, Vector256<float> hi)
    {
        Vector256.FusedMultiplyAdd(alpha, lo, Vector256.Load(c)).Store(c);
        Vector256.FusedMultiplyAdd(alpha, hi, Vector256.Load(c + 8)).Store(c + 8);
    }

    // One row of C, columns [j0, n): 8-wide then scalar.
    private static void Row(float* ai, int depthStep, int k, float alpha, float* b, int ldb, float* ci, int j0, int n)
    {
        var j = j0;
        for (; j + 8 <= n; j += 8)
        {
            Vector256<float> acc = default;
            var ap = ai;
            var bp = b + j;
            for (var p = 0; p < k; p++, ap += depthStep, bp += ldb) acc = Vector256.FusedMultiplyAdd(Vector256.Create(*ap), Vector256.Load(bp), acc);
            Vector256.FusedMultiplyAdd(Vector256.Create(alpha), acc, Vector256.Load(ci + j)).Store(ci + j);
        }
        for (; j < n; j++)
        {
            float acc = 0;
            var ap = ai;
            for (var p = 0; p < k; p++, ap += depthStep) acc += *ap * b[p * ldb + j];
            ci[j] += alpha * acc;
        }
    }
}
