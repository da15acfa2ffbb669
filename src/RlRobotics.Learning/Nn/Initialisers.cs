using RlRobotics.Core.Numerics;

namespace RlRobotics.Learning.Nn;

/// <summary>Weight initialisation.</summary>
public static class Initialisers
{
    /// <summary>
    /// Orthogonal initialisation (Saxe et al. 2014), as PPO implementations use: a Gaussian matrix made orthonormal by
    /// modified Gram–Schmidt along its shorter side, times <paramref name="gain"/>. Fills a rows×cols row-major block.
    /// </summary>
    public static void Orthogonal(Span<float> w, int rows, int cols, double gain, Random random)
    {
        // Orthonormalise the shorter dimension's vectors: r vectors of length c, r ≤ c.
        var transpose = rows > cols;
        int r = transpose ? cols : rows, c = transpose ? rows : cols;
        var q = new double[r * c];
        for (var i = 0; i < q.Length; i++) q[i] = Normal(random);
        for (var i = 0; i < r; i++)
        {
            var vi = q.AsSpan(i * c, c);
            for (var pass = 0; pass < 2; pass++) // twice is enough for float-level orthogonality
            {
                for (var j = 0; j < i; j++)
                {
                    var vj = q.AsSpan(j * c, c);
                    double dot = 0;
                    for (var t = 0; t < c; t++) dot += vi[t] * vj[t];
                    for (var t = 0; t < c; t++) vi[t] -= dot * vj[t];
                }
            }
            double norm = 0;
            for (var t = 0; t < c; t++) norm += vi[t] * vi[t];
            norm = Math.Sqrt(norm);
            for (var t = 0; t < c; t++) vi[t] /= norm;
        }
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < cols; j++)
                w[i * cols + j] = (float)(gain * (transpose ? q[j * c + i] : q[i * c + j]));
    }

    /// <summary>Truncated normal with standard deviation 1/(2√fan_in), cut at two deviations (PETS's initialisation).</summary>
    public static void TruncatedNormal(Span<float> w, int fanIn, Random random)
    {
        var std = 1.0 / (2 * Math.Sqrt(fanIn));
        for (var i = 0; i < w.Length; i++)
        {
            double z;
            do z = Normal(random); while (Math.Abs(z) > 2);
            w[i] = (float)(std * z);
        }
    }

    private static double Normal(Random random) => GaussianSampler.Draw(random);
}
