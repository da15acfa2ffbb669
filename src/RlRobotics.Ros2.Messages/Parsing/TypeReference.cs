using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Parsing;

/// <summary>
/// A field type as written in a .msg file, before message names are resolved: a primitive, or a message named by
/// <see cref="Package"/> and <see cref="MessageName"/>, with the collection and bounds.
/// </summary>
public sealed record TypeReference(
    PrimitiveKind? Primitive,
    string? Package,
    string? MessageName,
    int StringBound,
    CollectionKind Collection,
    int Bound)
{
    public override string ToString() =>
        FieldType.Spell(Primitive is { } p ? p.RosName() : $"{Package}/{MessageName}", StringBound, Collection, Bound);
}
