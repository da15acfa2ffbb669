using RlRobotics.Core.Frames;

namespace RlRobotics.Hal.Components;

/// <summary>
/// A piece of hardware (a servo bus, a board, a ROS 2 driver, a simulated robot) with ros2_control's
/// lifecycle. It exports state and command interfaces named <c>joint/position|velocity|effort</c> (or
/// <c>sensor/field</c>). <see cref="Read"/> and <see cref="Write"/> run on the real-time thread.
/// </summary>
public interface IHardwareComponent
{
    /// <summary>Name from the YAML.</summary>
    string Name { get; }

    /// <summary>Registry type key, e.g. <c>sim</c>.</summary>
    string Type { get; }

    LifecycleState State { get; }

    /// <summary>The message of the last failed transition or read/write, or null.</summary>
    string? LastError { get; }

    /// <summary>State interfaces this component fills.</summary>
    IReadOnlyList<string> StateInterfaces { get; }

    /// <summary>Command interfaces this component consumes.</summary>
    IReadOnlyList<string> CommandInterfaces { get; }

    /// <summary>Sample time of the state this component last read, ns on the loop clock (the watchdog's input).</summary>
    long StateStamp_ns { get; }

    /// <summary>
    /// Why this component can only run on real time (it drives hardware outside this process, whose time the loop's
    /// clock cannot hold back), or null when it follows the loop's clock (a simulation, a servo double).
    /// </summary>
    string? RealTimeOnly { get; }

    /// <summary>Resolves its interfaces to indices in the robot's frames (not real-time).</summary>
    void Bind(StateFrame state, CommandFrame command);

    /// <summary>Unconfigured → Inactive: open communication.</summary>
    bool Configure();

    /// <summary>Inactive → Active: power on, enable torque.</summary>
    bool Activate();

    /// <summary>Active → Inactive: disable torque; states are still read.</summary>
    bool Deactivate();

    /// <summary>Inactive → Unconfigured: close communication.</summary>
    bool Cleanup();

    /// <summary>Any state → Finalized.</summary>
    bool Shutdown();

    /// <summary>Reads states into the state frame (real-time).</summary>
    HardwareResult Read(in CycleTime time);

    /// <summary>Writes the (filtered) commands to the hardware (real-time). Never called unless Active.</summary>
    HardwareResult Write(in CycleTime time);

    /// <summary>Handles a failed read or write: back to Unconfigured when recovery succeeds, else Finalized.</summary>
    void HandleError();
}
