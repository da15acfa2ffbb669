using System.CommandLine;
using RlRobotics.Cli.Commands;
using RlRobotics.Ros2.Rcl;

namespace RlRobotics.Cli;

/// <summary>The <c>rlr</c> program.</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>
    /// Parses and runs a command line; bad arguments print what was expected and return 2. ROS 2 arguments
    /// (<c>--ros-args … [--]</c>, as launch files pass them) are taken out first and go to <c>rlr run</c>.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        Parse(args, output, error) is { } parse
            ? parse.Invoke(new InvocationConfiguration { Output = output, Error = error })
            : ExitCodes.BadInput;

    /// <summary>Parses a command line without running it: null when it is bad, with what was expected written to <paramref name="error"/>.</summary>
    internal static ParseResult? Parse(string[] args, TextWriter output, TextWriter error)
    {
        RosArguments? ros;
        try
        {
            (args, ros) = RosArguments.Extract(args);
        }
        catch (ArgumentException ex)
        {
            error.WriteLine($"rlr: --ros-args: {ex.Message}");
            return null;
        }
        if (ros is not null && args.FirstOrDefault() != "run")
        {
            error.WriteLine("rlr: --ros-args are understood by 'rlr run' (the robot node) only");
            return null;
        }
        var root = new RootCommand("rlr — RlRobotics control middleware: the robot node, benchmarks and machine checks")
        {
            RunCommand.Create(output, error, ros),
            LaunchCommand.Create(output, error),
            PlanCommand.Create(output, error),
            DoctorCommand.Create(output),
            BenchCommand.Create(output, error),
            TrainCommand.Create(output, error),
            EvalCommand.Create(output, error),
            DxlCommand.Create(output, error),
            SimCommand.Create(output, error),
            TopicCommand.Create(output, error),
            MqttCommand.Create(output, error),
            HilCommand.Create(output, error),
        };
        ParseResult parse;
        try
        {
            parse = root.Parse(args);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            error.WriteLine($"rlr: {ex.Message}");
            return null;
        }
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) error.WriteLine($"rlr: {e.Message}");
            error.WriteLine("rlr: see 'rlr --help' (or 'rlr <command> --help') for the options");
            return null;
        }
        return parse;
    }
}
