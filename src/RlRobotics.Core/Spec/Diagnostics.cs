namespace RlRobotics.Core.Spec;

/// <summary>Collects <see cref="SpecError"/>s while a document is read; throws them all at the end.</summary>
public sealed class Diagnostics
{
    private readonly List<SpecError> _errors = new();

    public Diagnostics(string file) => File = file;

    /// <summary>The file every error of this collection refers to.</summary>
    public string File { get; }

    public IReadOnlyList<SpecError> Errors => _errors;

    public bool HasErrors => _errors.Count > 0;

    /// <summary>Errors collected so far.</summary>
    public int Count => _errors.Count;

    public void Add(int line, int column, string path, string message) =>
        _errors.Add(new SpecError(File, line, column, path, message));

    /// <summary>Throws a <see cref="SpecException"/> holding every error so far, if there is any.</summary>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
            throw new SpecException(_errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
    }
}
