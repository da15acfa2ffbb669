using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_srvs;

/// <summary><c>std_srvs/srv/Empty</c>: A service without request or response data.</summary>
public sealed class Empty : IRosService<Empty_Request, Empty_Response>
{
    private Empty()
    {
    }

    public static ServiceSchema Schema { get; } = BuiltinTypes.Service("std_srvs/srv/Empty");
}
