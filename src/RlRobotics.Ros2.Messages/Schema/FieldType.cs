namespace RlRobotics.Ros2.Messages.Schema;

/// <summary>
/// The type of one message field: a primitive or a nested message, optionally repeated.
/// <see cref="StringBound"/> is the bound of a <c>string&lt;=N</c> (0 when unbounded); <see cref="Bound"/> is the length
/// of a fixed array or the bound of a bounded sequence (0 otherwise).
/// </summary>
public sealed record FieldType(
    PrimitiveKind? Primitive,
    MessageSchema? Nested,
    int StringBound,
    CollectionKind Collection,
    int Bound)
{
    /// <summary>True when the element is a nested message.</summary>
    public bool IsNested => Nested is not null;

    /// <summary>A single primitive value.</summary>
    public static FieldType Of(PrimitiveKind kind) => new(kind, null, 0, CollectionKind.None, 0);

    /// <summary>A single nested message.</summary>
    public static FieldType Of(MessageSchema nested) => new(null, nested, 0, CollectionKind.None, 0);

    /// <summary>The element type of this field, without its collection.</summary>
    public FieldType Element => this with { Collection = CollectionKind.None, Bound = 0 };

    /// <summary>True for <c>T[]</c>, <c>T[&lt;=N]</c> and <c>T[N]</c>.</summary>
    public bool IsCollection => Collection != CollectionKind.None;

    /// <summary>The .msg spelling, e.g. <c>float64[9]</c>, <c>string&lt;=256</c>, <c>std_msgs/Header[]</c>.</summary>
    public override string ToString() =>
        Spell(Nested is not null ? $"{Nested.Package}/{Nested.Name}" : Primitive!.Value.RosName(), StringBound, Collection, Bound);

    /// <summary>Spells a type as a .msg file does: element, then <c>&lt;=N</c> for a bounded string, then the array suffix.</summary>
    internal static string Spell(string element, int stringBound, CollectionKind collection, int bound)
    {
        if (stringBound > 0) element += $"<={stringBound}";
        return collection switch
        {
            CollectionKind.Sequence => element + "[]",
            CollectionKind.BoundedSequence => $"{element}[<={bound}]",
            CollectionKind.Array => $"{element}[{bound}]",
            _ => element,
        };
    }
}
