using RlRobotics.Core.Concurrency;
using RlRobotics.Core.Frames;
using RlRobotics.Hal.Loop;

namespace RlRobotics.Hal.Recording;

/// <summary>
/// Records the loop for learning at a coarser step than the loop's: for each interval of <see cref="EveryCycles"/>
/// cycles it writes one record [t_s, state at the interval's start…, mean command over the interval…] into a wait-free
/// ring that a learner thread drains. The command is the one written to the hardware, after the safety filter, averaged
/// over the interval, so rate limits and clamping are seen as the actuator saw them. Nothing is allocated or locked per
/// cycle; a full ring drops the record and counts it (the learner sees the gap in time and does not pair across it).
/// </summary>
public sealed class SampleRecorder : ICycleObserver
{
    private readonly string[] _states, _commands;
    private readonly double[] _record, _commandSum;
    private int[]? _stateIndex, _commandIndex;
    private long _cycles;

    public SampleRecorder(IReadOnlyList<string> states, IReadOnlyList<string> commands, int everyCycles, int capacity = 1 << 14)
    {
        if (everyCycles < 1) throw new ArgumentOutOfRangeException(nameof(everyCycles));
        _states = states.ToArray();
        _commands = commands.ToArray();
        EveryCycles = everyCycles;
        _record = new double[1 + _states.Length + _commands.Length];
        _commandSum = new double[_commands.Length];
        Ring = new SpscRing(capacity, _record.Length);
    }

    public int EveryCycles { get; }

    /// <summary>Records, [t_s, state (in the given order), mean command over the interval].</summary>
    public SpscRing Ring { get; }

    public void OnCycle(StateFrame state, CommandFrame command, in CycleTime time)
    {
        if (_stateIndex is null)
        {
            // First cycle only: resolve names once (fails loudly on a name the robot does not have).
            _stateIndex = _states.Select(state.Require).ToArray();
            _commandIndex = _commands.Select(command.Require).ToArray();
        }
        var ns = _stateIndex.Length;
        if (_cycles % EveryCycles == 0)
        {
            if (_cycles > 0)
            {
                for (var j = 0; j < _commandSum.Length; j++) _record[1 + ns + j] = _commandSum[j] / EveryCycles;
                Ring.TryWrite(_record);
            }
            _record[0] = time.Now_ns * 1e-9;
            for (var i = 0; i < ns; i++) _record[1 + i] = state.Values[_stateIndex[i]];
            Array.Clear(_commandSum);
        }
        for (var j = 0; j < _commandIndex!.Length; j++) _commandSum[j] += command.Values[_commandIndex[j]];
        _cycles++;
    }
}
