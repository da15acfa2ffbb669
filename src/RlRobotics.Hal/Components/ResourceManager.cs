using RlRobotics.Core.Frames;

namespace RlRobotics.Hal.Components;

/// <summary>Thrown when a second claimant asks for a command interface that is already claimed.</summary>
public sealed class ClaimConflictException(string message) : InvalidOperationException(message);

/// <summary>
/// Owns the hardware components and the robot-wide state and command frames they share, drives their
/// lifecycle, and guarantees each command interface has at most one claimant (one controller). Reads every
/// configured component each cycle; writes only the Active ones.
/// </summary>
public sealed class ResourceManager
{
    private readonly IHardwareComponent[] _components;
    private readonly Dictionary<string, string> _claims = new(StringComparer.Ordinal);
    private readonly int[][] _commandIndices;
    private long _readErrors, _writeErrors, _degradedReads;

    public ResourceManager(IReadOnlyList<IHardwareComponent> components)
    {
        _components = components.ToArray();
        var stateOwner = new Dictionary<string, string>(StringComparer.Ordinal);
        var commandOwner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in _components)
        {
            foreach (var s in c.StateInterfaces)
                if (!stateOwner.TryAdd(s, c.Name))
                    throw new ClaimConflictException($"state interface '{s}' is exported by both '{stateOwner[s]}' and '{c.Name}'");
            foreach (var s in c.CommandInterfaces)
                if (!commandOwner.TryAdd(s, c.Name))
                    throw new ClaimConflictException($"command interface '{s}' is exported by both '{commandOwner[s]}' and '{c.Name}'");
        }
        State = new StateFrame(_components.SelectMany(c => c.StateInterfaces).ToList());
        Command = new CommandFrame(_components.SelectMany(c => c.CommandInterfaces).ToList());
        foreach (var c in _components) c.Bind(State, Command);
        _commandIndices = _components.Select(c => c.CommandInterfaces.Select(Command.Require).ToArray()).ToArray();
    }

    public IReadOnlyList<IHardwareComponent> Components => _components;

    public StateFrame State { get; }

    public CommandFrame Command { get; }

    /// <summary>Read or write errors reported by components since start.</summary>
    public long ReadErrors => Interlocked.Read(ref _readErrors);
    public long WriteErrors => Interlocked.Read(ref _writeErrors);

    /// <summary>Of <see cref="ReadErrors"/>, the reads a component reported as <see cref="HardwareResult.Degraded"/> (it stayed up).</summary>
    public long DegradedReads => Interlocked.Read(ref _degradedReads);

    /// <summary>Claims a command interface for <paramref name="claimant"/>; refuses a second claimant.</summary>
    public void Claim(string commandInterface, string claimant)
    {
        if (Command.IndexOf(commandInterface) < 0)
            throw new ClaimConflictException($"'{claimant}' claims command interface '{commandInterface}', which no component exports; available: {string.Join(", ", Command.Names)}");
        if (_claims.TryGetValue(commandInterface, out var owner) && owner != claimant)
            throw new ClaimConflictException($"command interface '{commandInterface}' is already claimed by '{owner}'; '{claimant}' cannot claim it too");
        _claims[commandInterface] = claimant;
    }

    /// <summary>Releases every claim held by <paramref name="claimant"/>.</summary>
    public void Release(string claimant)
    {
        foreach (var key in _claims.Where(kv => kv.Value == claimant).Select(kv => kv.Key).ToList()) _claims.Remove(key);
    }

    /// <summary>Who holds <paramref name="commandInterface"/>, or null.</summary>
    public string? ClaimantOf(string commandInterface) => _claims.GetValueOrDefault(commandInterface);

    /// <summary>Configures then activates every component; returns the errors of those that refused.</summary>
    public IReadOnlyList<string> ConfigureAndActivate()
    {
        var errors = new List<string>();
        foreach (var c in _components)
        {
            if (c.State == LifecycleState.Unconfigured && !c.Configure()) errors.Add(c.LastError ?? $"'{c.Name}' failed to configure");
            else if (c.State == LifecycleState.Inactive && !c.Activate()) errors.Add(c.LastError ?? $"'{c.Name}' failed to activate");
        }
        return errors;
    }

    /// <summary>Deactivates and shuts down every component (end of run).</summary>
    public void ShutdownAll()
    {
        foreach (var c in _components)
        {
            if (c.State == LifecycleState.Active) c.Deactivate();
            c.Shutdown();
        }
    }

    /// <summary>
    /// Reads every Inactive or Active component (real-time). A failing one goes through error handling; a degraded
    /// one stays as it is. Either way the frame's stamp marks the state stale for this cycle.
    /// Sets <see cref="StateFrame.Stamp_ns"/> to the oldest sample time, so staleness anywhere is visible.
    /// Returns false when some component is not delivering state.
    /// </summary>
    public bool ReadAll(in CycleTime time)
    {
        var ok = true;
        var oldest = long.MaxValue;
        foreach (var c in _components)
        {
            if (c.State is LifecycleState.Inactive or LifecycleState.Active)
            {
                var result = SafeRead(c, time);
                if (result != HardwareResult.Ok)
                {
                    Interlocked.Increment(ref _readErrors);
                    if (result == HardwareResult.Degraded) Interlocked.Increment(ref _degradedReads);
                    else c.HandleError();
                    ok = false;
                    oldest = long.MinValue;
                    continue;
                }
                if (c.StateStamp_ns < oldest) oldest = c.StateStamp_ns;
            }
            else
            {
                ok = false;
                oldest = long.MinValue;
            }
        }
        State.Stamp_ns = oldest == long.MaxValue ? time.Now_ns : oldest;
        return ok;
    }

    /// <summary>Writes the filtered commands to every Active component (real-time). Inactive ones are never written.</summary>
    public bool WriteAll(in CycleTime time)
    {
        var ok = true;
        for (var i = 0; i < _components.Length; i++)
        {
            var c = _components[i];
            if (c.State != LifecycleState.Active) continue;
            var result = SafeWrite(c, time);
            if (result != HardwareResult.Ok)
            {
                Interlocked.Increment(ref _writeErrors);
                if (result != HardwareResult.Degraded) c.HandleError();
                ok = false;
            }
        }
        return ok;
    }

    // A component that throws is treated as one that reported an error: it never takes the loop down.
    private static HardwareResult SafeRead(IHardwareComponent c, in CycleTime time)
    {
        try { return c.Read(time); }
        catch (Exception) { return HardwareResult.Error; }
    }

    private static HardwareResult SafeWrite(IHardwareComponent c, in CycleTime time)
    {
        try { return c.Write(time); }
        catch (Exception) { return HardwareResult.Error; }
    }

    /// <summary>Indices in <see cref="Command"/> of the interfaces component <paramref name="i"/> consumes.</summary>
    public ReadOnlySpan<int> CommandIndicesOf(int i) => _commandIndices[i];
}
