using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_srvs;

/// <summary><c>std_srvs/srv/Trigger</c>: Triggers an action; the response says whether it succeeded.</summary>
public sealed class Trigger : IRosService<Trigger_Request, Trigger_Response>
{
    private Trigger()
    {
    }

    public static ServiceSchema Schema { get; } = BuiltinTypes.Service("std_srvs/srv/Trigger");
}
