using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;

namespace RlRobotics.Hal.Loop;

/// <summary>A task criterion's outcome.</summary>
/// <param name="Interface">State interface judged.</param>
/// <param name="Goal">Goal value.</param>
/// <param name="Tolerance">Allowed |error|.</param>
/// <param name="FinalError">|value − goal| at the end (wrapped for angles).</param>
/// <param name="Held">Whether the tolerance held for the whole final hold window.</param>
public sealed record CriterionResult(string Interface, double Goal, double Tolerance, double FinalError, bool Held);

/// <summary>
/// Judges the task's success criterion on the loop thread, cycle by cycle (deterministic on the simulated
/// clock): every tolerance must hold continuously for the last <see cref="TaskSpec.Hold_s"/> seconds.
/// </summary>
public sealed class TaskMonitor : ICycleObserver
{
    private readonly TaskSpec _task;
    private readonly GoalTerm[] _terms;
    private readonly int[] _index;
    private readonly long[] _lastViolation_ns;
    private readonly double[] _finalError;
    private long _first_ns = long.MinValue, _last_ns;

    public TaskMonitor(TaskSpec task, StateFrame state)
    {
        _task = task;
        _terms = task.Terms.Where(t => t.Tolerance is not null).ToArray();
        _index = _terms.Select(t => state.Require(t.Interface)).ToArray();
        _lastViolation_ns = new long[_terms.Length];
        _finalError = new double[_terms.Length];
    }

    public void OnCycle(StateFrame state, CommandFrame command, in CycleTime time)
    {
        if (_first_ns == long.MinValue)
        {
            _first_ns = time.Now_ns;
            for (var i = 0; i < _terms.Length; i++) _lastViolation_ns[i] = time.Now_ns;
        }
        _last_ns = time.Now_ns;
        for (var i = 0; i < _terms.Length; i++)
        {
            var t = _terms[i];
            var e = Math.Abs(Angles.Difference(state.Values[_index[i]], t.Goal, t.Periodic));
            _finalError[i] = e;
            if (!(e <= t.Tolerance!.Value)) _lastViolation_ns[i] = time.Now_ns;
        }
    }

    /// <summary>Each criterion's outcome at the end of the run.</summary>
    public IReadOnlyList<CriterionResult> Results()
    {
        var hold_ns = (long)(_task.Hold_s * 1e9);
        return _terms.Select((t, i) => new CriterionResult(t.Interface, t.Goal, t.Tolerance!.Value, _finalError[i],
            _first_ns != long.MinValue && _last_ns - _lastViolation_ns[i] >= hold_ns - 1)).ToList();
    }

    /// <summary>Loop time from the first cycle after which every tolerance held to the end, s (when the task settled).</summary>
    public double Settled_s
    {
        get
        {
            if (_first_ns == long.MinValue) return double.NaN;
            var last = _first_ns;
            foreach (var v in _lastViolation_ns) last = Math.Max(last, v);
            return (last - _first_ns) * 1e-9;
        }
    }

    /// <summary>Whether every criterion held for the final window.</summary>
    public bool Succeeded => Results().All(r => r.Held);
}
