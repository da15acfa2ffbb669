namespace RlRobotics.Learning.Data;

/// <summary>
/// Transitions (x, u, x⁺) with the episode each came from, in flat double arrays. When full, the oldest transition is
/// overwritten (FIFO). Written by the learner thread only; the real-time loop never touches it (its samples arrive
/// through a ring, see <see cref="TransitionAssembler"/>).
/// </summary>
public sealed class ReplayBuffer
{
    private readonly double[] _x, _u, _next;
    private readonly int[] _episode;
    private long _added;

    public ReplayBuffer(int stateSize, int controlSize, int capacity)
    {
        if (stateSize < 1 || controlSize < 1 || capacity < 1) throw new ArgumentException("sizes and capacity must be at least 1");
        StateSize = stateSize;
        ControlSize = controlSize;
        Capacity = capacity;
        _x = new double[capacity * stateSize];
        _u = new double[capacity * controlSize];
        _next = new double[capacity * stateSize];
        _episode = new int[capacity];
    }

    public int StateSize { get; }
    public int ControlSize { get; }
    public int Capacity { get; }

    /// <summary>Transitions held (at most <see cref="Capacity"/>).</summary>
    public int Count => (int)Math.Min(_added, Capacity);

    /// <summary>Transitions ever added.</summary>
    public long Added => _added;

    public void Add(ReadOnlySpan<double> x, ReadOnlySpan<double> u, ReadOnlySpan<double> next, int episode)
    {
        if (x.Length != StateSize || next.Length != StateSize || u.Length != ControlSize)
            throw new ArgumentException($"a transition needs {StateSize} state and {ControlSize} control values");
        var slot = (int)(_added % Capacity);
        x.CopyTo(_x.AsSpan(slot * StateSize, StateSize));
        u.CopyTo(_u.AsSpan(slot * ControlSize, ControlSize));
        next.CopyTo(_next.AsSpan(slot * StateSize, StateSize));
        _episode[slot] = episode;
        _added++;
    }

    public ReadOnlySpan<double> State(int i) => _x.AsSpan(Check(i) * StateSize, StateSize);
    public ReadOnlySpan<double> Control(int i) => _u.AsSpan(Check(i) * ControlSize, ControlSize);
    public ReadOnlySpan<double> Next(int i) => _next.AsSpan(Check(i) * StateSize, StateSize);
    public int Episode(int i) => _episode[Check(i)];

    private int Check(int i) => (uint)i < (uint)Count ? i : throw new ArgumentOutOfRangeException(nameof(i));
}
