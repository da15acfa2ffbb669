namespace RlRobotics.Learning.Nn;

/// <summary>Running mean and variance (Welford), double precision.</summary>
public sealed class RunningVariance
{
    private double _mean, _m2;

    public long Count { get; private set; }
    public double Mean => _mean;
    /// <summary>Population variance; 1 before any sample (a neutral scale).</summary>
    public double Variance => Count > 1 ? _m2 / Count : 1;

    public void Add(double x)
    {
        Count++;
        var d = x - _mean;
        _mean += d / Count;
        _m2 += d * (x - _mean);
    }
}
