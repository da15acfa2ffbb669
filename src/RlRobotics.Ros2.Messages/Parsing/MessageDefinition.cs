using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Parsing;

/// <summary>A parsed .msg (or one half of a .srv) whose message-typed fields are not yet resolved to schemas.</summary>
public sealed record MessageDefinition(
    string Package,
    string Name,
    string InterfaceKind,
    string FileName,
    IReadOnlyList<FieldDefinition> Fields,
    IReadOnlyList<Constant> Constants)
{
    /// <summary>The registry key and ROS name, e.g. <c>std_msgs/msg/Header</c>.</summary>
    public string FullName => $"{Package}/{InterfaceKind}/{Name}";
}
