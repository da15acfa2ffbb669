namespace RlRobotics.Ros2.Messages.Schema;

/// <summary>One field of a message, in declaration order; <paramref name="Default"/> is the .msg default text, if any.</summary>
public sealed record Field(string Name, FieldType Type, string? Default = null)
{
    /// <summary>The default parsed to the field's .NET type (a typed array for collections); null when there is none.</summary>
    internal object? DefaultValue { get; init; }

    public override string ToString() => Default is null ? $"{Type} {Name}" : $"{Type} {Name} {Default}";
}
