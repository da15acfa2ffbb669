namespace RlRobotics.Learning.Nn;

/// <summary>
/// Gaussian negative log-likelihood with PETS's soft-bounded log-variance (Chua et al. 2018). The network emits
/// [μ (d), raw (d)] per row; the log-variance is squashed between learnable bounds,
/// ℓ = ℓ_max − softplus(ℓ_max − raw), then ℓ = ℓ_min + softplus(ℓ − ℓ_min), and the loss per member is
/// L = (1/(B d)) Σ ½[(μ − y)² e^{−ℓ} + ℓ] + c (Σ ℓ_max − Σ ℓ_min), summed over members; c keeps the bounds tight.
/// </summary>
public static class GaussianNll
{
    /// <summary>Squashed log-variance of one raw output.</summary>
    public static float LogVariance(float raw, float max, float min)
    {
        var a = max - Softplus(max - raw);
        return min + Softplus(a - min);
    }

    /// <summary>
    /// Loss over <paramref name="rows"/> rows of <paramref name="outputs"/> [rows, 2d] against targets [rows, d], with rows
    /// grouped per member (<paramref name="rowsPerMember"/>). Writes ∂L/∂outputs and adds ∂L/∂ℓ_max, ∂L/∂ℓ_min.
    /// </summary>
    public static double Evaluate(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int rows, int rowsPerMember, int d,
        ReadOnlySpan<float> maxLogVar, ReadOnlySpan<float> minLogVar, float boundWeight,
        Span<float> dOutputs, Span<float> dMax, Span<float> dMin)
    {
        var scale = 1.0 / (rowsPerMember * d);
        double loss = 0;
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < d; j++)
            {
                var mu = outputs[r * 2 * d + j];
                var raw = outputs[r * 2 * d + d + j];
                float max = maxLogVar[j], min = minLogVar[j];
                var sMax = Sigmoid(max - raw);
                var a = max - Softplus(max - raw);
                var sMin = Sigmoid(a - min);
                var logVar = min + Softplus(a - min);
                var err = mu - targets[r * d + j];
                var invVar = MathF.Exp(-logVar);
                loss += 0.5 * (err * err * invVar + logVar);
                var dLogVar = (float)(scale * 0.5 * (1 - err * err * invVar));
                dOutputs[r * 2 * d + j] = (float)(scale * err * invVar);
                // ∂ℓ/∂raw = σ(a − ℓ_min) σ(ℓ_max − raw); ∂ℓ/∂ℓ_max = σ(a − ℓ_min)(1 − σ(ℓ_max − raw)); ∂ℓ/∂ℓ_min = 1 − σ(a − ℓ_min)
                dOutputs[r * 2 * d + d + j] = dLogVar * sMin * sMax;
                dMax[j] += dLogVar * sMin * (1 - sMax);
                dMin[j] += dLogVar * (1 - sMin);
            }
        }
        double bounds = 0;
        for (var j = 0; j < d; j++)
        {
            bounds += maxLogVar[j] - minLogVar[j];
            dMax[j] += boundWeight;
            dMin[j] -= boundWeight;
        }
        return loss * scale + boundWeight * bounds;
    }

    /// <summary>softplus(x) = log(1 + eˣ), stable for large |x|.</summary>
    public static float Softplus(float x) => MathF.Max(x, 0) + MathF.Log(1 + MathF.Exp(-MathF.Abs(x)));

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}

/// <summary>Mean squared error L = (1/N) Σ (ŷ − y)², N = every element.</summary>
public static class MeanSquaredError
{
    /// <summary>Returns L and writes ∂L/∂ŷ.</summary>
    public static double Evaluate(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, Span<float> dPredictions)
    {
        double loss = 0;
        var scale = 1.0 / predictions.Length;
        for (var i = 0; i < predictions.Length; i++)
        {
            var err = predictions[i] - targets[i];
            loss += (double)err * err;
            dPredictions[i] = (float)(2 * scale * err);
        }
        return loss * scale;
    }
}
