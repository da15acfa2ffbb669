namespace RlRobotics.Ros2.Messages.Parsing;

/// <summary>A .msg or .srv definition that does not parse or resolve; the message starts with <c>file:line:</c>.</summary>
public sealed class MsgParseException : Exception
{
    public MsgParseException(string fileName, int line, string detail) : base($"{fileName}:{line}: {detail}")
    {
        FileName = fileName;
        Line = line;
        Detail = detail;
    }

    /// <summary>The file (or the name given for inline text).</summary>
    public string FileName { get; }

    /// <summary>1-based line number; 0 when the problem concerns the whole file.</summary>
    public int Line { get; }

    /// <summary>What was expected and what was found.</summary>
    public string Detail { get; }
}
