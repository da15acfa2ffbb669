namespace RlRobotics.Ros2.Messages.Schema;

/// <summary>
/// A ROS 2 service: two message structures with interface kind <c>srv</c>, named <c>Name_Request</c> and <c>Name_Response</c>,
/// whose DDS type names are <c>pkg::srv::dds_::Name_Request_</c> and <c>pkg::srv::dds_::Name_Response_</c> (rmw demangle.cpp).
/// </summary>
public sealed record ServiceSchema(string Package, string Name, MessageSchema Request, MessageSchema Response)
{
    /// <summary>The ROS name, e.g. <c>example_interfaces/srv/AddTwoInts</c>.</summary>
    public string FullName => $"{Package}/srv/{Name}";

    public override string ToString() => FullName;
}
