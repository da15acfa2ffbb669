using System.CommandLine;
using System.CommandLine.Parsing;
using RlRobotics.Core.Spec;

namespace RlRobotics.Cli.Commands;

/// <summary>Options shared by several commands, with validation that reports what was expected.</summary>
internal static class CliOptions
{
    public const string DefaultRobot = "robots/cartpole.sim.yaml";

    public static Option<string> Robot() => new("--robot")
    {
        Description = "Robot description (YAML)",
        DefaultValueFactory = _ => DefaultRobot,
        HelpName = "file.yaml",
    };

    public static Option<double> Positive(string name, string description, double fallback, string unit)
    {
        var option = new Option<double>(name) { Description = description, DefaultValueFactory = _ => fallback, HelpName = unit };
        option.Validators.Add(r =>
        {
            if (TryValue<double>(r, out var v) && (!(v > 0) || !double.IsFinite(v))) r.AddError($"{name}: expected a number above 0 ({unit}), got {v}");
        });
        return option;
    }

    /// <summary>The option's value for a validator; false when it did not even parse (that error is already reported).</summary>
    public static bool TryValue<T>(OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    /// <summary>A comma-separated list of numbers (pi multiples allowed), e.g. <c>0,2.94,0,0</c>.</summary>
    public static Option<double[]?> Vector(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "x1,x2,...",
        CustomParser = ParseVector,
    };

    private static double[]? ParseVector(ArgumentResult result)
    {
        if (result.Tokens.Count == 0) return null;
        var text = string.Join(",", result.Tokens.Select(t => t.Value));
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!ConfigNode.TryParseNumber(parts[i], out values[i]))
            {
                result.AddError($"{OptionName(result)}: item {i + 1} '{parts[i]}' is not a number; expected comma-separated numbers such as 0,2.94,0,0");
                return null;
            }
        }
        return values;
    }

    private static string OptionName(ArgumentResult r) => (r.Parent as OptionResult)?.Option.Name ?? "value";
}
