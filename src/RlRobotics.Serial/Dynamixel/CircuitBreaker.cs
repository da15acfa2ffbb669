namespace RlRobotics.Serial.Dynamixel;

/// <summary>Closed: transactions run. Open: refused until the break ends. Half-open: one trial decides.</summary>
public enum CircuitState { Closed, Open, HalfOpen }

/// <summary>
/// A bus's circuit breaker: after <c>failures</c> failed transactions in a row it opens for the break duration,
/// then lets one trial through — success closes it, failure opens it again. Time comes from the injected
/// <see cref="TimeProvider"/> (the loop clock), so breaks are deterministic on a simulated clock. Polly's breaker
/// measures failure ratios in rolling windows that allocate as time passes; a bus polled every cycle needs
/// consecutive failures and nothing allocated, so this one is ours.
/// </summary>
public sealed class CircuitBreaker(int failures, TimeSpan breakDuration, TimeProvider time)
{
    private readonly long _break = (long)(breakDuration.TotalSeconds * time.TimestampFrequency);
    private int _consecutive;
    private long _openUntil;

    public CircuitState State { get; private set; } = CircuitState.Closed;

    /// <summary>Times the circuit opened.</summary>
    public long Openings { get; private set; }

    /// <summary>Whether a transaction may run now (moves an open circuit whose break is over to half-open).</summary>
    public bool Allow()
    {
        if (State != CircuitState.Open) return true;
        if (time.GetTimestamp() < _openUntil) return false;
        State = CircuitState.HalfOpen;
        return true;
    }

    /// <summary>Whether the circuit is open and its break not yet over.</summary>
    public bool IsOpen => State == CircuitState.Open && time.GetTimestamp() < _openUntil;

    public void Success()
    {
        _consecutive = 0;
        State = CircuitState.Closed;
    }

    public void Failure()
    {
        _consecutive++;
        if (State == CircuitState.HalfOpen || _consecutive >= failures)
        {
            if (State != CircuitState.Open) Openings++;
            State = CircuitState.Open;
            _openUntil = time.GetTimestamp() + _break;
        }
    }
}
