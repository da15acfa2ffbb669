using System.Runtime.InteropServices;

namespace RlRobotics.Learning.Compute;

/// <summary>
/// <see cref="IBlas"/> over OpenBLAS's CBLAS interface (Debian <c>libopenblas0</c>, <c>libopenblas.so.0</c>), bound at
/// run time through function pointers so the program still starts, on the managed fallback, where it is missing.
/// The thread count is set once for the process (OpenBLAS keeps one pool): keep it at 1 on a robot so the real-time
/// core stays free.
/// </summary>
public sealed unsafe class OpenBlas : IBlas
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;
    private static readonly string[] LibraryNames = { "libopenblas.so.0", "libopenblas.so", "libopenblas" };

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;

    private OpenBlas(IntPtr library, int threads)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)
            NativeLibrary.GetExport(library, "cblas_sgemm");
        if (NativeLibrary.TryGetExport(library, "openblas_set_num_threads", out var setThreads))
            ((delegate* unmanaged<int, void>)setThreads)(threads);
        Threads = NativeLibrary.TryGetExport(library, "openblas_get_num_threads", out var getThreads)
            ? ((delegate* unmanaged<int>)getThreads)() : threads;
        Name = $"openblas ({Threads} thread{(Threads == 1 ? "" : "s")})";
    }

    public string Name { get; }

    /// <summary>Threads OpenBLAS reports it uses.</summary>
    public int Threads { get; }

    /// <summary>Loads OpenBLAS with <paramref name="threads"/> threads; null with the reason when it cannot be loaded.</summary>
    public static OpenBlas? TryLoad(int threads, out string? problem)
    {
        foreach (var name in LibraryNames)
        {
            if (!NativeLibrary.TryLoad(name, typeof(OpenBlas).Assembly, null, out var handle)) continue;
            if (!NativeLibrary.TryGetExport(handle, "cblas_sgemm", out _))
            {
                problem = $"{name} has no cblas_sgemm";
                return null;
            }
            problem = null;
            return new OpenBlas(handle, Math.Max(1, threads));
        }
        problem = "libopenblas.so.0 not found (Debian package libopenblas0)";
        return null;
    }

    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        BlasChecks.Gemm(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        fixed (float* pa = a, pb = b, pc = c)
        {
            _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }
}
