namespace RlRobotics.Ros2.Messages.Schema;

/// <summary>A constant declared in a .msg file (<c>uint8 OK=0</c>); not part of the wire format.</summary>
public sealed record Constant(string Name, PrimitiveKind Type, string Value);
