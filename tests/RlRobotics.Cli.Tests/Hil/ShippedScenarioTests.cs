using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;

namespace RlRobotics.Cli.Tests.Hil;

/// <summary>
/// <c>rlr hil run hil/scenarios/</c> as CI runs it: its own process (the wall-clock scenarios start a ROS 2 driver and
/// a broker, on a DDS domain of their own), every shipped scenario passing, every fault kind exercised, and every fault
/// that calls for a reaction getting one.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ShippedScenarioTests : IDisposable
{
    const int Domain = 94;
    readonly string _dir = Directory.CreateTempSubdirectory("rlr-hil-ci-").FullName;

    [Fact]
    public async Task The_shipped_scenarios_pass_against_the_doubles_with_every_fault_kind_detected_and_timed()
    {
        var (junit, json) = (Path.Combine(_dir, "hil.xml"), Path.Combine(_dir, "hil.json"));
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RunCommandTests.Root(), RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "rlr.dll"), "hil", "run", "hil/scenarios/", "--junit", junit, "--json", json })
            start.ArgumentList.Add(a);
        start.Environment["ROS_DOMAIN_ID"] = Domain.ToString();
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4)))
        {
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); }
        }
        await process.WaitForExitAsync();
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, output);

        var shipped = Directory.GetFiles(Path.Combine(RunCommandTests.Root(), "hil", "scenarios"), "*.yaml").Length;
        Assert.Contains($"{shipped} of {shipped} scenarios passed", System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "));
        var suite = XDocument.Load(junit).Root!.Element("testsuite")!;
        Assert.Equal(shipped.ToString(), suite.Attribute("tests")!.Value);
        Assert.Equal("0", suite.Attribute("failures")!.Value);
        Assert.Empty(suite.Elements("testcase").Elements("failure"));

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var scenarios = doc.RootElement.GetProperty("scenarios").EnumerateArray().ToList();
        var faults = scenarios.SelectMany(s => s.GetProperty("faults").EnumerateArray()).ToList();
        string[] kinds = ["agent_nan", "agent_out_of_range", "broker_restart", "clock_jitter", "driver_restart", "push", "sensor_freeze",
                          "serial_corrupt", "serial_delay", "serial_drop", "servo_silent"];
        Assert.Equal(kinds, faults.Select(f => f.GetProperty("kind").GetString()).Distinct().Order(StringComparer.Ordinal));
        foreach (var f in faults.Where(f => f.GetProperty("kind").GetString() is not ("push" or "broker_restart")))
            Assert.True(f.TryGetProperty("detected_s", out var d) && d.GetDouble() >= 0, f.ToString());
        double Detected(string kind) => faults.Single(f => f.GetProperty("kind").GetString() == kind).GetProperty("detected_s").GetDouble();
        Assert.InRange(Detected("sensor_freeze"), 0.009, 0.0111);   // the robot file's 10 ms watchdog, to the cycle
        Assert.InRange(Detected("driver_restart"), 0.04, 0.1);       // the 50 ms watchdog, after the kill landed
        Assert.Equal(kinds.Length, doc.RootElement.GetProperty("fault_kinds").GetArrayLength()); // one summary row per kind
        // The rig really did what the scenarios say: the proxy touched bytes, the driver and the broker came back.
        var rig = string.Join("\n", scenarios.SelectMany(s => s.GetProperty("rig_events").EnumerateArray().Select(e => e.GetString())));
        Assert.Matches(@"serial proxy on 'arm_bus': \d+ bytes forwarded, [1-9]\d* corrupted", rig);
        Assert.Matches(@"serial proxy on 'arm_bus': \d+ bytes forwarded, 0 corrupted, [1-9]\d* dropped", rig);
        // The stalled adapter: its late replies were discarded, not taken as answers to later reads, so the arm was
        // safe for the whole 0.1 s stall rather than running on state one request old.
        var delay = scenarios.Single(s => s.GetProperty("name").GetString() == "arm2-serial-delay");
        Assert.Matches(@"bus 'arm_bus': .*; [1-9]\d* late bytes discarded in [1-9]\d* waits for a quiet line",
            string.Join("\n", delay.GetProperty("rig_events").EnumerateArray().Select(e => e.GetString())));
        Assert.True(delay.GetProperty("safe_time_s").GetDouble() >= 0.1, delay.GetProperty("safe_time_s").ToString());
        Assert.Contains("ROS 2 driver killed", rig);
        Assert.Contains("MQTT broker started again", rig);
        var broker = scenarios.Single(s => s.GetProperty("name").GetString() == "cartpole-mqtt-broker-restart");
        Assert.Contains(broker.GetProperty("criteria").EnumerateArray(), c => c.GetProperty("name").GetString() == "no lost QoS 1 telemetry" && c.GetProperty("passed").GetBoolean());
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
