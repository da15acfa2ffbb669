namespace RlRobotics.Learning.Compute;

/// <summary>Which backend <see cref="Blas.Create"/> should use.</summary>
public enum BlasBackend
{
    /// <summary>OpenBLAS when it loads, else the managed kernels.</summary>
    Auto,
    OpenBlas,
    Managed,
}

/// <summary>Picks the <see cref="IBlas"/> backend (environment variable <c>RLR_BLAS=openblas|managed</c> overrides Auto).</summary>
public static class Blas
{
    private static readonly object Gate = new();
    private static IBlas? s_default;

    /// <summary>The process-wide default: Auto with one OpenBLAS thread (or <c>RLR_BLAS_THREADS</c>).</summary>
    public static IBlas Default
    {
        get
        {
            lock (Gate)
            {
                var threads = int.TryParse(Environment.GetEnvironmentVariable("RLR_BLAS_THREADS"), out var t) && t > 0 ? t : 1;
                return s_default ??= Create(BlasBackend.Auto, threads);
            }
        }
    }

    /// <summary>
    /// A backend. <see cref="BlasBackend.OpenBlas"/> throws <see cref="InvalidOperationException"/> with the reason when
    /// the library cannot be loaded; Auto falls back to the managed kernels.
    /// </summary>
    public static IBlas Create(BlasBackend backend, int threads = 1)
    {
        if (backend == BlasBackend.Auto)
        {
            var forced = Environment.GetEnvironmentVariable("RLR_BLAS");
            if (string.Equals(forced, "managed", StringComparison.OrdinalIgnoreCase)) backend = BlasBackend.Managed;
            else if (string.Equals(forced, "openblas", StringComparison.OrdinalIgnoreCase)) backend = BlasBackend.OpenBlas;
        }
        if (backend == BlasBackend.Managed) return new ManagedBlas();
        var open = OpenBlas.TryLoad(threads, out var problem);
        if (open is not null) return open;
        if (backend == BlasBackend.OpenBlas) throw new InvalidOperationException($"OpenBLAS is not available: {problem}");
        return new ManagedBlas();
    }
}
