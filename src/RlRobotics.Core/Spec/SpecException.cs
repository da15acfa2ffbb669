namespace RlRobotics.Core.Spec;

/// <summary>
/// Thrown when a robot description (or any configuration read through <see cref="ConfigNode"/>) is invalid.
/// Carries every problem found, not only the first, so a user fixes a file in one pass.
/// </summary>
public sealed class SpecException : Exception
{
    public SpecException(IReadOnlyList<SpecError> errors)
        : base(Render(errors)) => Errors = errors;

    public SpecException(SpecError error) : this(new[] { error }) { }

    /// <summary>The problems, in file order.</summary>
    public IReadOnlyList<SpecError> Errors { get; }

    private static string Render(IReadOnlyList<SpecError> errors) =>
        errors.Count == 1
            ? errors[0].ToString()
            : $"{errors.Count} problems:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
