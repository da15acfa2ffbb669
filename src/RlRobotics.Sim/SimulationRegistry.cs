using RlRobotics.Hal.Components;
using RlRobotics.Sim.Components;

namespace RlRobotics.Sim;

/// <summary>Registers the simulated hardware components with a <see cref="ComponentRegistry"/>.</summary>
public static class SimulationRegistry
{
    public static ComponentRegistry AddSimulation(this ComponentRegistry registry) =>
        registry.Register(SimulatedSystem.TypeName, context => new SimulatedSystem(context));
}
