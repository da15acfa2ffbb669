using System.CommandLine;
using System.Runtime.InteropServices;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Realtime;
using Spectre.Console;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr doctor</c>: checks what this machine has for each feature and says how to fix what is missing.</summary>
internal static class DoctorCommand
{
    /// <summary>One check: what, whether it passed, what needs it, and the command that fixes it.</summary>
    internal sealed record Check(string What, bool Ok, string Detail, string NeededBy, string? Fix, bool Required);

    public static Command Create(TextWriter output)
    {
        var command = new Command("doctor", "Check this machine: .NET, real-time permissions, and the Debian libraries and tools features load");
        command.SetAction(_ => Run(output));
        return command;
    }

    internal static int Run(TextWriter output)
    {
        var checks = Checks();
        var console = RunCommand.Console(output);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("check", "status", "needed by", "fix");
        foreach (var c in checks)
            table.AddRow(Markup.Escape(c.What),
                c.Ok ? $"[green]ok[/] {Markup.Escape(c.Detail)}" : $"[{(c.Required ? "red" : "yellow")}]missing[/] {Markup.Escape(c.Detail)}",
                Markup.Escape(c.NeededBy), c.Ok || c.Fix is null ? "" : Markup.Escape(c.Fix));
        console.Write(table);
        var missing = checks.Where(c => !c.Ok).ToList();
        if (missing.Count == 0) console.MarkupLine("[green]everything is in place[/]");
        else
        {
            var packages = missing.Where(c => c.Fix?.StartsWith("apt-get install", StringComparison.Ordinal) == true)
                .SelectMany(c => c.Fix!["apt-get install -y ".Length..].Split(' ')).Distinct().ToList();
            if (packages.Count > 0)
                console.MarkupLine($"fix all at once: [cyan]apt-get update && apt-get install -y {string.Join(" ", packages)}[/] (as root), or [cyan]scripts/install-deps.sh[/]");
        }
        return missing.Any(c => c.Required) ? ExitCodes.TaskFailed : ExitCodes.Success;
    }

    internal static IReadOnlyList<Check> Checks()
    {
        var checks = new List<Check>
        {
            new(".NET runtime", Environment.Version.Major >= 10, Environment.Version.ToString(), "everything", "install the .NET 10 SDK", true),
            new("Linux", OperatingSystem.IsLinux(), RuntimeInformation.OSDescription, "serial ports, real-time settings", null, true),
            ClockCheck(),
            RealtimeCheck(),
            Library("Cyclone DDS (libddsc)", new[] { "libddsc.so.0", "libddsc.so" }, "ROS 2 topics (rlr topic, type: ros2-topics)", "cyclonedds-dev"),
            Library("OpenBLAS", new[] { "libopenblas.so.0", "libopenblas.so" }, "learning (falls back to managed SIMD without it)", "libopenblas0"),
            Tool("socat", "serial wire-level doubles in tests and HIL rigs", "socat"),
            Tool("mosquitto", "MQTT fleet-link tests", "mosquitto"),
        };
        return checks;
    }

    private static Check ClockCheck()
    {
        try
        {
            var clock = WallClock.Instance;
            var t0 = clock.Now_ns;
            clock.SleepUntil(t0 + 200_000);
            var slept = clock.Now_ns - t0;
            return new Check("monotonic clock, absolute sleeps", slept >= 200_000, $"slept {slept / 1000} µs for 200 µs", "the real-time loop", null, true);
        }
        catch (Exception ex)
        {
            return new Check("monotonic clock, absolute sleeps", false, ex.Message, "the real-time loop", null, true);
        }
    }

    private static Check RealtimeCheck()
    {
        IReadOnlyList<RealtimeGrant> grants = Array.Empty<RealtimeGrant>();
        // On a throw-away thread, so this process's own threads keep their scheduling.
        var probe = new Thread(() => grants = RealtimeSetup.ApplyToCurrentThread(new RealtimeSpec { SchedFifoPriority = 1, TimerSlack_ns = 1 }));
        probe.Start();
        probe.Join();
        var refused = grants.Where(g => !g.Granted).ToList();
        return new Check("SCHED_FIFO and timer slack", refused.Count == 0,
            refused.Count == 0 ? "granted" : string.Join("; ", refused.Select(r => $"{r.Setting}: {r.Detail}")),
            "real-time loop on robots (optional: refused settings are reported and the loop runs anyway)",
            "run as root, or grant rtprio/memlock to your user in /etc/security/limits.conf", false);
    }

    private static Check Library(string what, string[] names, string neededBy, string package)
    {
        foreach (var name in names)
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                NativeLibrary.Free(handle);
                return new Check(what, true, name, neededBy, null, false);
            }
        }
        return new Check(what, false, $"{names[0]} not found", neededBy, $"apt-get install -y {package}", false);
    }

    private static Check Tool(string name, string neededBy, string package)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
        return new Check(name, path is not null, path ?? "not on PATH", neededBy, $"apt-get install -y {package}", false);
    }
}
