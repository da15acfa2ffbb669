using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace RlRobotics.Cli.Tests;

/// <summary>
/// <c>rlr bench ros2</c> end to end at a small size, in its own process as a user runs it (it starts its peer processes
/// itself). Checks the run completes and the figures are there; the speed itself is the benchmark's business, not a test's.
/// </summary>
public sealed class Ros2BenchTests
{
    [Fact]
    public async Task The_ros2_bench_runs_both_deliveries_and_its_reliable_flood_loses_nothing()
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RunCommandTests.Root(), RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "rlr.dll"), "bench", "ros2", "--round-trips", "200", "--seconds", "0.5", "--no-native", "--domain-id", "92" })
            start.ArgumentList.Add(a);
        start.Environment["NO_COLOR"] = "1";
        start.Environment["COLUMNS"] = "200";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try { await process.WaitForExitAsync(timeout.Token); }
        finally { if (!process.HasExited) process.Kill(entireProcessTree: true); } // never leave a flood running on the test domain
        var (text, errors) = (await stdout, await stderr);
        var output = Regex.Replace(text, @"\s+", " ");
        // The throughput runs throw (exit 1) when the sink's count differs from what was published: reliable keep-all
        // must deliver every message, batched or not.
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {errors}\n{text}");
        Assert.Contains("immediate", output);
        Assert.Contains("executor", output);
        foreach (var pattern in new[] { @"reliable throughput: (\d+) msg/s" })
        {
            var m = Regex.Match(output, pattern);
            Assert.True(m.Success, $"no '{pattern}' in:\n{text}");
            Assert.True(long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) > 0);
        }
        Assert.Matches(@"publish: 0 bytes allocated per publish", output);
    }
}
