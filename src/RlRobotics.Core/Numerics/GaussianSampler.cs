namespace RlRobotics.Core.Numerics;

/// <summary>
/// Standard normal draws from a seeded <see cref="Random"/> by the Box–Muller transform: two values per pair of
/// uniforms, the second kept for the next call. Allocation-free; not thread-safe (one per thread, like its Random).
/// </summary>
public sealed class GaussianSampler
{
    private double _spare = double.NaN;

    public GaussianSampler(Random random) => Random = random;

    /// <summary>The uniform source (also usable directly, e.g. for shuffles, keeping one seeded stream).</summary>
    public Random Random { get; }

    /// <summary>The next N(0, 1) draw.</summary>
    public double Next()
    {
        if (!double.IsNaN(_spare)) { var v = _spare; _spare = double.NaN; return v; }
        var (first, second) = Pair(Random);
        _spare = second;
        return first;
    }

    /// <summary>One N(0, 1) draw, discarding its twin (initialisation, not hot paths).</summary>
    public static double Draw(Random random) => Pair(random).First;

    // r = √(−2 ln u₁), θ = 2π u₂: (r cos θ, r sin θ) are independent standard normals.
    private static (double First, double Second) Pair(Random random)
    {
        double u1;
        do u1 = random.NextDouble(); while (u1 <= double.Epsilon);
        var r = Math.Sqrt(-2 * Math.Log(u1));
        var (sin, cos) = Math.SinCos(2 * Math.PI * random.NextDouble());
        return (r * cos, r * sin);
    }
}
