namespace RlRobotics.Ros2.Messages.Schema;

/// <summary>How a field repeats its element type.</summary>
public enum CollectionKind
{
    /// <summary>A single value.</summary>
    None,
    /// <summary><c>T[]</c>: uint32 count, then the elements.</summary>
    Sequence,
    /// <summary><c>T[&lt;=N]</c>: encoded like a sequence, count at most N.</summary>
    BoundedSequence,
    /// <summary><c>T[N]</c>: exactly N elements, no count.</summary>
    Array,
}
