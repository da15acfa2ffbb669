namespace RlRobotics.Core.Spec;

/// <summary>Finds the checkout's root (the folder holding <c>RlRobotics.sln</c>) from the running program, for tests and tools that read <c>robots/</c>.</summary>
public static class RepositoryRoot
{
    /// <summary>The nearest ancestor of the program's folder that holds RlRobotics.sln; throws when there is none.</summary>
    public static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RlRobotics.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException($"no RlRobotics.sln above {AppContext.BaseDirectory}");
    }
}
