namespace RlRobotics.Core.Concurrency;

/// <summary>
/// An atomic "latest value" slot: a writer publishes an immutable object, the real-time reader picks up the
/// newest one with a single volatile read. Neither side blocks or allocates. Used for plans and parameter sets.
/// </summary>
public sealed class LatestValue<T> where T : class
{
    private T? _value;
    private long _version;

    /// <summary>Publishes <paramref name="value"/>; it must not be changed afterwards.</summary>
    public void Publish(T value)
    {
        Volatile.Write(ref _value, value);
        Interlocked.Increment(ref _version);
    }

    /// <summary>The newest published value, or null.</summary>
    public T? Read() => Volatile.Read(ref _value);

    /// <summary>How many values have been published.</summary>
    public long Version => Interlocked.Read(ref _version);
}
