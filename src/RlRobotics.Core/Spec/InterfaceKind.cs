namespace RlRobotics.Core.Spec;

/// <summary>The standard ros2_control interface kinds; a handle is named <c>joint/kind</c>.</summary>
public enum InterfaceKind
{
    Position,
    Velocity,
    Effort,
}

/// <summary>Helpers for <c>joint/interface</c> names.</summary>
public static class InterfaceName
{
    public static string Of(string joint, InterfaceKind kind) => $"{joint}/{Suffix(kind)}";

    public static string Suffix(InterfaceKind kind) => kind switch
    {
        InterfaceKind.Position => "position",
        InterfaceKind.Velocity => "velocity",
        InterfaceKind.Effort => "effort",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Splits <c>joint/kind</c>; throws <see cref="ArgumentException"/> when the kind is not a standard one.</summary>
    public static (string Joint, InterfaceKind Kind) Split(string name)
    {
        var slash = name.LastIndexOf('/');
        var kind = slash < 0 ? null : name[(slash + 1)..] switch
        {
            "position" => (InterfaceKind?)InterfaceKind.Position,
            "velocity" => InterfaceKind.Velocity,
            "effort" => InterfaceKind.Effort,
            _ => null,
        };
        if (kind is null) throw new ArgumentException($"'{name}' is not a joint/position, joint/velocity or joint/effort interface");
        return (name[..slash], kind.Value);
    }
}
