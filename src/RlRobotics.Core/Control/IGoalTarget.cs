namespace RlRobotics.Core.Control;

/// <summary>
/// A controller whose goal can move while it runs (a remote <c>goal</c> command, an operator). Requests come from any
/// thread and take effect at the controller's next update; the real-time side only copies numbers.
/// </summary>
public interface IGoalTarget
{
    /// <summary>State interfaces whose goal may be moved (e.g. <c>cart/position</c>), in the task's units.</summary>
    IReadOnlyList<string> GoalInterfaces { get; }

    /// <summary>The goals now in force, by interface.</summary>
    double Goal(string interfaceName);

    /// <summary>Asks for a new goal on <paramref name="interfaceName"/> (any thread). False when it is not a goal interface.</summary>
    bool RequestGoal(string interfaceName, double value);
}

/// <summary>
/// Hands goal changes from any thread to the real-time thread without locks or allocation: writers store the value and
/// bump a version; the controller copies every goal when it sees a new version. A copy that races a write is repaired
/// on the next cycle, because that write bumps the version again.
/// </summary>
public sealed class GoalMailbox
{
    private readonly double[] _pending;
    private readonly string[] _names;
    private int _version, _seen;

    public GoalMailbox(IReadOnlyList<string> names, IReadOnlyList<double> initial)
    {
        if (names.Count != initial.Count) throw new ArgumentException("one initial goal per name");
        _names = names.ToArray();
        _pending = initial.ToArray();
    }

    public IReadOnlyList<string> Names => _names;

    /// <summary>The goal requested last for <paramref name="name"/> (or its initial value).</summary>
    public double Get(string name)
    {
        var i = Array.IndexOf(_names, name);
        return i < 0 ? double.NaN : Volatile.Read(ref _pending[i]);
    }

    /// <summary>Stores a goal (any thread); false for an unknown name or a value that is not finite.</summary>
    public bool Request(string name, double value)
    {
        var i = Array.IndexOf(_names, name);
        if (i < 0 || !double.IsFinite(value)) return false;
        Volatile.Write(ref _pending[i], value);
        Interlocked.Increment(ref _version);
        return true;
    }

    /// <summary>Sets every goal without announcing a change (the owner, before the loop runs: e.g. "hold where you are").</summary>
    public void Reset(ReadOnlySpan<double> goals)
    {
        for (var i = 0; i < _pending.Length; i++) Volatile.Write(ref _pending[i], goals[i]);
    }

    /// <summary>Real-time side: copies the goals into <paramref name="goals"/> when something changed since the last call.</summary>
    public bool TryTake(Span<double> goals)
    {
        var version = Volatile.Read(ref _version);
        if (version == _seen) return false;
        _seen = version;
        for (var i = 0; i < _pending.Length; i++) goals[i] = Volatile.Read(ref _pending[i]);
        return true;
    }
}
