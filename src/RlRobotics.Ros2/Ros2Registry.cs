using RlRobotics.Hal.Components;
using RlRobotics.Ros2.Hal;

namespace RlRobotics.Ros2;

/// <summary>Registers the ROS 2 hardware components with a <see cref="ComponentRegistry"/>.</summary>
public static class Ros2Registry
{
    /// <summary>Registers <c>type: ros2-topics</c>.</summary>
    /// <param name="registry">The registry to add to.</param>
    /// <param name="ros">The node's ROS 2 command-line arguments (<c>--ros-args</c>), applied to every ROS 2 component; null: none.</param>
    public static ComponentRegistry AddRos2(this ComponentRegistry registry, Rcl.RosArguments? ros = null) =>
        registry.Register(Ros2TopicsSystem.TypeName, context => new Ros2TopicsSystem(context, ros));
}
