using RlRobotics.Control.Planning;
using RlRobotics.Core.Concurrency;
using RlRobotics.Core.Time;

namespace RlRobotics.Control.Mpc;

/// <summary>
/// The MPC planner's own thread. It takes the newest state estimate from the control loop, warm-starts the planner
/// (shift the previous plan to the request time, re-roll it through its gains), runs a few iterations and publishes
/// the time-indexed plan through a <see cref="TripleBuffer{T}"/>. Neither hand-off blocks the loop.
/// On the wall clock it replans on its own period; on the simulated clock it runs in lockstep with the loop
/// (request → plan), which keeps runs deterministic. Any exception ends the thread: <see cref="IsAlive"/> turns
/// false and the controller falls back.
/// </summary>
public sealed class PlannerThread : IDisposable
{
    private readonly IPlanner _planner;
    private readonly MpcOptions _options;
    private readonly IClock _clock;
    private readonly TripleBuffer<PlanRequest> _requests;
    private readonly TripleBuffer<Trajectory> _plans;
    private readonly SemaphoreSlim _requestReady = new(0), _planReady = new(0);
    private readonly double[] _solveTimes = new double[4096];
    private readonly PlanRequest _current;
    private Thread? _thread;
    private volatile bool _stop, _kill, _alive;
    private long _sequence, _solves, _diverged;
    private long _firstSolveTicks, _lastSolveTicks;

    public PlannerThread(IPlanner planner, MpcOptions options, IClock clock)
    {
        _planner = planner;
        _options = options;
        _clock = clock;
        var p = planner.Problem;
        _requests = new TripleBuffer<PlanRequest>(() => new PlanRequest(p.StateSize));
        _plans = new TripleBuffer<Trajectory>(() => new Trajectory(p.Steps, p.StateSize, p.ControlSize));
        _current = new PlanRequest(p.StateSize);
    }

    public IPlanner Planner => _planner;

    /// <summary>Whether the thread is running (false once it died, was killed or stopped).</summary>
    public bool IsAlive => _alive;

    /// <summary>The exception that ended the thread, if any.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>Published plans.</summary>
    public long Solves => Interlocked.Read(ref _solves);

    /// <summary>Solves that diverged.</summary>
    public long DivergedSolves => Interlocked.Read(ref _diverged);

    /// <summary>Solves per second of wall time since the first one.</summary>
    public double PlanningRate_Hz
    {
        get
        {
            var solves = Solves;
            var span = (Volatile.Read(ref _lastSolveTicks) - Volatile.Read(ref _firstSolveTicks)) / (double)System.Diagnostics.Stopwatch.Frequency;
            return solves > 1 && span > 0 ? (solves - 1) / span : 0;
        }
    }

    /// <summary>Wall time of the recent solves (up to 4096), s, for reports (not real-time).</summary>
    public double[] RecentSolveTimes()
    {
        var n = (int)Math.Min(Solves, _solveTimes.Length);
        var copy = new double[n];
        Array.Copy(_solveTimes, copy, n);
        return copy;
    }

    /// <summary>The plan exchange the controller reads.</summary>
    internal TripleBuffer<Trajectory> Plans => _plans;

    /// <summary>The request slot the controller writes (then <see cref="Submit"/>).</summary>
    internal PlanRequest RequestSlot => _requests.WriteSlot;

    /// <summary>Publishes the filled request slot (loop thread; wait-free).</summary>
    internal void Submit()
    {
        _requests.Publish();
        if (_options.Lockstep) _requestReady.Release();
    }

    /// <summary>Lockstep only: waits for the plan of the last request; false on timeout (a dead planner returns at once).</summary>
    internal bool WaitForPlan()
    {
        var waited_ms = 0;
        while (!_planReady.Wait(50))
        {
            if (!_alive) return false;
            waited_ms += 50;
            if (waited_ms > _options.LockstepTimeout_s * 1000) return false;
        }
        return true;
    }

    /// <summary>Plans once from <paramref name="x0"/> on the calling thread and publishes it (before the loop starts).</summary>
    public void PlanNow(ReadOnlySpan<double> x0, long time_ns, int iterations)
    {
        x0.CopyTo(_current.State);
        _current.Time_ns = time_ns;
        _planner.Reset();
        PlanAndPublish(_current, iterations, cold: true);
    }

    public void Start()
    {
        _alive = true;
        _thread = new Thread(Run) { Name = $"rlr-planner-{_planner.Name}", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Test hook: makes the planner thread die at its next step, as a crash would.</summary>
    public void Kill() => _kill = true;

    private void Run()
    {
        try
        {
            if (_options.Lockstep) RunLockstep();
            else RunFree();
        }
        catch (Exception ex)
        {
            Fault = ex;
        }
        finally
        {
            _alive = false;
            _planReady.Release(); // wake a lockstep waiter so it sees the death at once
        }
    }

    private void RunLockstep()
    {
        while (true)
        {
            _requestReady.Wait();
            if (_stop) return;
            if (_kill) throw new PlannerKilledException();
            var request = _requests.ReadLatest();
            if (request is null) continue;
            PlanAndPublish(request, _options.IterationsPerReplan, cold: false);
            _planReady.Release();
        }
    }

    private void RunFree()
    {
        var period = (long)Math.Round(_options.ReplanPeriod_s * 1e9);
        var next = _clock.Now_ns;
        long lastRequest = long.MinValue;
        while (!_stop)
        {
            _clock.SleepUntil(next);
            var now = _clock.Now_ns;
            next += period;
            if (next <= now) next = now + period - (now - next) % period; // a slow solve: keep the phase, skip missed periods
            if (_kill) throw new PlannerKilledException();
            var request = _requests.ReadLatest();
            if (request is null || request.Time_ns == lastRequest) continue;
            lastRequest = request.Time_ns;
            PlanAndPublish(request, _options.IterationsPerReplan, cold: false);
        }
    }

    private void PlanAndPublish(PlanRequest request, int iterations, bool cold)
    {
        var solution = _planner.Solution;
        if (!cold && solution.Usable)
        {
            // Warm start: move the previous plan to the request time (shift + append).
            var steps = (int)Math.Round((request.Time_ns - solution.T0_ns) * 1e-9 / solution.Dt);
            if (steps >= solution.Steps || steps < 0) _planner.Reset();
            else solution.Shift(steps);
        }
        else if (!cold)
        {
            _planner.Reset();
        }
        var status = _planner.Solve(request.State, iterations);
        if (status == SolveStatus.Diverged)
        {
            Interlocked.Increment(ref _diverged);
            _planner.Reset();
        }
        solution.T0_ns = request.Time_ns;
        solution.Sequence = ++_sequence;

        var slot = _plans.WriteSlot;
        slot.CopyFrom(solution);
        _plans.Publish();

        var ticks = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_solves == 0) Volatile.Write(ref _firstSolveTicks, ticks);
        Volatile.Write(ref _lastSolveTicks, ticks);
        _solveTimes[_solves % _solveTimes.Length] = solution.SolveTime_s;
        Interlocked.Increment(ref _solves);
    }

    public void Dispose()
    {
        _stop = true;
        _requestReady.Release();
        _thread?.Join(TimeSpan.FromSeconds(5));
        if (_planner is IDisposable d) d.Dispose();
    }
}

/// <summary>Thrown on the planner thread by <see cref="PlannerThread.Kill"/>.</summary>
public sealed class PlannerKilledException : Exception
{
    public PlannerKilledException() : base("the planner thread was killed") { }
}
