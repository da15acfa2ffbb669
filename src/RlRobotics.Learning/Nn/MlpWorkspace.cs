namespace RlRobotics.Learning.Nn;

/// <summary>
/// Per-thread activations and gradient scratch for an <see cref="Mlp"/>, sized for up to <see cref="MaxBatch"/> rows
/// per member. Several workspaces can share one set of weights (planner threads, a learner thread).
/// </summary>
public sealed class MlpWorkspace
{
    internal MlpWorkspace(MlpShape shape, int maxBatch)
    {
        Shape = shape;
        MaxBatch = maxBatch;
        var e = shape.Members;
        Input = new float[e * maxBatch * shape.InputSize];
        Z = new float[shape.Layers][];
        H = new float[shape.Layers][];
        for (var l = 0; l < shape.Layers; l++)
        {
            Z[l] = new float[e * maxBatch * shape.Sizes[l + 1]];
            H[l] = new float[e * maxBatch * shape.Sizes[l + 1]];
        }
        G0 = new float[e * maxBatch * shape.MaxWidth];
        G1 = new float[e * maxBatch * shape.MaxWidth];
        One = new float[2 * shape.MaxWidth];
    }

    public MlpShape Shape { get; }
    public int MaxBatch { get; }

    internal float[] Input { get; }
    internal float[][] Z { get; }
    internal float[][] H { get; }
    internal float[] G0 { get; }
    internal float[] G1 { get; }
    internal float[] One { get; }
    internal float[]? R0, R1, Slope;

    /// <summary>The last forward pass's output, [E, batch, out].</summary>
    public ReadOnlySpan<float> Output(int batch) => H[^1].AsSpan(0, Shape.Members * batch * Shape.OutputSize);
}
