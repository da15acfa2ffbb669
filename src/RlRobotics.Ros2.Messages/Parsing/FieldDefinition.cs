namespace RlRobotics.Ros2.Messages.Parsing;

/// <summary>One parsed field line: type, name, optional default (text and parsed value) and the line it came from.</summary>
public sealed record FieldDefinition(string Name, TypeReference Type, string? Default, int Line)
{
    /// <summary>The default parsed to the .NET type of the field, or null.</summary>
    internal object? DefaultValue { get; init; }
}
