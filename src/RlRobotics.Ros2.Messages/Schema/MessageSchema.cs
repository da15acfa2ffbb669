namespace RlRobotics.Ros2.Messages.Schema;

/// <summary>
/// A ROS 2 message structure: package, interface kind (<c>msg</c>, or <c>srv</c> for the request and response halves of a
/// service), name, fields in wire order and constants. The DDS type name follows rmw: <c>pkg::msg::dds_::Name_</c>.
/// </summary>
public sealed class MessageSchema
{
    public MessageSchema(string package, string name, IReadOnlyList<Field> fields, IReadOnlyList<Constant>? constants = null,
        string interfaceKind = "msg")
    {
        Package = package;
        Name = name;
        Fields = fields;
        Constants = constants ?? [];
        InterfaceKind = interfaceKind;
    }

    /// <summary>The package, e.g. <c>sensor_msgs</c>.</summary>
    public string Package { get; }

    /// <summary>The type name, e.g. <c>JointState</c>, or <c>AddTwoInts_Request</c> for a service half.</summary>
    public string Name { get; }

    /// <summary><c>msg</c> or <c>srv</c>.</summary>
    public string InterfaceKind { get; }

    /// <summary>Fields in declaration (wire) order. Never empty: an empty .msg gets rosidl's placeholder field.</summary>
    public IReadOnlyList<Field> Fields { get; internal set; }

    /// <summary>Constants in declaration order.</summary>
    public IReadOnlyList<Constant> Constants { get; internal set; }

    /// <summary>The ROS name, e.g. <c>sensor_msgs/msg/JointState</c>.</summary>
    public string FullName => $"{Package}/{InterfaceKind}/{Name}";

    /// <summary>The DDS type name rmw_cyclonedds uses, e.g. <c>sensor_msgs::msg::dds_::JointState_</c>.</summary>
    public string DdsTypeName => $"{Package}::{InterfaceKind}::dds_::{Name}_";

    /// <summary>The index of the field named <paramref name="fieldName"/>, or -1.</summary>
    public int IndexOf(string fieldName)
    {
        for (var i = 0; i < Fields.Count; i++)
            if (Fields[i].Name == fieldName) return i;
        return -1;
    }

    public override string ToString() => FullName;
}
