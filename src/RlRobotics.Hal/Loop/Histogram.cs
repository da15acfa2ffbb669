namespace RlRobotics.Hal.Loop;

/// <summary>
/// A fixed-bucket histogram of durations in whole microseconds (0 … capacity−1 µs, larger values in an overflow
/// bucket with the exact maximum kept), for allocation-free percentiles on the real-time thread.
/// </summary>
public sealed class Histogram
{
    private readonly long[] _buckets;
    private long _overflow, _count, _max, _sum;

    public Histogram(int capacity_us = 100_000) => _buckets = new long[capacity_us];

    public long Count => Volatile.Read(ref _count);

    /// <summary>Largest recorded value, µs.</summary>
    public long Max_us => Volatile.Read(ref _max);

    public double Mean_us => _count == 0 ? 0 : (double)_sum / _count;

    /// <summary>Adds a duration in nanoseconds (negative values count as 0).</summary>
    public void Record(long ns)
    {
        var us = ns <= 0 ? 0 : ns / 1000;
        if (us < _buckets.Length) _buckets[us]++;
        else _overflow++;
        if (us > _max) _max = us;
        _sum += us;
        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>The <paramref name="q"/>-quantile (0–1), µs; values past the buckets report the maximum.</summary>
    public long Percentile_us(double q)
    {
        var count = Count;
        if (count == 0) return 0;
        var rank = (long)Math.Ceiling(q * count);
        if (rank < 1) rank = 1;
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += _buckets[i];
            if (seen >= rank) return i;
        }
        return Max_us;
    }

    /// <summary>Counts per bucket of width <paramref name="width_us"/> up to <paramref name="limit_us"/> (for plots).</summary>
    public long[] Coarse(int width_us, int limit_us)
    {
        var result = new long[limit_us / width_us + 1];
        for (var i = 0; i < Math.Min(limit_us, _buckets.Length); i++) result[i / width_us] += _buckets[i];
        result[^1] += _overflow;
        for (var i = limit_us; i < _buckets.Length; i++) result[^1] += _buckets[i];
        return result;
    }
}
