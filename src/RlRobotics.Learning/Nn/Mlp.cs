using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using RlRobotics.Learning.Compute;

namespace RlRobotics.Learning.Nn;

/// <summary>
/// A multi-layer perceptron, or E of them trained side by side (a batched ensemble), with an exact backward pass.
/// Layer l computes Z = H_{l−1} W_l + b_l, H_l = act(Z) with W_l stored [E, in, out] row-major (so a batch of rows times
/// W is one matrix product per member) and b_l [E, out]. Activations live in an <see cref="MlpWorkspace"/>; the
/// parameters and their gradients in one <see cref="ParameterSet"/>. Nothing allocates after the workspace exists.
/// </summary>
public sealed class Mlp
{
    private readonly ParameterTensor[] _w, _b;

    public Mlp(MlpShape shape, IBlas? blas = null)
    {
        shape.Validate();
        Shape = shape;
        Blas = blas ?? Compute.Blas.Default;
        var tensors = new List<(string, int[])>();
        for (var l = 0; l < shape.Layers; l++)
        {
            tensors.Add(($"layer{l}.weight", new[] { shape.Members, shape.Sizes[l], shape.Sizes[l + 1] }));
            tensors.Add(($"layer{l}.bias", new[] { shape.Members, shape.Sizes[l + 1] }));
        }
        Parameters = new ParameterSet(tensors);
        _w = Enumerable.Range(0, shape.Layers).Select(l => Parameters[$"layer{l}.weight"]).ToArray();
        _b = Enumerable.Range(0, shape.Layers).Select(l => Parameters[$"layer{l}.bias"]).ToArray();
    }

    public MlpShape Shape { get; }
    public IBlas Blas { get; }
    public ParameterSet Parameters { get; }

    /// <summary>
    /// Orthogonal weights (gain √2 on hidden layers, <paramref name="outputGain"/> on the last) and zero biases, each
    /// member drawn independently.
    /// </summary>
    public void InitialiseOrthogonal(Random random, double hiddenGain = 1.4142135623730951, double outputGain = 1.0)
    {
        for (var l = 0; l < Shape.Layers; l++)
        {
            int fin = Shape.Sizes[l], fout = Shape.Sizes[l + 1];
            for (var e = 0; e < Shape.Members; e++)
                Initialisers.Orthogonal(Weight(l, e), fin, fout, l == Shape.Layers - 1 ? outputGain : hiddenGain, random);
            Parameters.Value(_b[l]).Clear();
        }
    }

    /// <summary>Truncated-normal weights (PETS) and zero biases.</summary>
    public void InitialiseTruncatedNormal(Random random)
    {
        for (var l = 0; l < Shape.Layers; l++)
        {
            Initialisers.TruncatedNormal(Parameters.Value(_w[l]), Shape.Sizes[l], random);
            Parameters.Value(_b[l]).Clear();
        }
    }

    public MlpWorkspace CreateWorkspace(int maxBatch) => new(Shape, maxBatch);

    /// <summary>W_l of member e, [in, out].</summary>
    public Span<float> Weight(int layer, int member)
    {
        var size = Shape.Sizes[layer] * Shape.Sizes[layer + 1];
        return Parameters.Values.AsSpan(_w[layer].Offset + member * size, size);
    }

    /// <summary>b_l of member e, [out].</summary>
    public Span<float> Bias(int layer, int member) =>
        Parameters.Values.AsSpan(_b[layer].Offset + member * Shape.Sizes[layer + 1], Shape.Sizes[layer + 1]);

    /// <summary>
    /// Forward pass of <paramref name="batch"/> rows per member: x is [E, batch, in]; returns the output [E, batch, out]
    /// (a view into the workspace, valid until its next use).
    /// </summary>
    public ReadOnlySpan<float> Forward(MlpWorkspace ws, ReadOnlySpan<float> x, int batch) => Run(ws, x, batch, keepForBackward: true);

    /// <summary>
    /// Inference only: like <see cref="Forward(MlpWorkspace, ReadOnlySpan{float}, int)"/> but each layer's product goes
    /// straight into its output buffer and bias and activation are applied in place, in one pass; no pre-activations are
    /// kept, so neither <see cref="Backward"/> nor <see cref="InputJacobians"/> may follow it.
    /// </summary>
    public ReadOnlySpan<float> Infer(MlpWorkspace ws, ReadOnlySpan<float> x, int batch) => Run(ws, x, batch, keepForBackward: false);

    private ReadOnlySpan<float> Run(MlpWorkspace ws, ReadOnlySpan<float> x, int batch, bool keepForBackward)
    {
        CheckBatch(ws, batch);
        int members = Shape.Members;
        var inputLength = members * batch * Shape.InputSize;
        if (x.Length < inputLength) throw new ArgumentException($"input has {x.Length} values, expected {members}×{batch}×{Shape.InputSize}");
        x[..inputLength].CopyTo(ws.Input);
        var values = Parameters.Values;
        for (var l = 0; l < Shape.Layers; l++)
        {
            int fin = Shape.Sizes[l], fout = Shape.Sizes[l + 1];
            var input = l == 0 ? ws.Input : ws.H[l - 1];
            var act = l == Shape.Layers - 1 ? Shape.Output : Shape.Hidden;
            if (!keepForBackward && act != Activation.Elu)
            {
                var h = ws.H[l];
                for (var e = 0; e < members; e++)
                {
                    var he = h.AsSpan(e * batch * fout, batch * fout);
                    Blas.Gemm(false, false, batch, fout, fin, 1f, input.AsSpan(e * batch * fin, batch * fin), fin,
                        values.AsSpan(_w[l].Offset + e * fin * fout, fin * fout), fout, 0f, he, fout);
                    Activations.AddBiasForward(act, he, Bias(l, e), batch);
                }
                continue;
            }
            var z = ws.Z[l];
            for (var e = 0; e < members; e++)
            {
                var ze = z.AsSpan(e * batch * fout, batch * fout);
                var bias = Bias(l, e);
                for (var r = 0; r < batch; r++) bias.CopyTo(ze.Slice(r * fout, fout));
                Blas.Gemm(false, false, batch, fout, fin, 1f, input.AsSpan(e * batch * fin, batch * fin), fin,
                    values.AsSpan(_w[l].Offset + e * fin * fout, fin * fout), fout, 1f, ze, fout);
            }
            Activations.Forward(act, z.AsSpan(0, members * batch * fout), ws.H[l].AsSpan(0, members * batch * fout));
        }
        return ws.Output(batch);
    }

    /// <summary>
    /// Backward pass after <see cref="Forward(MlpWorkspace, ReadOnlySpan{float}, int)"/> with the same workspace and batch: dy = ∂L/∂output [E, batch, out].
    /// Adds ∂L/∂W and ∂L/∂b into <see cref="Parameters"/>' gradients; writes ∂L/∂x [E, batch, in] when dx is not empty.
    /// </summary>
    public void Backward(MlpWorkspace ws, ReadOnlySpan<float> dy, int batch, Span<float> dx = default)
    {
        CheckBatch(ws, batch);
        int members = Shape.Members, last = Shape.Layers - 1;
        var values = Parameters.Values;
        var grads = Parameters.Gradients;
        var outCount = members * batch * Shape.OutputSize;
        var g = ws.G0;
        var spare = ws.G1;
        Activations.Backward(Shape.Output, ws.Z[last].AsSpan(0, outCount), ws.H[last].AsSpan(0, outCount), dy[..outCount], g.AsSpan(0, outCount));
        for (var l = last; l >= 0; l--)
        {
            int fin = Shape.Sizes[l], fout = Shape.Sizes[l + 1];
            var input = l == 0 ? ws.Input : ws.H[l - 1];
            var needInput = l > 0 || !dx.IsEmpty;
            for (var e = 0; e < members; e++)
            {
                var ge = g.AsSpan(e * batch * fout, batch * fout);
                // ∂L/∂W_e += H_{l−1,e}ᵀ G_e ; ∂L/∂b_e += Σ_rows G_e
                Blas.Gemm(true, false, fin, fout, batch, 1f, input.AsSpan(e * batch * fin, batch * fin), fin, ge, fout,
                    1f, grads.AsSpan(_w[l].Offset + e * fin * fout, fin * fout), fout);
                var gb = grads.AsSpan(_b[l].Offset + e * fout, fout);
                for (var r = 0; r < batch; r++) TensorPrimitives.Add(gb, ge.Slice(r * fout, fout), gb);
                // ∂L/∂H_{l−1,e} = G_e W_eᵀ
                if (needInput)
                {
                    Blas.Gemm(false, true, batch, fin, fout, 1f, ge, fout, values.AsSpan(_w[l].Offset + e * fin * fout, fin * fout), fout,
                        0f, spare.AsSpan(e * batch * fin, batch * fin), fin);
                }
            }
            if (l > 0)
            {
                var count = members * batch * fin;
                Activations.Backward(Shape.Hidden, ws.Z[l - 1].AsSpan(0, count), ws.H[l - 1].AsSpan(0, count), spare.AsSpan(0, count), spare.AsSpan(0, count));
                (g, spare) = (spare, g);
            }
            else if (!dx.IsEmpty)
            {
                spare.AsSpan(0, members * batch * fin).CopyTo(dx);
            }
        }
    }

    /// <summary>
    /// Batch-of-one inference of member <paramref name="member"/> without BLAS: y = MLP(x), each layer as
    /// z = b + Σᵢ xᵢ W[i, :] with 32 outputs held in registers across the inputs. For the control loop's policy;
    /// allocation-free, not thread-safe per workspace.
    /// </summary>
    public unsafe void ForwardOne(MlpWorkspace ws, int member, ReadOnlySpan<float> x, Span<float> y)
    {
        var width = Shape.MaxWidth;
        var a = ws.One.AsSpan(0, width);
        var b = ws.One.AsSpan(width, width);
        x[..Shape.InputSize].CopyTo(a);
        for (var l = 0; l < Shape.Layers; l++)
        {
            int fin = Shape.Sizes[l], fout = Shape.Sizes[l + 1];
            var z = b[..fout];
            fixed (float* pw = Weight(l, member), pb = Bias(l, member), px = a, pz = z) MatVec(pw, fin, fout, px, pb, pz);
            var act = l == Shape.Layers - 1 ? Shape.Output : Shape.Hidden;
            Activations.Forward(act, z, a[..fout]);
        }
        a[..Shape.OutputSize].CopyTo(y);
    }

    // z = b + xᵀW for W [fin, fout] row-major.
    private static unsafe void MatVec(float* w, int fin, int fout, float* x, float* bias, float* z)
    {
        var j = 0;
        for (; j + 32 <= fout; j += 32)
        {
            var z0 = Vector256.Load(bias + j); var z1 = Vector256.Load(bias + j + 8);
            var z2 = Vector256.Load(bias + j + 16); var z3 = Vector256.Load(bias + j + 24);
            var row = w + j;
            for (var i = 0; i < fin; i++, row += fout)
            {
                var xi = Vector256.Create(x[i]);
                z0 = Vector256.FusedMultiplyAdd(xi, Vector256.Load(row), z0);
                z1 = Vector256.FusedMultiplyAdd(xi, Vector256.Load(row + 8), z1);
                z2 = Vector256.FusedMultiplyAdd(xi, Vector256.Load(row + 16), z2);
                z3 = Vector256.FusedMultiplyAdd(xi, Vector256.Load(row + 24), z3);
            }
            z0.Store(z + j); z1.Store(z + j + 8); z2.Store(z + j + 16); z3.Store(z + j + 24);
        }
        for (; j + 8 <= fout; j += 8)
        {
            var acc = Vector256.Load(bias + j);
            var row = w + j;
            for (var i = 0; i < fin; i++, row += fout) acc = Vector256.FusedMultiplyAdd(Vector256.Create(x[i]), Vector256.Load(row), acc);
            acc.Store(z + j);
        }
        for (; j < fout; j++)
        {
            var acc = bias[j];
            for (var i = 0; i < fin; i++) acc += x[i] * w[i * fout + j];
            z[j] = acc;
        }
    }

    /// <summary>
    /// Input Jacobians by reverse mode: for x [E, batch, in], writes J [E, batch, r, in] with
    /// J[e, b, t, i] = ∂ output_t / ∂ x_i of member e at row b, for the first <paramref name="outputs"/> outputs.
    /// All rows and outputs move through each layer as one matrix product: R ← (R ⊙ act'(Z)) Wᵀ.
    /// </summary>
    public void InputJacobians(MlpWorkspace ws, ReadOnlySpan<float> x, int batch, int outputs, Span<float> jacobian)
    {
        if (outputs < 1 || outputs > Shape.OutputSize) throw new ArgumentOutOfRangeException(nameof(outputs));
        Forward(ws, x, batch);
        int members = Shape.Members, last = Shape.Layers - 1, rows = batch * outputs, width = Shape.MaxWidth;
        var need = members * rows * width;
        if (ws.R0 is null || ws.R0.Length < need) { ws.R0 = new float[need]; ws.R1 = new float[need]; }
        ws.Slope ??= new float[members * ws.MaxBatch * width];
        var r = ws.R0;
        var next = ws.R1!;
        var slope = ws.Slope;
        // Seed: ∂out_t/∂Z_last = act_out'(Z) on the diagonal.
        int fout0 = Shape.OutputSize;
        var outCount = members * batch * fout0;
        Activations.Slope(Shape.Output, ws.Z[last].AsSpan(0, outCount), ws.H[last].AsSpan(0, outCount), slope.AsSpan(0, outCount));
        r.AsSpan(0, members * rows * fout0).Clear();
        for (var e = 0; e < members; e++)
            for (var b = 0; b < batch; b++)
                for (var t = 0; t < outputs; t++)
                    r[(e * rows + b * outputs + t) * fout0 + t] = slope[(e * batch + b) * fout0 + t];
        for (var l = last; l >= 0; l--)
        {
            int fin = Shape.Sizes[l], fout = Shape.Sizes[l + 1];
            var target = l == 0 ? jacobian : next.AsSpan(0, members * rows * fin);
            for (var e = 0; e < members; e++)
            {
                Blas.Gemm(false, true, rows, fin, fout, 1f, r.AsSpan(e * rows * fout, rows * fout), fout,
                    Parameters.Values.AsSpan(_w[l].Offset + e * fin * fout, fin * fout), fout, 0f, target.Slice(e * rows * fin, rows * fin), fin);
            }
            if (l == 0) break;
            var count = members * batch * fin;
            Activations.Slope(Shape.Hidden, ws.Z[l - 1].AsSpan(0, count), ws.H[l - 1].AsSpan(0, count), slope.AsSpan(0, count));
            for (var e = 0; e < members; e++)
                for (var b = 0; b < batch; b++)
                {
                    var s = slope.AsSpan((e * batch + b) * fin, fin);
                    for (var t = 0; t < outputs; t++)
                    {
                        var row = next.AsSpan((e * rows + b * outputs + t) * fin, fin);
                        TensorPrimitives.Multiply(row, s, row);
                    }
                }
            (r, next) = (next, r);
        }
    }

    /// <summary>
    /// Forward-mode product with the parameter Jacobian after <see cref="Forward(MlpWorkspace, ReadOnlySpan{float}, int)"/>
    /// (same workspace and batch): out = (∂output/∂θ) v for a direction v laid out like <see cref="ParameterSet.Values"/>,
    /// [E, batch, out]. Layer by layer, with the input fixed: dZ_l = dH_{l−1} W_l + H_{l−1} dW_l + db_l, dH_l = act'(Z_l) ⊙ dZ_l.
    /// With <see cref="Backward"/> this gives the Fisher-vector products of natural-gradient methods (CPO, TRPO).
    /// </summary>
    public void Jvp(MlpWorkspace ws, ReadOnlySpan<float> direction, int batch, Span<float> output)
    {
        CheckBatch(ws, batch);
        if (direction.Length != Parameters.Count) throw new ArgumentException($"direction has {direction.Length} values, expected {Parameters.Count}");
        int members = Shape.Members;
        var dh = ws.G0;
        var next = ws.G1;
        ws.Slope ??= new float[members * ws.MaxBatch * Shape.MaxWidth];
        var slope = ws.Slope;
        for (var l = 0; l < Shape.Layers; l++)
        {
            int fin = Shape.Sizes[l], fout = Shape.Sizes[l + 1];
            var input = l == 0 ? ws.Input : ws.H[l - 1];
            for (var e = 0; e < members; e++)
            {
                var dz = next.AsSpan(e * batch * fout, batch * fout);
                var db = direction.Slice(_b[l].Offset + e * fout, fout);
                for (var r = 0; r < batch; r++) db.CopyTo(dz.Slice(r * fout, fout));
                Blas.Gemm(false, false, batch, fout, fin, 1f, input.AsSpan(e * batch * fin, batch * fin), fin,
                    direction.Slice(_w[l].Offset + e * fin * fout, fin * fout), fout, 1f, dz, fout);
                if (l > 0)
                {
                    Blas.Gemm(false, false, batch, fout, fin, 1f, dh.AsSpan(e * batch * fin, batch * fin), fin,
                        Parameters.Values.AsSpan(_w[l].Offset + e * fin * fout, fin * fout), fout, 1f, dz, fout);
                }
            }
            var count = members * batch * fout;
            var act = l == Shape.Layers - 1 ? Shape.Output : Shape.Hidden;
            Activations.Slope(act, ws.Z[l].AsSpan(0, count), ws.H[l].AsSpan(0, count), slope.AsSpan(0, count));
            TensorPrimitives.Multiply(next.AsSpan(0, count), slope.AsSpan(0, count), next.AsSpan(0, count));
            (dh, next) = (next, dh);
        }
        dh.AsSpan(0, members * batch * Shape.OutputSize).CopyTo(output);
    }

    /// <summary>Copies member <paramref name="member"/>'s weights and biases from one flat parameter array to another.</summary>
    public void CopyMember(int member, ReadOnlySpan<float> from, Span<float> to)
    {
        for (var l = 0; l < Shape.Layers; l++)
        {
            int fin = Shape.Sizes[l], fout = Shape.Sizes[l + 1];
            var w = _w[l].Offset + member * fin * fout;
            from.Slice(w, fin * fout).CopyTo(to.Slice(w, fin * fout));
            var b = _b[l].Offset + member * fout;
            from.Slice(b, fout).CopyTo(to.Slice(b, fout));
        }
    }

    private static void CheckBatch(MlpWorkspace ws, int batch)
    {
        if (batch < 1 || batch > ws.MaxBatch) throw new ArgumentOutOfRangeException(nameof(batch), $"batch {batch} outside 1..{ws.MaxBatch} of the workspace");
    }
}
