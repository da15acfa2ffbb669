namespace RlRobotics.Learning.Nn;

/// <summary>
/// Per-feature mean and standard deviation, accumulated in double precision (Welford's update, so it can also run as
/// a running normaliser over a stream), applied as (x − μ)/σ in single precision. σ has a floor so a feature that never
/// moved in the data cannot blow up new inputs.
/// </summary>
public sealed class Normaliser
{
    private readonly double[] _mean, _m2;

    public Normaliser(int size, double minStd = 1e-3)
    {
        Size = size;
        MinStd = minStd;
        _mean = new double[size];
        _m2 = new double[size];
        Mean = new float[size];
        Std = Enumerable.Repeat(1f, size).ToArray();
    }

    public int Size { get; }
    public double MinStd { get; }
    public long Count { get; private set; }

    /// <summary>μ used by <see cref="Apply"/>.</summary>
    public float[] Mean { get; }

    /// <summary>σ used by <see cref="Apply"/>.</summary>
    public float[] Std { get; }

    public void Reset()
    {
        Count = 0;
        Array.Clear(_mean);
        Array.Clear(_m2);
        Array.Clear(Mean);
        Array.Fill(Std, 1f);
    }

    /// <summary>Adds one sample (Welford) and refreshes μ and σ.</summary>
    public void Update(ReadOnlySpan<float> x)
    {
        Count++;
        for (var i = 0; i < Size; i++)
        {
            var delta = x[i] - _mean[i];
            _mean[i] += delta / Count;
            _m2[i] += delta * (x[i] - _mean[i]);
            Mean[i] = (float)_mean[i];
            Std[i] = (float)Math.Max(MinStd, Math.Sqrt(_m2[i] / Count));
        }
    }

    /// <summary>Fits μ and σ to <paramref name="rows"/> rows of <paramref name="data"/> [rows, Size], replacing what was there.</summary>
    public void Fit(ReadOnlySpan<float> data, int rows)
    {
        Reset();
        for (var r = 0; r < rows; r++) Update(data.Slice(r * Size, Size));
    }

    /// <summary>Sets μ and σ directly (checkpoint loading).</summary>
    public void Set(ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        mean.CopyTo(Mean);
        std.CopyTo(Std);
        for (var i = 0; i < Size; i++) { _mean[i] = mean[i]; _m2[i] = 0; }
        Count = 0;
    }

    /// <summary>y = (x − μ)/σ over rows of width Size.</summary>
    public void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            var f = i % Size;
            y[i] = (x[i] - Mean[f]) / Std[f];
        }
    }

    /// <summary>x = y σ + μ over rows of width Size.</summary>
    public void Invert(ReadOnlySpan<float> y, Span<float> x)
    {
        for (var i = 0; i < y.Length; i++)
        {
            var f = i % Size;
            x[i] = y[i] * Std[f] + Mean[f];
        }
    }
}
