using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;

namespace RlRobotics.Hal.Components;

/// <summary>What a component factory gets: the robot, its own entry, and run-time overrides.</summary>
/// <param name="Robot">The whole validated robot description.</param>
/// <param name="Spec">This component's entry (its settings are a located <see cref="ConfigNode"/>).</param>
/// <param name="Seed">Seed for any randomness (sensor noise).</param>
/// <param name="InitialState">Overrides the initial state of simulated components, when given.</param>
/// <param name="Clock">The loop's clock (simulated hardware moves in its time; bus breakers rest in it); wall time when null.</param>
public sealed record ComponentContext(RobotSpec Robot, ComponentSpec Spec, int Seed, double[]? InitialState, IClock? Clock = null)
{
    /// <summary>The loop's clock, or the wall clock.</summary>
    public IClock LoopClock => Clock ?? WallClock.Instance;
}

/// <summary>
/// Maps the YAML <c>type:</c> of a hardware component to a factory. Factories read their settings strictly
/// and report problems through the settings node, so an unknown key fails before anything runs.
/// </summary>
public sealed class ComponentRegistry
{
    private readonly Dictionary<string, Func<ComponentContext, IHardwareComponent>> _factories = new(StringComparer.Ordinal);

    public ComponentRegistry Register(string type, Func<ComponentContext, IHardwareComponent> factory)
    {
        _factories[type] = factory;
        return this;
    }

    public IReadOnlyCollection<string> Types => _factories.Keys;

    /// <summary>
    /// Creates every component of <paramref name="robot"/>. Throws <see cref="SpecException"/> with every
    /// unknown type and every settings problem, located in the robot file.
    /// </summary>
    public IReadOnlyList<IHardwareComponent> CreateAll(RobotSpec robot, int seed, double[]? initialState, IClock? clock = null)
    {
        var components = new List<IHardwareComponent>();
        var diagnostics = robot.Components.FirstOrDefault()?.Node.Diagnostics ?? new Diagnostics(robot.SourcePath);
        foreach (var spec in robot.Components)
        {
            if (!_factories.TryGetValue(spec.Type, out var factory))
            {
                spec.Node["type"].Error($"unknown component type '{spec.Type}'; known types: {string.Join(", ", _factories.Keys.Order())}");
                continue;
            }
            var before = diagnostics.Errors.Count;
            var component = factory(new ComponentContext(robot, spec, seed, initialState, clock));
            spec.Settings.RejectUnknownKeys();
            if (diagnostics.Errors.Count == before) components.Add(component);
        }
        diagnostics.ThrowIfAny();
        return components;
    }
}
