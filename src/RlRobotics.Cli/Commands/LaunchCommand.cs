using System.CommandLine;
using RlRobotics.Cli.Launch;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr launch check [paths]</c>: validates the ROS 2 launch files that start rlr, with no ROS installed.</summary>
internal static class LaunchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var paths = new Argument<string[]>("paths") { Description = "Launch files, or folders of *.launch.xml (default: launch)", Arity = ArgumentArity.ZeroOrMore };
        var check = new Command("check",
            "Validate launch files: well-formed XML, every <arg> declared and used, every referenced file present, and every command line " +
            "accepted by rlr (rlr run --check: the robot file loads and the node builds)")
        {
            paths,
        };
        check.SetAction(parse => Check(parse.GetValue(paths) is { Length: > 0 } given ? given : ["launch"], output, error));
        var launch = new Command("launch", "ROS 2 launch files that start rlr (launch/*.launch.xml)");
        launch.Subcommands.Add(check);
        return launch;
    }

    /// <summary>Checks every launch file named or found in the named folders; 0 when all validate, 2 otherwise.</summary>
    internal static int Check(IReadOnlyList<string> paths, TextWriter output, TextWriter error)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path)) files.AddRange(Directory.GetFiles(path, "*.launch.xml").Order(StringComparer.Ordinal));
            else if (File.Exists(path)) files.Add(path);
            else
            {
                error.WriteLine($"rlr launch check: {path}: no such file or folder");
                return ExitCodes.BadInput;
            }
        }
        if (files.Count == 0)
        {
            error.WriteLine($"rlr launch check: no *.launch.xml in {string.Join(", ", paths)}");
            return ExitCodes.BadInput;
        }
        var failed = 0;
        foreach (var file in files)
        {
            var report = LaunchFileCheck.Check(file);
            output.WriteLine($"{(report.Ok ? "ok  " : "FAIL")} {file}");
            foreach (var command in report.Commands) output.WriteLine("     " + command);
            foreach (var problem in report.Problems) error.WriteLine(problem);
            if (!report.Ok) failed++;
        }
        if (failed > 0)
        {
            error.WriteLine($"rlr launch check: {failed} of {files.Count} launch file(s) invalid");
            return ExitCodes.BadInput;
        }
        output.WriteLine($"{files.Count} launch file(s) valid");
        return ExitCodes.Success;
    }
}
