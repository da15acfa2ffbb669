namespace RlRobotics.Hal.Components;

/// <summary>ros2_control's hardware lifecycle states.</summary>
public enum LifecycleState
{
    /// <summary>Created; no communication, interfaces not in use.</summary>
    Unconfigured,
    /// <summary>Communication is up; states are read, commands are never written.</summary>
    Inactive,
    /// <summary>Powered: states read and commands written every cycle.</summary>
    Active,
    /// <summary>Shut down for good.</summary>
    Finalized,
}

/// <summary>What a lifecycle callback reports (ros2_control's CallbackReturn).</summary>
public enum CallbackResult
{
    Success,
    /// <summary>The transition did not happen; the component stays where it was.</summary>
    Failure,
    /// <summary>Something broke; the component goes through <c>OnError</c>.</summary>
    Error,
}

/// <summary>What <c>Read</c>/<c>Write</c> report (ros2_control's return_type).</summary>
public enum HardwareResult
{
    Ok,
    /// <summary>The component failed; the loop moves it through error handling and makes its joints safe.</summary>
    Error,
    /// <summary>
    /// The component is up but could not deliver this cycle (a bus transaction failed, the bus is resting). The loop
    /// counts it and treats the state as stale, so the safety filter commands safe values this very cycle; the
    /// component keeps its lifecycle state and is still written, so those safe values reach what still answers.
    /// </summary>
    Degraded,
}
