namespace RlRobotics.Core.Expressions;

/// <summary>
/// Thrown when an expression does not compile. The message says what was expected, at which column,
/// and (when a near name or function exists) suggests it, so a robot file can be fixed without guessing.
/// </summary>
public sealed class ExpressionException : Exception
{
    /// <summary>Creates the exception and renders its message from the parts.</summary>
    /// <param name="detail">What went wrong, e.g. "expected ')' but found end of expression".</param>
    /// <param name="expressionText">The whole expression being compiled.</param>
    /// <param name="column">1-based column of the problem.</param>
    /// <param name="suggestion">A near valid name, or null.</param>
    public ExpressionException(string detail, string expressionText, int column, string? suggestion = null)
        : base($"{detail} at column {column} of \"{expressionText}\"" + (suggestion is null ? "" : $"; did you mean {suggestion}?"))
    {
        Detail = detail;
        ExpressionText = expressionText;
        Column = column;
        Suggestion = suggestion;
    }

    /// <summary>What went wrong, without the position.</summary>
    public string Detail { get; }

    /// <summary>The expression that failed to compile.</summary>
    public string ExpressionText { get; }

    /// <summary>1-based column where the problem starts.</summary>
    public int Column { get; }

    /// <summary>A near valid name or function offered as a fix, or null.</summary>
    public string? Suggestion { get; }
}
