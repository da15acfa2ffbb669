namespace RlRobotics.Serial.Dynamixel;

/// <summary>How a <see cref="DynamixelBus"/> times, retries and rests.</summary>
public sealed record DynamixelBusOptions
{
    /// <summary>Attempts after the first for a transaction that timed out or failed its CRC (0 … 10).</summary>
    public int Retries { get; init; } = 1;

    /// <summary>Failed transactions in a row that open the circuit (≥ 1).</summary>
    public int BreakerFailures { get; init; } = 3;

    /// <summary>How long the circuit stays open before one trial transaction (loop time, 1 ms … 1 h).</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(0.2);

    /// <summary>The devices' Return Delay Time, µs (register 9 × 2 µs), waited once per reply.</summary>
    public double ReturnDelay_us { get; init; }

    /// <summary>The USB adapter's latency (its latency timer; 1 ms in low-latency mode), counted out and back.</summary>
    public TimeSpan AdapterLatency { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Added to every reply deadline for scheduling noise.</summary>
    public TimeSpan Margin { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// How late a reply may still arrive after its deadline (0: not guarded). Protocol 2.0 status packets carry no
    /// sequence number, so a reply that missed its deadline and arrives during a later request would be taken as that
    /// request's answer: state one request old, and nothing to tell. After a reply goes missing the bus therefore sends
    /// nothing until the line has been quiet this long, discarding what arrives. The default covers an FTDI adapter
    /// left at its factory latency timer (16 ms).
    /// </summary>
    public TimeSpan LateReplyHorizon { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Checks the ranges; throws <see cref="ArgumentException"/> naming the setting.</summary>
    public void Validate()
    {
        if (Retries is < 0 or > 10) throw new ArgumentException($"retries: expected 0 … 10, got {Retries}");
        if (BreakerFailures < 1) throw new ArgumentException($"breaker failures: expected at least 1, got {BreakerFailures}");
        if (BreakDuration < TimeSpan.FromMilliseconds(1) || BreakDuration > TimeSpan.FromHours(1)) throw new ArgumentException($"breaker break: expected 0.001 … 3600 s, got {BreakDuration.TotalSeconds} s");
        if (ReturnDelay_us is < 0 or > 508) throw new ArgumentException($"return delay: expected 0 … 508 µs, got {ReturnDelay_us}");
        if (AdapterLatency < TimeSpan.Zero || AdapterLatency > TimeSpan.FromMilliseconds(50)) throw new ArgumentException($"adapter latency: expected 0 … 50 ms, got {AdapterLatency.TotalMilliseconds} ms");
        if (Margin < TimeSpan.Zero || Margin > TimeSpan.FromSeconds(1)) throw new ArgumentException($"margin: expected 0 … 1 s, got {Margin.TotalMilliseconds} ms");
        if (LateReplyHorizon < TimeSpan.Zero || LateReplyHorizon > TimeSpan.FromSeconds(1)) throw new ArgumentException($"late reply horizon: expected 0 … 1 s, got {LateReplyHorizon.TotalMilliseconds} ms");
    }
}
