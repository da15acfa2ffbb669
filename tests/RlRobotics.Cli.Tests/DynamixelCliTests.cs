using System.Text.Json;
using RlRobotics.Serial.Dynamixel;
using RlRobotics.Sim.Serial;

namespace RlRobotics.Cli.Tests;

/// <summary>The serial path from the command line: the robot node on a simulated Dynamixel bus, and bring-up tools.</summary>
[Collection(SerialCollection.Name)]
public class DynamixelCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rlr-dxl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Rlr(params string[] args) => RunCommandTests.Rlr(args);

    [Fact]
    public void Run_tracks_the_goal_through_the_serial_path_at_250_hz()
    {
        var report = Path.Combine(_dir, "run.json");
        var (code, output, error) = Rlr("run", "--robot", "robots/arm2.dxl-sim.yaml", "--controller", "pd", "--duration", "5", "--report", report, "--quiet");
        Assert.True(code == ExitCodes.Success, $"exit {code}: {error}\n{output}");
        Assert.Contains("bus arm_bus", output);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var root = json.RootElement;
        Assert.True(root.GetProperty("task").GetProperty("success").GetBoolean());
        var loop = root.GetProperty("loop");
        Assert.Equal(250, loop.GetProperty("rate_hz").GetDouble());
        Assert.Equal(1250, loop.GetProperty("cycles").GetInt64());
        var bus = root.GetProperty("buses")[0];
        Assert.Equal(1000000, bus.GetProperty("baud").GetInt32());
        Assert.True(bus.GetProperty("transactions").GetInt64() >= 1250);  // one sync read per cycle (writes need no reply)
        Assert.Equal(0, bus.GetProperty("circuit_openings").GetInt64());
        Assert.Equal("closed", bus.GetProperty("circuit").GetString());
        Assert.Contains("/bus", bus.GetProperty("port").GetString());       // the pseudo-terminal rlr made
    }

    [Fact]
    public void Run_on_a_bus_that_is_not_there_names_the_device_and_moves_nothing()
    {
        var yaml = File.ReadAllText(Path.Combine(Core.Spec.RepositoryRoot.Find(), "robots", "arm6.dxl.yaml")).Replace("port: /dev/ttyUSB0", "port: /dev/ttyNOT_HERE");
        var robot = Path.Combine(_dir, "arm6.yaml");
        File.WriteAllText(robot, yaml);
        var (code, _, error) = Rlr("run", "--robot", robot, "--clock", "wall", "--duration", "1");
        Assert.Equal(ExitCodes.TaskFailed, code);
        Assert.Contains("hardware refused to start", error);
        Assert.Contains("/dev/ttyNOT_HERE: cannot open", error);
    }

    [Fact]
    public void Scan_read_and_write_reach_every_servo_of_a_double()
    {
        using var pair = PseudoTerminalPair.Start(Path.Combine(_dir, "bus"));
        var servos = ServoChainOptions.PositionServos([2, 4, 6]);
        using var chain = new ServoChainDouble(new ServoChainOptions { Servos = servos });
        chain.Start(pair.DeviceEnd);

        var (code, output, error) = Rlr("dxl", "scan", "--port", pair.DriverEnd);
        Assert.True(code == ExitCodes.Success, $"exit {code}: {error}\n{output}");
        Assert.Contains("3 servo(s)", output);
        foreach (var id in new[] { 2, 4, 6 }) Assert.Matches($@"│ {id}\s+│ XM430-W350 │ 1020", output);

        (code, output, error) = Rlr("dxl", "write", "--port", pair.DriverEnd, "--id", "4", "--item", "goal_position", "--value", "3000");
        Assert.True(code == ExitCodes.Success, error);
        (code, output, _) = Rlr("dxl", "read", "--port", pair.DriverEnd, "--id", "4", "--item", "Goal Position");
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("Goal Position (address 116, 4 bytes, RAM) = 3000", output);

        // Mistakes are refused before anything is sent, or reported with the servo's answer.
        (code, _, error) = Rlr("dxl", "read", "--port", pair.DriverEnd, "--id", "4", "--item", "Goal Postion");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("did you mean 'Goal Position'?", error);
        (code, _, error) = Rlr("dxl", "write", "--port", pair.DriverEnd, "--id", "4", "--item", "Present Position", "--value", "1");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("read-only", error);
        (code, _, error) = Rlr("dxl", "write", "--port", pair.DriverEnd, "--id", "4", "--item", "Operating Mode", "--value", "300");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("expected 0 … 255, got 300", error);
        (code, _, error) = Rlr("dxl", "write", "--port", pair.DriverEnd, "--id", "4", "--item", "Goal Position", "--value", "9000");
        Assert.Equal(ExitCodes.TaskFailed, code);
        Assert.Contains("data beyond the limit", error);
        (code, _, error) = Rlr("dxl", "read", "--port", pair.DriverEnd, "--id", "253", "--item", "ID");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--id: expected 0 … 252, got 253", error);
        (code, _, error) = Rlr("dxl", "scan", "--port", Path.Combine(_dir, "nothing"));
        Assert.Equal(ExitCodes.TaskFailed, code);
        Assert.Contains("cannot open", error);
    }

    [Fact]
    public void The_standalone_double_serves_the_robot_files_servos()
    {
        var link = Path.Combine(_dir, "arm6");
        var (code, output, error) = Rlr("sim", "dxl-double", "--robot", "robots/arm6.dxl.yaml", "--link", link, "--duration", "0.5");
        Assert.True(code == ExitCodes.Success, $"exit {code}: {error}\n{output}");
        Assert.Contains("id 6 XM430-W350 (gripper)", output);
        Assert.Contains($"answering on {link}", output);
        Assert.False(File.Exists(link)); // the pair is gone with the double
        (code, _, error) = Rlr("sim", "dxl-double", "--robot", "robots/cartpole.sim.yaml", "--duration", "0.5");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("has no dynamixel component", error);
    }
}
