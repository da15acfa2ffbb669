using System.Text.Json;
using System.Text.Json.Serialization;
using RlRobotics.Cli.Node;
using RlRobotics.Control.Controllers;
using RlRobotics.Control.Mpc;
using RlRobotics.Hal.Loop;
using RlRobotics.Serial.Dynamixel;

namespace RlRobotics.Cli.Reports;

/// <summary>Percentiles of a duration distribution, µs.</summary>
public sealed record Percentiles(long P50, long P99, long P999, long Max, double Mean)
{
    public static Percentiles Of(Histogram h) =>
        new(h.Percentile_us(0.5), h.Percentile_us(0.99), h.Percentile_us(0.999), h.Max_us, Math.Round(h.Mean_us, 2));
}

public sealed record LoopReport(double RateHz, long Cycles, double AchievedRateHz, Percentiles LatenessUs, Percentiles ComputeUs, long Overruns, long SkippedPeriods);

public sealed record GrantReport(string Setting, bool Granted, string Detail);

public sealed record CriterionReport(string Interface, double Goal, double Tolerance, double FinalError, bool Held);

public sealed record TaskReport(bool Success, double HoldS, double SettledS, IReadOnlyList<CriterionReport> Criteria);

/// <summary>The MPC's planner and fallback statistics.</summary>
public sealed record MpcReport(
    string Planner, long Solves, double PlanningRateHz, double SolveMsP50, double SolveMsP99, double SolveMsMax, long DivergedSolves,
    long FallbackEvents, long FallbackCycles, IReadOnlyDictionary<string, long> FallbackCyclesByReason, double? FirstFallbackS,
    bool PlannerAlive, string? PlannerFault);

/// <summary>A trained policy's run: its provenance, policy steps taken and the actions its shield changed.</summary>
public sealed record PolicyReport(string Algorithm, double StepS, long Decisions, bool Shielded, long ShieldInterventions);

public sealed record SafetyEventReport(double TimeS, string Kind, string Detail);

public sealed record SafetyReport(
    long Interventions, long NonFinite, long PositionLimited, long VelocityLimited, long EffortLimited, long RateLimited,
    long WatchdogTrips, long EStops, long SafeCycles, bool EStopLatched, string? EStopReason, IReadOnlyList<SafetyEventReport> Events);

public sealed record AllocationReport(double BytesPerCycle, long BytesTotal, long CyclesMeasured);

public sealed record ComponentReport(string Name, string Type, string State, string? LastError);

/// <summary>A serial bus's traffic: transactions, what went wrong and how the circuit breaker acted.</summary>
public sealed record BusReport(string Component, string Port, int Baud, long Transactions, long Retries, long Timeouts, long CrcErrors,
    long Malformed, long StatusErrors, long HardwareAlerts, long Failures, long CircuitOpenings, long Rejected, long DegradedReads, string Circuit,
    long QuietWaits, long LateBytes);

/// <summary>The fleet link's traffic over the run, taken after its final flush.</summary>
public sealed record MqttReport(string Broker, bool Insecure, long StateSamples, long Enqueued, long Delivered, long Dropped, long Unsent,
    long Reconnects, long ConnectFailures, long ProtocolErrors, long CommandsAccepted, IReadOnlyDictionary<string, long> CommandsRefused, string? LastError)
{
    public static MqttReport From(RlRobotics.Mqtt.Fleet.FleetLink link)
    {
        var s = link.Link;
        return new MqttReport($"{link.Settings.Host}:{link.Settings.Port}", link.Settings.Insecure, link.StatePublished, s.Enqueued, s.Delivered, s.Dropped,
            s.Pending + s.InFlight, s.Reconnects, s.ConnectFailures, s.ProtocolErrors, link.Commands?.Accepted ?? 0,
            link.Commands?.Refused.Where(r => r.Value > 0).ToDictionary(r => r.Key.ToString(), r => r.Value) ?? new Dictionary<string, long>(), link.LastError);
    }
}

/// <summary>The JSON report of one <c>rlr run</c>.</summary>
public sealed record RunReport
{
    public required string Robot { get; init; }
    public required string RobotFile { get; init; }
    public required string Controller { get; init; }
    public required string Clock { get; init; }
    public required int Seed { get; init; }
    public double? DurationS { get; init; }
    public required double ElapsedS { get; init; }
    public required double WallTimeS { get; init; }
    public TaskReport? Task { get; init; }
    public MpcReport? Mpc { get; init; }
    public PolicyReport? Policy { get; init; }
    public required IReadOnlyDictionary<string, double> FinalState { get; init; }
    public required LoopReport Loop { get; init; }
    public required IReadOnlyList<GrantReport> Realtime { get; init; }
    public required SafetyReport Safety { get; init; }
    public required AllocationReport Allocations { get; init; }
    public required IReadOnlyList<ComponentReport> Components { get; init; }
    public IReadOnlyList<BusReport> Buses { get; init; } = Array.Empty<BusReport>();
    /// <summary>The MQTT fleet link's counters, when the robot file has <c>mqtt:</c>.</summary>
    public MqttReport? Mqtt { get; init; }
    public string? ControllerFault { get; init; }
    public required int ExitCode { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Collects the report of a node whose loop has stopped.</summary>
    public static RunReport From(RobotNode node, double wallTime_s)
    {
        var loop = node.Loop;
        var stats = loop.Statistics;
        var elapsed = (loop.Stopped_ns - loop.Started_ns) * 1e-9;
        var counters = node.Filter.Counters;
        var criteria = node.Monitor?.Results() ?? Array.Empty<CriterionResult>();
        var task = node.Monitor is null ? null : new TaskReport(criteria.All(c => c.Held), node.Robot.Task!.Hold_s, Math.Round(node.Monitor.Settled_s, 3),
            criteria.Select(c => new CriterionReport(c.Interface, c.Goal, c.Tolerance, c.FinalError, c.Held)).ToList());
        var state = node.Resources.State;
        var success = (task?.Success ?? true) && !node.Filter.EStopLatched;
        return new RunReport
        {
            Robot = node.Robot.Name,
            RobotFile = node.Robot.SourcePath,
            Controller = node.Controller.Kind,
            Clock = node.Options.Clock.Name,
            Seed = node.Options.Seed,
            DurationS = node.Options.Duration_s,
            ElapsedS = Math.Round(elapsed, 6),
            WallTimeS = Math.Round(wallTime_s, 3),
            Task = task,
            Mpc = node.Controller is MpcController mpc ? MpcOf(mpc, loop.Started_ns) : null,
            Policy = node.Controller is PolicyController pc && node.Options.Policy is { } p
                ? new PolicyReport(p.Info.GetValueOrDefault("algorithm", "?"), p.Dt_s, pc.Decisions, node.Shielded, pc.ShieldInterventions) : null,
            FinalState = state.Names.Select((n, i) => (n, state.Values[i])).ToDictionary(x => x.n, x => x.Item2),
            Loop = new LoopReport(node.Robot.RateHz, stats.Cycles, elapsed > 0 ? Math.Round(stats.Cycles / elapsed, 1) : 0,
                Percentiles.Of(stats.Lateness), Percentiles.Of(stats.Compute), stats.Overruns, stats.SkippedPeriods),
            Realtime = loop.Grants.Select(g => new GrantReport(g.Setting, g.Granted, g.Detail)).ToList(),
            Safety = new SafetyReport(counters.Interventions, counters.NonFinite, counters.PositionLimited, counters.VelocityLimited,
                counters.EffortLimited, counters.RateLimited, counters.WatchdogTrips, counters.EStops, counters.SafeCycles,
                node.Filter.EStopLatched, node.Filter.EStopReason,
                node.Filter.Events.Select(e => new SafetyEventReport(Math.Round((e.Time_ns - loop.Started_ns) * 1e-9, 6), e.Kind.ToString(), e.Detail)).ToList()),
            Allocations = new AllocationReport(Math.Round(stats.AllocatedBytesPerCycle, 3), stats.AllocatedBytes, stats.AllocationCycles),
            Components = node.Resources.Components.Select(c => new ComponentReport(c.Name, c.Type, c.State.ToString().ToLowerInvariant(), c.LastError)).ToList(),
            Buses = node.Resources.Components.OfType<DynamixelSystem>().Where(d => d.Bus is not null).Select(d =>
            {
                var b = d.Bus!.Statistics;
                return new BusReport(d.Name, d.PortPath ?? d.Settings.Port, d.Settings.Baud, b.Transactions, b.Retries, b.Timeouts, b.CrcErrors,
                    b.Malformed, b.StatusErrors, b.HardwareAlerts, b.Failures, b.CircuitOpenings, b.Rejected, d.DegradedReads,
                    d.Bus.Circuit.ToString().ToLowerInvariant(), b.QuietWaits, b.LateBytes);
            }).ToList(),
            ControllerFault = loop.ControllerFault?.Message,
            ExitCode = success ? ExitCodes.Success : ExitCodes.TaskFailed,
        };
    }

    private static MpcReport MpcOf(MpcController mpc, long started_ns)
    {
        var planner = mpc.Planner;
        var times = planner.RecentSolveTimes();
        Array.Sort(times);
        double Ms(double q) => times.Length == 0 ? 0 : Math.Round(1000 * times[Math.Min(times.Length - 1, (int)(q * times.Length))], 3);
        var reasons = Enum.GetValues<FallbackReason>().Where(r => r != FallbackReason.None && mpc.FallbackCyclesFor(r) > 0)
            .ToDictionary(r => r.ToString(), mpc.FallbackCyclesFor);
        return new MpcReport(planner.Planner.Name, planner.Solves, Math.Round(planner.PlanningRate_Hz, 1), Ms(0.5), Ms(0.99),
            times.Length == 0 ? 0 : Math.Round(1000 * times[^1], 3), planner.DivergedSolves, mpc.FallbackEvents, mpc.FallbackCycles, reasons,
            mpc.FirstFallback_ns < 0 ? null : Math.Round((mpc.FirstFallback_ns - started_ns) * 1e-9, 6), planner.IsAlive, planner.Fault?.Message);
    }
}
