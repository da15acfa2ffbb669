using RlRobotics.Core.Control;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Components;
using RlRobotics.Hal.Realtime;
using RlRobotics.Hal.Safety;

namespace RlRobotics.Hal.Loop;

/// <summary>
/// The real-time loop: at a fixed rate, Read → controller Update → SafetyFilter → Write, then observers.
/// It sleeps to absolute deadlines on the injected clock; a wake-up more than one period late is an overrun,
/// and the loop skips the whole periods it missed rather than running cycles back to back on stale time.
/// In steady state it allocates nothing; <see cref="LoopStatistics.AllocatedBytesPerCycle"/> measures it.
/// </summary>
public sealed class ControlLoop
{
    private readonly ControlLoopOptions _options;
    private readonly IClock _clock;
    private readonly ResourceManager _resources;
    private readonly IController _controller;
    private readonly SafetyFilter _filter;
    private readonly ICycleObserver[] _observers;
    private readonly string _controllerFaultReason;
    private volatile bool _stopRequested;
    private Thread? _thread;

    public ControlLoop(ControlLoopOptions options, IClock clock, ResourceManager resources, IController controller,
        SafetyFilter filter, IEnumerable<ICycleObserver>? observers = null)
    {
        if (!(options.RateHz > 0)) throw new ArgumentOutOfRangeException(nameof(options), "rate must be above 0 Hz");
        _options = options;
        _clock = clock;
        _resources = resources;
        _controller = controller;
        _filter = filter;
        _observers = observers?.ToArray() ?? Array.Empty<ICycleObserver>();
        _controllerFaultReason = $"controller '{controller.Kind}' threw an exception";
        controller.Bind(resources.State, resources.Command);
        foreach (var name in controller.ClaimedCommands) resources.Claim(name, $"controller '{controller.Kind}'");
    }

    public LoopStatistics Statistics { get; } = new();

    /// <summary>What the OS granted of the real-time requests (filled when the loop starts).</summary>
    public IReadOnlyList<RealtimeGrant> Grants { get; private set; } = Array.Empty<RealtimeGrant>();

    /// <summary>The exception a controller threw, if any (the loop e-stopped and carried on).</summary>
    public Exception? ControllerFault { get; private set; }

    /// <summary>Loop-clock time at which the loop started and stopped, ns.</summary>
    public long Started_ns { get; private set; }
    public long Stopped_ns { get; private set; }

    /// <summary>Asks the loop to stop after the current cycle (any thread).</summary>
    public void Stop() => _stopRequested = true;

    public bool IsRunning => _thread is { IsAlive: true };

    /// <summary>Starts the loop on a dedicated thread.</summary>
    public void Start()
    {
        _thread = new Thread(Run) { Name = "rlr-control-loop", IsBackground = true, Priority = ThreadPriority.Highest };
        _thread.Start();
    }

    /// <summary>Waits for the dedicated thread to end.</summary>
    public void Join() => _thread?.Join();

    /// <summary>Runs the loop on the calling thread until the duration elapses or <see cref="Stop"/> is called.</summary>
    public void Run()
    {
        Grants = RealtimeSetup.ApplyToCurrentThread(_options.Realtime);
        var period = _options.Period_ns;
        var spin_ns = (long)(_options.Realtime.Spin_us * 1000);
        var stats = Statistics;
        var state = _resources.State;
        var command = _resources.Command;

        var start = _clock.Now_ns;
        Started_ns = start;
        var end = _options.Duration_s is { } d ? start + (long)Math.Round(d * 1e9) : long.MaxValue;
        _resources.ReadAll(new CycleTime(start, 0, -1));
        _controller.Start(state);

        var next = start;        // the first cycle runs at once
        var previous = start - period;
        long cycle = 0;
        long allocationMark = 0;
        while (!_stopRequested && next < end)
        {
            if (spin_ns > 0)
            {
                _clock.SleepUntil(next - spin_ns);
                while (_clock.Now_ns < next) Thread.SpinWait(10);
            }
            else
            {
                _clock.SleepUntil(next);
            }
            var wake = _clock.Now_ns;
            var late = wake - next;
            stats.Lateness.Record(late);
            Volatile.Write(ref stats._lastLateness, late);
            if (late >= period)
            {
                // A stall: skip the periods we missed entirely, keep the phase of the schedule.
                var skipped = late / period;
                stats._overruns++;
                stats._skippedPeriods += skipped;
                next += skipped * period;
            }

            var time = new CycleTime(wake, (wake - previous) * 1e-9, cycle);
            RunCycle(state, command, time);
            stats.Compute.Record(_clock.Now_ns - wake);
            previous = wake;

            cycle++;
            Volatile.Write(ref stats._cycles, cycle);
            if (cycle == _options.WarmupCycles) allocationMark = GC.GetAllocatedBytesForCurrentThread();
            else if (cycle > _options.WarmupCycles)
            {
                stats._allocatedBytes = GC.GetAllocatedBytesForCurrentThread() - allocationMark;
                stats._allocationCycles = cycle - _options.WarmupCycles;
            }
            next += period;
        }
        Stopped_ns = _clock.Now_ns;
    }

    private void RunCycle(StateFrame state, CommandFrame command, in CycleTime time)
    {
        _resources.ReadAll(time);
        try
        {
            _controller.Update(state, command, time);
        }
        catch (Exception ex)
        {
            // A broken controller never crashes the loop: the filter latches the e-stop this very cycle.
            ControllerFault ??= ex;
            _filter.RequestEStop(_controllerFaultReason);
        }
        _filter.Apply(state, command, time, _clock.Now_ns);
        _resources.WriteAll(time);
        foreach (var o in _observers) o.OnCycle(state, command, time);
    }
}
