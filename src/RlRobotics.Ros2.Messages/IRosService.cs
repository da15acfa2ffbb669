using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages;

/// <summary>A ROS 2 service type: its request and response message types and their schemas.</summary>
public interface IRosService<TRequest, TResponse>
    where TRequest : IRosMessage<TRequest>, new()
    where TResponse : IRosMessage<TResponse>, new()
{
    /// <summary>The service schema, e.g. for <c>example_interfaces/srv/AddTwoInts</c>.</summary>
    static abstract ServiceSchema Schema { get; }
}
