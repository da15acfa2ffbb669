namespace RlRobotics.Ros2.Messages.Cdr;

/// <summary>
/// A CDR payload that does not decode: truncated, a bad header, a bad bool, string or count. <see cref="Offset"/> is the
/// payload offset (bytes after the 4-byte encapsulation header) where decoding failed; <see cref="FieldPath"/> names the
/// message field (e.g. <c>points[0].positions[2]</c>) when a schema-driven decoder knows it.
/// </summary>
public sealed class CdrException : Exception
{
    public CdrException(int offset, string detail, string? fieldPath = null)
        : base(Describe(offset, detail, fieldPath))
    {
        Offset = offset;
        Detail = detail;
        FieldPath = fieldPath;
    }

    /// <summary>Payload offset of the failure, in bytes after the encapsulation header.</summary>
    public int Offset { get; }

    /// <summary>What was expected and what was found, without the location.</summary>
    public string Detail { get; }

    /// <summary>The field being decoded, outermost first, or null when unknown.</summary>
    public string? FieldPath { get; }

    /// <summary>The same failure with <paramref name="outer"/> prepended to the field path (decoders add one level as the exception unwinds).</summary>
    public CdrException WithOuterField(string outer) =>
        new(Offset, Detail, FieldPath is null ? outer : FieldPath.StartsWith('[') ? outer + FieldPath : outer + "." + FieldPath);

    private static string Describe(int offset, string detail, string? fieldPath) =>
        fieldPath is null
            ? $"CDR payload offset {offset}: {detail}"
            : $"CDR payload offset {offset}, field '{fieldPath}': {detail}";
}
