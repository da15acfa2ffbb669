namespace RlRobotics.Learning.Data;

/// <summary>
/// Turns the loop's periodic samples [t_s, x (n), u (m)] — one per model step, read off the real-time ring by the
/// learner thread — into transitions (x_k, u_applied, x_{k+1}). With an actuation delay of d steps the control acting
/// over step k is the one issued d samples earlier (u_{k−d}; zero before the first command of the episode), which is
/// how the agent's MPC predicts it too. A gap in the samples (a dropped record) ends the chain instead of pairing
/// states that are not one step apart.
/// </summary>
public sealed class TransitionAssembler
{
    private readonly int _n, _m, _delay;
    private readonly double _dt;
    private readonly double[] _previous, _commands, _applied;
    private int _commandCount;
    private bool _hasPrevious;
    private double _previousTime;

    public TransitionAssembler(int stateSize, int controlSize, double dt_s, int delaySteps)
    {
        if (delaySteps < 0) throw new ArgumentOutOfRangeException(nameof(delaySteps));
        _n = stateSize;
        _m = controlSize;
        _dt = dt_s;
        _delay = delaySteps;
        _previous = new double[stateSize];
        _commands = new double[(delaySteps + 1) * controlSize];
        _applied = new double[controlSize];
    }

    /// <summary>Record width: time, state, control.</summary>
    public int Width => 1 + _n + _m;

    /// <summary>Samples skipped because they were not one step after the previous one.</summary>
    public long Gaps { get; private set; }

    /// <summary>Forgets the chain (a new episode).</summary>
    public void Reset()
    {
        _hasPrevious = false;
        _commandCount = 0;
        Array.Clear(_commands);
    }

    /// <summary>Adds one sample; appends the transition it completes, if any, to <paramref name="buffer"/>.</summary>
    public bool Add(ReadOnlySpan<double> record, ReplayBuffer buffer, int episode)
    {
        var t = record[0];
        var x = record.Slice(1, _n);
        var u = record.Slice(1 + _n, _m);
        var added = false;
        if (_hasPrevious && Math.Abs(t - _previousTime - _dt) > 0.25 * _dt)
        {
            Gaps++;
            Reset();
        }
        if (_hasPrevious)
        {
            // The control that acted between the previous sample and this one was issued `delay` samples before it.
            var slot = _commandCount - 1 - _delay;
            if (slot >= 0) _commands.AsSpan((slot % (_delay + 1)) * _m, _m).CopyTo(_applied);
            else Array.Clear(_applied);
            buffer.Add(_previous, _applied, x, episode);
            added = true;
        }
        x.CopyTo(_previous);
        _previousTime = t;
        _hasPrevious = true;
        u.CopyTo(_commands.AsSpan((_commandCount % (_delay + 1)) * _m, _m));
        _commandCount++;
        return added;
    }
}
