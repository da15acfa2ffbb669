using System.CommandLine;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Components;
using RlRobotics.Serial.Dynamixel;
using RlRobotics.Sim.Serial;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr sim</c>: wire-level hardware doubles run standalone, for HIL rigs and second machines.</summary>
internal static class SimCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var sim = new Command("sim", "Hardware doubles, standalone: dxl-double (a Dynamixel servo chain on a pseudo-terminal)");
        sim.Subcommands.Add(DxlDouble(output, error));
        return sim;
    }

    private static Command DxlDouble(TextWriter output, TextWriter error)
    {
        var robot = CliOptions.Robot();
        robot.DefaultValueFactory = _ => "robots/arm2.dxl-sim.yaml";
        var component = new Option<string?>("--component") { Description = "Which dynamixel component of the robot file (default: the first)" };
        var link = new Option<string?>("--link") { Description = "Path of the link the driver opens (default: a fresh temporary one)", HelpName = "path" };
        var duration = new Option<double>("--duration") { Description = "Seconds to run; 0 runs until Ctrl+C", DefaultValueFactory = _ => 0, HelpName = "s" };
        duration.Validators.Add(r => { if (CliOptions.TryValue<double>(r, out var v) && (!(v >= 0) || v > 86_400)) r.AddError($"--duration: expected 0 … 86400 s, got {v}"); });
        var seed = new Option<int>("--seed") { Description = "Seed for injected faults", DefaultValueFactory = _ => 0 };
        var command = new Command("dxl-double",
            "Answer Protocol 2.0 like the robot file's servo chain (control tables, motion from its simulation model) on a socat pseudo-terminal pair; point a driver's port at the printed link")
        {
            robot, component, link, duration, seed,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(robot)!;
            ServoChainOptions options;
            DynamixelSettings settings;
            try
            {
                var spec = RobotSpecLoader.LoadFile(path);
                var name = parse.GetValue(component);
                var entry = spec.Components.FirstOrDefault(c => c.Type == DynamixelSystem.TypeName && (name is null || c.Name == name));
                if (entry is null)
                {
                    error.WriteLine($"rlr sim dxl-double: {path} has no dynamixel component{(name is null ? "" : $" named '{name}'")}; " +
                                    $"its components: {string.Join(", ", spec.Components.Select(c => $"{c.Name} ({c.Type})"))}");
                    return ExitCodes.BadInput;
                }
                var context = new ComponentContext(spec, entry, parse.GetValue(seed), null, WallClock.Instance);
                settings = DynamixelSettings.From(context);
                options = ServoChainOptions.From(settings, context);
                entry.Settings.RejectUnknownKeys();
                entry.Settings.Diagnostics.ThrowIfAny();
            }
            catch (SpecException ex)
            {
                error.WriteLine($"rlr sim dxl-double: {path} is not a valid robot description; nothing was started.");
                foreach (var e in ex.Errors) error.WriteLine("  " + e);
                return ExitCodes.BadInput;
            }
            PseudoTerminalPair pair;
            try
            {
                pair = PseudoTerminalPair.Start(parse.GetValue(link));
            }
            catch (InvalidOperationException ex)
            {
                error.WriteLine($"rlr sim dxl-double: {ex.Message}");
                return ExitCodes.TaskFailed;
            }
            using (pair)
            using (var chain = new ServoChainDouble(options))
            {
                chain.Start(pair.DeviceEnd, settings.Baud);
                var target = new FileInfo(pair.DriverEnd).LinkTarget;
                output.WriteLine($"servo chain: {string.Join(", ", settings.Servos.Select(s => $"id {s.Id} {s.Model.Name} ({s.Joint})"))}");
                output.WriteLine($"answering on {pair.DriverEnd} (→ {target}) at {settings.Baud} bit/s; " +
                                 $"motion: {(options.Model is null ? "independent rotors" : "the robot file's simulation model")}");
                output.WriteLine(parse.GetValue(duration) > 0 ? $"running for {parse.GetValue(duration)} s" : "Ctrl+C stops");
                output.Flush();
                using var stop = new ManualResetEventSlim();
                ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Set(); };
                Console.CancelKeyPress += onCancel;
                var seconds = parse.GetValue(duration);
                if (seconds > 0) stop.Wait(TimeSpan.FromSeconds(seconds));
                else stop.Wait();
                Console.CancelKeyPress -= onCancel;
                output.WriteLine($"handled {chain.PacketsHandled} packets, sent {chain.RepliesSent} replies");
                if (chain.Fault is { } fault)
                {
                    error.WriteLine($"rlr sim dxl-double: the port failed: {fault}");
                    return ExitCodes.TaskFailed;
                }
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
