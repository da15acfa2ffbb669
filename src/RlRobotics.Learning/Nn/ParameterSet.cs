using System.Numerics.Tensors;

namespace RlRobotics.Learning.Nn;

/// <summary>A named tensor inside a <see cref="ParameterSet"/>: its place in the flat arrays and its shape.</summary>
public sealed record ParameterTensor(string Name, int Offset, int[] Shape)
{
    public int Count => Shape.Aggregate(1, (a, b) => a * b);
}

/// <summary>
/// Trainable parameters as one flat float array with a same-sized gradient array, described by named tensors. One flat
/// block keeps the optimiser, gradient clipping and checkpoints to simple loops over spans.
/// </summary>
public sealed class ParameterSet
{
    private readonly List<ParameterTensor> _tensors = new();

    /// <summary>Builds a set from (name, shape) pairs, zero-initialised.</summary>
    public ParameterSet(IEnumerable<(string Name, int[] Shape)> tensors)
    {
        var offset = 0;
        foreach (var (name, shape) in tensors)
        {
            var t = new ParameterTensor(name, offset, shape);
            _tensors.Add(t);
            offset += t.Count;
        }
        Values = new float[offset];
        Gradients = new float[offset];
    }

    public float[] Values { get; }
    public float[] Gradients { get; }
    public IReadOnlyList<ParameterTensor> Tensors => _tensors;
    public int Count => Values.Length;

    public ParameterTensor this[string name] => _tensors.Find(t => t.Name == name) ?? throw new KeyNotFoundException($"no parameter tensor '{name}'");

    public Span<float> Value(ParameterTensor t) => Values.AsSpan(t.Offset, t.Count);
    public Span<float> Gradient(ParameterTensor t) => Gradients.AsSpan(t.Offset, t.Count);

    public void ZeroGradients() => Array.Clear(Gradients);

    /// <summary>‖g‖₂ over every set.</summary>
    public static double GradientNorm(IReadOnlyList<ParameterSet> sets)
    {
        double sum = 0;
        for (var i = 0; i < sets.Count; i++) { var n = TensorPrimitives.Norm(sets[i].Gradients); sum += (double)n * n; }
        return Math.Sqrt(sum);
    }

    /// <summary>Scales every gradient by max_norm / ‖g‖ when ‖g‖ &gt; max_norm (global-norm clipping); returns ‖g‖ before.</summary>
    public static double ClipGradientNorm(IReadOnlyList<ParameterSet> sets, double maxNorm)
    {
        var norm = GradientNorm(sets);
        if (norm > maxNorm && norm > 0)
        {
            var scale = (float)(maxNorm / norm);
            for (var i = 0; i < sets.Count; i++) TensorPrimitives.Multiply(sets[i].Gradients, scale, sets[i].Gradients);
        }
        return norm;
    }
}
