using RlRobotics.Core.Frames;

namespace RlRobotics.Core.Control;

/// <summary>
/// A controller run by the control loop: it reads the state frame and writes the command interfaces it
/// claimed. <see cref="Update"/> runs on the real-time thread and must not allocate, lock or block.
/// </summary>
public interface IController
{
    /// <summary>Kind name as written in the YAML (<c>lqr</c>, <c>pd</c>, <c>hold</c>, ...).</summary>
    string Kind { get; }

    /// <summary>Command interfaces this controller writes; the resource manager refuses a second claimant.</summary>
    IReadOnlyList<string> ClaimedCommands { get; }

    /// <summary>Resolves interface names to indices (not real-time).</summary>
    void Bind(StateFrame state, CommandFrame command);

    /// <summary>Called once with the first state, before the first <see cref="Update"/> (not real-time).</summary>
    void Start(StateFrame state);

    /// <summary>Computes commands for this cycle (real-time).</summary>
    void Update(StateFrame state, CommandFrame command, in CycleTime time);
}
