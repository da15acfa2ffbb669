using System.CommandLine;
using RlRobotics.Cli.Commands;

namespace RlRobotics.Cli;

/// <summary>The <c>rlr</c> program.</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses and runs a command line; bad arguments print what was expected and return 2.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("rlr — RlRobotics control middleware: the robot node, benchmarks and machine checks")
        {
            RunCommand.Create(output, error),
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
            return ExitCodes.BadInput;
        }
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) error.WriteLine($"rlr: {e.Message}");
            error.WriteLine("rlr: see 'rlr --help' (or 'rlr <command> --help') for the options");
            return ExitCodes.BadInput;
        }
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
