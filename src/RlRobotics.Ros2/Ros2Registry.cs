using RlRobotics.Hal.Components;
using RlRobotics.Ros2.Hal;

namespace RlRobotics.Ros2;

/// <summary>Registers the ROS 2 hardware components with a <see cref="ComponentRegistry"/>.</summary>
public static class Ros2Registry
{
    public static ComponentRegistry AddRos2(this ComponentRegistry registry) =>
        registry.Register(Ros2TopicsSystem.TypeName, context => new Ros2TopicsSystem(context));
}
