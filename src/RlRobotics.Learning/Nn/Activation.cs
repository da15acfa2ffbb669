using System.Numerics.Tensors;

namespace RlRobotics.Learning.Nn;

/// <summary>Element-wise activation after a linear layer.</summary>
public enum Activation
{
    Identity,
    /// <summary>h = tanh z; h' = 1 − h².</summary>
    Tanh,
    /// <summary>h = max(0, z); h' = [z &gt; 0].</summary>
    Relu,
    /// <summary>SiLU / swish: h = z σ(z); h' = σ + h (1 − σ).</summary>
    Silu,
    /// <summary>ELU (α = 1): h = z for z &gt; 0, else eᶻ − 1; h' = 1, else h + 1.</summary>
    Elu,
}

/// <summary>Vectorised activation kernels (<see cref="FastMath"/> and System.Numerics.Tensors), forward and backward.</summary>
public static class Activations
{
    /// <summary>h = act(z). <paramref name="h"/> may alias <paramref name="z"/> except for ELU.</summary>
    public static void Forward(Activation act, ReadOnlySpan<float> z, Span<float> h)
    {
        switch (act)
        {
            case Activation.Identity: z.CopyTo(h); break;
            case Activation.Tanh: FastMath.Tanh(z, h); break;
            case Activation.Relu: TensorPrimitives.Max(z, 0f, h); break;
            case Activation.Silu: FastMath.Silu(z, h); break;
            case Activation.Elu:
                TensorPrimitives.Min(z, 0f, h);
                TensorPrimitives.Exp(h, h);
                for (var i = 0; i < h.Length; i++) h[i] = z[i] > 0 ? z[i] : h[i] - 1f;
                break;
            default: throw new ArgumentOutOfRangeException(nameof(act));
        }
    }

    /// <summary>
    /// In place, row by row: h ← act(h + b) for <paramref name="rows"/> rows of width b.Length (not ELU). One pass for
    /// SiLU, whose bias add is fused into the vector loop.
    /// </summary>
    public static void AddBiasForward(Activation act, Span<float> h, ReadOnlySpan<float> bias, int rows)
    {
        var width = bias.Length;
        if (act == Activation.Silu)
        {
            for (var r = 0; r < rows; r++) FastMath.BiasSilu(h.Slice(r * width, width), bias);
            return;
        }
        for (var r = 0; r < rows; r++) TensorPrimitives.Add(h.Slice(r * width, width), bias, h.Slice(r * width, width));
        var all = h[..(rows * width)];
        Forward(act, all, all);
    }

    /// <summary>dz = dh ⊙ act'(z), with h = act(z) from the forward pass. <paramref name="dz"/> may alias <paramref name="dh"/>.</summary>
    public static void Backward(Activation act, ReadOnlySpan<float> z, ReadOnlySpan<float> h, ReadOnlySpan<float> dh, Span<float> dz)
    {
        switch (act)
        {
            case Activation.Identity: dh.CopyTo(dz); break;
            case Activation.Tanh:
                for (var i = 0; i < dz.Length; i++) dz[i] = dh[i] * (1f - h[i] * h[i]);
                break;
            case Activation.Relu:
                for (var i = 0; i < dz.Length; i++) dz[i] = z[i] > 0 ? dh[i] : 0f;
                break;
            case Activation.Silu:
                // σ is recomputed (cheaper than storing it): h' = σ + h (1 − σ).
                Span<float> sigmoid = stackalloc float[Chunk];
                for (var start = 0; start < dz.Length; start += Chunk)
                {
                    var len = Math.Min(Chunk, dz.Length - start);
                    var s = sigmoid[..len];
                    FastMath.Sigmoid(z.Slice(start, len), s);
                    for (var i = 0; i < len; i++)
                    {
                        var j = start + i;
                        dz[j] = dh[j] * (s[i] + h[j] * (1f - s[i]));
                    }
                }
                break;
            case Activation.Elu:
                for (var i = 0; i < dz.Length; i++) dz[i] = z[i] > 0 ? dh[i] : dh[i] * (h[i] + 1f);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(act));
        }
    }

    private const int Chunk = 256;

    /// <summary>act'(z) as a multiplier, for Jacobians (same formulas as <see cref="Backward"/> with dh = 1).</summary>
    public static void Slope(Activation act, ReadOnlySpan<float> z, ReadOnlySpan<float> h, Span<float> slope)
    {
        slope.Fill(1f);
        Backward(act, z, h, slope, slope);
    }

    /// <summary>Parses a name from a robot file or checkpoint (<c>tanh</c>, <c>relu</c>, <c>silu</c>/<c>swish</c>, <c>elu</c>, <c>identity</c>).</summary>
    public static bool TryParse(string? name, out Activation act)
    {
        act = name?.ToLowerInvariant() switch
        {
            "tanh" => Activation.Tanh,
            "relu" => Activation.Relu,
            "silu" or "swish" => Activation.Silu,
            "elu" => Activation.Elu,
            "identity" or "linear" => Activation.Identity,
            _ => (Activation)(-1),
        };
        return (int)act >= 0;
    }
}
