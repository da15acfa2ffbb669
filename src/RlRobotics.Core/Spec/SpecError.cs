namespace RlRobotics.Core.Spec;

/// <summary>One problem found in a configuration file, with where it is and what was expected.</summary>
/// <param name="File">Path of the file as the user gave it.</param>
/// <param name="Line">1-based line, 0 when the problem has no single place (a missing section).</param>
/// <param name="Column">1-based column, 0 when unknown.</param>
/// <param name="Path">Dotted path of the key inside the document, e.g. <c>joints[0].limits.effort</c>.</param>
/// <param name="Message">What is wrong and what was expected.</param>
public sealed record SpecError(string File, int Line, int Column, string Path, string Message)
{
    /// <summary>Compiler-style rendering: <c>file:line:column: path: message</c>.</summary>
    public override string ToString()
    {
        var where = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        return string.IsNullOrEmpty(Path) ? $"{where}: {Message}" : $"{where}: {Path}: {Message}";
    }
}
