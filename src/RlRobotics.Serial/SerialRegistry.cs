using RlRobotics.Hal.Components;
using RlRobotics.Serial.Dynamixel;

namespace RlRobotics.Serial;

/// <summary>Registers the serial-bus hardware components with a <see cref="ComponentRegistry"/>.</summary>
public static class SerialRegistry
{
    /// <param name="registry">The registry to add to.</param>
    /// <param name="simulate">Builds the servo-chain double for <c>port: simulated</c>; without it such a bus is refused.</param>
    public static ComponentRegistry AddSerial(this ComponentRegistry registry, Func<DynamixelSettings, ComponentContext, ISimulatedBus?>? simulate = null) =>
        registry.Register(DynamixelSystem.TypeName, context => new DynamixelSystem(context, simulate));
}
