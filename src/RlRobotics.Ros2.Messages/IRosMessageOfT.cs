using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages;

/// <summary>A message type whose schema is known statically, so generic code (publishers, subscriptions) can find the DDS type name.</summary>
public interface IRosMessage<TSelf> : IRosMessage where TSelf : IRosMessage<TSelf>, new()
{
    /// <summary>The schema, e.g. for <c>sensor_msgs/msg/JointState</c>; its <see cref="MessageSchema.DdsTypeName"/> is the DDS type.</summary>
    static abstract MessageSchema Schema { get; }
}
