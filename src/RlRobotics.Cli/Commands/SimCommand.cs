using System.CommandLine;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Components;
using RlRobotics.Serial.Dynamixel;
using RlRobotics.Sim.Serial;
using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Hal;
using RlRobotics.Sim;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr sim</c>: wire-level hardware doubles run standalone, for HIL rigs and second machines.</summary>
internal static class SimCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var sim = new Command("sim", "Hardware doubles, standalone: dxl-double (a Dynamixel servo chain on a pseudo-terminal), serve --ros2 (a simulated robot behind ROS 2 topics)");
        sim.Subcommands.Add(DxlDouble(output, error));
        sim.Subcommands.Add(Serve(output, error));
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

    private static Command Serve(TextWriter output, TextWriter error)
    {
        var robot = CliOptions.Robot();
        robot.DefaultValueFactory = _ => "robots/cartpole.sim.yaml";
        var ros2 = new Option<bool>("--ros2") { Description = "Serve over ROS 2 topics (the only transport so far; required)" };
        var ns = new Option<string?>("--namespace") { Description = "The driver's namespace (default: /<robot name>)", HelpName = "ns" };
        var domain = new Option<int?>("--domain-id") { Description = "DDS domain (default: ROS_DOMAIN_ID, else 0)" };
        var network = new Option<string>("--network") { Description = "loopback (default; nothing leaves the machine) or default (Cyclone's configuration)", DefaultValueFactory = _ => "loopback" };
        network.AcceptOnlyFromAmong("loopback", "default");
        var duration = new Option<double>("--duration") { Description = "Seconds to run; 0 runs until Ctrl+C", DefaultValueFactory = _ => 0, HelpName = "s" };
        duration.Validators.Add(r => { if (CliOptions.TryValue<double>(r, out var v) && (!(v >= 0) || v > 86_400)) r.AddError($"--duration: expected 0 … 86400 s, got {v}"); });
        var seed = new Option<int>("--seed") { Description = "Seed for sensor noise", DefaultValueFactory = _ => 0 };
        var command = new Command("serve",
            "Serve the robot file's simulated hardware like a ROS 2 driver: sensor_msgs/JointState on <ns>/joint_states, commands from " +
            "<ns>/forward_command_controller/commands (std_msgs/Float64MultiArray) or <ns>/joint_trajectory_controller/joint_trajectory")
        {
            robot, ros2, ns, domain, network, duration, seed,
        };
        command.SetAction(parse =>
        {
            if (!parse.GetValue(ros2))
            {
                error.WriteLine("rlr sim serve: say which transport: --ros2");
                return ExitCodes.BadInput;
            }
            var path = parse.GetValue(robot)!;
            RobotSpec spec;
            IReadOnlyList<IHardwareComponent> components;
            try
            {
                spec = RobotSpecLoader.LoadFile(path);
                components = new ComponentRegistry().AddSimulation().CreateAll(spec, parse.GetValue(seed), null, WallClock.Instance);
            }
            catch (SpecException ex)
            {
                error.WriteLine($"rlr sim serve: {path} is not a valid simulated robot; nothing was started.");
                foreach (var e in ex.Errors) error.WriteLine("  " + e);
                return ExitCodes.BadInput;
            }
            var domainId = parse.GetValue(domain);
            if (domainId is < 0 or > 232)
            {
                error.WriteLine($"rlr sim serve: --domain-id must be 0 … 232, got {domainId}");
                return ExitCodes.BadInput;
            }
            var resources = new ResourceManager(components);
            var problems = resources.ConfigureAndActivate();
            if (problems.Count > 0)
            {
                foreach (var p in problems) error.WriteLine($"rlr sim serve: {p}");
                resources.ShutdownAll();
                return ExitCodes.TaskFailed;
            }
            var net = parse.GetValue(network) == "default" ? DdsNetwork.Default : DdsNetwork.Loopback;
            RlRobotics.Ros2.Rcl.RosContext context;
            try
            {
                context = RosContextPool.Acquire(domainId is { } d ? (uint)d : DdsDomain.FromEnvironment(), net);
            }
            catch (Exception ex) when (ex is DdsException or ArgumentException or DllNotFoundException)
            {
                error.WriteLine($"rlr sim serve: cannot join ROS 2: {ex.Message}");
                resources.ShutdownAll();
                return ExitCodes.TaskFailed;
            }
            var space = parse.GetValue(ns) ?? "/" + spec.Name;
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                using var server = new Ros2RobotServer(resources, spec, context, space);
                var prefix = server.Node.Namespace == "/" ? "" : server.Node.Namespace;
                output.WriteLine($"serving '{spec.Name}' at {spec.RateHz} Hz over ROS 2 (domain {context.DomainId}, {net.ToString().ToLowerInvariant()}): " +
                                 $"{prefix}/joint_states, {prefix}/forward_command_controller/commands, {prefix}/joint_trajectory_controller/joint_trajectory");
                output.WriteLine(parse.GetValue(duration) > 0 ? $"running for {parse.GetValue(duration)} s" : "Ctrl+C stops");
                output.Flush();
                server.Run(parse.GetValue(duration), stop.Token);
                output.WriteLine($"served {server.Cycles} cycles; {server.CommandsReceived} commands received, {server.BadCommands} refused");
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
                resources.ShutdownAll();
                RosContextPool.Release(context);
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
