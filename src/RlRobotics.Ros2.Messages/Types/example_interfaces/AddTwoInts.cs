using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.example_interfaces;

/// <summary><c>example_interfaces/srv/AddTwoInts</c>: Adds two int64: <c>sum = a + b</c>.</summary>
public sealed class AddTwoInts : IRosService<AddTwoInts_Request, AddTwoInts_Response>
{
    private AddTwoInts()
    {
    }

    public static ServiceSchema Schema { get; } = BuiltinTypes.Service("example_interfaces/srv/AddTwoInts");
}
