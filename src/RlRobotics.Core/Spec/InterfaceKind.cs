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
}
