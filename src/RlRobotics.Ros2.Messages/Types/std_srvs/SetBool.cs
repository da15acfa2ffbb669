using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.std_srvs;

/// <summary><c>std_srvs/srv/SetBool</c>: Sets a boolean (e.g. enable hardware); the response says whether it succeeded.</summary>
public sealed class SetBool : IRosService<SetBool_Request, SetBool_Response>
{
    private SetBool()
    {
    }

    public static ServiceSchema Schema { get; } = BuiltinTypes.Service("std_srvs/srv/SetBool");
}
