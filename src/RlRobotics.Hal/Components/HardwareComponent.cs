using RlRobotics.Core.Frames;

namespace RlRobotics.Hal.Components;

/// <summary>
/// Base class enforcing the lifecycle: callbacks run only on legal transitions, and an <c>Error</c> result
/// goes through <see cref="OnError"/> (Success → Unconfigured, otherwise → Finalized), as in ros2_control.
/// </summary>
public abstract class HardwareComponent : IHardwareComponent
{
    protected HardwareComponent(string name, string type, IReadOnlyList<string> stateInterfaces, IReadOnlyList<string> commandInterfaces)
    {
        Name = name;
        Type = type;
        StateInterfaces = stateInterfaces;
        CommandInterfaces = commandInterfaces;
    }

    public string Name { get; }
    public string Type { get; }
    public LifecycleState State { get; private set; } = LifecycleState.Unconfigured;
    public string? LastError { get; protected set; }
    public IReadOnlyList<string> StateInterfaces { get; }
    public IReadOnlyList<string> CommandInterfaces { get; }
    public long StateStamp_ns { get; protected set; }

    /// <summary>Real time only unless a component says otherwise: hardware is assumed real.</summary>
    public virtual string? RealTimeOnly => $"'{Name}' ({Type}) is hardware outside this process";

    public abstract void Bind(StateFrame state, CommandFrame command);

    public bool Configure() => Transition(LifecycleState.Unconfigured, LifecycleState.Inactive, OnConfigure, "configure");
    public bool Activate() => Transition(LifecycleState.Inactive, LifecycleState.Active, OnActivate, "activate");
    public bool Deactivate() => Transition(LifecycleState.Active, LifecycleState.Inactive, OnDeactivate, "deactivate");
    public bool Cleanup() => Transition(LifecycleState.Inactive, LifecycleState.Unconfigured, OnCleanup, "cleanup");

    public bool Shutdown()
    {
        if (State == LifecycleState.Finalized) return true;
        if (State == LifecycleState.Active) OnDeactivate();
        OnShutdown();
        State = LifecycleState.Finalized;
        return true;
    }

    public abstract HardwareResult Read(in CycleTime time);
    public abstract HardwareResult Write(in CycleTime time);

    public void HandleError()
    {
        if (State == LifecycleState.Finalized) return;
        State = OnError() == CallbackResult.Success ? LifecycleState.Unconfigured : LifecycleState.Finalized;
    }

    private bool Transition(LifecycleState from, LifecycleState to, Func<CallbackResult> callback, string verb)
    {
        if (State != from)
        {
            LastError = $"cannot {verb} component '{Name}' while it is {State.ToString().ToLowerInvariant()}";
            return false;
        }
        CallbackResult result;
        try
        {
            result = callback();
        }
        catch (Exception ex)
        {
            LastError = $"{verb} of '{Name}' threw: {ex.Message}";
            result = CallbackResult.Error;
        }
        switch (result)
        {
            case CallbackResult.Success:
                State = to;
                return true;
            case CallbackResult.Failure:
                LastError ??= $"{verb} of '{Name}' failed";
                return false;
            default:
                LastError ??= $"{verb} of '{Name}' raised an error";
                HandleError();
                return false;
        }
    }

    protected virtual CallbackResult OnConfigure() => CallbackResult.Success;
    protected virtual CallbackResult OnActivate() => CallbackResult.Success;
    protected virtual CallbackResult OnDeactivate() => CallbackResult.Success;
    protected virtual CallbackResult OnCleanup() => CallbackResult.Success;
    protected virtual void OnShutdown() { }
    protected virtual CallbackResult OnError() => CallbackResult.Success;
}
